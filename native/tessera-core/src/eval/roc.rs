//! One-vs-rest ROC AUC.

/// The area under the ROC curve of class `class` against the rest, from the probabilities
/// `[n, classes]` row-major: the probability that a random tile of the class scores higher than
/// a random other tile (ties count half; Mann–Whitney with average ranks). `None` when the class
/// or the rest is absent.
pub fn roc_auc(truth: &[usize], probabilities: &[f32], classes: usize, class: usize) -> Option<f64> {
    let mut scored: Vec<(f32, bool)> =
        truth.iter().enumerate().map(|(i, &t)| (probabilities[i * classes + class], t == class)).collect();
    let positives = scored.iter().filter(|s| s.1).count();
    let negatives = scored.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < scored.len() {
        let end = start + scored[start..].iter().take_while(|s| s.0 == scored[start].0).count();
        let average_rank = (start + end + 1) as f64 / 2.0;
        rank_sum += average_rank * scored[start..end].iter().filter(|s| s.1).count() as f64;
        start = end;
    }
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
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
}
