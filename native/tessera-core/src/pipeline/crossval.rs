//! Grouped k-fold cross-validation of the tile classifier, summarised for the model package.

use serde::Serialize;

use crate::dataset::split::grouped_folds;
use crate::dataset::TileStore;
use crate::eval::report::Report;
use crate::job::Job;
use crate::runtime::Runtime;
use crate::train::cv;
use crate::train::fit::{EpochRecord, Event, TrainConfig};
use crate::Result;

use super::architecture::Prepared;

/// What one fold achieved on its held-out tiles.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoldResult {
    /// 1-based fold number.
    pub fold: usize,
    /// The metrics on the held-out tiles, with 95 % bootstrap intervals.
    pub report: Report,
    /// The epoch whose model was kept.
    pub best_epoch: usize,
    /// Every epoch run.
    pub history: Vec<EpochRecord>,
}

/// Trains and evaluates the CNN on each fold of grouped `folds`-fold cross-validation (see
/// [`cv::cross_validate`]); `on_event` receives each fold's training events with its number.
pub fn cross_validate(
    runtime: &Runtime,
    store: &TileStore,
    prepared: &Prepared,
    config: &TrainConfig,
    folds: usize,
    job: &Job,
    on_event: &mut dyn FnMut(usize, Event),
) -> Result<Vec<FoldResult>> {
    let splits = grouped_folds(store, folds, config.seed)?;
    let results = cv::cross_validate(runtime, prepared.network(), prepared.samples(), &splits, config, job, on_event)?;
    Ok(results
        .into_iter()
        .enumerate()
        .map(|(index, fold)| FoldResult {
            fold: index + 1,
            report: fold.report,
            best_epoch: fold.trained.best_epoch,
            history: fold.trained.history,
        })
        .collect())
}
