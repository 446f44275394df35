//! The evaluation of a classifier on labelled tiles, ready to write as `metrics.json`.

use serde::{Deserialize, Serialize};

use super::bootstrap::{bootstrap_95, Interval};
use super::metrics::{argmax_rows, ClassScores, Confusion};
use super::roc::{roc_auc_per_class, roc_curve};
use crate::{Result, TesseraError};

/// A metric with its bootstrap 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The value on all tiles.
    pub value: f64,
    /// The percentile bootstrap 95% interval.
    pub ci95: Interval,
}

/// The scores of one class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    /// The class name.
    pub name: String,
    /// Precision, recall, F1, support.
    #[serde(flatten)]
    pub scores: ClassScores,
    /// One-vs-rest ROC AUC (`None` when the class or the rest is absent).
    pub roc_auc: Option<f64>,
    /// One-vs-rest ROC curve, `[false positive rate, true positive rate]` corners (`None` when
    /// the class or the rest is absent).
    pub roc_curve: Option<Vec<[f64; 2]>>,
}

/// Every metric of a classifier on a set of tiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Tiles evaluated.
    pub tiles: usize,
    /// Share predicted right.
    pub accuracy: Metric,
    /// Mean recall over the classes present.
    pub balanced_accuracy: Metric,
    /// Mean F1 over the classes present.
    pub macro_f1: Metric,
    /// Per class.
    pub classes: Vec<ClassReport>,
    /// Rows: true class; columns: predicted class.
    pub confusion: Confusion,
}

impl Report {
    /// Evaluates `probabilities` (`[n, classes]`, row-major) against `truth`, with intervals
    /// from `resamples` bootstrap resamples drawn from `seed`.
    pub fn new(names: &[String], truth: &[usize], probabilities: &[f32], resamples: usize, seed: u64) -> Result<Self> {
        let k = names.len();
        if truth.is_empty() || probabilities.len() != truth.len() * k || truth.iter().any(|&t| t >= k) {
            return Err(TesseraError::invalid(format!(
                "cannot evaluate {} labels against {} probabilities of {k} classes",
                truth.len(),
                probabilities.len()
            )));
        }
        let predicted = argmax_rows(probabilities, k);
        let confusion = Confusion::new(k, truth, &predicted);
        let metric = |value: f64, of: fn(&Confusion) -> f64| {
            let ci95 = bootstrap_95(truth.len(), resamples, seed, |sample| {
                let t: Vec<usize> = sample.iter().map(|&i| truth[i]).collect();
                let p: Vec<usize> = sample.iter().map(|&i| predicted[i]).collect();
                of(&Confusion::new(k, &t, &p))
            });
            Metric { value, ci95 }
        };
        let auc = roc_auc_per_class(truth, probabilities, k);
        Ok(Self {
            tiles: truth.len(),
            accuracy: metric(confusion.accuracy(), Confusion::accuracy),
            balanced_accuracy: metric(confusion.balanced_accuracy(), Confusion::balanced_accuracy),
            macro_f1: metric(confusion.macro_f1(), Confusion::macro_f1),
            classes: (0..k)
                .map(|c| ClassReport {
                    name: names[c].clone(),
                    scores: confusion.class_scores(c),
                    roc_auc: auc[c],
                    roc_curve: roc_curve(truth, probabilities, k, c),
                })
                .collect(),
            confusion,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_gathers_the_metrics_and_serialises() {
        let names = vec!["a".to_owned(), "b".to_owned()];
        let truth = [0, 0, 1, 1];
        let probabilities = [0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8];
        let report = Report::new(&names, &truth, &probabilities, 200, 1).unwrap();
        assert_eq!(report.accuracy.value, 0.75);
        assert!(report.accuracy.ci95.low <= 0.75 && report.accuracy.ci95.high >= 0.75);
        assert_eq!(report.classes[1].roc_auc, Some(0.75));
        assert_eq!(report.classes[1].roc_curve.as_ref().map(Vec::len), Some(5));
        assert_eq!(report.confusion.count(1, 0), 1);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["classes"][0]["recall"], 1.0);
        assert!(Report::new(&names, &[0, 2], &[0.5; 4], 10, 1).is_err());
    }
}
