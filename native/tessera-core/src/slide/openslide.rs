//! Slides read from files with the system OpenSlide library.

use std::path::{Path, PathBuf};

use openslide_rs::errors::OpenSlideError;
use openslide_rs::{Address, OpenSlide, Region, Size};

use super::tiff_jpeg::TiffJpeg;
use super::{Level, RegionSource, RgbImage};
use crate::{Result, TesseraError};

/// A whole-slide image file opened with OpenSlide (SVS, NDPI, MRXS, generic tiled TIFF, …).
///
/// One handle serves every reader thread: OpenSlide's reads are thread-safe.
///
/// Levels stored as JPEG tiles in an Aperio or generic tiled TIFF are decoded directly, without
/// OpenSlide's cache and ARGB painting (several times faster per tile); OpenSlide reads the rest,
/// and any tile the direct reader cannot decode.
pub struct OpenSlideSource {
    path: PathBuf,
    slide: OpenSlide,
    vendor: String,
    levels: Vec<Level>,
    mpp: Option<f64>,
    direct: Option<TiffJpeg>,
}

/// Formats whose levels OpenSlide reads from TIFF pages as they are, with no overlaps or offsets.
const DIRECT_VENDORS: [&str; 2] = ["aperio", "generic-tiff"];

impl OpenSlideSource {
    /// Opens `path`; fails with an I/O error when it does not exist and an unreadable-image
    /// error naming the problem when OpenSlide cannot read it.
    ///
    /// The first call switches off libtiff's own messages on stderr (for the whole process):
    /// OpenSlide's error string, in the error returned, says what went wrong instead.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        super::libtiff::silence();
        let path = path.as_ref().to_path_buf();
        std::fs::metadata(&path).map_err(|source| TesseraError::io(&path, source))?;
        let slide = OpenSlide::new(&path).map_err(|error| unreadable(&path, &error))?;
        let property = |name: &str| slide.property_value(name).ok();
        let vendor = property("openslide.vendor").unwrap_or_else(|| "unknown".into());
        // Parsed here as f64: the crate's own parsed properties are f32 (0.499 → 0.49900001).
        let mpp_of = |name: &str| {
            property(name)
                .and_then(|value| value.trim().parse::<f64>().ok())
                .filter(|mpp| mpp.is_finite() && *mpp > 0.0)
        };
        let mpp = match (mpp_of("openslide.mpp-x"), mpp_of("openslide.mpp-y")) {
            (Some(x), Some(y)) => Some((x + y) / 2.0),
            (x, y) => x.or(y),
        };
        let levels: Vec<Level> = slide
            .all_level_dimensions()
            .iter()
            .zip(slide.all_level_downsamples())
            .map(|(size, &downsample)| Level { width: u64::from(size.w), height: u64::from(size.h), downsample })
            .collect();
        if levels.is_empty() {
            return Err(TesseraError::UnreadableImage { path, reason: "OpenSlide found no pyramid levels".into() });
        }
        let direct = DIRECT_VENDORS.contains(&vendor.as_str()).then(|| TiffJpeg::open(&path)).flatten();
        Ok(Self { path, slide, vendor, levels, mpp, direct })
    }

    /// Turns the direct JPEG tile reader off (`false`) so that OpenSlide reads every pixel, or
    /// back on when the file allows it.
    pub fn set_direct_jpeg(&mut self, on: bool) {
        self.direct =
            if on && DIRECT_VENDORS.contains(&self.vendor.as_str()) { TiffJpeg::open(&self.path) } else { None };
    }
}

/// An OpenSlide error as the core's error about `path`.
fn unreadable(path: &Path, error: &OpenSlideError) -> TesseraError {
    let reason = match error {
        OpenSlideError::UnsupportedFile(_) => {
            "OpenSlide does not recognise the file (not a whole-slide image, or a format it does not support)".into()
        }
        other => other.to_string(),
    };
    TesseraError::UnreadableImage { path: path.to_path_buf(), reason }
}

impl RegionSource for OpenSlideSource {
    fn path(&self) -> &Path {
        &self.path
    }

    fn vendor(&self) -> &str {
        &self.vendor
    }

    fn levels(&self) -> &[Level] {
        &self.levels
    }

    fn mpp(&self) -> Option<f64> {
        self.mpp
    }

    fn read_rgb(&self, level: usize, x: i64, y: i64, width: u32, height: u32) -> Result<RgbImage> {
        let (Ok(x), Ok(y), Ok(level_index)) = (u32::try_from(x), u32::try_from(y), u32::try_from(level)) else {
            return Err(TesseraError::invalid(format!(
                "{}: region at ({x}, {y}) level {level} is outside the slide",
                self.path.display()
            )));
        };
        let Some(level_info) = self.levels.get(level) else {
            return Err(TesseraError::invalid(format!(
                "{}: no level {level} (it has {})",
                self.path.display(),
                self.levels.len()
            )));
        };
        let direct = self.direct.as_ref();
        if let Some(image) =
            direct.and_then(|tiff| tiff.read_level(level_info, i64::from(x), i64::from(y), width, height))
        {
            return Ok(image);
        }
        let region = Region { size: Size { w: width, h: height }, level: level_index, address: Address { x, y } };
        let argb = self.slide.read_region(&region).map_err(|error| unreadable(&self.path, &error))?;
        RgbImage::from_premultiplied_argb(width, height, &argb)
    }
}
