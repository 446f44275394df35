//! Low-resolution probability maps, one per class, for a quick look at a whole slide.

use super::blend::{Blender, Row};
use super::cells::Cells;
use crate::model::ClassInfo;

/// The longest side of a segmentation heatmap, in pixels.
pub const MAX_SIDE: usize = 2048;

/// One class's probability map: 8-bit grey (255 = probability 1), 0 where nothing was predicted.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// The class.
    pub class: String,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major grey values.
    pub pixels: Vec<u8>,
    /// Level-0 position of the map's top-left corner.
    pub origin: (f64, f64),
    /// Level-0 pixels per map pixel.
    pub scale: f64,
}

fn grey(probability: f32) -> u8 {
    (probability.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Per class, one pixel per cell of a tile classification.
pub fn from_cells(cells: &Cells, probabilities: &[f32], classes: &[ClassInfo]) -> Vec<Heatmap> {
    let owners = cells.owners();
    classes
        .iter()
        .enumerate()
        .map(|(index, class)| Heatmap {
            class: class.name.clone(),
            width: cells.columns,
            height: cells.rows,
            pixels: owners
                .iter()
                .map(|o| o.map_or(0, |tile| grey(probabilities[tile * classes.len() + index])))
                .collect(),
            origin: cells.origin,
            scale: cells.side,
        })
        .collect()
}

/// Per class, a segmentation's blended rows sampled down to at most [`MAX_SIDE`] pixels a side,
/// collected as the rows are finished.
pub struct Sampler {
    heatmaps: Vec<Heatmap>,
    step: usize,
}

impl Sampler {
    /// A sampler for `blender`'s canvas and these classes.
    pub fn new(blender: &Blender, classes: &[ClassInfo]) -> Self {
        let (width, height) = blender.size();
        let step = width.max(height).div_ceil(MAX_SIDE).max(1);
        let (origin, scale) = blender.placement();
        let heatmaps = classes
            .iter()
            .map(|class| Heatmap {
                class: class.name.clone(),
                width: width.div_ceil(step),
                height: 0,
                pixels: Vec::new(),
                origin,
                scale: scale * step as f64,
            })
            .collect();
        Self { heatmaps, step }
    }

    /// Takes one finished row (kept when it falls on the sampling grid).
    pub fn take(&mut self, row: &Row) {
        if !row.y.is_multiple_of(self.step) {
            return;
        }
        let width = row.labels.len();
        for (class, heatmap) in self.heatmaps.iter_mut().enumerate() {
            let values = &row.probabilities[class * width..][..width];
            heatmap.pixels.extend((0..width).step_by(self.step).map(|x| {
                if row.labels[x].is_some() {
                    grey(values[x])
                } else {
                    0
                }
            }));
            heatmap.height += 1;
        }
    }

    /// The heatmaps.
    pub fn finish(self) -> Vec<Heatmap> {
        self.heatmaps
    }
}
