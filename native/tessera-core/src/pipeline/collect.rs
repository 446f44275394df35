//! Reading the planned tiles of labelled slides into a tile store.

use std::collections::BTreeMap;

use crate::dataset::{TileStore, UNLABELLED};
use crate::job::Job;
use crate::slide::RegionSource;
use crate::tiling::raster::{label_mask, Placement};
use crate::tiling::{plan_selection, read::read_tiles, PlannedImage, Selection, TileSpec};
use crate::{Result, TesseraError};

/// One slide with the annotations to learn from.
pub struct LabelledSlide<'a> {
    /// Where the pixels come from.
    pub source: &'a dyn RegionSource,
    /// The slide's name in plans, reports and provenance.
    pub name: String,
    /// The labelled polygons.
    pub selection: Selection,
}

/// The tiles of every slide, with what the package records about them.
pub struct Collected {
    /// The tiles, labels and groups, in plan order (slide by slide, row-major).
    pub store: TileStore,
    /// Where the tiles came from.
    pub record: DataRecord,
}

/// Where training tiles came from, as a model package records it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DataRecord {
    /// The slides' names.
    pub images: Vec<String>,
    /// Polygons per class.
    pub annotations_per_class: BTreeMap<String, u64>,
    /// How tiles are grouped for splits: `"slide"` or `"polygon"`.
    pub grouping: String,
}

/// Plans and reads the tiles of `slides` under `spec`. Classes are sorted by name; tiles are
/// grouped by slide when there are several slides, else by polygon.
pub fn collect(slides: &[LabelledSlide], spec: &TileSpec, job: &Job) -> Result<Collected> {
    gather(slides, spec, false, job)
}

/// Plans and reads the patches of `slides` under `spec` for a segmenter, each with its label
/// mask: the patches are the tiles a region covers at least `spec.min_coverage` of (so a low
/// coverage takes patches around the annotations' edges too), and each pixel inside an
/// annotation of the patch's group is labelled with its class, the others left unlabelled.
/// Grouped by slide, a patch is labelled by every annotation of its slide (it may hold several
/// classes); grouped by polygon (one slide), by its own polygon only, so that no pixel of a
/// validation polygon is ever trained on. Patches without a labelled pixel are dropped; a class
/// whose annotations label no pixel at the chosen resolution is refused, naming it.
pub fn collect_patches(slides: &[LabelledSlide], spec: &TileSpec, job: &Job) -> Result<Collected> {
    let collected = gather(slides, spec, true, job)?;
    let counts = collected.store.pixel_counts(&(0..collected.store.len()).collect::<Vec<_>>());
    let empty: Vec<&str> =
        collected.store.classes().iter().zip(&counts).filter(|(_, &n)| n == 0).map(|(c, _)| c.as_str()).collect();
    if !empty.is_empty() {
        return Err(TesseraError::invalid(format!(
            "the annotations of {} cover no pixel at {:?} with {} px patches: draw larger regions, or choose a finer resolution",
            empty.join(", "),
            spec.resolution,
            spec.tile_size
        )));
    }
    Ok(collected)
}

/// The label mask of a `side`-pixel patch `tile`, labelled by the regions of `selection` with
/// `classes` (sorted): by every region when `by_slide` (patches grouped by slide), else by the
/// tile's own polygon only, painted in order; pixels outside them are [`UNLABELLED`]. Its pixels
/// are the tile's as read: the tile's level-0 width over `side` apart (the plan's downsample
/// rounded to whole level-0 pixels). The one rule for a patch's mask, whoever reads its pixels.
pub fn patch_mask(
    selection: &Selection,
    tile: &crate::tiling::Tile,
    by_slide: bool,
    classes: &[String],
    side: usize,
) -> Vec<u8> {
    let regions = selection.regions.iter().filter(|r| by_slide || r.id == tile.polygon_id);
    let labelled = regions.filter_map(|r| classes.binary_search(&r.label).ok().map(|c| (&r.polygon, c as u8)));
    let downsample = tile.w as f64 / side as f64;
    let at = Placement { origin: (tile.x as f64, tile.y as f64), downsample, size: (side, side) };
    label_mask(labelled, at, UNLABELLED)
}

/// Plans and reads tiles (with label masks when `masks`), the one reading loop of [`collect`]
/// and [`collect_patches`].
fn gather(slides: &[LabelledSlide], spec: &TileSpec, masks: bool, job: &Job) -> Result<Collected> {
    let mut classes: Vec<String> =
        slides.iter().flat_map(|s| s.selection.regions.iter().map(|r| r.label.clone())).collect();
    classes.sort();
    classes.dedup();
    if classes.is_empty() {
        return Err(TesseraError::invalid("no labelled polygons to train on"));
    }
    let mut store = TileStore::new(spec.tile_size as usize, classes.clone())?;
    let by_slide = slides.len() > 1;
    let mut annotations_per_class = BTreeMap::new();
    for (index, slide) in slides.iter().enumerate() {
        for region in &slide.selection.regions {
            *annotations_per_class.entry(region.label.clone()).or_insert(0) += 1;
        }
        let plan = plan_selection(&slide.selection, &PlannedImage::of(slide.source, &slide.name), spec)?;
        // Tiles arrive in completion order; keep them by plan index so the store is deterministic.
        let mut pixels: Vec<Option<Vec<u8>>> = vec![None; plan.tiles.len()];
        read_tiles(
            slide.source,
            &plan,
            job,
            |_, image| Ok(image.into_bytes()),
            |i, bytes| {
                pixels[i] = Some(bytes);
                Ok(())
            },
        )?;
        for (tile, bytes) in plan.tiles.iter().zip(pixels) {
            let bytes = bytes.ok_or(TesseraError::Cancelled)?;
            let label = classes.binary_search(&tile.label).map_err(|_| TesseraError::invalid("unknown tile label"))?;
            let group = if by_slide { index as u64 } else { fnv1a(&tile.polygon_id) };
            if masks {
                let mask = patch_mask(&slide.selection, tile, by_slide, &classes, store.side());
                if mask.iter().any(|&m| m != UNLABELLED) {
                    store.push_masked(&bytes, &mask, group)?;
                }
            } else {
                store.push(&bytes, label, group)?;
            }
        }
    }
    Ok(Collected {
        store,
        record: DataRecord {
            images: slides.iter().map(|s| s.name.clone()).collect(),
            annotations_per_class,
            grouping: if by_slide { "slide" } else { "polygon" }.to_owned(),
        },
    })
}

/// Tiles per class of a store.
pub fn tiles_per_class(store: &TileStore) -> BTreeMap<String, u64> {
    let counts = store.class_counts(&(0..store.len()).collect::<Vec<_>>());
    store.classes().iter().cloned().zip(counts.into_iter().map(|c| c as u64)).collect()
}

/// A stable 64-bit hash of a polygon id (FNV-1a), the same on every platform and run.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3))
}
