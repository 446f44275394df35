//! Classification metrics from a confusion matrix: of tiles, or of pixels (where a class's F1
//! is its Dice coefficient, and its intersection over union is `F1 / (2 − F1)`).

use serde::{Deserialize, Serialize};

/// Counts of (true class, predicted class) pairs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    classes: usize,
    /// Row-major `classes × classes`: row = true class, column = predicted class.
    counts: Vec<usize>,
}

/// Precision, recall and F1 of one class.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// Of the tiles predicted as the class, the share that are.
    pub precision: f64,
    /// Of the tiles of the class, the share predicted as it.
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Tiles of the class.
    pub support: usize,
}

impl Confusion {
    /// The confusion matrix of `predicted` against `truth` (labels below `classes`).
    pub fn new(classes: usize, truth: &[usize], predicted: &[usize]) -> Self {
        let mut counts = vec![0; classes * classes];
        for (&t, &p) in truth.iter().zip(predicted) {
            counts[t * classes + p] += 1;
        }
        Self { classes, counts }
    }

    /// The confusion matrix of `predicted` against `truth` at the positions whose truth is
    /// labelled (`Some`); the others count for nothing.
    pub fn of_labelled(classes: usize, truth: &[Option<usize>], predicted: &[usize]) -> Self {
        let mut counts = vec![0; classes * classes];
        for (t, &p) in truth.iter().zip(predicted) {
            if let Some(t) = t {
                counts[t * classes + p] += 1;
            }
        }
        Self { classes, counts }
    }

    /// The sum of `matrices` of `classes` classes (empty: all zero).
    pub fn sum<'a>(classes: usize, matrices: impl Iterator<Item = &'a Confusion>) -> Self {
        let mut counts = vec![0; classes * classes];
        for m in matrices {
            counts.iter_mut().zip(&m.counts).for_each(|(a, b)| *a += b);
        }
        Self { classes, counts }
    }

    /// Tiles of true class `truth` predicted as `predicted`.
    pub fn count(&self, truth: usize, predicted: usize) -> usize {
        self.counts[truth * self.classes + predicted]
    }

    fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The share of tiles predicted right.
    pub fn accuracy(&self) -> f64 {
        let right: usize = (0..self.classes).map(|c| self.count(c, c)).sum();
        ratio(right, self.total())
    }

    /// Precision, recall, F1 and support of class `c`.
    pub fn class_scores(&self, c: usize) -> ClassScores {
        let hits = self.count(c, c);
        let support: usize = (0..self.classes).map(|p| self.count(c, p)).sum();
        let predicted: usize = (0..self.classes).map(|t| self.count(t, c)).sum();
        let (precision, recall) = (ratio(hits, predicted), ratio(hits, support));
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        ClassScores { precision, recall, f1, support }
    }

    /// The classes present in the truth.
    fn present(&self) -> impl Iterator<Item = ClassScores> + '_ {
        (0..self.classes).map(|c| self.class_scores(c)).filter(|s| s.support > 0)
    }

    /// Mean recall over the classes present in the truth.
    pub fn balanced_accuracy(&self) -> f64 {
        mean(self.present().map(|s| s.recall))
    }

    /// Mean F1 over the classes present in the truth.
    pub fn macro_f1(&self) -> f64 {
        mean(self.present().map(|s| s.f1))
    }

    /// The intersection over union of class `c`: `hits / (truth ∪ predicted)` (0 when both are
    /// empty).
    pub fn iou(&self, c: usize) -> f64 {
        let s = self.class_scores(c);
        let predicted: usize = (0..self.classes).map(|t| self.count(t, c)).sum();
        let hits = self.count(c, c);
        ratio(hits, s.support + predicted - hits)
    }

    /// Mean intersection over union over the classes present in the truth.
    pub fn mean_iou(&self) -> f64 {
        mean((0..self.classes).filter(|&c| self.class_scores(c).support > 0).map(|c| self.iou(c)))
    }
}

/// Confusion matrices of labelled pixels kept per group (polygon or slide), for reports whose
/// intervals resample whole groups.
#[derive(Clone, Debug)]
pub struct GroupConfusions {
    classes: usize,
    by_group: std::collections::BTreeMap<u64, Confusion>,
}

impl GroupConfusions {
    /// No pixels yet, of `classes` classes.
    pub fn new(classes: usize) -> Self {
        Self { classes, by_group: Default::default() }
    }

