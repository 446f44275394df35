//! Bootstrap confidence intervals.

use serde::Serialize;

use crate::rng::Rng;

/// A two-sided confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The percentile bootstrap 95% interval of `metric` over `n` samples: `metric` is evaluated on
/// `resamples` seeded resamples (indices drawn with replacement) and the 2.5th and 97.5th
/// percentiles are returned.
pub fn bootstrap_95(n: usize, resamples: usize, seed: u64, metric: impl Fn(&[usize]) -> f64) -> Interval {
    let mut rng = Rng::new(seed);
    let mut values: Vec<f64> = (0..resamples.max(1))
        .map(|_| {
            let sample: Vec<usize> = (0..n).map(|_| rng.below(n.max(1))).collect();
            metric(&sample)
        })
        .collect();
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Interval { low: at(0.025), high: at(0.975) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::Confusion;

    #[test]
    fn interval_of_an_accuracy_has_the_binomial_width() {
        // 80 right of 100: the standard error is √(0.8·0.2/100) = 0.04, so the interval is
        // about 0.8 ± 0.078.
        let truth = vec![0; 100];
        let predicted: Vec<usize> = (0..100).map(|i| usize::from(i % 5 == 0)).collect();
        let accuracy = |idx: &[usize]| {
            let t: Vec<usize> = idx.iter().map(|&i| truth[i]).collect();
            let p: Vec<usize> = idx.iter().map(|&i| predicted[i]).collect();
            Confusion::new(2, &t, &p).accuracy()
        };
        let ci = bootstrap_95(100, 2000, 1, accuracy);
        assert!((0.69..=0.75).contains(&ci.low) && (0.85..=0.91).contains(&ci.high), "{ci:?}");
        assert_eq!(ci, bootstrap_95(100, 2000, 1, accuracy), "seeded");
        assert_eq!(bootstrap_95(10, 50, 1, |_| 0.5), Interval { low: 0.5, high: 0.5 });
    }
}
