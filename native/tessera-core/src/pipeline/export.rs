//! Training the final model and packing it into a `.tessera` package.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dataset::split::{grouped_split, Split};
use crate::dataset::TileStore;
use crate::graph::cnn::CnnSpec;
use crate::graph::network::Network;
use crate::job::Job;
use crate::model::{ClassInfo, InputSpec, Metadata, Package, Provenance, Task};
use crate::runtime::Runtime;
use crate::slide::Resolution;
use crate::tiling::TileSpec;
use crate::train::fit::{evaluate, fit, Event, TrainConfig};
use crate::{Result, TesseraError};

use super::architecture::Prepared;
use super::collect::{tiles_per_class, DataRecord};
use super::int8::int8_model;
use crate::model::{CrossValidation, FoldResult, MetricsRecord, TrainingRecord};

/// Shares of the tiles (by group) that may be held out to choose the final model's best epoch,
/// in order of preference: the first that leaves every class a group on each side is used.
pub const FINAL_VALIDATION: [f64; 4] = [0.2, 0.25, 1.0 / 3.0, 0.5];

/// Shape of the from-scratch CNN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CnnOptions {
    /// Channels of the first block (doubled by each further block).
    pub width: usize,
    /// Blocks, each halving the tile side.
    pub depth: usize,
    /// Residual blocks.
    pub residual: bool,
}

impl Default for CnnOptions {
    fn default() -> Self {
        let spec = CnnSpec::default();
        Self { width: spec.width, depth: spec.depth, residual: spec.residual }
    }
}

impl CnnOptions {
    /// The network for the store's tiles and classes.
    pub fn network(&self, store: &TileStore) -> Result<Network> {
        self.spec(store.side(), store.classes().len()).network()
    }

    /// The CNN of these options for RGB tiles of side `tile` and `classes` classes.
    pub fn spec(&self, tile: usize, classes: usize) -> CnnSpec {
        CnnSpec { channels: 3, tile, classes, width: self.width, depth: self.depth, residual: self.residual }
    }
}

/// Colours for classes the annotations gave none: distinct, readable on tissue.
const PALETTE: [[u8; 3]; 8] = [
    [200, 0, 0],
    [150, 200, 150],
    [0, 0, 180],
    [255, 200, 0],
    [160, 90, 160],
    [0, 150, 150],
    [120, 120, 120],
    [255, 120, 0],
];

/// Trains the final model of `prepared` on all tiles (holding out one of [`FINAL_VALIDATION`] of
/// the groups to pick its best epoch) and packs it with its metrics: the cross-validation `folds`
/// when given, and the final hold-out. `colours` are the classes' QuPath colours where known.
#[allow(clippy::too_many_arguments)] // The whole training request; a struct would only rename it.
pub fn train_package(
    runtime: &Runtime,
    name: &str,
    store: &TileStore,
    record: &DataRecord,
    spec: &TileSpec,
    prepared: &Prepared,
    config: &TrainConfig,
    folds: &[FoldResult],
    colours: &BTreeMap<String, [u8; 3]>,
    job: &Job,
    on_event: &mut dyn FnMut(Event),
) -> Result<Package> {
    let (network, samples) = (prepared.network(), prepared.samples());
    let (validation, split) = final_split(store, config.seed)?;
    let trained = fit(runtime, network, samples, &split, config, job, on_event)?;
    let hold_out = evaluate(runtime, network, &trained.state, samples, &split.validation, config)?;

    let classes = store
        .classes()
        .iter()
        .enumerate()
        .map(|(i, class)| ClassInfo::new(class, colours.get(class).copied().unwrap_or(PALETTE[i % PALETTE.len()])))
        .collect();
    let (mpp, downsample) = match spec.resolution {
        Resolution::Mpp(mpp) => (Some(mpp), None),
        Resolution::Downsample(d) => (None, Some(d)),
    };
    // The networks read `v / 127.5 − 1`: mean 0.5 and std 0.5 on the 0–1 scale.
    let input =
        InputSpec { tile_size: spec.tile_size, mpp, downsample, channels: 3, mean: vec![0.5; 3], std: vec![0.5; 3] };
    let segmenter = !network.label_shape().is_empty();
    let task = if segmenter { Task::Segmentation } else { Task::TileClassification };
    let mut metadata = Metadata::new(name, task, classes, input);
    metadata.architecture = Some(prepared.describe(store));
    metadata.training = Some(TrainingRecord {
        config: config.clone(),
        tiles: spec.clone(),
        best_epoch: trained.best_epoch,
        stopped: trained.stopped,
        history: trained.history,
        class_weights: trained.class_weights,
    });
    metadata.provenance = Provenance {
        images: record.images.clone(),
        annotations_per_class: record.annotations_per_class.clone(),
        tiles_per_class: tiles_per_class(store),
        split: format!(
            "grouped by {}: {}-fold cross-validation, then the final model with {:.0} % of the groups held out",
            record.grouping,
            folds.len(),
            validation * 100.0
        ),
    };
    metadata.metrics =
        Some(MetricsRecord { cross_validation: CrossValidation::of(folds), final_hold_out: Some(hold_out) });
    metadata.software.insert("onnxruntime".into(), runtime.version().to_owned());
    let float = prepared.model(&trained.state)?;
    if segmenter {
        // int8 segmenters are not made yet: the guard judges classes per tile.
        return Package::new(metadata, float);
    }
    let (int8, record) = int8_model(runtime, &float, store, &split, config.threads, job)?;
    Package::new(metadata, float)?.with_int8(int8, record)
}

/// The largest preferred hold-out that every class can supply groups for.
pub(crate) fn final_split(store: &TileStore, seed: u64) -> Result<(f64, Split)> {
    for validation in FINAL_VALIDATION {
        if let Ok(split) = grouped_split(store, validation, seed) {
            return Ok((validation, split));
        }
    }
    let mut groups: Vec<std::collections::BTreeSet<u64>> = vec![Default::default(); store.classes().len()];
    for (&label, &group) in store.labels().iter().zip(store.groups()) {
        groups[label].insert(group);
    }
    let short: Vec<String> = store
        .classes()
        .iter()
        .zip(&groups)
        .filter(|(_, groups)| groups.len() < 2)
        .map(|(class, groups)| format!("{class} has {}", groups.len()))
        .collect();
    Err(TesseraError::invalid(format!(
        "the final model holds out whole polygons (or slides) of each class, to stop training in time and to report \
         on, so each class needs tiles from at least 2 of them{}; annotate more separate regions",
        if short.is_empty() { String::new() } else { format!(" ({})", short.join(", ")) }
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_from_one_polygon_cannot_be_held_out_and_the_message_says_which() {
        let mut store = TileStore::new(1, vec!["Stroma".into(), "Tumor".into()]).unwrap();
        for (class, group) in [(0, 1), (0, 2), (0, 3), (1, 7), (1, 7)] {
            store.push(&[0, 0, 0], class, group).unwrap();
        }
        let message = final_split(&store, 0).unwrap_err().to_string();
        assert!(message.contains("at least 2 of them (Tumor has 1)"), "{message}");
        assert!(!message.contains("folds"), "nothing about folds when none were asked for: {message}");
        store.push(&[0, 0, 0], 1, 8).unwrap();
        assert!(final_split(&store, 0).is_ok());
    }
}
