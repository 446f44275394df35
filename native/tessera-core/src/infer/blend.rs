//! Segmentation outputs stitched into one map, blended where tiles overlap, a band at a time.
//!
//! Each tile's per-pixel class probabilities are added into a canvas with a weight that falls
//! from 1 at the tile's centre towards 0 at its edges (a separable tent), where convolutional
//! models see zero padding instead of tissue; each canvas pixel is the weighted mean of the
//! tiles covering it, so tile borders leave no seam when tiles overlap.
//!
//! The canvas holds only the rows that may still receive tiles: once every tile reaching a row
//! has been added, [`Blender::finish`] hands the row out and forgets it, so memory follows the
//! slide's width, not its area.

use crate::{Result, TesseraError};

/// Weight of a tile's edge pixels relative to its centre: small, but never zero, so pixels
/// covered by one tile only still get its prediction.
const EDGE_WEIGHT: f32 = 1e-3;

/// The widest canvas, in pixels (a row of it is held per class, plus weights).
pub const MAX_WIDTH: usize = 1 << 20;

/// One finished canvas row: its blended probabilities and most probable class per pixel.
pub struct Row<'a> {
    /// The canvas row.
    pub y: usize,
    /// Per pixel, the most probable class; `None` where no tile fell.
    pub labels: &'a [Option<u16>],
    /// Per class, per pixel, the blended probability (`classes × width`, 0 where no tile fell).
    pub probabilities: &'a [f32],
}

/// The rows of a canvas of blended class probabilities still open to tiles.
pub struct Blender {
    origin: (f64, f64),
    scale: f64,
    width: usize,
    height: usize,
    classes: usize,
    /// The canvas row of the first held row.
    top: usize,
    /// Per held row: `classes × width` weighted sums.
    sums: Vec<f32>,
    /// Per held row: `width` weights.
    weights: Vec<f32>,
}

impl Blender {
    /// A canvas for `classes` classes covering the level-0 rectangle (`x`, `y`, `w`, `h`), one
    /// canvas pixel per `scale` level-0 pixels; fails when wider than [`MAX_WIDTH`].
    pub fn new((x, y, w, h): (f64, f64, f64, f64), scale: f64, classes: usize) -> Result<Self> {
        let width = (w / scale).ceil().max(1.0) as usize;
        let height = (h / scale).ceil().max(1.0) as usize;
        if width > MAX_WIDTH {
            return Err(TesseraError::invalid(format!(
                "segmenting a region {width} pixels wide at the model's resolution is more than the {MAX_WIDTH} allowed; \
                 apply the model to narrower regions (polygons) or at a coarser resolution"
            )));
        }
        Ok(Self { origin: (x, y), scale, width, height, classes, top: 0, sums: Vec::new(), weights: Vec::new() })
    }

    /// Canvas width and height in pixels.
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// The level-0 position of the canvas origin and level-0 pixels per canvas pixel.
    pub fn placement(&self) -> ((f64, f64), f64) {
        (self.origin, self.scale)
    }

    /// The canvas row of level-0 `y`, rounded to the nearest pixel edge.
    pub fn row_of(&self, y: f64) -> usize {
        ((y - self.origin.1) / self.scale).round().max(0.0) as usize
    }

    /// Adds one tile's `classes × h × w` probabilities, its top-left corner at level-0 (`x`, `y`).
    /// Rows already finished are not changed.
    pub fn add(&mut self, (x, y): (f64, f64), probabilities: &[f32], (h, w): (usize, usize)) {
        let left = ((x - self.origin.0) / self.scale).round() as i64;
        let top = ((y - self.origin.1) / self.scale).round() as i64;
        let bottom = (top + h as i64).clamp(0, self.height as i64) as usize;
        let held = self.weights.len() / self.width;
        if bottom > self.top + held {
            self.sums.resize((bottom - self.top) * self.width * self.classes, 0.0);
            self.weights.resize((bottom - self.top) * self.width, 0.0);
        }
        let (across, down) = (tent(w), tent(h));
        for (row, &wy) in down.iter().enumerate() {
            let cy = top + row as i64;
            if cy < self.top as i64 || cy >= bottom as i64 {
                continue;
            }
            let held_row = cy as usize - self.top;
            for (column, &wx) in across.iter().enumerate() {
                let cx = left + column as i64;
                if cx < 0 || cx >= self.width as i64 {
                    continue;
                }
                let weight = wx * wy;
                self.weights[held_row * self.width + cx as usize] += weight;
                for class in 0..self.classes {
                    let at = (held_row * self.classes + class) * self.width + cx as usize;
                    self.sums[at] += weight * probabilities[(class * h + row) * w + column];
                }
            }
        }
    }

