//! Evaluating a model package on annotated slides it was not trained on.

use crate::dataset::UNLABELLED;
use crate::eval::metrics::{argmax_classes, GroupConfusions};
use crate::eval::report::Report;
use crate::infer::{classify, Predictor};
use crate::job::Job;
use crate::model::Task;
use crate::shift::sample_tiles;
use crate::slide::Resolution;
use crate::slide::RgbImage;
use crate::tiling::{plan_selection, PlannedImage, TileSpec};
use crate::train::fit::RESAMPLES;
use crate::{Result, TesseraError};

use super::collect::{collect_patches, LabelledSlide};

/// The most patches a segmenter's stain normalisation is fitted on.
const STAIN_SAMPLE: usize = 256;

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

/// The index of annotation class `label` of `slide` among the model's class `names`, or an error
/// naming both.
fn model_class(names: &[String], label: &str, slide: &str) -> Result<usize> {
    names.iter().position(|n| n == label).ok_or_else(|| {
        TesseraError::invalid(format!("{slide}: class {label:?} is not one the model predicts ({})", names.join(", ")))
    })
}

/// Scores the model against the labelled polygons of `slides`, with 95 % bootstrap intervals: a
/// tile classifier on every tile inside the polygons, a segmenter on the labelled pixels of the
/// patches the polygons touch (see [`evaluate_pixels`]). A model with stain normalisation is
/// fitted to each slide on a sample of its tiles first (a segmenter: to a sample of all the
/// slides' patches).
///
/// Fails, naming the class, when an annotation class is not one of the model's.
pub fn evaluate_slides(predictor: &mut Predictor, slides: &[LabelledSlide], batch: usize, job: &Job) -> Result<Report> {
    let names: Vec<String> = predictor.package().metadata().class_names().into_iter().map(str::to_owned).collect();
    if predictor.package().metadata().task == Task::Segmentation {
        return evaluate_pixels(predictor, &names, slides, batch, job);
    }
    let spec = model_tiles(predictor);
    let (mut truth, mut probabilities) = (Vec::new(), Vec::new());
    for slide in slides {
        let plan = plan_selection(&slide.selection, &PlannedImage::of(slide.source, &slide.name), &spec)?;
        for tile in &plan.tiles {
            truth.push(model_class(&names, &tile.label, &slide.name)?);
        }
        if predictor.stain_target().is_some() {
            predictor.fit_stain(&sample_tiles(slide.source, &plan, spec.tile_size, job)?)?;
        }
        probabilities.extend(classify(predictor, slide.source, &plan, batch, job)?);
    }
    Report::new(&names, &truth, &probabilities, RESAMPLES, 0)
}

/// Segments the model's patches (its size and resolution, side by side) that the labelled
/// polygons touch, collected as for training (see
/// [`collect_patches`](super::collect::collect_patches)), and scores the predicted class of every
/// labelled pixel; the intervals resample whole groups (polygons, or slides when there are
/// several).
fn evaluate_pixels(
    predictor: &mut Predictor,
    names: &[String],
    slides: &[LabelledSlide],
    batch: usize,
    job: &Job,
) -> Result<Report> {
    let spec = TileSpec { min_coverage: 0.0, ..model_tiles(predictor) };
    let collected = collect_patches(slides, &spec, job)?;
    let store = &collected.store;
    let slide = slides.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ");
    let to_model: Vec<usize> = store.classes().iter().map(|c| model_class(names, c, &slide)).collect::<Result<_>>()?;
    if predictor.stain_target().is_some() {
        let step = store.len().div_ceil(STAIN_SAMPLE).max(1);
        let sample: Vec<u8> = (0..store.len()).step_by(step).flat_map(|i| store.tile(i).iter().copied()).collect();
        predictor.fit_stain(&sample)?;
    }
    let side = predictor.tile_size();
    let mut groups = GroupConfusions::new(names.len());
    let indices: Vec<usize> = (0..store.len()).collect();
    for chunk in indices.chunks(batch.max(1)) {
        job.check()?;
        let mut values = Vec::with_capacity(chunk.len() * predictor.tile_len());
        for &i in chunk {
            values.extend(predictor.preprocess(&RgbImage::new(side as u32, side as u32, store.tile(i).to_vec())?)?);
        }
        let output = predictor.infer(&values, chunk.len())?;
        let predicted = argmax_classes(&output.data, names.len(), side * side);
        for (j, &i) in chunk.iter().enumerate() {
            let mask = store.mask(i).unwrap_or_default();
            let truth: Vec<Option<usize>> =
                mask.iter().map(|&m| (m != UNLABELLED).then(|| to_model[m as usize])).collect();
            groups.add(store.groups()[i], &truth, &predicted[j * side * side..(j + 1) * side * side]);
        }
    }
    Report::pixels(names, &groups.into_groups(), RESAMPLES, 0)
}
