//! Domain shift: slides from other scanners and stains, caught and reduced (#14).
//!
//! - [`normalise`]: stain normalisation (Reinhard, Macenko). Training fits the target to its
//!   tiles and maps each training slide's tiles onto it before augmentation
//!   ([`normalise_store`]); applying a model fits the slide's own appearance on a sample of its
//!   tiles and maps every tile the same way, in the shared preprocessing
//!   ([`Predictor::preprocess`]).
//! - [`ood`]: an out-of-distribution score of a slide, from the pooled features, against what
//!   the training folds showed ([`training_record`] stores it in the package).
//! - [`adabn`]: the batch normalisations re-estimated on the slide's tiles.
//!
//! [`prepare_slide`] (or [`prepare_tiles`], for tiles read elsewhere) runs all three for one
//! slide before a model is applied to it: the one orchestration behind `tessera apply`, `tessera
//! eval` and the QuPath extension.

pub mod adabn;
pub mod normalise;
pub mod ood;
mod surgery;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use normalise::{StainFit, StainMethod, StainTransform};
pub use ood::FeatureReference;

use crate::dataset::split::Split;
use crate::dataset::TileStore;
use crate::graph::proto::ModelProto;
use crate::infer::Predictor;
use crate::job::Job;
use crate::model::Package;
use crate::runtime::{Model, Runtime, Tensor};
use crate::slide::{read_region, RegionSource};
use crate::tiling::TilePlan;
use crate::{Result, TesseraError};

/// The most tiles of a slide read to fit its stain, score it and adapt the model to it (spread
/// evenly over the plan).
pub const SAMPLE_TILES: usize = 256;
/// Tiles per model run while measuring features.
const BATCH: usize = 32;

/// What a package records about its training tiles' appearance (absent from older packages and
/// from models made elsewhere).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShiftRecord {
    /// The stain normalisation's target, fitted on the training tiles (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stain: Option<StainFit>,
    /// The training tiles' feature statistics for the out-of-distribution score (absent: the
    /// network has no pooled features to measure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<FeatureReference>,
}

impl ShiftRecord {
    /// Checks every value; the error names the field.
    pub fn validate(&self) -> Result<()> {
        self.stain.as_ref().map_or(Ok(()), StainFit::validate)?;
        self.features.as_ref().map_or(Ok(()), FeatureReference::validate)
    }
}

/// The most tiles of a store a stain fit reads (evenly spread).
const FIT_TILES: usize = 1024;

/// The pixels of up to [`FIT_TILES`] of `tiles` of `store`, evenly spread, end to end.
fn fit_pixels(store: &TileStore, tiles: &[usize]) -> Vec<u8> {
    let step = tiles.len().div_ceil(FIT_TILES).max(1);
    tiles.iter().step_by(step).flat_map(|&i| store.tile(i)).copied().collect()
}

/// `store` with every tile stain-normalised by `method`, and the target it was normalised to:
/// the fit over all tiles. With `per_group` (each group a slide), each group's tiles are mapped
/// from their own fit; otherwise all tiles from the one fit. [`StainMethod::None`] borrows the
/// store as it is.
pub fn normalise_store(
    store: &TileStore,
    method: StainMethod,
    per_group: bool,
) -> Result<(Cow<'_, TileStore>, Option<StainFit>)> {
    if method.is_none() {
        return Ok((Cow::Borrowed(store), None));
    }
    let all: Vec<usize> = (0..store.len()).collect();
    let Some(target) = StainFit::fit(method, &fit_pixels(store, &all), "the training tiles")? else {
        return Ok((Cow::Borrowed(store), None));
    };
    let mut groups: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (index, &group) in store.groups().iter().enumerate() {
        groups.entry(if per_group { group } else { 0 }).or_default().push(index);
    }
    let mut normalised = store.clone();
    for (group, tiles) in groups {
        let what = format!("the training tiles of slide {group}");
        let source = StainFit::fit(method, &fit_pixels(store, &tiles), &what)?.unwrap_or_else(|| target.clone());
        let transform = StainTransform::new(&source, &target)?;
        for &i in &tiles {
            transform.apply(normalised.tile_mut(i));
        }
    }
    Ok((Cow::Owned(normalised), Some(target)))
}

/// A model cut to some of its inner values: what they are for each tile.
pub(crate) struct Probe {
    session: Model,
    tile: usize,
}

