//! The training request — check, prepare, cross-validate, train, package — as the one
//! orchestration behind `tessera train`, `tessera demo` and the QuPath extension: they differ only
//! in where the tiles come from and where progress goes.

use std::collections::BTreeMap;

use super::export::final_split;
use super::parent::{lineage, start_from};
use super::{cross_validate, train_package, Architecture, DataRecord, FoldResult};
use crate::dataset::TileStore;
use crate::job::{CancelToken, Job, ProgressSink};
use crate::model::Package;
use crate::runtime::Runtime;
use crate::shift;
use crate::tiling::TileSpec;
use crate::train::fit::TrainConfig;
use crate::Result;

/// What to train.
#[derive(Clone, Copy, Debug)]
pub struct TrainingRequest<'a> {
    /// The model's name, recorded in its package.
    pub name: &'a str,
    /// The tiles trained on (size and resolution), recorded in the package.
    pub tiles: &'a TileSpec,
    /// What is trained: the CNN from scratch, or a head on a backbone.
    pub architecture: &'a Architecture,
    /// Epochs, batch, rates, seed, threads.
    pub config: &'a TrainConfig,
    /// Cross-validation folds (fewer than 2: none).
    pub folds: usize,
    /// QuPath colours of the classes, where known.
    pub colours: &'a BTreeMap<String, [u8; 3]>,
    /// A model to start from instead of random weights (fine-tuning), whose lineage the new
    /// package records.
    pub parent: Option<&'a Package>,
}

/// The stages of a training run, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Preparing the tiles for the network (a backbone's embeddings; nothing for the CNN).
    Prepare,
    /// Grouped k-fold cross-validation.
    CrossValidation,
    /// The final model on all tiles, with its hold-out.
    FinalModel,
}

/// Where each stage of a training run reports its progress.
pub trait Stages {
    /// The progress sink of `stage`, asked for when the stage starts (the one before is over).
    fn start(&mut self, stage: Stage) -> &dyn ProgressSink;

    /// Hears the cross-validation folds once they are done (none when there is no
    /// cross-validation).
    fn folds(&mut self, _folds: &[FoldResult]) {}
}

/// Every stage reports to one sink (e.g. the QuPath extension's progress listener).
impl Stages for &dyn ProgressSink {
    fn start(&mut self, _stage: Stage) -> &dyn ProgressSink {
        *self
    }
}

impl TrainingRequest<'_> {
    /// Checks what can be checked before any tile is read: the folds, the training settings, and
    /// that the architecture takes the tiles.
    pub fn check(&self) -> Result<()> {
        if self.folds == 1 {
            return Err(crate::TesseraError::invalid(
                "1 fold is no cross-validation: give 0 folds for none, or at least 2",
            ));
        }
        self.config.validate()?;
        self.architecture.check(self.tiles.tile_size)
    }

    /// Trains on `store` (tiles grouped as `record` says): prepares the tiles, cross-validates
    /// when asked, trains the final model and packs it with its metrics and provenance. Stops
    /// with [`TesseraError::Cancelled`](crate::TesseraError::Cancelled) when `cancel` is.
    pub fn run(
        &self,
        runtime: &Runtime,
        store: &TileStore,
        record: &DataRecord,
        cancel: &CancelToken,
        stages: &mut dyn Stages,
    ) -> Result<Package> {
        self.check()?;
        if store.classes().len() < 2 {
            let found = if store.classes().is_empty() { "no class".to_owned() } else { store.classes().join(", ") };
            return Err(crate::TesseraError::invalid(format!(
                "a classifier learns to tell classes apart, and the annotations label {found} only: \
                 annotate at least 2 classes"
            )));
        }
        // Stain normalisation first: every later stage (augmentation included) sees normalised tiles.
        let per_slide = record.grouping == "slide";
        let (store, stain) = shift::normalise_store(store, self.config.stain_normalisation, per_slide)?;
        let store: &TileStore = &store;
        let prepared = {
            let job = Job::new(cancel.clone(), stages.start(Stage::Prepare));
            let prepared = self.architecture.prepare(runtime, store, self.config.threads, &job)?;
            match self.parent {
                Some(parent) => start_from(parent, prepared, store, self.tiles)?,
                None => prepared,
            }
        };
        let folds = if self.folds >= 2 {
            let job = Job::new(cancel.clone(), stages.start(Stage::CrossValidation));
            cross_validate(runtime, store, &prepared, self.config, self.folds, &job, &mut |_, _| {})?
        } else {
            Vec::new()
        };
        stages.folds(&folds);
        let job = Job::new(cancel.clone(), stages.start(Stage::FinalModel));
        let (tiles, config, colours) = (self.tiles, self.config, self.colours);
        let mut package = train_package(
            runtime,
            self.name,
            store,
            record,
            tiles,
            &prepared,
            config,
            &folds,
            colours,
            &job,
            &mut |_| {},
        )?;
        let fold_scores: Vec<f64> = folds.iter().filter_map(|fold| fold.ood_score).collect();
        let hold_out = final_split(store, config.seed)?.1;
        let record_shift =
            shift::training_record(runtime, &package, store, &fold_scores, &hold_out, stain, config.threads, &job)?;
        package = package.with_shift(record_shift);
        match self.parent {
            Some(parent) => {
                let lineage = lineage(runtime, parent, store, record, &folds, config.seed, config.threads, &job)?;
                Ok(package.with_lineage(lineage))
            }
            None => Ok(package),
        }
    }
}
