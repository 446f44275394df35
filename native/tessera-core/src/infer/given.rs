//! Segmenting tiles someone else reads (QuPath's image servers, through the JNI layer): the
//! tiles of a plan arrive in row order, a batch at a time, and are blended and finished band by
//! band as [`segment`](super::segment::segment) does for the slides this core opens.

use super::blend::Blender;
use super::heatmap::{Heatmap, Sampler};
use super::labels::LabelMap;
use super::objects::segmentation_objects;
use super::segment::{canvas, output_size};
use super::{Predictor, Tracing};
use crate::geometry::{ObjectType, PathObject};
use crate::model::ClassInfo;
use crate::slide::RgbImage;
use crate::tiling::{Tile, TilePlan};
use crate::{Result, TesseraError};

/// A segmentation being fed the pixels of its plan's tiles; each call is given the segmenter
/// (the same one every time), so that its owner may lock it only while it runs.
pub struct GivenSegmentation {
    classes: Vec<ClassInfo>,
    tiles: Vec<Tile>,
    next: usize,
    blender: Blender,
    labels: LabelMap,
    sampler: Sampler,
}

impl GivenSegmentation {
    /// A segmentation of `plan`'s tiles by the segmenter `predictor`.
    pub fn new(predictor: &Predictor, plan: &TilePlan) -> Result<Self> {
        output_size(predictor)?;
        let blender = canvas(predictor, plan)?;
        let labels = LabelMap::new(blender.size().0);
        let sampler = Sampler::new(&blender, &predictor.package().metadata().classes);
        let mut tiles = plan.tiles.clone();
        tiles.sort_by_key(|t| (t.y, t.x));
        let classes = predictor.package().metadata().classes.clone();
        Ok(Self { classes, tiles, next: 0, blender, labels, sampler })
    }

    /// The plan's tiles in the order their pixels must be given.
    pub fn order(&self) -> &[Tile] {
        &self.tiles
    }

    /// Predicts with `predictor` and blends the next `count` tiles of
    /// [`GivenSegmentation::order`], given as packed RGB at the model's tile size, and finishes
    /// the rows no later tile reaches.
    pub fn add(&mut self, predictor: &Predictor, rgb: &[u8], count: usize) -> Result<()> {
        let side = predictor.tile_size();
        let tile_bytes = 3 * side * side;
        if self.next + count > self.tiles.len() || rgb.len() < count * tile_bytes {
            return Err(TesseraError::invalid(format!(
                "{count} tiles of {side}×{side} RGB ({} bytes given) after {} of the plan's {}",
                rgb.len(),
                self.next,
                self.tiles.len()
            )));
        }
        let mut values = Vec::with_capacity(count * predictor.tile_len());
        for tile in rgb.chunks_exact(tile_bytes).take(count) {
            values.extend(predictor.preprocess(&RgbImage::new(side as u32, side as u32, tile.to_vec())?)?);
        }
        let output = predictor.infer(&values, count)?;
        let (height, width) = output_size(predictor)?;
        let Self { tiles, next, blender, labels, sampler, .. } = self;
        for (tile, values) in
            tiles[*next..*next + count].iter().zip(output.data.chunks_exact(output.data.len() / count.max(1)))
        {
            blender.add((tile.x as f64, tile.y as f64), values, (height, width));
        }
        *next += count;
        let below = tiles.get(*next).map_or(usize::MAX, |t| blender.row_of(t.y as f64));
        blender.finish(below, |row| {
            labels.push_row(row.labels);
            sampler.take(&row);
        });
        Ok(())
    }

    /// One object of `object_type` per connected region of each class (but Background), traced
    /// with `tracing`, and the per-class heatmaps; refused while tiles are missing.
    pub fn finish(self, tracing: Tracing, object_type: &ObjectType) -> Result<(Vec<PathObject>, Vec<Heatmap>)> {
        if self.next < self.tiles.len() {
            return Err(TesseraError::invalid(format!(
                "the segmentation was given {} of its {} tiles",
                self.next,
                self.tiles.len()
            )));
        }
        let Self { mut blender, mut labels, mut sampler, classes, .. } = self;
        blender.finish(usize::MAX, |row| {
            labels.push_row(row.labels);
            sampler.take(&row);
        });
        let objects = segmentation_objects(&labels, blender.placement(), &classes, tracing, object_type);
        Ok((objects, sampler.finish()))
    }
}
