//! The resolution a job asks for: a physical pixel size or a plain downsample.

use super::RegionSource;
use crate::{Result, TesseraError};

/// How fine the tiles are: a pixel size in µm, or a downsample from level 0.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// µm per output pixel; needs the slide's own pixel size.
    Mpp(f64),
    /// Level-0 pixels per output pixel (1 = full resolution).
    Downsample(f64),
}

impl Resolution {
    /// The downsample from level 0 this resolution means on `source`.
    ///
    /// Fails when a µm/px is asked of a slide without a pixel size (the user must give a
    /// downsample instead), and when the request is finer than level 0.
    pub fn downsample_for(&self, source: &dyn RegionSource) -> Result<f64> {
        self.downsample_given(source.mpp(), source.path())
    }

    /// The downsample from level 0 this resolution means on the image at `image` whose pixel
    /// size is `image_mpp` µm (`None` when unknown); for images read by someone else, such as
    /// QuPath's image servers. Fails as [`Resolution::downsample_for`] does.
    pub fn downsample_given(&self, image_mpp: Option<f64>, image: &std::path::Path) -> Result<f64> {
        let downsample = match *self {
            Resolution::Downsample(downsample) => {
                if !(downsample.is_finite() && downsample > 0.0) {
                    return Err(TesseraError::invalid(format!(
                        "the downsample must be a positive number, got {downsample}"
                    )));
                }
                downsample
            }
            Resolution::Mpp(mpp) => {
                if !(mpp.is_finite() && mpp > 0.0) {
                    return Err(TesseraError::invalid(format!(
                        "the pixel size must be a positive number of µm, got {mpp}"
                    )));
                }
                let slide_mpp = image_mpp.ok_or_else(|| {
                    TesseraError::invalid(format!(
                        "{}: the slide records no pixel size (µm/px), so a resolution of {mpp} µm/px cannot be \
                         converted; give a downsample instead (--downsample in the tessera command)",
                        image.display()
                    ))
                })?;
                mpp / slide_mpp
            }
        };
        // 0.1 % below 1 is rounding between e.g. 0.5 µm/px asked and 0.499 µm/px scanned.
        if downsample < 1.0 - 1e-3 {
            return Err(TesseraError::invalid(format!(
                "{}: the requested resolution (downsample {downsample:.4}) is finer than the slide's full resolution; \
                 ask for a downsample of at least 1 (or a pixel size of at least the slide's own)",
                image.display()
            )));
        }
        Ok(downsample.max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slide::BufferSource;

    fn source(mpp: Option<f64>) -> BufferSource {
        BufferSource::new("memory", vec![255; 4 * 4 * 3], (4, 4), (4, 4), mpp).unwrap()
    }

    #[test]
    fn mpp_becomes_a_downsample() {
        let downsample = Resolution::Mpp(1.0).downsample_for(&source(Some(0.25))).unwrap();
        assert!((downsample - 4.0).abs() < 1e-12);
        assert_eq!(Resolution::Downsample(2.0).downsample_for(&source(None)).unwrap(), 2.0);
    }

    #[test]
    fn mpp_without_a_pixel_size_says_to_give_a_downsample() {
        let message = Resolution::Mpp(0.5).downsample_for(&source(None)).unwrap_err().to_string();
        assert!(message.contains("no pixel size") && message.contains("--downsample"), "{message}");
    }

    #[test]
    fn finer_than_level_zero_and_nonsense_are_refused() {
        assert!(Resolution::Mpp(0.1).downsample_for(&source(Some(0.5))).is_err());
        assert!(Resolution::Downsample(0.0).downsample_for(&source(None)).is_err());
        assert!(Resolution::Downsample(f64::NAN).downsample_for(&source(None)).is_err());
        // Rounding between 0.5 asked and 0.499 scanned is fine.
        assert_eq!(Resolution::Mpp(0.4995).downsample_for(&source(Some(0.5))).unwrap(), 1.0);
    }
}
