//! `tessera selftest`: checks the installation by running a tiny real model on ONNX Runtime.

use tessera_core::graph::probe;
use tessera_core::runtime::{self, Model};
use tessera_core::Result;

/// Check the installation: load ONNX Runtime and run a tiny real ONNX model.
///
/// Example: `tessera selftest`
#[derive(clap::Args)]
pub struct Args {
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the probe model on two rows and prints versions and probabilities.
pub fn run(args: Args) -> Result<()> {
    let runtime = runtime::init(&runtime::locate()?)?;
    let weights = [1.0, -1.0, 0.5, 0.5];
    let model = Model::from_bytes(runtime, &probe::linear_softmax(&weights, &[0.0, 0.0], 2)?, 1)?;
    let out = model.run(&[1.0, 0.0, 0.0, 1.0], &[2, 2])?;
    if args.json {
        let report = serde_json::json!({
            "tessera": tessera_core::VERSION,
            "onnxruntime": runtime.library(),
            "probabilities": out.data,
        });
        println!("{report}");
    } else {
        println!("tessera {}", tessera_core::VERSION);
        println!("ONNX Runtime: {}", runtime.library().display());
        println!("probe model probabilities: {:?}", out.data);
    }
    Ok(())
}
