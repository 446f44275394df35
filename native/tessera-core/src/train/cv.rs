//! Grouped k-fold cross-validation: one model per fold, each evaluated on its held-out groups.

use super::fit::{evaluate, fit, Event, TrainConfig, Trained};
use crate::dataset::samples::Samples;
use crate::dataset::split::Split;
use crate::eval::report::Report;
use crate::graph::network::Network;
use crate::job::Job;
use crate::runtime::Runtime;
use crate::Result;

/// One fold: the model trained without its groups and its evaluation on them.
pub struct Fold {
    /// The training outcome (best epoch chosen on this fold's held-out groups).
    pub trained: Trained,
    /// The metrics on the held-out groups.
    pub report: Report,
}

/// Trains and evaluates `network` (from scratch each time) on `samples` in each of `folds` (made
/// with [`grouped_folds`](crate::dataset::split::grouped_folds) from the tiles the samples come
/// from), reporting `(fold, event)` to `on_event`.
///
/// The held-out groups both choose the best epoch and measure it, so the figures lean
/// optimistic by that choice; with few epochs and `patience` 0 the last epoch is measured.
pub fn cross_validate(
    runtime: &Runtime,
    network: &Network,
    samples: &dyn Samples,
    folds: &[Split],
    config: &TrainConfig,
    job: &Job,
    on_event: &mut dyn FnMut(usize, Event),
) -> Result<Vec<Fold>> {
    let mut out = Vec::with_capacity(folds.len());
    for (f, split) in folds.iter().enumerate() {
        let trained = fit(runtime, network, samples, split, config, job, &mut |e| on_event(f, e))?;
        let report = evaluate(runtime, network, &trained.state, samples, &split.validation, config)?;
        out.push(Fold { trained, report });
    }
    Ok(out)
}
