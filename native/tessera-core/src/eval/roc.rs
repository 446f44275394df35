//! One-vs-rest ROC curves and their AUC.

/// Each tile's score for one class and whether it is of that class, with the counts of both sides.
struct Scored {
    scored: Vec<(f32, bool)>,
    positives: usize,
    negatives: usize,
}

impl Scored {
    /// `None` when the class or the rest is absent.
    fn new(truth: &[usize], probabilities: &[f32], classes: usize, class: usize) -> Option<Self> {
        let scored: Vec<(f32, bool)> =
            truth.iter().enumerate().map(|(i, &t)| (probabilities[i * classes + class], t == class)).collect();
        let positives = scored.iter().filter(|s| s.1).count();
        let negatives = scored.len() - positives;
        (positives > 0 && negatives > 0).then_some(Self { scored, positives, negatives })
    }
}

/// The runs of equal scores in `scored` (sorted by score), as index ranges. Equality is
/// `total_cmp`'s, so that every run ends: NaN scores (from a broken model) form runs too.
fn ties<T>(scored: &[(f32, T)]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        let first = scored.get(start)?.0;
        let end = start + scored[start..].iter().take_while(|s| s.0.total_cmp(&first).is_eq()).count();
        let run = start..end;
        start = end;
        Some(run)
    })
}

/// The area under the ROC curve of class `class` against the rest, from the probabilities
/// `[n, classes]` row-major: the probability that a random tile of the class scores higher than
/// a random other tile (ties count half; Mann–Whitney with average ranks). `None` when the class
/// or the rest is absent.
pub fn roc_auc(truth: &[usize], probabilities: &[f32], classes: usize, class: usize) -> Option<f64> {
    let Scored { mut scored, positives, negatives } = Scored::new(truth, probabilities, classes, class)?;
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0;
    for run in ties(&scored) {
        let average_rank = (run.start + run.end + 1) as f64 / 2.0;
        rank_sum += average_rank * scored[run].iter().filter(|s| s.1).count() as f64;
    }
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
}

/// The ROC curve of class `class` against the rest, from the probabilities `[n, classes]`
/// row-major: `[false positive rate, true positive rate]` points from `[0, 0]` to `[1, 1]`, one
/// per distinct score taken as the threshold (highest first), keeping only the corners (points
/// on a straight run between their neighbours are dropped). `None` when the class or the rest
/// is absent.
pub fn roc_curve(truth: &[usize], probabilities: &[f32], classes: usize, class: usize) -> Option<Vec<[f64; 2]>> {
    let Scored { mut scored, positives, negatives } = Scored::new(truth, probabilities, classes, class)?;
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    // Counts (false positives, true positives) after each distinct threshold.
    let mut counts = vec![(0i64, 0i64)];
    for run in ties(&scored) {
        let hits = scored[run.clone()].iter().filter(|s| s.1).count() as i64;
        let (fp, tp) = counts[counts.len() - 1];
        counts.push((fp + run.len() as i64 - hits, tp + hits));
    }
    let mut corners: Vec<(i64, i64)> = Vec::with_capacity(counts.len());
    for point in counts {
        // Drop the last corner when it lies on the straight run from the one before to `point`.
        if let [.., a, b] = corners.as_slice() {
            if (b.0 - a.0) * (point.1 - a.1) == (b.1 - a.1) * (point.0 - a.0) {
                corners.pop();
            }
        }
        corners.push(point);
    }
    Some(corners.into_iter().map(|(fp, tp)| [fp as f64 / negatives as f64, tp as f64 / positives as f64]).collect())
}

/// The one-vs-rest AUC of every class (`None` where undefined).
pub fn roc_auc_per_class(truth: &[usize], probabilities: &[f32], classes: usize) -> Vec<Option<f64>> {
    (0..classes).map(|c| roc_auc(truth, probabilities, classes, c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_hand_computed_values() {
        // Binary, positive scores 0.35 and 0.8 against 0.1 and 0.4: 3 of 4 pairs ordered right.
        let probabilities = [0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8];
        assert_eq!(roc_auc(&[0, 0, 1, 1], &probabilities, 2, 1), Some(0.75));
        // Ties count half.
        assert_eq!(roc_auc(&[0, 1], &[0.5, 0.5, 0.5, 0.5], 2, 1), Some(0.5));
        // Perfect separation, and a class that is absent.
        let three = [0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.3, 0.6, 0.1];
        assert_eq!(roc_auc_per_class(&[0, 1, 1], &three, 3), vec![Some(1.0), Some(1.0), None]);
    }

    #[test]
    fn curve_has_the_corners_and_encloses_the_auc() {
        let probabilities = [0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8];
        let curve = roc_curve(&[0, 0, 1, 1], &probabilities, 2, 1).unwrap();
        assert_eq!(curve, vec![[0.0, 0.0], [0.0, 0.5], [0.5, 0.5], [0.5, 1.0], [1.0, 1.0]]);
        // Ties make a diagonal step; the trapezoids' area is the AUC in every case.
        let mut rng = crate::rng::Rng::new(3);
        let truth: Vec<usize> = (0..200).map(|_| rng.below(3)).collect();
        let probabilities: Vec<f32> = (0..600).map(|_| (rng.below(20) as f32) / 20.0).collect();
        for class in 0..3 {
            let curve = roc_curve(&truth, &probabilities, 3, class).unwrap();
            let area: f64 = curve.windows(2).map(|w| (w[1][0] - w[0][0]) * (w[1][1] + w[0][1]) / 2.0).sum();
            let auc = roc_auc(&truth, &probabilities, 3, class).unwrap();
            assert!((area - auc).abs() < 1e-12, "class {class}: {area} vs {auc}");
            assert!(curve.windows(2).all(|w| w[1][0] >= w[0][0] && w[1][1] >= w[0][1]));
        }
        assert_eq!(roc_curve(&[0, 0], &[0.5; 4], 2, 1), None);
    }

    #[test]
    fn nan_scores_end_like_any_other_tie() {
        let truth = [0, 1, 0, 1];
        let probabilities = [f32::NAN, f32::NAN, f32::NAN, f32::NAN, 0.9, 0.1, 0.2, 0.8];
        let auc = roc_auc(&truth, &probabilities, 2, 0);
        assert!(auc.is_some(), "the tied NaN scores make one run, and the loop ends");
        let curve = roc_curve(&truth, &probabilities, 2, 0).unwrap();
        assert_eq!(curve.first(), Some(&[0.0, 0.0]));
        assert_eq!(curve.last(), Some(&[1.0, 1.0]));
    }
}
