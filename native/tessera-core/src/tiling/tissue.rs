//! Tissue detection on a low-resolution image: Otsu's threshold on colour saturation.
//!
//! Stained tissue is coloured, glass and background are grey or white, so saturation separates
//! them well on H&E and IHC without any tuning.

use crate::slide::{read_region, RegionSource, RgbImage};
use crate::Result;

/// Saturation (0–255) at or below which a pixel is never tissue, whatever Otsu says: keeps
/// faint scanner noise on blank glass out of the mask.
pub const MIN_TISSUE_SATURATION: u8 = 20;

/// Which pixels of a low-resolution image of a slide are tissue.
#[derive(Clone, Debug, PartialEq)]
pub struct TissueMask {
    width: u32,
    height: u32,
    /// Level-0 pixels per mask pixel.
    downsample: f64,
    tissue: Vec<bool>,
    threshold: u8,
}

impl TissueMask {
    /// Detects tissue in `image`, an image of the slide at `downsample` level-0 pixels per pixel.
    pub fn from_image(image: &RgbImage, downsample: f64) -> Self {
        let saturation: Vec<u8> = image.as_bytes().chunks_exact(3).map(saturation).collect();
        let mut histogram = [0u64; 256];
        for &s in &saturation {
            histogram[usize::from(s)] += 1;
        }
        let threshold = otsu(&histogram).max(MIN_TISSUE_SATURATION);
        let tissue = saturation.iter().map(|&s| s > threshold).collect();
        Self { width: image.width(), height: image.height(), downsample, tissue, threshold }
    }

    /// The saturation threshold used (tissue is above it).
    pub fn threshold(&self) -> u8 {
        self.threshold
    }

    /// The fraction of the level-0 rectangle (`x`, `y`, `w × h`) that is tissue; parts outside
    /// the slide count as background.
    pub fn fraction(&self, x: i64, y: i64, w: u64, h: u64) -> f64 {
        // The window in mask pixels, unclamped (its size is the denominator), then clamped.
        let window = |start: i64, length: u64| {
            let low = (start as f64 / self.downsample).round() as i64;
            let high = ((start as f64 + length as f64) / self.downsample).round() as i64;
            (low, high.max(low + 1))
        };
        let ((x0, x1), (y0, y1)) = (window(x, w), window(y, h));
        let cells = (x1 - x0) as f64 * (y1 - y0) as f64;
        let clamp = |v: i64, limit: u32| v.clamp(0, i64::from(limit)) as usize;
        let (x0, x1, y0, y1) =
            (clamp(x0, self.width), clamp(x1, self.width), clamp(y0, self.height), clamp(y1, self.height));
        let width = self.width as usize;
        let count: usize =
            (y0..y1).map(|row| self.tissue[row * width + x0..row * width + x1].iter().filter(|&&t| t).count()).sum();
        count as f64 / cells
    }
}

/// HSV saturation of one RGB pixel, scaled to 0–255.
fn saturation(pixel: &[u8]) -> u8 {
    let (max, min) = pixel.iter().fold((0u8, 255u8), |(max, min), &c| (max.max(c), min.min(c)));
    if max == 0 {
        0
    } else {
        ((u32::from(max - min) * 255 + u32::from(max) / 2) / u32::from(max)) as u8
    }
}

/// Otsu's threshold of a 256-bin histogram: the level that maximises the between-class variance
/// (values at or below it form one class).
pub fn otsu(histogram: &[u64; 256]) -> u8 {
    let total: u64 = histogram.iter().sum();
    let weighted: f64 = histogram.iter().enumerate().map(|(v, &n)| v as f64 * n as f64).sum();
    let (mut below, mut below_sum) = (0u64, 0.0f64);
    let (mut best, mut best_variance) = (0u8, -1.0f64);
    for (value, &count) in histogram.iter().enumerate() {
        below += count;
        below_sum += value as f64 * count as f64;
        let above = total - below;
        if below == 0 || above == 0 {
            continue;
        }
        let mean_below = below_sum / below as f64;
        let mean_above = (weighted - below_sum) / above as f64;
        let variance = below as f64 * above as f64 * (mean_below - mean_above).powi(2);
        if variance > best_variance {
            best_variance = variance;
            best = value as u8;
        }
    }
    best
}

/// Detects tissue on `source` from an image of the whole slide at most `max_side` pixels on its
/// longer side, read from the best low-resolution level.
pub fn detect_tissue(source: &dyn RegionSource, max_side: u32) -> Result<TissueMask> {
    let (width, height) = source.dimensions();
    let downsample = (width.max(height) as f64 / f64::from(max_side.max(1))).max(1.0);
    let out =
        (((width as f64 / downsample).round() as u32).max(1), ((height as f64 / downsample).round() as u32).max(1));
    let image = read_region(source, (0, 0, width, height), out)?;
    Ok(TissueMask::from_image(&image, width as f64 / f64::from(out.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slide::BufferSource;
    use crate::slide::Resolution;
    use crate::tiling::{plan_whole_slide, TileSpec};

    /// A 400×400 white slide with a pink disc of radius 100 at (120, 120) and grey noise.
    fn slide() -> BufferSource {
        let mut data = Vec::with_capacity(400 * 400 * 3);
        for y in 0..400i32 {
            for x in 0..400i32 {
                let inside = (x - 120).pow(2) + (y - 120).pow(2) < 100 * 100;
                let noise = ((x * 31 + y * 17) % 7) as u8;
                data.extend(if inside { [200 - noise, 90, 160 + noise] } else { [240 - noise, 240 - noise, 242] });
            }
        }
        BufferSource::new("disc", data, (400, 400), (800, 800), None).unwrap()
    }

    #[test]
    fn otsu_splits_two_clusters() {
        let mut histogram = [0u64; 256];
        histogram[10] = 500;
        histogram[12] = 300;
        histogram[150] = 400;
        histogram[160] = 100;
        let t = otsu(&histogram);
        assert!((12..150).contains(&t), "{t}");
    }

    #[test]
    fn the_disc_is_tissue_and_blank_tiles_are_dropped() {
        let source = slide();
        let mask = detect_tissue(&source, 100).unwrap();
        assert!(mask.fraction(140, 140, 100, 100) > 0.95, "inside the disc (level-0 centre 240, 240)");
        assert_eq!(mask.fraction(600, 600, 200, 200), 0.0, "blank corner");
        let spec = TileSpec::new(100, Resolution::Downsample(2.0));
        let plan = plan_whole_slide("disc", source.dimensions(), 2.0, &spec, Some(&mask), "tissue").unwrap();
        let all = plan_whole_slide("disc", source.dimensions(), 2.0, &spec, None, "tissue").unwrap();
        assert_eq!(all.tiles.len(), 16);
        assert!(!plan.tiles.is_empty() && plan.tiles.len() <= 4, "{} tiles kept", plan.tiles.len());
        assert!(plan.tiles.iter().all(|t| t.x < 400 && t.y < 400));
    }
}