impl Probe {
    /// `model` giving its inner values `names` for tiles of side `tile`, on `threads` threads.
    pub(crate) fn new(
        runtime: &Runtime,
        model: &ModelProto,
        names: &[String],
        tile: usize,
        threads: usize,
    ) -> Result<Self> {
        Ok(Self { session: Model::observing(runtime, &surgery::with_outputs(model, names), threads)?, tile })
    }

    /// Runs the model on `inputs` (preprocessed tiles laid end to end), [`BATCH`] tiles a run,
    /// stopping between runs when `job` is cancelled; hands each run's values to `each`.
    fn each(&self, inputs: &[f32], job: &Job, each: &mut dyn FnMut(Vec<Tensor>)) -> Result<()> {
        let per = 3 * self.tile * self.tile;
        for chunk in inputs.chunks(BATCH * per) {
            job.check()?;
            each(self.session.run_all(chunk, &[chunk.len() / per, 3, self.tile, self.tile])?);
        }
        Ok(())
    }

    /// The first value for every tile of `inputs`, in order, with the shape of one tile's.
    pub(crate) fn run(&self, inputs: &[f32], job: &Job) -> Result<(Vec<f32>, Vec<usize>)> {
        let (mut values, mut row) = (Vec::new(), Vec::new());
        self.each(inputs, job, &mut |outputs| {
            if let Some(value) = outputs.into_iter().next() {
                row = value.shape.get(1..).map(<[usize]>::to_vec).unwrap_or_default();
                values.extend_from_slice(&value.data);
            }
        })?;
        Ok((values, row))
    }

    /// Every value's per-channel spatial mean for every tile of `inputs`, one vector per tile
    /// (the values' channels one after the other), with its length.
    pub(crate) fn pooled(&self, inputs: &[f32], job: &Job) -> Result<(Vec<f32>, usize)> {
        let (mut vectors, mut dim) = (Vec::new(), 0);
        self.each(inputs, job, &mut |outputs| {
            let count = outputs.first().and_then(|v| v.shape.first().copied()).unwrap_or(0);
            let mut rows = vec![Vec::new(); count];
            for value in &outputs {
                let channels = value.shape.get(1).copied().unwrap_or(1).max(1);
                let plane: usize = value.shape.get(2..).map_or(1, |rest| rest.iter().product());
                for (n, row) in rows.iter_mut().enumerate() {
                    for c in 0..channels {
                        let at = (n * channels + c) * plane;
                        let values = value.data.get(at..at + plane).unwrap_or(&[]);
                        row.push(values.iter().sum::<f32>() / plane.max(1) as f32);
                    }
                }
            }
            dim = rows.first().map_or(0, Vec::len);
            vectors.extend(rows.into_iter().flatten());
        })?;
        Ok((vectors, dim))
    }
}

/// The features of every tile of a store: the model values they come from, the features end to
/// end and their length.
struct StoreFeatures {
    outputs: Vec<String>,
    values: Vec<f32>,
    dim: usize,
}

/// The features of every tile of `store` under the float model `onnx` (see
/// [`surgery::feature_values`], each spatially pooled); `None` when the network has no such
/// values.
fn store_features(
    runtime: &Runtime,
    onnx: &[u8],
    store: &TileStore,
    threads: usize,
    job: &Job,
) -> Result<Option<StoreFeatures>> {
    use crate::dataset::samples::Samples;
    let model = surgery::decode(onnx)?;
    let outputs = surgery::feature_values(&model);
    if outputs.is_empty() {
        return Ok(None);
    }
    let probe = Probe::new(runtime, &model, &outputs, store.side(), threads)?;
    let (mut values, mut dim) = (Vec::new(), 0);
    let all: Vec<usize> = (0..store.len()).collect();
    // A few batches at a time: a large store's f32 inputs would not fit in memory at once.
    for chunk in all.chunks(BATCH * 8) {
        let (inputs, _) = store.batch(chunk, None);
        let (chunk_values, length) = probe.pooled(&inputs, job)?;
        dim = length;
        values.extend(chunk_values);
    }
    Ok(Some(StoreFeatures { outputs, values, dim }))
}

