//! The losses of segmentation networks: class-weighted pixel cross-entropy and soft Dice, over
//! the labelled pixels only.
//!
//! Annotations are sparse: only pixels inside an annotation carry a class, the others are
//! labelled −1 and count for nothing. Each loss comes with its gradient with respect to the
//! logits, which starts the backward pass.

use serde::{Deserialize, Serialize};

use super::loss::Loss;
use crate::graph::builder::{attr_int, Value};
use crate::graph::ops::Ops;
use crate::graph::proto::DataType;

/// Dice's smoothing term: keeps the ratio defined for a class absent from a batch.
const SMOOTHING: f32 = 1.0;

/// Which loss a segmentation network trains with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PixelLoss {
    /// Class-weighted cross-entropy over the labelled pixels.
    CrossEntropy,
    /// Soft Dice, `1 −` the mean over the classes of `(2 Σ p g + s) / (Σ p + Σ g + s)`.
    Dice,
    /// Their sum: cross-entropy's steady gradients and Dice's insensitivity to class sizes.
    #[default]
    CrossEntropyDice,
}

impl std::str::FromStr for PixelLoss {
    type Err = crate::TesseraError;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "cross-entropy" | "cross_entropy" => Ok(Self::CrossEntropy),
            "dice" => Ok(Self::Dice),
            "cross-entropy+dice" | "cross_entropy_dice" => Ok(Self::CrossEntropyDice),
            other => Err(crate::TesseraError::invalid(format!(
                "unknown pixel loss {other:?}: use cross-entropy, dice or cross-entropy+dice"
            ))),
        }
    }
}

/// The values both losses start from, all `[n, classes, h, w]` except `valid` `[n, 1, h, w]`.
struct Pixels {
    /// 1 at labelled pixels, else 0.
    valid: Value,
    /// The one-hot labels, 0 at unlabelled pixels.
    onehot: Value,
    /// `log softmax(z)` over the classes.
    log_p: Value,
    /// `softmax(z)`.
    p: Value,
}

fn pixels(ops: &mut Ops, logits: &Value, labels: &Value, classes: i64) -> Pixels {
    let zero = ops.ints(&[0]);
    let valid = ops.node("GreaterOrEqual", &[labels, &zero], vec![]);
    let valid = ops.cast(&valid, DataType::Float);
    let axis = ops.ints(&[1]);
    let valid = ops.node("Unsqueeze", &[&valid, &axis], vec![]);
    // OneHot counts negative indices from the end: clamp them to 0, then mask them out.
    let clamped = ops.node("Max", &[labels, &zero], vec![]);
    let depth = ops.ints(&[classes]);
    let off_on = ops.tensor("onehot_values", &[2], || vec![0.0, 1.0]);
    let onehot = ops.node("OneHot", &[&clamped, &depth, &off_on], vec![attr_int("axis", 1)]);
    let onehot = ops.mul(&onehot, &valid);
    let log_p = ops.node("LogSoftmax", &[logits], vec![attr_int("axis", 1)]);
    let p = ops.unary("Exp", &log_p);
    Pixels { valid, onehot, log_p, p }
}

/// `L = −Σ w_y log p_y / Σ w_y` over the labelled pixels (PyTorch's weighted mean with
/// `ignore_index`), `∂L/∂z = w_y (p − onehot) / Σ w_y`.
fn cross_entropy(ops: &mut Ops, px: &Pixels, class_weights: &[f32]) -> Loss {
    let k = class_weights.len() as i64;
    let weights = ops.tensor("pixel_class_weights", &[1, k, 1, 1], || class_weights.to_vec());
    let weighted = ops.mul(&px.onehot, &weights);
    let per_pixel = ops.reduce_sum(&weighted, &[1], true);
    let total = ops.reduce_sum(&per_pixel, &[0, 1, 2, 3], false);
    // A batch without a labelled pixel contributes nothing (0 / tiny) instead of 0 / 0.
    let tiny = ops.scalar(1e-12);
    let total = ops.node("Max", &[&total, &tiny], vec![]);
    let normalised = ops.div(&per_pixel, &total);
    let picked = ops.mul(&px.onehot, &px.log_p);
    let picked = ops.reduce_sum(&picked, &[1], true);
    let weighted = ops.mul(&picked, &normalised);
    let loss = ops.reduce_sum(&weighted, &[0, 1, 2, 3], false);
    let loss = ops.unary("Neg", &loss);
    let residual = ops.sub(&px.p, &px.onehot);
    Loss { loss, dlogits: ops.mul(&residual, &normalised) }
}

