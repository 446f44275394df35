//! Slides: where tile pixels come from.
//!
//! A [`RegionSource`] is anything that can hand out RGB pixels of a level-0 rectangle at one of
//! its pyramid levels: a slide file read with OpenSlide ([`OpenSlideSource`], behind the
//! `openslide` cargo feature), a JPEG-tiled TIFF pyramid read by the core alone
//! ([`TiffSource`], the same decoder OpenSlideSource uses for such levels) or a buffer of pixels
//! pushed from the Java side ([`BufferSource`]). [`read_region`] picks the level for a requested downsample and resizes
//! what the level gives to the exact output size; [`Resolution`] turns a µm/px request into a
//! downsample, with a clear error when the slide has no pixel size.

mod buffer;
#[cfg(feature = "openslide")]
mod openslide;
mod pixels;
mod resolution;
mod tiff_jpeg;
mod tiff_source;

use std::path::Path;

pub use buffer::BufferSource;
#[cfg(feature = "openslide")]
pub use openslide::OpenSlideSource;
pub use pixels::RgbImage;
pub use resolution::Resolution;
pub use tiff_source::TiffSource;

use crate::Result;

/// One level of a slide's pyramid.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Level {
    /// Width in pixels of this level.
    pub width: u64,
    /// Height in pixels of this level.
    pub height: u64,
    /// Level-0 pixels per pixel of this level (1 for level 0).
    pub downsample: f64,
}

/// A source of RGB pixels organised as a pyramid of levels.
///
/// Implementations are shared between reader threads, so they must be `Send + Sync`.
pub trait RegionSource: Send + Sync {
    /// The file (or, for in-memory sources, the name) the pixels come from; used in messages.
    fn path(&self) -> &Path;

    /// Who wrote the format (`aperio`, `generic-tiff`, …, or `buffer`).
    fn vendor(&self) -> &str;

    /// The pyramid levels, level 0 (full resolution) first.
    fn levels(&self) -> &[Level];

    /// The size of a level-0 pixel in µm, when the slide records it.
    fn mpp(&self) -> Option<f64>;

    /// Reads `width × height` pixels of `level`, starting at level-0 position (`x`, `y`).
    ///
    /// Pixels outside the slide are white.
    fn read_rgb(&self, level: usize, x: i64, y: i64, width: u32, height: u32) -> Result<RgbImage>;

    /// Level-0 width and height.
    fn dimensions(&self) -> (u64, u64) {
        self.levels().first().map_or((0, 0), |level| (level.width, level.height))
    }
}

/// The level to read for a requested `downsample`: the most downsampled level that is still at
/// least as detailed as the request (so that the result is only ever shrunk, never enlarged).
pub fn best_level(levels: &[Level], downsample: f64) -> usize {
    // A level a hair coarser than asked (rounding in the file's level sizes) still counts.
    let tolerance = 1.0 + 1e-3;
    levels
        .iter()
        .enumerate()
        .filter(|(_, level)| level.downsample <= downsample * tolerance)
        .max_by(|(_, a), (_, b)| a.downsample.total_cmp(&b.downsample))
        .map_or(0, |(index, _)| index)
}

/// Reads the level-0 rectangle (`x`, `y`, `width0 × height0`) scaled to `out_width × out_height`
/// pixels, from the best level for that scale.
pub fn read_region(
    source: &dyn RegionSource,
    (x, y, width0, height0): (i64, i64, u64, u64),
    (out_width, out_height): (u32, u32),
) -> Result<RgbImage> {
    let downsample = (width0 as f64 / f64::from(out_width.max(1))).max(height0 as f64 / f64::from(out_height.max(1)));
    let levels = source.levels();
    let level = best_level(levels, downsample);
    let level_downsample = levels.get(level).map_or(1.0, |l| l.downsample);
    let read_width = ((width0 as f64 / level_downsample).round() as u32).max(1);
    let read_height = ((height0 as f64 / level_downsample).round() as u32).max(1);
    let image = source.read_rgb(level, x, y, read_width, read_height)?;
    Ok(image.resized(out_width, out_height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pyramid() -> Vec<Level> {
        [1.0, 4.0, 16.0].iter().map(|&downsample| Level { width: 1000, height: 1000, downsample }).collect()
    }

    #[test]
    fn best_level_never_enlarges() {
        let levels = pyramid();
        assert_eq!(best_level(&levels, 1.0), 0);
        assert_eq!(best_level(&levels, 3.9), 0);
        assert_eq!(best_level(&levels, 4.0), 1);
        assert_eq!(best_level(&levels, 4.002), 1);
        assert_eq!(best_level(&levels, 15.0), 1);
        assert_eq!(best_level(&levels, 100.0), 2);
        assert_eq!(best_level(&levels, 0.5), 0);
    }
}
