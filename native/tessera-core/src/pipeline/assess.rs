//! Evaluating a model package on annotated slides it was not trained on.

use crate::eval::report::Report;
use crate::infer::{classify, Predictor};
use crate::job::Job;
use crate::shift::sample_tiles;
use crate::slide::Resolution;
use crate::tiling::{plan_selection, PlannedImage, TileSpec};
use crate::{Result, TesseraError};

use super::collect::LabelledSlide;

/// The tiles a model reads: its input size and resolution, inside the polygons (at least half
/// covered), without overlap.
pub fn model_tiles(predictor: &Predictor) -> TileSpec {
    let input = &predictor.package().metadata().input;
    let resolution = match (input.mpp, input.downsample) {
        (Some(mpp), _) => Resolution::Mpp(mpp),
        (None, Some(downsample)) => Resolution::Downsample(downsample),
        (None, None) => Resolution::Downsample(1.0),
    };
    TileSpec::new(input.tile_size, resolution)
}

/// Classifies every tile inside the labelled polygons of `slides` and scores the predictions
/// against the polygons' classes, with 95 % bootstrap intervals. A model with stain
/// normalisation is fitted to each slide on a sample of its tiles first.
///
/// Fails, naming the class, when an annotation class is not one of the model's.
pub fn evaluate_slides(predictor: &mut Predictor, slides: &[LabelledSlide], batch: usize, job: &Job) -> Result<Report> {
    let names: Vec<String> = predictor.package().metadata().class_names().into_iter().map(str::to_owned).collect();
    let spec = model_tiles(predictor);
    let (mut truth, mut probabilities) = (Vec::new(), Vec::new());
    for slide in slides {
        let plan = plan_selection(&slide.selection, &PlannedImage::of(slide.source, &slide.name), &spec)?;
        for tile in &plan.tiles {
            let class = names.iter().position(|n| *n == tile.label).ok_or_else(|| {
                TesseraError::invalid(format!(
                    "{}: class {:?} is not one the model predicts ({})",
                    slide.name,
                    tile.label,
                    names.join(", ")
                ))
            })?;
            truth.push(class);
        }
        if predictor.stain_target().is_some() {
            predictor.fit_stain(&sample_tiles(slide.source, &plan, spec.tile_size, job)?)?;
        }
        probabilities.extend(classify(predictor, slide.source, &plan, batch, job)?);
    }
    Report::new(&names, &truth, &probabilities, crate::train::cv::RESAMPLES, 0)
}