    /// Counts `predicted` against `truth` (`None`: unlabelled, not counted) for `group`.
    pub fn add(&mut self, group: u64, truth: &[Option<usize>], predicted: &[usize]) {
        let counted = Confusion::of_labelled(self.classes, truth, predicted);
        let entry = self.by_group.entry(group).or_insert_with(|| Confusion::sum(self.classes, std::iter::empty()));
        entry.counts.iter_mut().zip(&counted.counts).for_each(|(a, b)| *a += b);
    }

    /// One matrix per group, in the order of the groups' ids.
    pub fn into_groups(self) -> Vec<Confusion> {
        self.by_group.into_values().collect()
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// The index of the largest value of each row of `classes` probabilities.
pub fn argmax_rows(probabilities: &[f32], classes: usize) -> Vec<usize> {
    probabilities
        .chunks(classes)
        .map(|row| (0..row.len()).fold(0, |best, c| if row[c] > row[best] { c } else { best }))
        .collect()
}

/// The index of the largest class value at each position of `[n, classes, positions]` values
/// (a segmenter's output with `positions = h·w`), sample by sample, position by position.
pub fn argmax_classes(values: &[f32], classes: usize, positions: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(values.len() / classes.max(1));
    for sample in values.chunks(classes * positions) {
        out.extend((0..positions).map(|at| {
            (0..classes)
                .fold(0, |best, c| if sample[c * positions + at] > sample[best * positions + at] { c } else { best })
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// truth:     0 0 0 0 1 1 1 2 2 2
    /// predicted: 0 0 1 2 1 1 0 2 2 2
    fn example() -> Confusion {
        Confusion::new(3, &[0, 0, 0, 0, 1, 1, 1, 2, 2, 2], &[0, 0, 1, 2, 1, 1, 0, 2, 2, 2])
    }

    #[test]
    fn scores_match_hand_computed_values() {
        let m = example();
        assert_eq!(m.count(0, 2), 1);
        assert!((m.accuracy() - 0.7).abs() < 1e-12);
        // Class 0: precision 2/3, recall 2/4, F1 = 2·(2/3)(1/2)/(2/3 + 1/2) = 4/7.
        let c0 = m.class_scores(0);
        assert!((c0.precision - 2.0 / 3.0).abs() < 1e-12 && (c0.recall - 0.5).abs() < 1e-12);
        assert!((c0.f1 - 4.0 / 7.0).abs() < 1e-12);
        // Class 1: 2/3 and 2/3; class 2: precision 3/4, recall 1, F1 6/7.
        assert!((m.class_scores(1).f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.class_scores(2).f1 - 6.0 / 7.0).abs() < 1e-12);
        assert!((m.balanced_accuracy() - (0.5 + 2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-12);
        assert!((m.macro_f1() - (4.0 / 7.0 + 2.0 / 3.0 + 6.0 / 7.0) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn iou_is_hits_over_the_union_and_unlabelled_positions_do_not_count() {
        let m = example();
        // Class 0: 2 hits, 4 true, 3 predicted: 2 / 5. Class 1: 2 / 4. Class 2: 3 / 4.
        assert!((m.iou(0) - 0.4).abs() < 1e-12 && (m.iou(1) - 0.5).abs() < 1e-12);
        assert!((m.mean_iou() - (0.4 + 0.5 + 0.75) / 3.0).abs() < 1e-12);
        for c in 0..3 {
            let f1 = m.class_scores(c).f1;
            assert!((m.iou(c) - f1 / (2.0 - f1)).abs() < 1e-12, "IoU = F1 / (2 − F1)");
        }
        let labelled = Confusion::of_labelled(3, &[Some(0), None, Some(2)], &[0, 1, 1]);
        assert_eq!(labelled, Confusion::new(3, &[0, 2], &[0, 1]));
        assert_eq!(Confusion::sum(3, [&labelled, &labelled].into_iter()).count(2, 1), 2);
    }

    #[test]
    fn absent_classes_do_not_count_and_argmax_takes_the_first_maximum() {
        let m = Confusion::new(3, &[0, 1], &[0, 2]);
        assert!((m.balanced_accuracy() - 0.5).abs() < 1e-12);
        assert_eq!(argmax_rows(&[0.2, 0.5, 0.3, 0.4, 0.4, 0.2], 3), vec![1, 0]);
        // Two samples of 2 classes × 2 positions.
        assert_eq!(argmax_classes(&[0.9, 0.2, 0.1, 0.8, 0.3, 0.5, 0.7, 0.5], 2, 2), vec![0, 1, 1, 0]);
    }
}
