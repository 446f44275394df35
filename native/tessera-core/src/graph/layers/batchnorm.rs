//! Batch normalisation over the channels of NCHW activations.

use super::{shape_error, Backward, Bound, Forward, Init, Layer, Mode, Tape, TensorSpec};
use crate::graph::builder::{attr_float, attr_int, attr_ints, Value};
use crate::graph::ops::Ops;
use crate::graph::proto::DataType;
use crate::Result;

/// The ε added to the variance (PyTorch's default).
pub const EPSILON: f32 = 1e-5;
/// The weight of the batch statistics in the running statistics (PyTorch's default).
pub const MOMENTUM: f32 = 0.1;

/// `y = γ (x − μ) / √(σ² + ε) + β` per channel.
///
/// In training, `μ` and `σ²` are the batch's (biased variance) and the running statistics are
/// updated as `r ← (1 − m) r + m s`, with the unbiased variance, as PyTorch does. In inference
/// they are the running statistics and the layer is one `BatchNormalization` node, which ONNX
/// Runtime folds into the preceding convolution.
///
/// Backward, with `x̂` the normalised input and `M = n·h·w`:
/// `dx = γ/√(σ²+ε) · (dy − (Σ dy + x̂ Σ dy·x̂) / M)`, `dγ = Σ dy·x̂`, `dβ = Σ dy`. Neither pass
/// forms `x̂` at full size: it is the centred input times a per-channel `1/√(σ²+ε)`, folded into
/// per-channel factors (one full-size pass fewer than normalising first).
pub struct BatchNorm {
    name: String,
    channels: usize,
}

impl BatchNorm {
    /// Batch normalisation named `name` over `channels` channels.
    pub fn new(name: &str, channels: usize) -> Self {
        Self { name: name.to_owned(), channels }
    }

    fn per_channel(&self, suffix: &str, value: f32, decay: bool) -> TensorSpec {
        TensorSpec::new(format!("{}.{suffix}", self.name), vec![self.channels], Init::Constant(value), decay)
    }

    fn broadcastable(&self, ops: &mut Ops, v: &Value) -> Value {
        ops.reshape(v, &[1, self.channels as i64, 1, 1])
    }

    fn flat(&self, ops: &mut Ops, v: &Value) -> Value {
        ops.reshape(v, &[self.channels as i64])
    }

    /// `(1 − m) running + m batch`.
    fn blend(&self, ops: &mut Ops, running: &Value, batch: &Value) -> Value {
        let batch = self.flat(ops, batch);
        let kept = ops.scale(running, 1.0 - MOMENTUM);
        let new = ops.scale(&batch, MOMENTUM);
        ops.add(&kept, &new)
    }
}

impl Layer for BatchNorm {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input {
            [c, _, _] if *c == self.channels => Ok(input.to_vec()),
            _ => Err(shape_error(&self.name, input, &format!("[{}, height, width]", self.channels))),
        }
    }

    fn params(&self) -> Vec<TensorSpec> {
        vec![self.per_channel("gamma", 1.0, false), self.per_channel("beta", 0.0, false)]
    }

    fn buffers(&self) -> Vec<TensorSpec> {
        vec![self.per_channel("running_mean", 0.0, false), self.per_channel("running_var", 1.0, false)]
    }

    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, mode: Mode) -> Forward {
        let (gamma, beta) = (&bound.params[0], &bound.params[1]);
        let (running_mean, running_var) = (&bound.buffers[0], &bound.buffers[1]);
        if mode == Mode::Eval {
            let inputs = [x, gamma, beta, running_mean, running_var];
            let y = ops.node("BatchNormalization", &inputs, vec![attr_float("epsilon", EPSILON)]);
            return Forward::plain(y, Vec::new());
        }
        let axes = [0, 2, 3];
        // M = n·h·w, from the run-time batch size.
        let size = ops.unary("Size", x);
        let size = ops.cast(&size, DataType::Float);
        let count = ops.scale(&size, 1.0 / self.channels as f32);
        let one = ops.scalar(1.0);
        let count_less_one = ops.sub(&count, &one);
        let mean = ops.reduce_mean(x, &axes, true);
        let centred = ops.sub(x, &mean);
        let squares = ops.node("ReduceSumSquare", &[&centred], vec![attr_ints("axes", &axes), attr_int("keepdims", 1)]);
        let var = ops.div(&squares, &count);
        let eps = ops.scalar(EPSILON);
        let var_eps = ops.add(&var, &eps);
        let std = ops.unary("Sqrt", &var_eps);
        let inv_std = ops.unary("Reciprocal", &std);
        let gamma4 = self.broadcastable(ops, gamma);
        let beta4 = self.broadcastable(ops, beta);
        let k = ops.mul(&gamma4, &inv_std);
        let scaled = ops.mul(&centred, &k);
        let y = ops.add(&scaled, &beta4);
        // The running variance is unbiased: Σ(x − μ)² / (M − 1).
        let unbiased = ops.div(&squares, &count_less_one);
        let buffers = vec![self.blend(ops, running_mean, &mean), self.blend(ops, running_var, &unbiased)];
        Forward { y, tape: Tape::of(vec![centred, inv_std, k, count]), buffers }
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, _need_dx: bool) -> Backward {
        let (centred, inv_std, k, count) = (&tape.values[0], &tape.values[1], &tape.values[2], &tape.values[3]);
        let axes = [0, 2, 3];
        // Σ dy·x̂ = (Σ dy·(x − μ)) / σ, and x̂ · dγ/M = (x − μ) · (dγ / (σ M)).
        let dy_centred = ops.mul(dy, centred);
        let dy_centred = ops.reduce_sum(&dy_centred, &axes, true);
        let dgamma = ops.mul(&dy_centred, inv_std);
        let dbeta = ops.reduce_sum(dy, &axes, true);
        let dgamma_m = ops.div(&dgamma, count);
        let dbeta_m = ops.div(&dbeta, count);
        let per_centred = ops.mul(&dgamma_m, inv_std);
        let t = ops.mul(centred, &per_centred);
        let t = ops.add(&t, &dbeta_m);
        let t = ops.sub(dy, &t);
        let dx = ops.mul(&t, k);
        let grads = vec![self.flat(ops, &dgamma), self.flat(ops, &dbeta)];
        Backward { dx: Some(dx), grads }
    }
}
