//! Slides the core reads without OpenSlide: JPEG-tiled TIFF pyramids (Aperio SVS, generic tiled
//! TIFF), decoded by the same direct reader [`OpenSlideSource`](super::OpenSlideSource) uses for
//! such levels, so both give the same pixels. This is how the QuPath extension (whose native
//! library must not link OpenSlide) reads these files itself, exactly as the `tessera` command does.

use std::path::{Path, PathBuf};

use super::tiff_jpeg::TiffJpeg;
use super::{Level, RegionSource, RgbImage};
use crate::{Result, TesseraError};

/// Largest relative difference between a page's horizontal and vertical downsample for it to
/// count as a level of the pyramid (rounding of odd sizes stays far below it).
const ASPECT_TOLERANCE: f64 = 0.02;

/// A JPEG-tiled TIFF pyramid opened by the core alone.
#[derive(Debug)]
pub struct TiffSource {
    path: PathBuf,
    tiff: TiffJpeg,
    levels: Vec<Level>,
    mpp: Option<f64>,
}

impl TiffSource {
    /// Opens `path` with its pixel size `mpp` (given by the caller: QuPath knows it); `None`
    /// when the file is not a TIFF whose largest page is JPEG-tiled 8-bit RGB.
    pub fn open(path: impl AsRef<Path>, mpp: Option<f64>) -> Option<Self> {
        let path = path.as_ref().to_path_buf();
        let tiff = TiffJpeg::open(&path)?;
        Self::new(path, tiff, mpp)
    }

    /// Opens a slide file's bytes held in memory (named `path` in errors), as [`TiffSource::open`]
    /// opens the file.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>, mpp: Option<f64>) -> Option<Self> {
        Self::new(path.into(), TiffJpeg::from_bytes(bytes)?, mpp)
    }

    fn new(path: PathBuf, tiff: TiffJpeg, mpp: Option<f64>) -> Option<Self> {
        let levels = pyramid(tiff.page_sizes().collect());
        (!levels.is_empty()).then_some(Self { path, tiff, levels, mpp })
    }
}

/// The pages that form a pyramid below the largest one, largest first, with OpenSlide's
/// downsample (the mean of the horizontal and vertical ratios); one page per size.
fn pyramid(mut sizes: Vec<(u64, u64)>) -> Vec<Level> {
    sizes.sort_by(|a, b| b.cmp(a));
    sizes.dedup();
    let Some(&(width0, height0)) = sizes.first() else {
        return Vec::new();
    };
    sizes
        .into_iter()
        .filter(|&(width, height)| width > 0 && height > 0)
        .filter_map(|(width, height)| {
            let (dx, dy) = (width0 as f64 / width as f64, height0 as f64 / height as f64);
            ((dx - dy).abs() <= ASPECT_TOLERANCE * dx).then_some(Level { width, height, downsample: (dx + dy) / 2.0 })
        })
        .collect()
}

impl RegionSource for TiffSource {
    fn path(&self) -> &Path {
        &self.path
    }

    fn vendor(&self) -> &str {
        "tiff-jpeg"
    }

    fn levels(&self) -> &[Level] {
        &self.levels
    }

    fn mpp(&self) -> Option<f64> {
        self.mpp
    }

    fn read_rgb(&self, level: usize, x: i64, y: i64, width: u32, height: u32) -> Result<RgbImage> {
        let info = self.levels.get(level).ok_or_else(|| {
            TesseraError::invalid(format!("{}: no level {level} (it has {})", self.path.display(), self.levels.len()))
        })?;
        self.tiff.read_level(info, x, y, width, height).ok_or_else(|| TesseraError::UnreadableImage {
            path: self.path.clone(),
            reason: format!("a JPEG tile of level {level} near ({x}, {y}) cannot be decoded"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pyramid_keeps_the_pages_of_the_same_aspect_largest_first() {
        // An SVS: full resolution, two levels, and a label of another shape.
        let levels = pyramid(vec![(1000, 2000), (500, 400), (4000, 8000), (1000, 2000), (250, 501)]);
        let sizes: Vec<(u64, u64)> = levels.iter().map(|l| (l.width, l.height)).collect();
        assert_eq!(sizes, vec![(4000, 8000), (1000, 2000), (250, 501)]);
        assert_eq!(levels[0].downsample, 1.0);
        assert_eq!(levels[1].downsample, 4.0);
        assert!((levels[2].downsample - (16.0 + 8000.0 / 501.0) / 2.0).abs() < 1e-12);
        assert!(pyramid(Vec::new()).is_empty());
    }

    #[test]
    fn a_file_that_is_no_tiff_is_not_opened() {
        let dir = std::env::temp_dir().join(format!("tessera-tiff-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("not.svs");
        std::fs::write(&file, b"GIF89a not a tiff").unwrap();
        assert!(TiffSource::open(&file, None).is_none());
        assert!(TiffSource::open(dir.join("missing.svs"), None).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
