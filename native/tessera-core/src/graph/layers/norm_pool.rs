//! Batch normalisation, 2×2 max pooling and ReLU as one layer with one backward rule.

use super::batchnorm::{BatchNorm, Statistics};
use super::maxpool::{pool, upsample, window_mean};
use super::{Backward, Bound, Forward, Layer, MaxPool2, Mode, Tape, TensorSpec};
use crate::graph::builder::Value;
use crate::graph::ops::Ops;
use crate::Result;

/// `y = ReLU(MaxPool₂ₓ₂(BatchNorm(x)))`: the same function, parameters and running statistics as
/// those three layers in a row, with a backward rule that makes fewer passes over the full-size
/// activations (the costly part of a small CNN's training step on a CPU).
///
/// With `b = k·(x − μ) + β` the normalised input, `k = γ/√(σ²+ε)`, `g = ∂L/∂b` and `M = n·h·w`:
/// - the ReLU and the pooling share one mask, `b` equal to its window's *output*, so windows
///   whose maximum the ReLU clipped get nothing, and each window's gradient is split equally
///   among its tied maxima, as [`MaxPool2`] does (at an output of exactly 0 the ReLU passes the
///   gradient, a valid subgradient);
/// - the per-channel sums come from the quarter-size windows: `Σ g` from each window's gradient,
///   and `Σ g·(b − β)` from each window's gradient times its output, which is `b` at every
///   maximum; then `dβ = Σ g`, `dγ = Σ g·(b − β)/γ` (`|γ|` kept ≥ 10⁻³⁰) and
///   `Σ k·g·(x − μ) = Σ g·(b − β)`;
/// - `k·g` is formed directly (`k` folded into the quarter-size gradient before upsampling), and
///   `dx = k·g − k·Σg/M − (x − μ)·Σ g·(b − β)/(σ²+ε)/M` adds one per-channel affine map of the
///   centred input to it.
///
/// `b − β` carries the rounding of `b`, about `ε·(|β| + |μ·k|)`: relative to `k·(x − μ)` that is
/// 10⁻⁶ for the usual `|β/γ|` and `|μ/σ|` below 10; only a channel switched off by `γ ≈ 0` sees a
/// visibly rounded `dγ`.
pub struct NormPoolRelu {
    norm: BatchNorm,
}

/// The smallest `|γ|` the backward rule divides by.
const SMALLEST_GAMMA: f32 = 1e-30;

impl NormPoolRelu {
    /// Batch normalisation named `name` over `channels` channels, then pooling and ReLU.
    pub fn new(name: &str, channels: usize) -> Self {
        Self { norm: BatchNorm::new(name, channels) }
    }
}

/// `γ` with magnitude at least [`SMALLEST_GAMMA`].
fn safe_gamma(ops: &mut Ops, gamma: &Value) -> Value {
    let size = ops.unary("Abs", gamma);
    let smallest = ops.scalar(SMALLEST_GAMMA);
    let tiny = ops.node("Less", &[&size, &smallest], vec![]);
    ops.node("Where", &[&tiny, &smallest, gamma], vec![])
}

impl Layer for NormPoolRelu {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        MaxPool2.output_shape(&self.norm.output_shape(input)?)
    }

    fn params(&self) -> Vec<TensorSpec> {
        self.norm.params()
    }

    fn buffers(&self) -> Vec<TensorSpec> {
        self.norm.buffers()
    }

    /// In training, the tape holds the normalisation's [`Statistics`], then `b`, `y`, `γ`, `β`.
    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, mode: Mode) -> Forward {
        if mode == Mode::Eval {
            let b = self.norm.forward(ops, x, bound, mode).y;
            let pooled = pool(ops, &b);
            return Forward::plain(ops.unary("Relu", &pooled), Vec::new());
        }
        let normalised = self.norm.normalise(ops, x, bound);
        let pooled = pool(ops, &normalised.y);
        let y = ops.unary("Relu", &pooled);
        let mut tape = normalised.statistics.tape();
        tape.values.extend([normalised.y, y.clone(), bound.params[0].clone(), bound.params[1].clone()]);
        Forward { y, tape, buffers: normalised.buffers }
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, _need_dx: bool) -> Backward {
        let statistics = Statistics::from_tape(&tape.values);
        let [b, y, gamma, beta] = [5, 6, 7, 8].map(|i| &tape.values[i]);
        let axes = [0, 2, 3];
        let y_up = upsample(ops, y);
        let mask = ops.mask("Equal", b, &y_up);
        // Maxima per window / 4: 0 where the ReLU clipped the window, else ≥ ¼.
        let maxima = window_mean(ops, &mask);
        let quarter = ops.scalar(0.25);
        let shares = ops.node("Max", &[&maxima, &quarter], vec![]);
        // 4 × the gradient of each maximum; the window's total is maxima/4 × that.
        let per_window = ops.div(dy, &shares);
        let window_sums = ops.mul(&maxima, &per_window);
        let g_sum = ops.reduce_sum(&window_sums, &axes, true);
        // Σ g·(b − β) = Σ k·g·(x − μ), from the windows: b is the output y at every maximum.
        let g_y = ops.mul(&window_sums, y);
        let g_y = ops.reduce_sum(&g_y, &axes, true);
        let beta = self.norm.broadcastable(ops, beta);
        let beta_g = ops.mul(&beta, &g_sum);
        let g_shifted = ops.sub(&g_y, &beta_g);
        // k·g at full size, k folded in at quarter size.
        let k_quarter = ops.mul(&statistics.scale, &quarter);
        let spread = ops.mul(&per_window, &k_quarter);
        let spread = upsample(ops, &spread);
        let kg = ops.mul(&mask, &spread);
        // dx = k·g + a·(x − μ) + c, a = −Σ g·(b − β)/(σ²+ε)/M, c = −k·Σg/M.
        let inv_var = ops.mul(&statistics.inv_std, &statistics.inv_std);
        let a = ops.mul(&g_shifted, &inv_var);
        let a = ops.div(&a, &statistics.count);
        let a = ops.unary("Neg", &a);
        let c = ops.mul(&statistics.scale, &g_sum);
        let c = ops.div(&c, &statistics.count);
        let c = ops.unary("Neg", &c);
        let (a, c, mean) = (self.norm.flat(ops, &a), self.norm.flat(ops, &c), self.norm.flat(ops, &statistics.mean));
        let ones = self.norm.constant(ops, 1.0);
        let affine = BatchNorm::affine(ops, &statistics.input, [&a, &c, &mean, &ones], 0.0);
        let dx = ops.add(&kg, &affine);
        // dγ = Σ g·x̂ = Σ g·(b − β)/γ, dβ = Σ g.
        let g_shifted = self.norm.flat(ops, &g_shifted);
        let gamma = safe_gamma(ops, gamma);
        let dgamma = ops.div(&g_shifted, &gamma);
        let grads = vec![dgamma, self.norm.flat(ops, &g_sum)];
        Backward { dx: Some(dx), grads }
    }
}