/// A training fold's in-distribution score: under the fold's float model `onnx`, its validation
/// tiles of `store` against its training tiles (see [`ood`]); `None` when the network has no
/// pooled features.
pub fn fold_score(
    runtime: &Runtime,
    onnx: &[u8],
    store: &TileStore,
    split: &Split,
    threads: usize,
    job: &Job,
) -> Result<Option<f64>> {
    let Some(StoreFeatures { values, dim, .. }) = store_features(runtime, onnx, store, threads, job)? else {
        return Ok(None);
    };
    let features = ood::Features { values: &values, dim, labels: store.labels(), classes: store.classes().len() };
    ood::held_out_score(&features, split).map(Some)
}

/// What `package` (trained on the normalised `store`, normalised to `stain`) records about its
/// training data: the stain target and the pooled features' statistics over the tiles under the
/// final model, with the training folds' scores `fold_scores` (without cross-validation, the
/// final model's score of its hold-out `hold_out`, on which it never trained).
#[allow(clippy::too_many_arguments)] // The finished training: its package, tiles, folds and settings.
pub fn training_record(
    runtime: &Runtime,
    package: &Package,
    store: &TileStore,
    fold_scores: &[f64],
    hold_out: &Split,
    stain: Option<StainFit>,
    threads: usize,
    job: &Job,
) -> Result<ShiftRecord> {
    let Some(StoreFeatures { outputs, values, dim }) = store_features(runtime, package.onnx(), store, threads, job)?
    else {
        return Ok(ShiftRecord { stain, features: None });
    };
    let features = ood::Features { values: &values, dim, labels: store.labels(), classes: store.classes().len() };
    let scores = match fold_scores {
        [] => vec![ood::held_out_score(&features, hold_out)?],
        scores => scores.to_vec(),
    };
    Ok(ShiftRecord { stain, features: Some(FeatureReference::fit(outputs, &features, scores)?) })
}

/// The out-of-distribution verdict on a slide.
#[derive(Clone, Debug, PartialEq)]
pub enum Ood {
    /// The model carries no training statistics (an older package, a model made elsewhere):
    /// why.
    Unavailable(String),
    /// The slide's score against the package's threshold.
    Scored {
        /// The slide's score.
        score: f64,
        /// The package's threshold.
        threshold: f64,
        /// The in-distribution folds' scores.
        folds: Vec<f64>,
    },
}

impl Ood {
    /// Whether the score lies beyond the threshold.
    pub fn beyond(&self) -> bool {
        matches!(self, Ood::Scored { score, threshold, .. } if score > threshold)
    }
}

/// What preparing a slide found and did.
#[derive(Clone, Debug, PartialEq)]
pub struct SlideShift {
    /// Tiles of the slide read for it.
    pub tiles: usize,
    /// The stain normalisation fitted to the slide, if the model has one.
    pub stain: Option<StainMethod>,
    /// The out-of-distribution score.
    pub ood: Ood,
    /// Batch normalisations re-estimated on the slide (AdaBN), when asked.
    pub adapted_layers: Option<usize>,
    /// Whether the tiles came from the whole slide's tissue rather than from regions drawn on it.
    /// The threshold comes from annotated regions; tissue the annotations never covered (fat,
    /// folds, glass edges) raises a whole slide's score even for a training slide, so a score
    /// over the tissue is reported but never warned about.
    pub over_tissue: bool,
}

impl SlideShift {
    /// The warning to show when the slide's regions lie beyond what the training folds showed
    /// (never for a score over the whole tissue: see [`SlideShift::over_tissue`]).
    pub fn warning(&self) -> Option<String> {
        match &self.ood {
            Ood::Scored { score, threshold, .. } if self.ood.beyond() && !self.over_tissue => Some(format!(
                "this slide looks unlike the model's training data: out-of-distribution score {score:.3} is above \
                 the threshold {threshold:.3} derived from the training folds; predictions may be unreliable \
                 (try stain normalisation or --adapt-normalisation)"
            )),
            _ => None,
        }
    }

    /// One line per finding, for a log.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(method) = self.stain {
            lines.push(format!("stain normalisation: {method:?} fitted to the slide on {} tiles", self.tiles));
        }
        lines.push(match &self.ood {
            Ood::Unavailable(why) => format!("out-of-distribution score: unavailable ({why})"),
            Ood::Scored { score, threshold, folds } => {
                let shown: Vec<String> = folds.iter().map(|f| format!("{f:.3}")).collect();
                let verdict = match (self.ood.beyond(), self.over_tissue) {
                    (false, _) => "",
                    (true, false) => " — BEYOND the threshold",
                    (true, true) => {
                        " — scored over the whole tissue, which holds kinds the annotations did not cover: \
                         compare inside annotated regions for a verdict"
                    }
                };
                format!(
                    "out-of-distribution score: {score:.3} (threshold {threshold:.3}; training folds {}){verdict}",
                    shown.join(", "),
                )
            }
        });
        if let Some(layers) = self.adapted_layers {
            lines.push(format!(
                "AdaBN: {layers} batch normalisations re-estimated on {} tiles of the slide",
                self.tiles
            ));
        }
        lines
    }

    /// The score, if there is one.
    pub fn score(&self) -> Option<f64> {
        match self.ood {
            Ood::Scored { score, .. } => Some(score),
            Ood::Unavailable(_) => None,
        }
    }
}

