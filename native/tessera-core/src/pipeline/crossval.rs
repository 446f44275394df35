//! Grouped k-fold cross-validation of the tile classifier.

use serde::Serialize;

use crate::dataset::batch::batch;
use crate::dataset::split::{grouped_folds, Split};
use crate::dataset::TileStore;
use crate::eval::report::Report;
use crate::graph::network::Network;
use crate::job::Job;
use crate::runtime::{Model, Runtime};
use crate::train::fit::{fit, EpochRecord, Event, TrainConfig, Trained};
use crate::Result;

use super::export::CnnOptions;

/// Bootstrap resamples behind each confidence interval.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// What one fold achieved on its held-out tiles.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoldResult {
    /// 1-based fold number.
    pub fold: usize,
    /// Tiles trained on.
    pub train_tiles: usize,
    /// The metrics on the held-out tiles, with 95 % bootstrap intervals.
    pub report: Report,
    /// The epoch whose model was kept.
    pub best_epoch: usize,
    /// Every epoch run.
    pub history: Vec<EpochRecord>,
}

/// Trains and evaluates one model per fold of grouped `folds`-fold cross-validation.
/// `on_event` receives each fold's training events with the fold number.
pub fn cross_validate(
    runtime: &Runtime,
    store: &TileStore,
    cnn: &CnnOptions,
    config: &TrainConfig,
    folds: usize,
    job: &Job,
    on_event: &mut dyn FnMut(usize, Event),
) -> Result<Vec<FoldResult>> {
    let network = cnn.network(store)?;
    grouped_folds(store, folds, config.seed)?
        .iter()
        .enumerate()
        .map(|(index, split)| {
            let trained = fit(runtime, &network, store, split, config, job, &mut |event| on_event(index + 1, event))?;
            let report = evaluate(runtime, &network, &trained, store, split, config)?;
            Ok(FoldResult {
                fold: index + 1,
                train_tiles: split.train.len(),
                report,
                best_epoch: trained.best_epoch,
                history: trained.history,
            })
        })
        .collect()
}

/// The metrics of a trained model on its split's validation tiles.
pub fn evaluate(
    runtime: &Runtime,
    network: &Network,
    trained: &Trained,
    store: &TileStore,
    split: &Split,
    config: &TrainConfig,
) -> Result<Report> {
    let model = Model::from_bytes(runtime, &network.inference_graph(&trained.state)?, config.threads)?;
    let probabilities = probabilities(&model, store, &split.validation, config.batch_size)?;
    let truth: Vec<usize> = split.validation.iter().map(|&i| store.labels()[i]).collect();
    Report::new(store.classes(), &truth, &probabilities, BOOTSTRAP_RESAMPLES, config.seed)
}

/// Class probabilities (`[n, classes]`, row-major) of an inference model on tiles of the store.
pub fn probabilities(model: &Model, store: &TileStore, indices: &[usize], batch_size: usize) -> Result<Vec<f32>> {
    let side = store.side();
    let mut out = Vec::with_capacity(indices.len() * store.classes().len());
    for chunk in indices.chunks(batch_size.max(1)) {
        let (x, _) = batch(store, chunk, None);
        out.extend(model.run(&x, &[chunk.len(), 3, side, side])?.data);
    }
    Ok(out)
}
