//! Applying a model to a slide: tiles in, QuPath objects and heatmaps out.
//!
//! [`apply`] plans tiles over a region or the slide's tissue ([`region`]), reads and
//! preprocesses them in parallel while the model runs on earlier batches ([`pipeline`]) — the
//! package's float model or its int8 twin ([`precision`]) — and turns the outputs into objects:
//! classified tiles with probability measurements and how unsure each one is ([`uncertainty`]),
//! optionally merged into one region per class, or, for segmentation models, per-pixel maps
//! blended across overlapping tiles band by band ([`segment`], [`blend`]) and traced into
//! polygons with holes ([`contour`]); [`given`] does the same for tiles QuPath reads. Each class
//! also gets a low-resolution heatmap ([`heatmap`]).

pub mod blend;
pub mod cells;
pub mod contour;
pub mod given;
pub mod heatmap;
pub mod labels;
pub mod objects;
pub mod pipeline;
pub mod precision;
pub mod predictor;
pub mod region;
pub mod segment;
pub mod tiles;
pub mod uncertainty;

use std::path::Path;

pub use contour::Tracing;
pub use heatmap::Heatmap;
pub use precision::{Chosen, Precision};
pub use predictor::{OutputKind, Predictor};
pub use region::Sliding;
pub use tiles::classify_tiles;

use crate::geometry::{Document, Layout, ObjectType};
use crate::job::Job;
use crate::runtime::Runtime;
use crate::shift::{self, SlideShift};
use crate::slide::RegionSource;
use crate::tiling::TilePlan;
use crate::Result;
use cells::Cells;

/// How to apply a model.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyOptions {
    /// How tiles are laid over the slide.
    pub sliding: Sliding,
    /// Tiles per model run.
    pub batch: usize,
    /// The kind of the objects written (tiles, detections or annotations).
    pub object_type: ObjectType,
    /// Tile classification: also write one merged region per class.
    pub merge: bool,
    /// Segmentation: polygon simplification and minimum area, in model output pixels.
    pub tracing: Tracing,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            sliding: Sliding::default(),
            batch: 32,
            object_type: ObjectType::Detection,
            merge: false,
            tracing: Tracing { simplify: 0.5, min_area: 16.0, min_hole: 16.0, smooth: 2 },
        }
    }
}

/// What applying a model produced.
#[derive(Debug)]
pub struct Applied {
    /// The objects, as a QuPath GeoJSON `FeatureCollection`.
    pub document: Document,
    /// One heatmap per class.
    pub heatmaps: Vec<Heatmap>,
    /// The tiles the model ran on.
    pub tiles: usize,
}

/// Applies `predictor` to `source`, inside the polygons of `roi` (a QuPath export and its
/// path) or over the slide's tissue, reporting progress to `job` and stopping when it is
/// cancelled.
pub fn apply(
    predictor: &Predictor,
    source: &dyn RegionSource,
    roi: Option<(&Document, &Path)>,
    options: &ApplyOptions,
    job: &Job,
) -> Result<Applied> {
    let plan = region::plan(source, predictor.package().metadata(), roi, &options.sliding)?;
    apply_plan(predictor, source, &plan, options, job)
}

/// Prepares `predictor` for `source` on a sample of the tiles it will classify — its stain
/// normalisation fitted, the slide's out-of-distribution score, with `adapt` its batch
/// normalisations re-estimated (see [`shift::prepare_slide`]) — then applies it as [`apply`]
/// does: the way a model meets a new slide.
pub fn apply_to_slide(
    runtime: &Runtime,
    predictor: &mut Predictor,
    source: &dyn RegionSource,
    roi: Option<(&Document, &Path)>,
    options: &ApplyOptions,
    adapt: bool,
    job: &Job,
) -> Result<(SlideShift, Applied)> {
    let plan = region::plan(source, predictor.package().metadata(), roi, &options.sliding)?;
    let found = shift::prepare_slide(runtime, predictor, source, &plan, (adapt, roi.is_none()), job)?;
    Ok((found, apply_plan(predictor, source, &plan, options, job)?))
}

/// Applies `predictor` to the tiles of `plan` over `source`.
fn apply_plan(
    predictor: &Predictor,
    source: &dyn RegionSource,
    plan: &TilePlan,
    options: &ApplyOptions,
    job: &Job,
) -> Result<Applied> {
    let metadata = predictor.package().metadata();
    let classes = &metadata.classes;
    let (objects, heatmaps) = match predictor.output() {
        OutputKind::Classification => {
            let probabilities = classify(predictor, source, plan, options.batch, job)?;
            let mut objects = objects::tile_objects(plan, &probabilities, classes, &options.object_type);
            let heatmaps = match Cells::of(plan) {
                Some(cells) => {
                    if options.merge {
                        objects.extend(objects::merged_objects(&cells, &probabilities, classes));
                    }
                    heatmap::from_cells(&cells, &probabilities, classes)
                }
                None => Vec::new(),
            };
            (objects, heatmaps)
        }
        OutputKind::Segmentation { .. } => {
            let segmented = segment::segment(predictor, source, plan, options.batch, job)?;
            let objects = objects::segmentation_objects(
                &segmented.labels,
                segmented.placement,
                classes,
                options.tracing,
                &options.object_type,
            );
            (objects, segmented.heatmaps)
        }
    };
    let mut objects = objects;
    objects::clip_to_slide(&mut objects, source.dimensions());
    let document = Document { objects, layout: Layout::FeatureCollection(serde_json::Map::new()) };
    Ok(Applied { document, heatmaps, tiles: plan.tiles.len() })
}

/// Class probabilities of every tile of `plan`, `classes` values per tile in plan order.
pub fn classify(
    predictor: &Predictor,
    source: &dyn RegionSource,
    plan: &TilePlan,
    batch: usize,
    job: &Job,
) -> Result<Vec<f32>> {
    let classes = predictor.package().metadata().classes.len();
    let mut probabilities = vec![0.0; plan.tiles.len() * classes];
    pipeline::predict(predictor, source, plan, batch, job, |tiles, output| {
        for (&tile, values) in tiles.iter().zip(output.data.chunks_exact(classes)) {
            probabilities[tile * classes..][..classes].copy_from_slice(values);
        }
        Ok(())
    })?;
    Ok(probabilities)
}
