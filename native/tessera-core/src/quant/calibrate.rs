//! Activation ranges measured on calibration tiles.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use serde::{Deserialize, Serialize};

use crate::dataset::samples::Samples;
use crate::graph::builder::float_output;
use crate::graph::proto::ModelProto;
use crate::job::Job;
use crate::runtime::{Model, Runtime};
use crate::{Result, TesseraError};

/// How a tensor's range is chosen from the values it takes on the calibration tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calibration {
    /// The 0.01th to the 99.99th percentile: a few outliers do not stretch the scale.
    Percentile,
    /// The smallest to the largest value seen.
    MinMax,
}

impl Calibration {
    /// Every method, in the order training tries them.
    pub const ALL: [Calibration; 2] = [Calibration::Percentile, Calibration::MinMax];
}

/// The share of values left out at each end by [`Calibration::Percentile`].
const PERCENTILE_TAIL: f64 = 1e-4;
/// Histogram bins per tensor for [`Calibration::Percentile`].
const BINS: usize = 2048;
/// Tiles per calibration run (the observed tensors of a whole batch are held at once).
const BATCH: usize = 8;

/// A tensor's calibrated range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Range {
    /// The lowest value kept.
    pub min: f32,
    /// The highest value kept.
    pub max: f32,
}

/// The ranges of `tensors` of `model` over the calibration tiles `tiles` of `samples`.
#[allow(clippy::too_many_arguments)] // One calibration: the model, what to measure, on what, how.
pub(super) fn ranges(
    runtime: &Runtime,
    model: &ModelProto,
    tensors: &BTreeSet<String>,
    samples: &dyn Samples,
    tiles: &[usize],
    method: Calibration,
    threads: usize,
    job: &Job,
) -> Result<BTreeMap<String, Range>> {
    let graph = model.graph.as_ref().ok_or_else(|| TesseraError::internal("calibrating a model without a graph"))?;
    // The model's input is measured from the tiles themselves; everything else is a model output.
    let input = graph.input.first().map(|i| i.name.clone()).unwrap_or_default();
    let observed: Vec<String> = tensors.iter().filter(|t| **t != input).cloned().collect();
    let mut observer = model.clone();
    if let Some(graph) = observer.graph.as_mut() {
        graph.output = observed.iter().map(|name| float_output(name)).collect();
    }
    let order: Vec<&String> = tensors.iter().filter(|t| **t == input).chain(&observed).collect();
    let session =
        (!observed.is_empty()).then(|| Model::observing(runtime, &observer.encode_to_vec(), threads)).transpose()?;
    let shape = samples.shape();
    let values = |chunk: &[usize]| -> Result<Vec<Vec<f32>>> {
        job.check()?;
        let (x, _) = samples.batch(chunk, None);
        let mut all = Vec::with_capacity(order.len());
        if tensors.contains(&input) {
            all.push(x.clone());
        }
        if let Some(session) = &session {
            let dims: Vec<usize> = std::iter::once(chunk.len()).chain(shape.iter().copied()).collect();
            all.extend(session.run_all(&x, &dims)?.into_iter().map(|t| t.data));
        }
        Ok(all)
    };
    let mut extremes = vec![(f32::INFINITY, f32::NEG_INFINITY); order.len()];
    for chunk in tiles.chunks(BATCH) {
        for (extreme, data) in extremes.iter_mut().zip(values(chunk)?) {
            for &v in data.iter().filter(|v| v.is_finite()) {
                *extreme = (extreme.0.min(v), extreme.1.max(v));
            }
        }
    }
    let mut ranges: Vec<Range> = extremes.iter().map(|&(min, max)| Range { min, max }).collect();
    if method == Calibration::Percentile {
        let mut histograms = vec![vec![0u64; BINS]; order.len()];
        for chunk in tiles.chunks(BATCH) {
            for ((histogram, &(min, max)), data) in histograms.iter_mut().zip(&extremes).zip(values(chunk)?) {
                let width = (max - min).max(f32::MIN_POSITIVE);
                for &v in data.iter().filter(|v| v.is_finite()) {
                    histogram[(((v - min) / width) * BINS as f32).clamp(0.0, (BINS - 1) as f32) as usize] += 1;
                }
            }
        }
        for ((range, histogram), &(min, max)) in ranges.iter_mut().zip(&histograms).zip(&extremes) {
            *range = percentile_range(histogram, min, max);
        }
    }
    if let Some(empty) = ranges.iter().position(|r| r.min > r.max) {
        return Err(TesseraError::IncompatibleModel(format!(
            "tensor {} took no finite value on the calibration tiles",
            order[empty]
        )));
    }
    Ok(order.into_iter().cloned().zip(ranges).collect())
}

/// The range between the [`PERCENTILE_TAIL`] quantiles of a histogram of `BINS` bins over
/// `min..=max`.
fn percentile_range(histogram: &[u64], min: f32, max: f32) -> Range {
    let total: u64 = histogram.iter().sum();
    let tail = (total as f64 * PERCENTILE_TAIL) as u64;
    let width = (max - min) / BINS as f32;
    let bin_edge = |bin: usize| min + width * bin as f32;
    let (mut low, mut seen) = (0, 0);
    while low < BINS - 1 && seen + histogram[low] <= tail {
        seen += histogram[low];
        low += 1;
    }
    let (mut high, mut seen) = (BINS - 1, 0);
    while high > low && seen + histogram[high] <= tail {
        seen += histogram[high];
        high -= 1;
    }
    Range { min: bin_edge(low).max(min), max: bin_edge(high + 1).min(max) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_drop_only_the_outermost_values() {
        // 100,000 values spread evenly over the middle bins, one outlier at each end.
        let mut histogram = vec![0u64; BINS];
        histogram[0] = 1;
        histogram[BINS - 1] = 1;
        histogram[1000..1100].fill(1000);
        let range = percentile_range(&histogram, -10.0, 10.0);
        let edge = |bin: usize| -10.0 + 20.0 * bin as f32 / BINS as f32;
        assert!((range.min - edge(1000)).abs() < 0.02 && (range.max - edge(1100)).abs() < 0.02, "{range:?}");
        // Nothing left out when the tails hold more than the share.
        let flat = vec![10u64; BINS];
        let all = percentile_range(&flat, 0.0, 1.0);
        assert!(all.min.abs() < 1e-6 && (all.max - 1.0).abs() < 1e-6, "{all:?}");
    }
}