    /// Hands out every held row above canvas row `below` (all rows with `usize::MAX`), in
    /// order, and forgets them; call it once no later tile reaches those rows.
    pub fn finish(&mut self, below: usize, mut each: impl FnMut(Row)) {
        let held = self.weights.len() / self.width;
        let until = below.min(self.height).max(self.top);
        let mut labels = vec![None; self.width];
        let mut probabilities = vec![0.0; self.classes * self.width];
        for y in self.top..until {
            let row = y - self.top;
            for x in 0..self.width {
                let weight = if row < held { self.weights[row * self.width + x] } else { 0.0 };
                let mut best: Option<(u16, f32)> = None;
                for class in 0..self.classes {
                    let p = if weight > 0.0 {
                        self.sums[(row * self.classes + class) * self.width + x] / weight
                    } else {
                        0.0
                    };
                    probabilities[class * self.width + x] = p;
                    if weight > 0.0 && best.is_none_or(|(_, b)| p > b) {
                        best = Some((class as u16, p));
                    }
                }
                labels[x] = best.map(|(class, _)| class);
            }
            each(Row { y, labels: &labels, probabilities: &probabilities });
        }
        let done = (until - self.top).min(held);
        self.sums.drain(..done * self.width * self.classes);
        self.weights.drain(..done * self.width);
        self.top = until;
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

    fn rows(blender: &mut Blender, below: usize) -> Vec<(usize, Vec<Option<u16>>, Vec<f32>)> {
        let mut out = Vec::new();
        blender.finish(below, |row| out.push((row.y, row.labels.to_vec(), row.probabilities.to_vec())));
        out
    }

    #[test]
    fn overlapping_tiles_average_and_finished_rows_are_handed_out_once() {
        let mut blender = Blender::new((0.0, 0.0, 12.0, 8.0), 2.0, 2).unwrap();
        assert_eq!(blender.size(), (6, 4));
        // Two 2-class 2×4 tiles (canvas columns 0–3 and 2–5, rows 0–1) that disagree.
        let first: Vec<f32> = [vec![1.0; 8], vec![0.0; 8]].concat();
        let second: Vec<f32> = [vec![0.0; 8], vec![1.0; 8]].concat();
        blender.add((0.0, 0.0), &first, (2, 4));
        blender.add((4.0, 0.0), &second, (2, 4));
        let done = rows(&mut blender, 1);
        assert_eq!(done.len(), 1);
        let (y, labels, p) = &done[0];
        assert_eq!((*y, labels[0], labels[5]), (0, Some(0), Some(1)));
        assert_eq!((p[0], p[6 + 5]), (1.0, 1.0));
        assert!((p[2] + p[3] - 1.0).abs() < 1e-6, "symmetric weights share the overlap");
        // Row 0 is gone; a tile reaching it only changes the rows still held.
        blender.add((0.0, 0.0), &second, (2, 4));
        let rest = rows(&mut blender, usize::MAX);
        assert_eq!(rest.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(rest[2].1, vec![None; 6], "no tile fell on row 3");
        assert!(rows(&mut blender, usize::MAX).is_empty());
    }

    #[test]
    fn too_wide_a_canvas_is_refused() {
        let wide = Blender::new((0.0, 0.0, 1e7, 10.0), 1.0, 2).err().unwrap().to_string();
        assert!(wide.contains("10000000 pixels wide") && wide.contains("narrower regions"), "{wide}");
    }
}
