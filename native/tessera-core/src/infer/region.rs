//! Where to apply a model: the tissue of a whole slide, or the polygons of a QuPath export.

use std::path::Path;

use crate::geometry::Document;
use crate::model::Metadata;
use crate::slide::{RegionSource, Resolution};
use crate::tiling::tissue::{detect_tissue, TissueMask};
use crate::tiling::{
    plan_regions, plan_whole_slide, LabelledRegion, PlannedImage, Selection, TilePlan, TileSpec, MAX_TILES,
};
use crate::{Result, TesseraError};

/// The longest side of the thumbnail tissue is detected on.
const TISSUE_THUMBNAIL: u32 = 2048;

/// The label of the tiles of a plan made for inference.
const LABEL: &str = "ROI";

/// How to lay tiles over the slide.
#[derive(Clone, Debug, PartialEq)]
pub struct Sliding {
    /// Step between tiles in model pixels; `None`: the tile size (no overlap).
    pub stride: Option<u32>,
    /// Resolution override; `None`: the model's (its µm/px, else its downsample).
    pub resolution: Option<Resolution>,
    /// The least fraction of a tile the region (or tissue) must cover.
    pub min_coverage: f64,
    /// The most tiles made without the user's confirmation; `None` once confirmed.
    pub max_tiles: Option<u64>,
}

impl Default for Sliding {
    fn default() -> Self {
        Self { stride: None, resolution: None, min_coverage: 0.25, max_tiles: Some(MAX_TILES) }
    }
}

/// The tile plan of a model over `source`: inside the polygons of `roi` when given, else over
/// the slide's tissue. Fails when the stride does not fit or the region lies outside the slide.
pub fn plan(
    source: &dyn RegionSource,
    metadata: &Metadata,
    roi: Option<(&Document, &Path)>,
    sliding: &Sliding,
) -> Result<TilePlan> {
    let input = &metadata.input;
    let resolution = sliding.resolution.unwrap_or(match (input.mpp, input.downsample) {
        (Some(mpp), _) => Resolution::Mpp(mpp),
        (None, downsample) => Resolution::Downsample(downsample.unwrap_or(1.0)),
    });
    let stride = sliding.stride.unwrap_or(input.tile_size);
    if stride == 0 || stride > input.tile_size {
        return Err(TesseraError::invalid(format!(
            "the stride must be between 1 and the model's tile size ({} px), got {stride}",
            input.tile_size
        )));
    }
    let mut spec = TileSpec::new(input.tile_size, resolution);
    spec.overlap = 1.0 - f64::from(stride) / f64::from(input.tile_size);
    spec.min_coverage = sliding.min_coverage;
    spec.max_tiles = sliding.max_tiles;
    let downsample = resolution.downsample_for(source)?;
    let name = source.path().file_stem().map_or_else(|| "slide".into(), |s| s.to_string_lossy().into_owned());
    match roi {
        Some((document, path)) => {
            let regions: Vec<LabelledRegion> = document
                .objects
                .iter()
                .enumerate()
                .filter_map(|(index, object)| {
                    object.polygon().map(|polygon| LabelledRegion {
                        polygon,
                        label: LABEL.into(),
                        id: object.id_text().unwrap_or_else(|| index.to_string()),
                    })
                })
                .collect();
            if regions.is_empty() {
                return Err(TesseraError::invalid(format!("{}: no polygon to apply the model in", path.display())));
            }
            let selection = Selection {
                source: path.to_path_buf(),
                regions,
                not_polygons: document.skipped(),
                unclassified: 0,
                ignored: 0,
                excluded: 0,
                repaired: 0,
                overlaps: Vec::new(),
            };
            nonempty(
                plan_regions(&selection, &name, source.dimensions(), downsample, &spec)?,
                "inside the polygons",
                source,
            )
        }
        None => nonempty(plan_tissue(source, &name, &spec, LABEL)?, "over the tissue", source),
    }
}

/// `plan`, or an error saying that no tile fits `where` on the slide, with the tile's size on the
/// slide: an empty result is never passed off as one.
fn nonempty(plan: TilePlan, place: &str, source: &dyn RegionSource) -> Result<TilePlan> {
    if !plan.tiles.is_empty() {
        return Ok(plan);
    }
    let (width, height) = source.dimensions();
    let side = f64::from(plan.tile_size) * plan.downsample;
    Err(TesseraError::invalid(format!(
        "{}: no tile fits {place}: a tile covers {side:.0} × {side:.0} px of this {width} × {height} px slide \
         (downsample {:.3}); check the resolution, or the minimum coverage",
        source.path().display(),
        plan.downsample
    )))
}

/// The tiles of `spec` over the tissue of `source` (detected on a thumbnail at most
/// 2048 px on its longer side), labelled `label`: the one tissue plan behind the `tessera`
/// command and the QuPath extension, so that both tile a slide alike.
pub fn plan_tissue(source: &dyn RegionSource, name: &str, spec: &TileSpec, label: &str) -> Result<TilePlan> {
    let mask = detect_tissue(source, TISSUE_THUMBNAIL)?;
    plan_tissue_mask(&PlannedImage::of(source, name), &mask, spec, label)
}

/// The tiles of `spec` where `mask` (an image's tissue, detected however its pixels came) says
/// there is tissue, labelled `label`.
pub fn plan_tissue_mask(image: &PlannedImage, mask: &TissueMask, spec: &TileSpec, label: &str) -> Result<TilePlan> {
    let downsample = spec.resolution.downsample_given(image.mpp, image.path)?;
    plan_whole_slide(image.name, image.dimensions, downsample, spec, Some(mask), label)
}
