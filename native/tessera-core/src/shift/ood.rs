//! How far a slide's tiles lie from the training tiles, in what the network sees: each batch
//! normalisation's input and the final pooled features, spatially averaged per channel (the early
//! layers' channels are colour statistics a stain shift moves for every class; the last ones are
//! the features the classifier reads).
//!
//! The package stores each class's mean feature vector over the training tiles and each feature
//! channel's standard deviation around the class means. A tile's distance is its squared
//! standardised distance to the nearest class mean, averaged over the channels (a class-conditional
//! Mahalanobis distance with a diagonal, shared covariance); a set of tiles (a slide's sample)
//! scores the median of its tiles' distances — a stain shift moves every tile, a few tiles of a
//! tissue never annotated move the median little, and the classes' proportions do not matter. The
//! training folds give the in-distribution scores (each fold's model, its held-out tiles against
//! its training tiles) and the threshold: [`THRESHOLD_FACTOR`] × the largest of them.

use serde::{Deserialize, Serialize};

use crate::dataset::split::Split;
use crate::{Result, TesseraError};

/// The threshold over the largest in-distribution fold score.
pub const THRESHOLD_FACTOR: f64 = 1.5;

/// The training tiles' feature statistics and what the training folds scored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureReference {
    /// The model values measured, each averaged per channel over its spatial positions.
    pub outputs: Vec<String>,
    /// The mean feature vector of each class's training tiles (classes without tiles left out).
    pub class_means: Vec<Vec<f32>>,
    /// Each channel's standard deviation around the class means, over the training tiles.
    pub std: Vec<f32>,
    /// Each training fold's score: its held-out tiles against its training tiles, under its model
    /// (without cross-validation, the final model's hold-out).
    pub fold_scores: Vec<f64>,
    /// Scores above this are out of distribution.
    pub threshold: f64,
}

/// `dim`-long feature rows with their class labels.
#[derive(Clone, Copy, Debug)]
pub struct Features<'a> {
    /// The rows, end to end.
    pub values: &'a [f32],
    /// Values per row.
    pub dim: usize,
    /// Each row's class.
    pub labels: &'a [usize],
    /// The number of classes.
    pub classes: usize,
}

impl Features<'_> {
    fn row(&self, r: usize) -> &[f32] {
        &self.values[r * self.dim..(r + 1) * self.dim]
    }

    fn check(&self, rows: &[usize]) -> Result<()> {
        let count = self.values.len() / self.dim.max(1);
        if self.dim == 0 || rows.is_empty() || rows.iter().any(|&r| r >= count || r >= self.labels.len()) {
            return Err(TesseraError::invalid(format!(
                "feature statistics: {} rows of {} values do not fit {} values and {} labels",
                rows.len(),
                self.dim,
                self.values.len(),
                self.labels.len()
            )));
        }
        Ok(())
    }

    /// Class means and pooled per-channel standard deviation of `rows`.
    fn statistics(&self, rows: &[usize]) -> Result<(Vec<Vec<f32>>, Vec<f32>)> {
        self.check(rows)?;
        let mut sums = vec![vec![0f64; self.dim]; self.classes];
        let mut counts = vec![0usize; self.classes];
        for &r in rows {
            let label = self.labels[r].min(self.classes.saturating_sub(1));
            counts[label] += 1;
            for (sum, &v) in sums[label].iter_mut().zip(self.row(r)) {
                *sum += f64::from(v);
            }
        }
        let means: Vec<Vec<f64>> =
            sums.iter().zip(&counts).map(|(sum, &n)| sum.iter().map(|s| s / n.max(1) as f64).collect()).collect();
        let mut squares = vec![0f64; self.dim];
        for &r in rows {
            let mean = &means[self.labels[r].min(self.classes.saturating_sub(1))];
            for (c, &v) in self.row(r).iter().enumerate() {
                squares[c] += (f64::from(v) - mean[c]).powi(2);
            }
        }
        let std = squares.iter().map(|s| (s / rows.len() as f64).sqrt() as f32).collect();
        let present = means
            .into_iter()
            .zip(&counts)
            .filter(|(_, &n)| n > 0)
            .map(|(mean, _)| mean.into_iter().map(|m| m as f32).collect())
            .collect();
        Ok((present, std))
    }
}