/// `L = 1 − (1/K) Σ_c D_c`, `D_c = (2 I_c + s) / S_c`, `I_c = Σ p_c g_c`, `S_c = Σ p_c + Σ g_c + s`,
/// sums over the batch's labelled pixels. `∂L/∂p_c = −(2 g_c S_c − (2 I_c + s) v) / (K S_c²)`
/// (`v` the labelled mask), then through the softmax: `∂L/∂z = p (∂L/∂p − Σ_c p_c ∂L/∂p_c)`.
fn dice(ops: &mut Ops, px: &Pixels, classes: usize) -> Loss {
    let p_valid = ops.mul(&px.p, &px.valid);
    let overlap = ops.mul(&p_valid, &px.onehot);
    let axes = [0, 2, 3];
    let intersection = ops.reduce_sum(&overlap, &axes, true);
    let predicted = ops.reduce_sum(&p_valid, &axes, true);
    let labelled = ops.reduce_sum(&px.onehot, &axes, true);
    let s = ops.scalar(SMOOTHING);
    let sum = ops.add(&predicted, &labelled);
    let denominator = ops.add(&sum, &s);
    let twice = ops.scale(&intersection, 2.0);
    let numerator = ops.add(&twice, &s);
    let ratio = ops.div(&numerator, &denominator);
    let mean = ops.reduce_mean(&ratio, &[0, 1, 2, 3], false);
    let one = ops.scalar(1.0);
    let loss = ops.sub(&one, &mean);
    let g_term = ops.mul(&px.onehot, &denominator);
    let g_term = ops.scale(&g_term, 2.0);
    let v_term = ops.mul(&px.valid, &numerator);
    let difference = ops.sub(&g_term, &v_term);
    let squared = ops.mul(&denominator, &denominator);
    let dp = ops.div(&difference, &squared);
    let dp = ops.scale(&dp, -1.0 / classes as f32);
    let p_dp = ops.mul(&px.p, &dp);
    let mixed = ops.reduce_sum(&p_dp, &[1], true);
    let centred = ops.sub(&dp, &mixed);
    Loss { loss, dlogits: ops.mul(&px.p, &centred) }
}

