//! The layer set of the training graphs, each with its forward nodes and its backward rule.
//!
//! A [`Layer`] emits its forward computation into an [`Ops`] graph, keeping on a [`Tape`] the
//! values its backward rule needs; [`Layer::backward`] then emits the gradient of the input and of
//! every parameter from the gradient of the output. Activations are NCHW f32 with a batch size
//! chosen at run time; shapes in this module are per sample (`[channels, height, width]` or
//! `[features]`). The forms are those measured fastest on ONNX Runtime's CPU provider (see
//! `DESIGN.md`): input gradients as transposed convolutions, weight gradients as products with
//! shifted copies laid out by fixed one-hot convolutions or slices (`weight_gradient`), pooling
//! gradients as an upsampled equality mask multiplied in with `Cast` + `Mul` (ties sharing the
//! gradient). Where a layer sequence is common and its separate rules pass over the full-size
//! activations many times, one layer fuses them ([`NormPoolRelu`]: batch normalisation, max pooling, ReLU).

pub mod batchnorm;
mod conv;
mod linear;
mod loss;
mod maxpool;
mod norm_pool;
mod pixel_linear;
mod pixel_loss;
mod pool;
mod relu;
mod residual;
mod sequential;
mod skip;
mod upsample;
mod weight_gradient;

pub use batchnorm::BatchNorm;
pub use conv::Conv2d;
pub use linear::Linear;
pub use loss::{softmax_cross_entropy, Loss};
pub use maxpool::MaxPool2;
pub use norm_pool::NormPoolRelu;
pub use pixel_linear::PixelLinear;
pub use pixel_loss::{pixel_loss, PixelLoss};
pub use pool::GlobalAvgPool;
pub use relu::Relu;
pub use residual::Residual;
pub use sequential::Sequential;
pub use skip::Skip;
pub use upsample::Upsample2;

use super::builder::Value;
use super::ops::Ops;
use crate::Result;

/// Whether a forward pass trains (batch statistics) or infers (running statistics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Training: batch normalisation uses and updates batch statistics.
    Train,
    /// Inference: batch normalisation uses the running statistics.
    Eval,
}

/// How a tensor of a layer starts out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// Normal with mean 0 and this standard deviation (He initialisation of convolutions).
    Normal(f32),
    /// Uniform in `[-bound, bound]` (PyTorch's initialisation of linear layers).
    Uniform(f32),
    /// Every element equal to this value.
    Constant(f32),
}

/// A tensor a layer owns: a trainable parameter or a running statistic.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorSpec {
    /// Unique name in the network, also the graph input's name.
    pub name: String,
    /// Its dimensions.
    pub shape: Vec<usize>,
    /// Its initial values.
    pub init: Init,
    /// Whether the optimizer's weight decay applies (weights yes; biases and norms no).
    pub decay: bool,
}

impl TensorSpec {
    fn new(name: String, shape: Vec<usize>, init: Init, decay: bool) -> Self {
        Self { name, shape, init, decay }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shape as ONNX dimensions.
    pub fn dims(&self) -> Vec<i64> {
        self.shape.iter().map(|&d| d as i64).collect()
    }
}

/// The graph values holding a layer's parameters and running statistics, in the order of
/// [`Layer::params`] and [`Layer::buffers`].
#[derive(Clone, Copy)]
pub struct Bound<'a> {
    /// The parameters.
    pub params: &'a [Value],
    /// The running statistics.
    pub buffers: &'a [Value],
}

/// The values a forward pass keeps for its backward rule, with those of nested layers.
#[derive(Clone, Debug, Default)]
pub struct Tape {
    /// This layer's saved values.
    pub values: Vec<Value>,
    /// The tapes of nested layers, in forward order.
    pub children: Vec<Tape>,
}

impl Tape {
    fn of(values: Vec<Value>) -> Self {
        Self { values, children: Vec::new() }
    }
}

/// What a forward pass emits.
pub struct Forward {
    /// The output.
    pub y: Value,
    /// What the backward rule needs.
    pub tape: Tape,
    /// In [`Mode::Train`], the updated running statistics, in the order of [`Layer::buffers`].
    pub buffers: Vec<Value>,
}

impl Forward {
    fn plain(y: Value, saved: Vec<Value>) -> Self {
        Self { y, tape: Tape::of(saved), buffers: Vec::new() }
    }
}

/// What a backward rule emits.
pub struct Backward {
    /// The gradient of the input, when asked for.
    pub dx: Option<Value>,
    /// The gradient of each parameter, in the order of [`Layer::params`].
    pub grads: Vec<Value>,
}

/// One layer: forward nodes and backward rule.
pub trait Layer {
    /// The per-sample output shape for a per-sample input shape, or why the input does not fit.
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>>;

    /// The trainable parameters.
    fn params(&self) -> Vec<TensorSpec> {
        Vec::new()
    }

    /// The running statistics (updated by training steps, used by inference).
    fn buffers(&self) -> Vec<TensorSpec> {
        Vec::new()
    }

    /// Emits the forward pass of `x`.
    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, mode: Mode) -> Forward;

    /// Emits the backward rule: from the output gradient `dy`, the parameter gradients and,
    /// when `need_dx`, the input gradient. Only valid after a [`Mode::Train`] forward pass.
    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, need_dx: bool) -> Backward;
}

/// The error for an input shape a layer cannot take.
fn shape_error(layer: &str, input: &[usize], expected: &str) -> crate::TesseraError {
    crate::TesseraError::invalid(format!("{layer}: input of shape {input:?} does not fit; expected {expected}"))
}

#[cfg(test)]
mod gradcheck;
