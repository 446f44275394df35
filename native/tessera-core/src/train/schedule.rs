//! Learning-rate schedules; the rate is an input of the training step.

use serde::{Deserialize, Serialize};

/// How the learning rate changes over training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    /// The base rate throughout.
    Constant,
    /// Cosine annealing from the base rate to 0 over all steps.
    Cosine,
}

impl Schedule {
    /// The rate at 0-based `step` of `total` for base rate `base`.
    pub fn rate(&self, base: f32, step: usize, total: usize) -> f32 {
        match self {
            Schedule::Constant => base,
            Schedule::Cosine => {
                let progress = step as f64 / total.max(1) as f64;
                (base as f64 * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())) as f32
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_falls_from_the_base_rate_to_zero() {
        let s = Schedule::Cosine;
        assert_eq!(s.rate(0.1, 0, 100), 0.1);
        assert!((s.rate(0.1, 50, 100) - 0.05).abs() < 1e-7);
        assert!(s.rate(0.1, 100, 100).abs() < 1e-9);
        assert!((1..100).all(|i| s.rate(0.1, i, 100) < s.rate(0.1, i - 1, 100)));
        assert_eq!(Schedule::Constant.rate(0.1, 70, 100), 0.1);
    }
}
