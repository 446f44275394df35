//! Tiling: from labelled polygons (or whole slides) to a deterministic plan of labelled tiles,
//! and the parallel reading of those tiles.
//!
//! - [`TileSpec`] says what tiles to make (size, resolution, overlap, coverage, classes).
//! - [`select`] turns QuPath objects into [`LabelledRegion`]s (classes filtered, polygons made
//!   valid).
//! - [`plan`] lays a fixed grid over the slide and keeps the tiles covered enough by a region,
//!   clipping each polygon once per tile row (strip clipping) rather than once per tile.
//! - [`tissue`] finds tissue on a low-resolution level (Otsu on saturation) to drop blank tiles
//!   when tiling whole slides.
//! - [`raster`] fills a tile's label mask from polygons, for segmentation.
//! - [`read`] reads a plan's tiles in parallel through a bounded queue.

mod coverage;
mod grid;
pub mod plan;
pub mod raster;
pub mod read;
pub mod select;
#[cfg(test)]
mod shapes;
pub mod tissue;

pub use plan::{plan_regions, plan_whole_slide, Tile, TilePlan};
pub use select::{select_regions, LabelledRegion, Selection};

use crate::slide::Resolution;
use crate::{Result, TesseraError};

/// What tiles to make.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TileSpec {
    /// Tile side in output pixels.
    pub tile_size: u32,
    /// The output resolution.
    pub resolution: Resolution,
    /// Overlap between neighbouring tiles as a fraction of the tile side, in [0, 1);
    /// the stride is `tile_size × (1 − overlap)`.
    pub overlap: f64,
    /// The least fraction of a tile's area its polygon (or, for whole slides, tissue) must
    /// cover, in [0, 1].
    pub min_coverage: f64,
    /// Classes to tile; `None` tiles every class. Classes named `Ignore…` and unclassified
    /// objects are never tiled.
    pub classes: Option<Vec<String>>,
    /// The most tiles a plan makes without the user's confirmation (estimated before planning,
    /// so that a typo cannot start hours of work); `None` once the user confirmed. Not part of
    /// what the tiles are, so never recorded.
    #[serde(default = "default_max_tiles", skip_serializing)]
    pub max_tiles: Option<u64>,
}

/// The most tiles a plan makes without confirmation: more than the tissue of the largest slides
/// at the usual tile sizes, far fewer than a tile size or overlap typed wrong gives.
pub const MAX_TILES: u64 = 1_000_000;

/// Serde's default for [`TileSpec::max_tiles`].
fn default_max_tiles() -> Option<u64> {
    Some(MAX_TILES)
}

impl TileSpec {
    /// A spec with no overlap, a minimum coverage of one half, every class and at most
    /// [`MAX_TILES`] tiles without confirmation.
    pub fn new(tile_size: u32, resolution: Resolution) -> Self {
        Self { tile_size, resolution, overlap: 0.0, min_coverage: 0.5, classes: None, max_tiles: default_max_tiles() }
    }

    /// Checks the numbers; errors say which one is wrong and what is allowed.
    pub fn validate(&self) -> Result<()> {
        if self.tile_size == 0 {
            return Err(TesseraError::invalid("the tile size must be at least 1 pixel, got 0"));
        }
        if !(0.0..1.0).contains(&self.overlap) {
            return Err(TesseraError::invalid(format!(
                "the overlap is a fraction of the tile size in [0, 1), got {}",
                self.overlap
            )));
        }
        if !(0.0..=1.0).contains(&self.min_coverage) {
            return Err(TesseraError::invalid(format!(
                "the minimum coverage is a fraction in [0, 1], got {}",
                self.min_coverage
            )));
        }
        Ok(())
    }
}

/// What tile planning needs to know of an image: its name, file, size and pixel size.
#[derive(Clone, Copy, Debug)]
pub struct PlannedImage<'a> {
    /// The name tiles are recorded under.
    pub name: &'a str,
    /// The image file (or, for images read by QuPath, its name), for messages.
    pub path: &'a std::path::Path,
    /// Level-0 width and height.
    pub dimensions: (u64, u64),
    /// The size of a level-0 pixel in µm, when known.
    pub mpp: Option<f64>,
}

impl<'a> PlannedImage<'a> {
    /// The image `source` reads, named `name`.
    pub fn of(source: &'a dyn crate::slide::RegionSource, name: &'a str) -> Self {
        Self { name, path: source.path(), dimensions: source.dimensions(), mpp: source.mpp() }
    }
}

/// Plans the tiles of `spec` inside the polygons `selection` chose on `image`: the one
/// tile-planning request of the `tessera` command and the QuPath extension.
pub fn plan_selection(selection: &Selection, image: &PlannedImage, spec: &TileSpec) -> Result<TilePlan> {
    let downsample = spec.resolution.downsample_given(image.mpp, image.path)?;
    plan_regions(selection, image.name, image.dimensions, downsample, spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_numbers_are_refused_with_the_number() {
        let spec = TileSpec::new(256, Resolution::Downsample(1.0));
        assert!(spec.validate().is_ok());
        let zero = TileSpec { tile_size: 0, ..spec.clone() }.validate().unwrap_err().to_string();
        assert!(zero.contains("tile size") && zero.contains("got 0"), "{zero}");
        assert!(TileSpec { overlap: 1.0, ..spec.clone() }.validate().is_err());
        assert!(TileSpec { min_coverage: 1.5, ..spec.clone() }.validate().is_err());
        assert!(TileSpec { min_coverage: f64::NAN, ..spec }.validate().is_err());
    }
}
