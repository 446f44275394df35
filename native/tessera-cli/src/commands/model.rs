//! Loading the model a command runs, and saying which of the package's models runs and where.

use std::path::Path;

use tessera_core::infer::{Precision, Predictor};
use tessera_core::runtime::{Device, Runtime};
use tessera_core::Result;

/// Loads the model at `path` on `device` in `precision`; prints which model runs (unless
/// `quiet`) and every warning (to stderr, always).
pub fn load(
    runtime: &Runtime,
    path: &Path,
    threads: usize,
    device: Device,
    precision: Precision,
    quiet: bool,
) -> Result<Predictor> {
    let predictor = Predictor::load(runtime, path, threads, device, precision)?;
    if let Some(warning) = predictor.placement().warning() {
        eprintln!("{warning}");
    }
    let chosen = predictor.chosen();
    if let Some(warning) = &chosen.warning {
        eprintln!("warning: {warning}");
    }
    if !quiet {
        println!("{}", chosen.reason);
    }
    Ok(predictor)
}
