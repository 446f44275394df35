//! Class balancing by loss weights.

use crate::{Result, TesseraError};

/// Loss weights `n / (k · n_c)` for class counts `n_c` of `k` classes (scikit-learn's
/// "balanced"): every class weighs the same in total. Fails when there is nothing to learn
/// (fewer than two classes present) or when a class has no tile at all.
pub fn class_weights(counts: &[usize], classes: &[String]) -> Result<Vec<f32>> {
    if counts.iter().filter(|&&c| c > 0).count() < 2 {
        return Err(TesseraError::invalid("only one class has tiles: there is nothing to learn"));
    }
    if let Some(empty) = counts.iter().position(|&c| c == 0) {
        let name = classes.get(empty).map_or("?", String::as_str);
        return Err(TesseraError::invalid(format!("class {name} has no training tiles")));
    }
    let total: usize = counts.iter().sum();
    Ok(counts.iter().map(|&c| total as f32 / (counts.len() * c) as f32).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn weights_balance_the_classes() {
        let w = class_weights(&[10, 30, 60], &names(3)).unwrap();
        assert_eq!(w, vec![100.0 / 30.0, 100.0 / 90.0, 100.0 / 180.0]);
        let totals: Vec<f32> = w.iter().zip([10.0, 30.0, 60.0]).map(|(w, c)| w * c).collect();
        assert!(totals.iter().all(|t| (t - totals[0]).abs() < 1e-4));
    }

    #[test]
    fn one_class_or_an_empty_class_is_refused() {
        let err = class_weights(&[5, 0], &names(2)).unwrap_err();
        assert!(err.to_string().contains("nothing to learn"), "{err}");
        let err = class_weights(&[5, 0, 3], &names(3)).unwrap_err();
        assert!(err.to_string().contains("class c1 has no training tiles"), "{err}");
    }
}
