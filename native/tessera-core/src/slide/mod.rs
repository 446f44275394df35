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
mod decoded_tiles;
#[cfg(feature = "openslide")]
mod libtiff;
#[cfg(feature = "openslide")]
mod openslide;
mod pixels;
mod resize;
mod resolution;
mod tiff_jpeg;
mod tiff_source;

use std::borrow::Cow;
use std::path::Path;

pub use buffer::BufferSource;
#[cfg(feature = "openslide")]
pub use openslide::OpenSlideSource;
pub use pixels::RgbImage;
pub use resolution::Resolution;
pub use tiff_source::TiffSource;

use crate::{Result, TesseraError};

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
///
/// A large rectangle is read in blocks of at most 4096 × 4096 level pixels, each shrunk into its
/// part of the output, so memory stays bounded even for a whole level of a slide without a
/// pyramid; the result is the same as reading it at once.
pub fn read_region(source: &dyn RegionSource, rectangle: (i64, i64, u64, u64), out: (u32, u32)) -> Result<RgbImage> {
    read_region_in_blocks(source, rectangle, out, resize::MAX_BLOCK_SIDE)
}

/// [`read_region`], reading at most `block_side × block_side` level pixels at a time.
fn read_region_in_blocks(
    source: &dyn RegionSource,
    (x, y, width0, height0): (i64, i64, u64, u64),
    (out_width, out_height): (u32, u32),
    block_side: usize,
) -> Result<RgbImage> {
    let downsample = (width0 as f64 / f64::from(out_width.max(1))).max(height0 as f64 / f64::from(out_height.max(1)));
    let levels = source.levels();
    let level = best_level(levels, downsample);
    let level_downsample = levels.get(level).map_or(1.0, |l| l.downsample);
    let read_width = ((width0 as f64 / level_downsample).round() as u32).max(1);
    let read_height = ((height0 as f64 / level_downsample).round() as u32).max(1);
    // A block's level-0 position: rounded up, so that it never starts a level pixel early.
    let level0 = |offset: usize| (offset as f64 * level_downsample).ceil() as i64;
    let read = |(left, top, width, height): resize::Block| {
        let block = source.read_rgb(level, x + level0(left), y + level0(top), width as u32, height as u32)?;
        Ok::<_, TesseraError>((Cow::Owned(block), (left, top)))
    };
    let data = resize::box_resize((read_width, read_height), (out_width, out_height), block_side, read)?;
    RgbImage::new(out_width, out_height, data)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A slide of one grey level of any size, whose pixels are made on request; records the
    /// largest request.
    struct Endless {
        levels: [Level; 1],
        largest: AtomicUsize,
        requests: AtomicUsize,
    }

    impl Endless {
        fn new(width: u64, height: u64) -> Self {
            let levels = [Level { width, height, downsample: 1.0 }];
            Self { levels, largest: AtomicUsize::new(0), requests: AtomicUsize::new(0) }
        }
    }

    impl RegionSource for Endless {
        fn path(&self) -> &Path {
            Path::new("endless")
        }

        fn vendor(&self) -> &str {
            "test"
        }

        fn levels(&self) -> &[Level] {
            &self.levels
        }

        fn mpp(&self) -> Option<f64> {
            None
        }

        fn read_rgb(&self, _: usize, _: i64, _: i64, width: u32, height: u32) -> Result<RgbImage> {
            self.largest.fetch_max(width.max(height) as usize, Ordering::Relaxed);
            self.requests.fetch_add(1, Ordering::Relaxed);
            RgbImage::new(width, height, vec![128; width as usize * height as usize * 3])
        }
    }

    /// A `width × height` buffer of position-dependent colours standing for a slide of `level0`.
    fn noise(width: u32, height: u32, level0: (u64, u64)) -> BufferSource {
        let data = (0..height)
            .flat_map(|y| (0..width).flat_map(move |x| [(x * 7 + y * 13) as u8, (x * y) as u8, ((x ^ y) * 3) as u8]))
            .collect();
        BufferSource::new("noise", data, (width, height), level0, None).unwrap()
    }

    /// The region read at once and resized, as before reads were made in blocks.
    fn at_once(source: &dyn RegionSource, (x, y, width, height): (i64, i64, u32, u32), out: (u32, u32)) -> RgbImage {
        source.read_rgb(0, x, y, width, height).unwrap().resized(out.0, out.1)
    }

    #[test]
    fn reading_in_blocks_gives_what_reading_at_once_gives() {
        let source = noise(397, 251, (397, 251));
        let whole = (0, 0, 397, 251);
        for out in [(40, 25), (397, 251), (133, 200)] {
            let blocks = read_region_in_blocks(&source, (0, 0, 397, 251), out, 64).unwrap();
            assert_eq!(blocks, at_once(&source, whole, out), "whole level to {out:?}");
        }
        let part = read_region_in_blocks(&source, (50, 30, 300, 200), (70, 45), 32).unwrap();
        assert_eq!(part, at_once(&source, (50, 30, 300, 200), (70, 45)));
        // A buffer at downsample 4: level-0 coordinates map onto its pixels block by block too.
        let downsampled = noise(400, 300, (1600, 1200));
        let blocks = read_region_in_blocks(&downsampled, (400, 200, 1000, 800), (90, 70), 64).unwrap();
        assert_eq!(blocks, at_once(&downsampled, (400, 200, 250, 200), (90, 70)));
    }

    #[test]
    fn a_huge_level_is_read_in_bounded_blocks() {
        let source = Endless::new(2000, 1500);
        let image = read_region_in_blocks(&source, (0, 0, 2000, 1500), (200, 150), 64).unwrap();
        assert_eq!(image, RgbImage::new(200, 150, vec![128; 200 * 150 * 3]).unwrap());
        assert!((1..=64).contains(&source.largest.load(Ordering::Relaxed)));
        assert!(source.requests.load(Ordering::Relaxed) >= (2000 / 64) * (1500 / 64));
        // read_region itself never asks for more than MAX_BLOCK_SIDE a side, however wide the level.
        let wide = Endless::new(10_000, 300);
        read_region(&wide, (0, 0, 10_000, 300), (1000, 30)).unwrap();
        assert!(wide.largest.load(Ordering::Relaxed) <= resize::MAX_BLOCK_SIDE);
        assert!(wide.requests.load(Ordering::Relaxed) >= 3);
    }

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
