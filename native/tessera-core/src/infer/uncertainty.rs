//! How unsure a tile's prediction is: the two measures every applied tile carries, so that a user
//! (or a review ranking) can find where the model hesitates.

/// The measurement name of [`entropy`].
pub const ENTROPY: &str = "Tessera: uncertainty (entropy)";
/// The measurement name of [`margin`].
pub const MARGIN: &str = "Tessera: top-2 margin";

/// The entropy of class probabilities `p`, divided by its largest possible value (`ln k` for `k`
/// classes): 0 when one class has everything, 1 when all are equally likely.
pub fn entropy(p: &[f32]) -> f64 {
    if p.len() < 2 {
        return 0.0;
    }
    let sum: f64 = p.iter().map(|&v| f64::from(v)).filter(|&v| v > 0.0).map(|v| -v * v.ln()).sum();
    (sum / (p.len() as f64).ln()).clamp(0.0, 1.0)
}

/// The most probable class's probability minus the second's: 1 when the model is sure, 0 when
/// two classes tie.
pub fn margin(p: &[f32]) -> f64 {
    let (mut first, mut second) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
    for &v in p {
        if v > first {
            (first, second) = (v, first);
        } else if v > second {
            second = v;
        }
    }
    if second.is_finite() {
        f64::from(first - second)
    } else {
        1.0
    }
}

/// [`entropy`] and [`margin`] of each `classes`-long row of `probabilities`, interleaved.
pub fn measures(probabilities: &[f32], classes: usize) -> Vec<f32> {
    probabilities.chunks_exact(classes.max(1)).flat_map(|p| [entropy(p) as f32, margin(p) as f32]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sure_and_torn_predictions_lie_at_the_ends() {
        assert_eq!(entropy(&[1.0, 0.0, 0.0]), 0.0);
        assert!((entropy(&[1.0 / 3.0; 3]) - 1.0).abs() < 1e-6);
        assert!((entropy(&[0.5, 0.5, 0.0]) - 2f64.ln() / 3f64.ln()).abs() < 1e-6);
        assert!((margin(&[0.7, 0.2, 0.1]) - 0.5).abs() < 1e-6);
        assert!((margin(&[0.1, 0.45, 0.45])).abs() < 1e-6);
        assert_eq!(margin(&[1.0]), 1.0);
        assert_eq!(measures(&[1.0, 0.0, 0.5, 0.5], 2), vec![0.0, 1.0, 1.0, 0.0]);
    }
}
