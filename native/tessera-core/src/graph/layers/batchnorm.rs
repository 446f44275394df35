//! Batch normalisation over the channels of NCHW activations.

use super::{shape_error, Backward, Bound, Forward, Init, Layer, Mode, Tape, TensorSpec};
use crate::graph::builder::{attr_float, attr_int, attr_scalar_tensor, Value};
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
/// updated as `r ← (1 − m) r + m s`, with the unbiased variance, as PyTorch does. Training
/// normalises with one `BatchNormalization` node in training mode and momentum 0, whose
/// "running" outputs are then the batch's statistics (2.6× faster on ONNX Runtime's CPU provider
/// than reducing, centring and normalising in separate nodes, and its variance is exact to
/// 2·10⁻⁷ where a `ReduceSumSquare` of the centred input was off by 3·10⁻⁵); inference uses the
/// same node in inference mode with the running statistics, which ONNX Runtime folds into the
/// preceding convolution.
///
/// Backward, with `x̂` the normalised input and `M = n·h·w`:
/// `dx = γ/√(σ²+ε) · (dy − (Σ dy + x̂ Σ dy·x̂) / M)`, `dγ = Σ dy·x̂`, `dβ = Σ dy`. It does not
/// form `x̂` at full size: `x̂` is the centred input times a per-channel `1/√(σ²+ε)`, folded into
/// per-channel factors.
pub struct BatchNorm {
    name: String,
    channels: usize,
}

/// What a training-mode forward pass of [`BatchNorm`] keeps for a backward rule; per-channel
/// values are `[1, c, 1, 1]`.
pub(super) struct Statistics {
    /// The input `x`.
    pub input: Value,
    /// The batch mean `μ`.
    pub mean: Value,
    /// `1/√(σ² + ε)`.
    pub inv_std: Value,
    /// `γ/√(σ² + ε)`, the factor each input is multiplied by.
    pub scale: Value,
    /// `M = n·h·w`, the number of values per channel (a scalar).
    pub count: Value,
}

impl Statistics {
    /// The statistics as tape values.
    pub(super) fn tape(self) -> Tape {
        Tape::of(vec![self.input, self.mean, self.inv_std, self.scale, self.count])
    }

    /// The statistics kept on a tape by [`Statistics::tape`].
    pub(super) fn from_tape(values: &[Value]) -> Self {
        let [input, mean, inv_std, scale, count] = [0, 1, 2, 3, 4].map(|i| values[i].clone());
        Self { input, mean, inv_std, scale, count }
    }
}

/// A training-mode normalisation: the output, its statistics, the updated running statistics.
pub(super) struct Normalised {
    /// The normalised output.
    pub y: Value,
    /// What a backward rule needs.
    pub statistics: Statistics,
    /// The running mean and variance after this batch.
    pub buffers: Vec<Value>,
}

impl BatchNorm {
    /// Batch normalisation named `name` over `channels` channels.
    pub fn new(name: &str, channels: usize) -> Self {
        Self { name: name.to_owned(), channels }
    }

    fn per_channel(&self, suffix: &str, value: f32, decay: bool) -> TensorSpec {
        TensorSpec::new(format!("{}.{suffix}", self.name), vec![self.channels], Init::Constant(value), decay)
    }

    /// A per-channel value as `[1, c, 1, 1]`.
    pub(super) fn broadcastable(&self, ops: &mut Ops, v: &Value) -> Value {
        ops.reshape(v, &[1, self.channels as i64, 1, 1])
    }

    /// A per-channel value as `[c]`.
    pub(super) fn flat(&self, ops: &mut Ops, v: &Value) -> Value {
        ops.reshape(v, &[self.channels as i64])
    }

    /// A per-channel constant as `[c]`.
    pub(super) fn constant(&self, ops: &mut Ops, value: f32) -> Value {
        let channels = self.channels;
        ops.tensor(&format!("{value}x{channels}"), &[channels as i64], || vec![value; channels])
    }

