//! The evaluation of a classifier on labelled tiles, or of a segmenter on labelled pixels, ready
//! to write as `metrics.json`.

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
    /// Intersection over union (pixel reports only; F1 is then the Dice coefficient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iou: Option<f64>,
}

/// Every metric of a classifier on a set of tiles, or of a segmenter on a set of labelled pixels
/// (then `tiles` counts pixels, accuracy is pixel accuracy, F1 is Dice, and the intervals come
/// from resampling whole groups — polygons or slides — since neighbouring pixels are not
/// independent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Tiles (or pixels) evaluated.
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
    /// Mean intersection over union over the classes present (pixel reports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_iou: Option<Metric>,
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
                    iou: None,
                })
                .collect(),
            confusion,
            mean_iou: None,
        })
    }

    /// Evaluates a segmenter from the confusion matrix of each group's labelled pixels
    /// (`groups`: group → matrix over `names`), with intervals from `resamples` bootstrap
    /// resamples of the groups drawn from `seed`. No ROC curves: pixel probabilities are not kept.
    pub fn pixels(names: &[String], groups: &[Confusion], resamples: usize, seed: u64) -> Result<Self> {
        let k = names.len();
        let confusion = Confusion::sum(k, groups.iter());
        let pixels: usize = (0..k).map(|c| confusion.class_scores(c).support).sum();
        if pixels == 0 {
            return Err(TesseraError::invalid("cannot evaluate a segmentation without labelled pixels"));
        }
        let metric = |value: f64, of: fn(&Confusion) -> f64| {
            let ci95 = bootstrap_95(groups.len(), resamples, seed, |sample| {
                of(&Confusion::sum(k, sample.iter().map(|&g| &groups[g])))
            });
            Metric { value, ci95 }
        };
        Ok(Self {
            tiles: pixels,
            accuracy: metric(confusion.accuracy(), Confusion::accuracy),
            balanced_accuracy: metric(confusion.balanced_accuracy(), Confusion::balanced_accuracy),
            macro_f1: metric(confusion.macro_f1(), Confusion::macro_f1),
            classes: (0..k)
                .map(|c| ClassReport {
                    name: names[c].clone(),
                    scores: confusion.class_scores(c),
                    roc_auc: None,
                    roc_curve: None,
                    iou: Some(confusion.iou(c)),
                })
                .collect(),
            mean_iou: Some(metric(confusion.mean_iou(), Confusion::mean_iou)),
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
        assert!(json.get("mean_iou").is_none(), "tile reports carry no IoU");
    }

    #[test]
    fn pixel_reports_pool_the_groups_and_resample_them_whole() {
        let names = vec!["a".to_owned(), "b".to_owned()];
        let groups = [
            Confusion::new(2, &[0, 0, 0, 1], &[0, 0, 1, 1]),
            Confusion::new(2, &[1, 1, 1, 1], &[1, 1, 1, 0]),
            Confusion::new(2, &[0, 1], &[0, 1]),
        ];
        let report = Report::pixels(&names, &groups, 500, 2).unwrap();
        assert_eq!(report.tiles, 10);
        // Pooled: a = 3 hits of 4 true, 4 predicted → IoU 3/5; b = 5 of 6 true, 6 predicted → 5/7.
        let mean_iou = report.mean_iou.unwrap();
        assert!((mean_iou.value - (0.6 + 5.0 / 7.0) / 2.0).abs() < 1e-12);
        assert!(mean_iou.ci95.low <= mean_iou.value && mean_iou.value <= mean_iou.ci95.high);
        assert!(mean_iou.ci95.high - mean_iou.ci95.low > 0.0, "three different groups give an interval");
        assert_eq!(report.classes[0].iou, Some(0.6));
        assert!(report.classes[0].roc_curve.is_none());
        assert!(Report::pixels(&names, &[], 10, 1).is_err());
    }
}
