//! Low-resolution probability maps, one per class, for a quick look at a whole slide.

use super::blend::Blender;
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
            pixels: owners.iter().map(|o| o.map_or(0, |tile| grey(probabilities[tile * classes.len() + index]))).collect(),
            origin: cells.origin,
            scale: cells.side,
        })
        .collect()
}

/// Per class, the blended segmentation sampled down to at most [`MAX_SIDE`] pixels a side.
pub fn from_blend(blender: &Blender, classes: &[ClassInfo]) -> Vec<Heatmap> {
    let (width, height) = blender.size();
    let step = width.max(height).div_ceil(MAX_SIDE).max(1);
    let (out_w, out_h) = (width.div_ceil(step), height.div_ceil(step));
    let (origin, scale) = blender.placement();
    classes
        .iter()
        .enumerate()
        .map(|(index, class)| Heatmap {
            class: class.name.clone(),
            width: out_w,
            height: out_h,
            pixels: (0..out_h)
                .flat_map(|y| (0..out_w).map(move |x| (x, y)))
                .map(|(x, y)| blender.probability(index, x * step, y * step).map_or(0, grey))
                .collect(),
            origin,
            scale: scale * step as f64,
        })
        .collect()
}