/// Up to [`SAMPLE_TILES`] tiles of `plan`, evenly spread, read from `source` at `tile × tile`
/// pixels: packed RGB, one tile after the other.
pub fn sample_tiles(source: &dyn RegionSource, plan: &TilePlan, tile: u32, job: &Job) -> Result<Vec<u8>> {
    let step = plan.tiles.len().div_ceil(SAMPLE_TILES).max(1);
    let mut pixels = Vec::new();
    for t in plan.tiles.iter().step_by(step) {
        job.check()?;
        pixels.extend(read_region(source, (t.x, t.y, t.w, t.h), (tile, tile))?.into_bytes());
    }
    Ok(pixels)
}

/// Prepares `predictor` for the slide `source` with a sample of the tiles of `plan` (see
/// [`sample_tiles`] and [`prepare_tiles`]); `over_tissue` when the plan covers the whole
/// tissue rather than regions drawn on the slide.
pub fn prepare_slide(
    runtime: &Runtime,
    predictor: &mut Predictor,
    source: &dyn RegionSource,
    plan: &TilePlan,
    (adapt, over_tissue): (bool, bool),
    job: &Job,
) -> Result<SlideShift> {
    let pixels = sample_tiles(source, plan, predictor.tile_size() as u32, job)?;
    prepare_tiles(runtime, predictor, &pixels, (adapt, over_tissue), job)
}

/// Prepares `predictor` for a slide of which `pixels` are tiles (packed RGB at the model's tile
/// size): fits the package's stain normalisation to them, scores them against the training
/// features, and with `adapt` re-estimates the batch normalisations on them (the float model
/// then runs). `over_tissue`: the tiles come from the whole tissue, not from drawn regions (see
/// [`SlideShift::over_tissue`]).
pub fn prepare_tiles(
    runtime: &Runtime,
    predictor: &mut Predictor,
    pixels: &[u8],
    (adapt, over_tissue): (bool, bool),
    job: &Job,
) -> Result<SlideShift> {
    let tile = predictor.tile_size();
    let tile_len = 3 * tile * tile;
    if pixels.is_empty() || !pixels.len().is_multiple_of(tile_len) {
        return Err(TesseraError::invalid(format!(
            "preparing a slide needs whole {tile}×{tile} RGB tiles: {} bytes given",
            pixels.len()
        )));
    }
    let stain = predictor.fit_stain(pixels)?;
    let mut inputs = Vec::with_capacity(pixels.len());
    for chunk in pixels.chunks_exact(tile_len) {
        inputs.extend(predictor.preprocess(&crate::slide::RgbImage::new(tile as u32, tile as u32, chunk.to_vec())?)?);
    }
    let threads = predictor.threads();
    let package = predictor.package();
    let reference = package.metadata().shift.as_ref().and_then(|s| s.features.as_ref());
    let ood = match reference {
        None => Ood::Unavailable(
            "the model carries no training feature statistics: it was made elsewhere or by an older Tessera".into(),
        ),
        Some(reference) => {
            let model = surgery::decode(package.onnx())?;
            let (values, dim) = Probe::new(runtime, &model, &reference.outputs, tile, threads)?.pooled(&inputs, job)?;
            Ood::Scored {
                score: reference.score(&values, dim)?,
                threshold: reference.threshold,
                folds: reference.fold_scores.clone(),
            }
        }
    };
    let adapted_layers = if adapt {
        let adapted = adabn::adapt(runtime, predictor.package().onnx(), &inputs, tile, threads, job)?;
        predictor.use_adapted(runtime, &adapted.model)?;
        Some(adapted.layers)
    } else {
        None
    };
    Ok(SlideShift { tiles: pixels.len() / tile_len, stain, ood, adapted_layers, over_tissue })
}

#[cfg(test)]
mod tests;
