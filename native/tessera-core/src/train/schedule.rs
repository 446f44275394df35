//! Learning-rate schedules; the rate is an input of the training step.

use serde::{Deserialize, Serialize};

/// How the learning rate changes over training.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Schedule {
    /// The base rate throughout.
    Constant,
    /// Cosine annealing from the base rate to 0 over all steps.
    Cosine,
    /// The base rate, multiplied by `factor` each time `patience` epochs in a row bring no
    /// better validation macro-F1 (PyTorch's `ReduceLROnPlateau` in "max" mode, no cooldown).
    Plateau {
        /// The multiplier of each reduction, in (0, 1).
        factor: f32,
        /// Epochs without a better validation macro-F1 before a reduction.
        patience: usize,
    },
}

impl Schedule {
    /// The rate at 0-based `step` of `total` for base rate `base`, before any plateau reduction
    /// (see [`LearningRate`]).
    pub fn rate(&self, base: f32, step: usize, total: usize) -> f32 {
        match self {
            Schedule::Constant | Schedule::Plateau { .. } => base,
            Schedule::Cosine => {
                let progress = step as f64 / total.max(1) as f64;
                (base as f64 * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())) as f32
            }
        }
    }
}

/// The learning rate over one training run: the schedule's rate at each step, times the
/// reductions a [`Schedule::Plateau`] has made after the epochs validated so far.
#[derive(Clone, Debug, PartialEq)]
pub struct LearningRate {
    schedule: Schedule,
    base: f32,
    total: usize,
    multiplier: f32,
    best: f64,
    waited: usize,
}

impl LearningRate {
    /// The rate of `schedule` from `base` over `total` steps.
    pub fn new(schedule: Schedule, base: f32, total: usize) -> Self {
        Self { schedule, base, total, multiplier: 1.0, best: f64::NEG_INFINITY, waited: 0 }
    }

    /// The rate at 0-based `step`.
    pub fn at(&self, step: usize) -> f32 {
        self.schedule.rate(self.base, step, self.total) * self.multiplier
    }

    /// Records an epoch's validation macro-F1; a plateau schedule reduces the rate after
    /// `patience` epochs without a better one, and starts counting again.
    pub fn validated(&mut self, macro_f1: f64) {
        let Schedule::Plateau { factor, patience } = self.schedule else { return };
        if macro_f1 > self.best {
            (self.best, self.waited) = (macro_f1, 0);
            return;
        }
        self.waited += 1;
        if self.waited >= patience.max(1) {
            (self.multiplier, self.waited) = (self.multiplier * factor, 0);
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

    #[test]
    fn plateau_reduces_the_rate_after_patience_epochs_without_a_better_f1() {
        let mut rate = LearningRate::new(Schedule::Plateau { factor: 0.5, patience: 2 }, 0.1, 100);
        let mut seen = vec![rate.at(0)];
        for f1 in [0.5, 0.6, 0.6, 0.55, 0.7, 0.7, 0.7, 0.7, 0.7] {
            rate.validated(f1);
            seen.push(rate.at(50));
        }
        // Better at epochs 1, 2 and 5; no better at 3–4 (one reduction) and 6–9 (two more).
        assert_eq!(seen, vec![0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.0125]);
        // The other schedules ignore validation.
        let mut cosine = LearningRate::new(Schedule::Cosine, 0.1, 100);
        cosine.validated(0.1);
        cosine.validated(0.1);
        assert_eq!(cosine.at(50), Schedule::Cosine.rate(0.1, 50, 100));
    }
}