/// Emits `kind`'s loss for `logits` `[n, classes, h, w]` and int64 `labels` `[n, h, w]` (−1:
/// unlabelled), with `class_weights` for the cross-entropy, and its gradient.
pub fn pixel_loss(ops: &mut Ops, logits: &Value, labels: &Value, class_weights: &[f32], kind: PixelLoss) -> Loss {
    let px = pixels(ops, logits, labels, class_weights.len() as i64);
    match kind {
        PixelLoss::CrossEntropy => cross_entropy(ops, &px, class_weights),
        PixelLoss::Dice => dice(ops, &px, class_weights.len()),
        PixelLoss::CrossEntropyDice => {
            let (a, b) = (cross_entropy(ops, &px, class_weights), dice(ops, &px, class_weights.len()));
            Loss { loss: ops.add(&a.loss, &b.loss), dlogits: ops.add(&a.dlogits, &b.dlogits) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::builder::Dim;
    use crate::rng::Rng;
    use crate::train::session::Feed;
    use crate::train::testing::run;

    const SHAPE: [usize; 4] = [2, 3, 2, 3];
    const WEIGHTS: [f32; 3] = [0.5, 2.0, 1.0];
    /// Two 2×3 label maps with unlabelled pixels (−1); class 2 only in the second.
    const LABELS: [i64; 12] = [0, 1, -1, 1, 0, -1, 2, -1, 1, 2, 0, 0];

    fn logits() -> Vec<f32> {
        let mut rng = Rng::new(3);
        (0..36).map(|_| rng.normal() as f32).collect()
    }

    fn run_loss(logits: &[f32], kind: PixelLoss) -> (f64, Vec<f32>) {
        let mut ops = Ops::new("pixel_loss");
        let dims = |s: &[usize]| s.iter().map(|&d| Dim::Fixed(d as i64)).collect::<Vec<_>>();
        let z = ops.input("z", DataType::Float, &dims(&SHAPE));
        let y = ops.input("y", DataType::Int64, &dims(&[2, 2, 3]));
        let loss = pixel_loss(&mut ops, &z, &y, &WEIGHTS, kind);
        let mut g = ops.into_builder();
        g.output(&loss.loss, "loss", DataType::Float, &[]);
        g.output(&loss.dlogits, "dz", DataType::Float, &dims(&SHAPE));
        let out = run(&g.to_bytes("test"), &[Feed::f32("z", &SHAPE, logits), Feed::i64("y", &[2, 2, 3], &LABELS)]);
        (out[0].data[0] as f64, out[1].data.clone())
    }

    /// The softmax probabilities of pixel `(n, y, x)` (flat position `i` in a 2×3 plane).
    fn softmax_at(z: &[f32], n: usize, i: usize) -> Vec<f64> {
        let column: Vec<f64> = (0..3).map(|c| z[(n * 3 + c) * 6 + i] as f64).collect();
        let sum: f64 = column.iter().map(|v| v.exp()).sum();
        column.iter().map(|v| v.exp() / sum).collect()
    }

    #[test]
    fn losses_equal_their_definitions_over_labelled_pixels() {
        let z = logits();
        let (mut ce, mut weight) = (0.0, 0.0);
        let (mut inter, mut pred, mut lab) = ([0.0f64; 3], [0.0f64; 3], [0.0f64; 3]);
        for (at, &label) in LABELS.iter().enumerate() {
            if label < 0 {
                continue;
            }
            let p = softmax_at(&z, at / 6, at % 6);
            let w = WEIGHTS[label as usize] as f64;
            ce -= w * p[label as usize].ln();
            weight += w;
            for c in 0..3 {
                pred[c] += p[c];
                if c == label as usize {
                    inter[c] += p[c];
                    lab[c] += 1.0;
                }
            }
        }
        let s = SMOOTHING as f64;
        let dice = 1.0 - (0..3).map(|c| (2.0 * inter[c] + s) / (pred[c] + lab[c] + s)).sum::<f64>() / 3.0;
        let expected = [(PixelLoss::CrossEntropy, ce / weight), (PixelLoss::Dice, dice)];
        for (kind, want) in expected {
            let (got, _) = run_loss(&z, kind);
            assert!((got - want).abs() < 1e-5, "{kind:?}: {got} vs {want}");
        }
        let (sum, _) = run_loss(&z, PixelLoss::CrossEntropyDice);
        assert!((sum - ce / weight - dice).abs() < 1e-5);
    }

    /// Element by element against central differences (see `loss.rs` for the tolerance); the
    /// logits of unlabelled pixels must get no gradient at all.
    #[test]
    fn gradients_match_finite_differences() {
        let z = logits();
        let h = 1e-2;
        for kind in [PixelLoss::CrossEntropy, PixelLoss::Dice, PixelLoss::CrossEntropyDice] {
            let (_, gradient) = run_loss(&z, kind);
            for i in 0..z.len() {
                let shifted = |sign: f32| {
                    let mut moved = z.clone();
                    moved[i] += sign * h;
                    run_loss(&moved, kind).0
                };
                let numeric = (shifted(1.0) - shifted(-1.0)) / (2.0 * h as f64);
                assert!(
                    (numeric - gradient[i] as f64).abs() < 3e-4,
                    "{kind:?} logit {i}: {numeric} vs {}",
                    gradient[i]
                );
                let (n, position) = (i / 18, i % 6);
                if LABELS[n * 6 + position] < 0 {
                    assert_eq!(gradient[i], 0.0, "{kind:?}: unlabelled pixel {i} has a gradient");
                }
            }
        }
    }

    #[test]
    fn loss_names_parse_and_unknown_ones_are_named() {
        assert_eq!("dice".parse::<PixelLoss>().unwrap(), PixelLoss::Dice);
        assert_eq!("cross-entropy+dice".parse::<PixelLoss>().unwrap(), PixelLoss::CrossEntropyDice);
        let err = "focal".parse::<PixelLoss>().unwrap_err().to_string();
        assert!(err.contains("\"focal\""), "{err}");
    }
}
