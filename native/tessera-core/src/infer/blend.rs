//! Segmentation outputs stitched into one map, blended where tiles overlap.
//!
//! Each tile's per-pixel class probabilities are added into a canvas with a weight that falls
//! from 1 at the tile's centre towards 0 at its edges (a separable tent), where convolutional
//! models see zero padding instead of tissue; each canvas pixel is the weighted mean of the
//! tiles covering it, so tile borders leave no seam when tiles overlap.

use crate::{Result, TesseraError};

/// Weight of a tile's edge pixels relative to its centre: small, but never zero, so pixels
/// covered by one tile only still get its prediction.
const EDGE_WEIGHT: f32 = 1e-3;

/// The most canvas pixels one segmentation run may hold (8192², about 0.8 GB for two classes):
/// the canvas grows with the region, so larger regions are refused rather than exhausting memory.
pub const MAX_PIXELS: usize = 1 << 26;

/// A canvas of blended class probabilities over a level-0 rectangle.
pub struct Blender {
    origin: (f64, f64),
    scale: f64,
    width: usize,
    height: usize,
    classes: usize,
    sums: Vec<f32>,
    weights: Vec<f32>,
}

impl Blender {
    /// A canvas for `classes` classes covering the level-0 rectangle (`x`, `y`, `w`, `h`), one
    /// canvas pixel per `scale` level-0 pixels; fails when that is more than [`MAX_PIXELS`].
    pub fn new((x, y, w, h): (f64, f64, f64, f64), scale: f64, classes: usize) -> Result<Self> {
        let width = (w / scale).ceil().max(1.0) as usize;
        let height = (h / scale).ceil().max(1.0) as usize;
        if width.saturating_mul(height) > MAX_PIXELS {
            return Err(TesseraError::invalid(format!(
                "segmenting a {width}×{height}-pixel region (at the model's resolution) needs more than the {MAX_PIXELS} pixels \
                 one run may hold; apply the model to smaller regions (polygons) or at a coarser resolution"
            )));
        }
        Ok(Self {
            origin: (x, y),
            scale,
            width,
            height,
            classes,
            sums: vec![0.0; classes * width * height],
            weights: vec![0.0; width * height],
        })
    }

    /// Canvas width and height in pixels.
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// The level-0 position of the canvas origin and level-0 pixels per canvas pixel.
    pub fn placement(&self) -> ((f64, f64), f64) {
        (self.origin, self.scale)
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Adds one tile's `classes × h × w` probabilities, its top-left corner at level-0 (`x`, `y`).
    pub fn add(&mut self, (x, y): (f64, f64), probabilities: &[f32], (h, w): (usize, usize)) {
        let left = ((x - self.origin.0) / self.scale).round() as i64;
        let top = ((y - self.origin.1) / self.scale).round() as i64;
        let (across, down) = (tent(w), tent(h));
        let plane = self.width * self.height;
        for (row, &wy) in down.iter().enumerate() {
            let cy = top + row as i64;
            if cy < 0 || cy >= self.height as i64 {
                continue;
            }
            for (column, &wx) in across.iter().enumerate() {
                let cx = left + column as i64;
                if cx < 0 || cx >= self.width as i64 {
                    continue;
                }
                let at = cy as usize * self.width + cx as usize;
                let weight = wx * wy;
                self.weights[at] += weight;
                for class in 0..self.classes {
                    self.sums[class * plane + at] += weight * probabilities[(class * h + row) * w + column];
                }
            }
        }
    }

    /// The blended probability of `class` at canvas pixel (`x`, `y`); `None` where no tile fell.
    pub fn probability(&self, class: usize, x: usize, y: usize) -> Option<f32> {
        let at = y * self.width + x;
        let weight = self.weights[at];
        (weight > 0.0).then(|| self.sums[class * self.width * self.height + at] / weight)
    }

    /// The most probable class at each canvas pixel, row-major; `None` where no tile fell.
    pub fn labels(&self) -> Vec<Option<u16>> {
        let plane = self.width * self.height;
        (0..plane)
            .map(|at| {
                (self.weights[at] > 0.0).then(|| {
                    (0..self.classes)
                        .max_by(|&a, &b| self.sums[a * plane + at].total_cmp(&self.sums[b * plane + at]))
                        .map_or(0, |c| c as u16)
                })
            })
            .collect()
    }
}

/// The weights across a tile side of `n` pixels: highest in the middle, [`EDGE_WEIGHT`] at the ends.
fn tent(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let t = (i as f32 + 0.5) / n as f32;
            (1.0 - (2.0 * t - 1.0).abs()).max(EDGE_WEIGHT)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_tiles_average_and_uncovered_pixels_stay_empty() {
        let mut blender = Blender::new((0.0, 0.0, 12.0, 4.0), 2.0, 2).unwrap();
        assert_eq!(blender.size(), (6, 2));
        // Two 2-class 2×4 tiles (at canvas columns 0–3 and 2–5) that disagree.
        let first: Vec<f32> = [vec![1.0; 8], vec![0.0; 8]].concat();
        let second: Vec<f32> = [vec![0.0; 8], vec![1.0; 8]].concat();
        blender.add((0.0, 0.0), &first, (2, 4));
        blender.add((4.0, 0.0), &second, (2, 4));
        assert_eq!(blender.probability(0, 0, 0), Some(1.0));
        assert_eq!(blender.probability(1, 5, 1), Some(1.0));
        let middle = blender.probability(0, 2, 0).unwrap() + blender.probability(0, 3, 0).unwrap();
        assert!((middle - 1.0).abs() < 1e-6, "symmetric weights share the overlap: {middle}");
        let labels = blender.labels();
        assert_eq!((labels[0], labels[5]), (Some(0), Some(1)));
        let empty = Blender::new((0.0, 0.0, 2.0, 2.0), 1.0, 1).unwrap();
        assert_eq!(empty.labels(), vec![None; 4]);
        let huge = Blender::new((0.0, 0.0, 1e6, 1e6), 1.0, 2).err().unwrap().to_string();
        assert!(huge.contains("1000000×1000000") && huge.contains("smaller regions"), "{huge}");
    }
}
