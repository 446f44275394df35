//! Classifying tiles whose pixels someone else read (QuPath's image servers, through the JNI
//! layer), rather than tiles of a slide this core opens.

use crate::job::Job;
use crate::slide::RgbImage;
use crate::{Result, TesseraError};

use super::predictor::{OutputKind, Predictor};

/// Class probabilities of `count` tiles given as packed RGB bytes, one tile after the other at
/// the model's tile size; `classes` values per tile, in order. Runs `batch` tiles per model
/// call, reporting progress to `job` and stopping between batches when it is cancelled. A model
/// with stain normalisation not yet fitted to the slide is fitted to these tiles.
pub fn classify_tiles(predictor: &Predictor, rgb: &[u8], count: usize, batch: usize, job: &Job) -> Result<Vec<f32>> {
    if !matches!(predictor.output(), OutputKind::Classification) {
        return Err(TesseraError::IncompatibleModel(
            "this model segments pixels; only tile classifiers can classify given tiles".into(),
        ));
    }
    let side = predictor.tile_size();
    let tile_bytes = 3 * side * side;
    if rgb.len() < count * tile_bytes {
        return Err(TesseraError::invalid(format!(
            "{} bytes hold fewer than {count} tiles of {side}×{side} RGB",
            rgb.len()
        )));
    }
    let tiles: Vec<&[u8]> = rgb.chunks_exact(tile_bytes).take(count).collect();
    let fitted = match predictor.fitted_stain() {
        Some(_) => None,
        None => predictor.stain_for(&rgb[..count * tile_bytes])?,
    };
    let stain = fitted.as_ref().or(predictor.fitted_stain());
    let mut probabilities = Vec::with_capacity(count * predictor.package().metadata().classes.len());
    for (index, chunk) in tiles.chunks(batch.max(1)).enumerate() {
        job.check()?;
        let mut values = Vec::with_capacity(chunk.len() * predictor.tile_len());
        for tile in chunk {
            values.extend(predictor.preprocess_with(&RgbImage::new(side as u32, side as u32, tile.to_vec())?, stain)?);
        }
        probabilities.extend(predictor.infer(&values, chunk.len())?.data);
        job.progress((index * batch.max(1) + chunk.len()) as u64, count as u64, "classifying tiles");
    }
    Ok(probabilities)
}
