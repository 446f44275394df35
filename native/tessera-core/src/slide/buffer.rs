//! A slide held in memory: pixels pushed from the Java side (QuPath's `ImageServer`).

use std::path::{Path, PathBuf};

use super::{Level, RegionSource, RgbImage};
use crate::{Result, TesseraError};

/// An in-memory RGB image standing for a whole slide, at full resolution or downsampled.
///
/// The buffer covers the slide's whole level-0 extent; its own size fixes its downsample.
pub struct BufferSource {
    name: PathBuf,
    image: RgbImage,
    levels: [Level; 1],
    mpp: Option<f64>,
}

impl BufferSource {
    /// A source from `rgb` (`width × height × 3` bytes, row-major) standing for a slide of
    /// `level0` = (width, height) pixels with level-0 pixel size `mpp` µm (if known).
    ///
    /// `name` names the image in messages. Fails when the buffer length does not match, or when
    /// the buffer is not a uniform downsample of the declared level-0 size.
    pub fn new(
        name: impl Into<PathBuf>,
        rgb: Vec<u8>,
        (width, height): (u32, u32),
        (level0_width, level0_height): (u64, u64),
        mpp: Option<f64>,
    ) -> Result<Self> {
        let name = name.into();
        let refuse = |problem: String| TesseraError::invalid(format!("pixel buffer {}: {problem}", name.display()));
        if width == 0 || height == 0 || level0_width == 0 || level0_height == 0 {
            return Err(refuse(format!(
                "empty image ({width}×{height} px for a slide of {level0_width}×{level0_height})"
            )));
        }
        if mpp.is_some_and(|mpp| !(mpp.is_finite() && mpp > 0.0)) {
            return Err(refuse(format!("the pixel size must be a positive number of µm, got {mpp:?}")));
        }
        let image = RgbImage::new(width, height, rgb).map_err(|error| refuse(error.to_string()))?;
        let downsample = level0_width as f64 / f64::from(width);
        let implied_height = level0_height as f64 / downsample;
        if (implied_height - f64::from(height)).abs() > 1.0 {
            return Err(refuse(format!(
                "{width}×{height} px is not a uniform downsample of the slide's {level0_width}×{level0_height} px"
            )));
        }
        let level = Level { width: u64::from(width), height: u64::from(height), downsample };
        Ok(Self { name, image, levels: [level], mpp })
    }
}

impl RegionSource for BufferSource {
    fn path(&self) -> &Path {
        &self.name
    }

    fn vendor(&self) -> &str {
        "buffer"
    }

    fn levels(&self) -> &[Level] {
        &self.levels
    }

    fn mpp(&self) -> Option<f64> {
        // The slide's level-0 pixel size, as for a file; the buffer's own is mpp × downsample.
        self.mpp
    }

    fn dimensions(&self) -> (u64, u64) {
        let level = &self.levels[0];
        (
            (level.width as f64 * level.downsample).round() as u64,
            (level.height as f64 * level.downsample).round() as u64,
        )
    }

    fn read_rgb(&self, level: usize, x: i64, y: i64, width: u32, height: u32) -> Result<RgbImage> {
        let Some(Level { downsample, .. }) = self.levels.get(level) else {
            return Err(TesseraError::invalid(format!("{}: no level {level} (it has 1)", self.name.display())));
        };
        let (x, y) = ((x as f64 / downsample).floor() as i64, (y as f64 / downsample).floor() as i64);
        let (source_width, source_height) = (i64::from(self.image.width()), i64::from(self.image.height()));
        let source = self.image.as_bytes();
        let mut out = RgbImage::white(width, height).into_bytes();
        let row_bytes = width as usize * 3;
        // The columns of the request that fall inside the buffer, if any.
        let first = x.clamp(0, source_width);
        let last = (x + i64::from(width)).clamp(0, source_width);
        if last > first {
            for (row, out_row) in out.chunks_exact_mut(row_bytes).enumerate() {
                let source_y = y + row as i64;
                if !(0..source_height).contains(&source_y) {
                    continue;
                }
                let from = ((source_y * source_width + first) * 3) as usize;
                let to = ((source_y * source_width + last) * 3) as usize;
                let at = ((first - x) * 3) as usize;
                out_row[at..at + (to - from)].copy_from_slice(&source[from..to]);
            }
        }
        RgbImage::new(width, height, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slide::read_region;

    /// A 4×2 buffer whose pixel (x, y) is (x, y, 7).
    fn gradient(level0: (u64, u64)) -> BufferSource {
        let data = (0..2u8).flat_map(|y| (0..4u8).flat_map(move |x| [x, y, 7])).collect();
        BufferSource::new("gradient", data, (4, 2), level0, Some(0.5)).unwrap()
    }

    #[test]
    fn reads_crop_and_pad_with_white() {
        let source = gradient((4, 2));
        let image = source.read_rgb(0, -1, 1, 3, 2).unwrap();
        assert_eq!(image.pixel(0, 0), [255, 255, 255]);
        assert_eq!(image.pixel(1, 0), [0, 1, 7]);
        assert_eq!(image.pixel(2, 0), [1, 1, 7]);
        assert_eq!(image.pixel(1, 1), [255, 255, 255]);
        assert_eq!(source.read_rgb(0, 10, 10, 2, 2).unwrap(), RgbImage::white(2, 2));
    }

    #[test]
    fn a_downsampled_buffer_maps_level0_coordinates() {
        let source = gradient((16, 8));
        assert_eq!(source.dimensions(), (16, 8));
        assert_eq!(source.levels()[0].downsample, 4.0);
        // Level-0 rectangle (8, 4, 8×4) is buffer pixels (2, 1)…(3, 1).
        let image = read_region(&source, (8, 4, 8, 4), (2, 1)).unwrap();
        assert_eq!(image.pixel(0, 0), [2, 1, 7]);
        assert_eq!(image.pixel(1, 0), [3, 1, 7]);
    }

    #[test]
    fn inconsistent_buffers_are_refused_with_their_name() {
        let error = BufferSource::new("pushed", vec![0; 5], (4, 2), (4, 2), None).err().unwrap().to_string();
        assert!(error.contains("pushed") && error.contains("24 bytes"), "{error}");
        assert!(BufferSource::new("pushed", vec![0; 24], (4, 2), (400, 1000), None).is_err());
        assert!(BufferSource::new("pushed", vec![0; 24], (4, 2), (4, 2), Some(-1.0)).is_err());
    }
}
