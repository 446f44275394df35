//! Softmax cross-entropy with class weights.

use crate::graph::builder::{attr_int, Value};
use crate::graph::ops::Ops;

/// The loss and the gradient of the logits that start the backward pass.
pub struct Loss {
    /// The weighted mean cross-entropy, a scalar.
    pub loss: Value,
    /// Its gradient with respect to the logits, `[n, classes]`.
    pub dlogits: Value,
}

/// Emits `L = Σᵢ w_{yᵢ} (−log softmax(zᵢ)_{yᵢ}) / Σᵢ w_{yᵢ}` (PyTorch's weighted mean) for
/// `logits` `[n, classes]` and int64 `labels` `[n]`, and its gradient
/// `∂L/∂zᵢ = w_{yᵢ} (softmax(zᵢ) − onehot(yᵢ)) / Σᵢ w_{yᵢ}`.
pub fn softmax_cross_entropy(ops: &mut Ops, logits: &Value, labels: &Value, class_weights: &[f32]) -> Loss {
    let classes = class_weights.len() as i64;
    let depth = ops.ints(&[classes]);
    let off_on = ops.tensor("onehot_values", &[2], || vec![0.0, 1.0]);
    let onehot = ops.node("OneHot", &[labels, &depth, &off_on], vec![attr_int("axis", -1)]);
    let weights = ops.tensor("class_weights", &[classes], || class_weights.to_vec());
    let sample_weights = ops.node("MatMul", &[&onehot, &weights], vec![]);
    let total_weight = ops.reduce_sum(&sample_weights, &[0], false);
    let normalised = ops.div(&sample_weights, &total_weight);
    let log_p = ops.node("LogSoftmax", &[logits], vec![attr_int("axis", 1)]);
    let picked = ops.mul(&onehot, &log_p);
    let picked = ops.reduce_sum(&picked, &[1], false);
    let weighted = ops.mul(&picked, &normalised);
    let loss = ops.reduce_sum(&weighted, &[0], false);
    let loss = ops.unary("Neg", &loss);
    let p = ops.unary("Exp", &log_p);
    let residual = ops.sub(&p, &onehot);
    let column = ops.reshape(&normalised, &[-1, 1]);
    let dlogits = ops.mul(&residual, &column);
    Loss { loss, dlogits }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::builder::Dim;
    use crate::graph::proto::DataType;
    use crate::train::session::Feed;
    use crate::train::testing::run;

    const LOGITS: [f32; 12] = [0.5, -1.0, 2.0, 0.1, 0.2, 0.3, -2.0, 1.5, 0.0, 3.0, -0.5, 0.25];
    const LABELS: [i64; 4] = [2, 0, 1, 1];
    const WEIGHTS: [f32; 3] = [0.5, 2.0, 1.0];

    /// The loss and its gradient for `logits`.
    fn run_loss(logits: &[f32]) -> (f64, Vec<f32>) {
        let mut ops = Ops::new("loss");
        let z = ops.input("z", DataType::Float, &[Dim::Fixed(4), Dim::Fixed(3)]);
        let y = ops.input("y", DataType::Int64, &[Dim::Fixed(4)]);
        let loss = softmax_cross_entropy(&mut ops, &z, &y, &WEIGHTS);
        let mut g = ops.into_builder();
        g.output(&loss.loss, "loss", DataType::Float, &[]);
        g.output(&loss.dlogits, "dz", DataType::Float, &[Dim::Fixed(4), Dim::Fixed(3)]);
        let out = run(&g.to_bytes("test"), &[Feed::f32("z", &[4, 3], logits), Feed::i64("y", &[4], &LABELS)]);
        (out[0].data[0] as f64, out[1].data.clone())
    }

    #[test]
    fn weighted_loss_is_pytorchs_weighted_mean() {
        let (mut total, mut weight) = (0.0, 0.0);
        for (row, &label) in LOGITS.chunks(3).zip(&LABELS) {
            let log_sum = row.iter().map(|&z| (z as f64).exp()).sum::<f64>().ln();
            let w = WEIGHTS[label as usize] as f64;
            total += w * (log_sum - row[label as usize] as f64);
            weight += w;
        }
        let (loss, _) = run_loss(&LOGITS);
        assert!((loss - total / weight).abs() < 1e-6, "{loss} vs {}", total / weight);
    }

    /// Element by element: in f32 with h = 10⁻², the loss (of order 1) is rounded to ~10⁻⁷,
    /// i.e. ~10⁻⁵ after dividing by 2h, and the truncation error is ~h² = 10⁻⁴ times the third
    /// derivative (< 1 for softmax); gradients are of order 0.1, so 3·10⁻⁴ separates a right rule
    /// from a wrong one.
    #[test]
    fn gradient_matches_finite_differences() {
        let h = 1e-2;
        let (_, gradient) = run_loss(&LOGITS);
        for i in 0..LOGITS.len() {
            let shifted = |sign: f32| {
                let mut z = LOGITS;
                z[i] += sign * h;
                run_loss(&z).0
            };
            let numeric = (shifted(1.0) - shifted(-1.0)) / (2.0 * h as f64);
            assert!((numeric - gradient[i] as f64).abs() < 3e-4, "logit {i}: {numeric} vs {}", gradient[i]);
        }
    }
}