    /// `(1 − m) running + m batch`.
    fn blend(&self, ops: &mut Ops, running: &Value, batch: &Value) -> Value {
        let batch = self.flat(ops, batch);
        let kept = ops.scale(running, 1.0 - MOMENTUM);
        let new = ops.scale(&batch, MOMENTUM);
        ops.add(&kept, &new)
    }

    /// `scale · (x − mean) / √(var + epsilon) + bias` per channel in one node, the factors
    /// `[scale, bias, mean, var]` each `[c]`.
    pub(super) fn affine(ops: &mut Ops, x: &Value, factors: [&Value; 4], epsilon: f32) -> Value {
        let [scale, bias, mean, var] = factors;
        ops.node("BatchNormalization", &[x, scale, bias, mean, var], vec![attr_float("epsilon", epsilon)])
    }

    /// The training-mode forward pass: normalised with the batch's statistics.
    pub(super) fn normalise(&self, ops: &mut Ops, x: &Value, bound: Bound) -> Normalised {
        let (gamma, beta) = (&bound.params[0], &bound.params[1]);
        let (running_mean, running_var) = (&bound.buffers[0], &bound.buffers[1]);
        // M = n·h·w, from the run-time batch size.
        let size = ops.unary("Size", x);
        let size = ops.cast(&size, DataType::Float);
        let count = ops.scale(&size, 1.0 / self.channels as f32);
        let one = ops.scalar(1.0);
        let count_less_one = ops.sub(&count, &one);
        // ONNX Runtime's CPU kernel writes the statistics it outputs into the buffers of its mean
        // and variance inputs (even a graph input's or a shared constant's), so they are made
        // afresh for each node and each run; with momentum 0 their values do not matter.
        let shape = ops.unary("Shape", x);
        let (start, end) = (ops.ints(&[1]), ops.ints(&[2]));
        let channels = ops.node("Slice", &[&shape, &start, &end], vec![]);
        let [mean_in, var_in] =
            [0.0, 1.0].map(|v| ops.node("ConstantOfShape", &[&channels], vec![attr_scalar_tensor("value", v)]));
        let attrs = vec![attr_float("epsilon", EPSILON), attr_float("momentum", 0.0), attr_int("training_mode", 1)];
        let [y, mean, var] = ops.node_with_outputs("BatchNormalization", &[x, gamma, beta, &mean_in, &var_in], attrs);
        let eps = ops.scalar(EPSILON);
        let var_eps = ops.add(&var, &eps);
        let std = ops.unary("Sqrt", &var_eps);
        let inv_std = ops.unary("Reciprocal", &std);
        let inv_std = self.broadcastable(ops, &inv_std);
        let gamma4 = self.broadcastable(ops, gamma);
        let scale = ops.mul(&gamma4, &inv_std);
        // The running variance is unbiased: σ² M / (M − 1).
        let unbiased = ops.mul(&var, &count);
        let unbiased = ops.div(&unbiased, &count_less_one);
        let buffers = vec![self.blend(ops, running_mean, &mean), self.blend(ops, running_var, &unbiased)];
        let mean = self.broadcastable(ops, &mean);
        Normalised { y, statistics: Statistics { input: x.clone(), mean, inv_std, scale, count }, buffers }
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
        if mode == Mode::Eval {
            let factors = [&bound.params[0], &bound.params[1], &bound.buffers[0], &bound.buffers[1]];
            return Forward::plain(Self::affine(ops, x, factors, EPSILON), Vec::new());
        }
        let normalised = self.normalise(ops, x, bound);
        Forward { y: normalised.y, tape: normalised.statistics.tape(), buffers: normalised.buffers }
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, _need_dx: bool) -> Backward {
        let statistics = Statistics::from_tape(&tape.values);
        let (inv_std, count) = (&statistics.inv_std, &statistics.count);
        let centred = &ops.sub(&statistics.input, &statistics.mean);
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
        let dx = ops.mul(&t, &statistics.scale);
        let grads = vec![self.flat(ops, &dgamma), self.flat(ops, &dbeta)];
        Backward { dx: Some(dx), grads }
    }
}
