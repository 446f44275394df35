//! Reading the planned tiles of labelled slides into a tile store.

use std::collections::BTreeMap;

use crate::dataset::TileStore;
use crate::job::Job;
use crate::slide::RegionSource;
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
            store.push(&bytes, label, group)?;
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