/// The median over `rows` of each row's distance to the nearest of `means`, channels
/// standardised by `std`.
fn median_distance(values: &[f32], dim: usize, rows: &[usize], means: &[Vec<f32>], std: &[f32]) -> Result<f64> {
    if means.is_empty() || means.iter().any(|m| m.len() != dim) || std.len() != dim || rows.is_empty() {
        return Err(TesseraError::IncompatibleModel(format!(
            "the model gives {dim} features but the package's statistics have {}",
            std.len()
        )));
    }
    // Channels that hardly vary (a ReLU that never fires) are measured on the scale of the others.
    let typical = std.iter().map(|&s| f64::from(s)).sum::<f64>() / dim as f64;
    let floor = 1e-3 * typical + 1e-9;
    let scale: Vec<f64> = std.iter().map(|&s| 1.0 / f64::from(s).max(floor)).collect();
    let mut distances: Vec<f64> = rows
        .iter()
        .map(|&r| {
            let row = &values[r * dim..(r + 1) * dim];
            means
                .iter()
                .map(|mean| {
                    row.iter().zip(mean).zip(&scale).map(|((&v, &m), s)| (f64::from(v - m) * s).powi(2)).sum::<f64>()
                        / dim as f64
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let middle = distances.len() / 2;
    Ok(*distances.select_nth_unstable_by(middle, f64::total_cmp).1)
}

/// The in-distribution score of `split`: its validation rows against statistics of its training
/// rows.
pub fn held_out_score(features: &Features, split: &Split) -> Result<f64> {
    let (means, std) = features.statistics(&split.train)?;
    features.check(&split.validation)?;
    median_distance(features.values, features.dim, &split.validation, &means, &std)
}

impl FeatureReference {
    /// The reference of `features` (every training tile, under the final model) measured at
    /// `outputs`, with the training folds' in-distribution scores `fold_scores` (at least one).
    pub fn fit(outputs: Vec<String>, features: &Features, fold_scores: Vec<f64>) -> Result<Self> {
        let all: Vec<usize> = (0..features.labels.len()).collect();
        let (class_means, std) = features.statistics(&all)?;
        let largest = fold_scores.iter().copied().fold(f64::NAN, f64::max);
        if !largest.is_finite() {
            return Err(TesseraError::invalid(format!(
                "the out-of-distribution threshold needs in-distribution fold scores, got {fold_scores:?}"
            )));
        }
        Ok(Self { outputs, class_means, std, fold_scores, threshold: THRESHOLD_FACTOR * largest })
    }

    /// The score of `values` (`dim` per tile) against this reference.
    pub fn score(&self, values: &[f32], dim: usize) -> Result<f64> {
        let rows: Vec<usize> = (0..values.len() / dim.max(1)).collect();
        median_distance(values, dim, &rows, &self.class_means, &self.std)
    }

    /// Checks the statistics' shapes and values; the error names the field.
    pub fn validate(&self) -> Result<()> {
        let refuse = |problem: String| Err(TesseraError::IncompatibleModel(format!("shift.features: {problem}")));
        if self.std.is_empty()
            || self.class_means.is_empty()
            || self.class_means.iter().any(|m| m.len() != self.std.len())
        {
            return refuse(format!(
                "{} class means for {} channels: each class mean needs a value per channel",
                self.class_means.len(),
                self.std.len()
            ));
        }
        if self.class_means.iter().flatten().chain(&self.std).any(|v| !v.is_finite())
            || self.std.iter().any(|s| *s < 0.0)
        {
            return refuse("means and standard deviations must be finite, deviations not negative".into());
        }
        if !(self.threshold.is_finite() && self.threshold >= 0.0) {
            return refuse(format!("threshold {} must be a finite number ≥ 0", self.threshold));
        }
        Ok(())
    }
}
