//! Grouped k-fold cross-validation of the tile classifier, summarised for the model package.

use crate::dataset::split::grouped_folds;
use crate::dataset::TileStore;
use crate::job::Job;
use crate::model::FoldResult;
use crate::runtime::Runtime;
use crate::shift;
use crate::train::cv;
use crate::train::fit::{Event, TrainConfig};
use crate::Result;

use super::architecture::Prepared;
use super::int8::int8_model;

/// Trains and evaluates the CNN on each fold of grouped `folds`-fold cross-validation (see
/// [`cv::cross_validate`]), and each fold's model quantised to int8 as the final model is, and
/// its out-of-distribution score (see [`shift::fold_score`]);
/// `on_event` receives each fold's training events with its number.
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
    results
        .into_iter()
        .zip(&splits)
        .enumerate()
        .map(|(index, (fold, split))| {
            // The fold's model quantised as the final model will be, judged on the same tiles,
            // and its out-of-distribution score of its held-out tiles (classifiers only, as for
            // the final model).
            let (int8, ood_score) = if prepared.network().label_shape().is_empty() {
                let float = prepared.model(&fold.trained.state)?;
                let int8 = int8_model(runtime, &float, store, split, config.threads, job)?.1.agreement;
                (int8, shift::fold_score(runtime, &float, store, split, config.threads, job)?)
            } else {
                (None, None)
            };
            Ok(FoldResult {
                fold: index + 1,
                report: fold.report,
                best_epoch: fold.trained.best_epoch,
                history: fold.trained.history,
                int8,
                ood_score,
            })
        })
        .collect()
}
