//! A linear map applied at every pixel: a 1×1 convolution with bias.

use super::{shape_error, Backward, Bound, Forward, Init, Layer, Mode, Tape, TensorSpec};
use crate::graph::builder::{attr_ints, Value};
use crate::graph::ops::Ops;
use crate::Result;

/// `y[:, :, i, j] = W x[:, :, i, j] + b` with `W` of shape `[outputs, inputs, 1, 1]` (PyTorch's
/// `Conv2d(kernel_size=1)` layout and initialisation bound): a segmentation network's head.
///
/// Backward: `dx` is the 1×1 transposed convolution of `dy`, `dW = Σₙ dyₙ xₙᵀ` over the pixels
/// (a batched `MatMul` summed over the batch), `db = Σ dy` over batch and pixels.
pub struct PixelLinear {
    name: String,
    inputs: usize,
    outputs: usize,
}

impl PixelLinear {
    /// A per-pixel linear layer named `name` from `inputs` to `outputs` channels.
    pub fn new(name: &str, inputs: usize, outputs: usize) -> Self {
        Self { name: name.to_owned(), inputs, outputs }
    }
}

impl Layer for PixelLinear {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input {
            [c, h, w] if *c == self.inputs => Ok(vec![self.outputs, *h, *w]),
            _ => Err(shape_error(&self.name, input, &format!("[{}, height, width]", self.inputs))),
        }
    }

    fn params(&self) -> Vec<TensorSpec> {
        let bound = Init::Uniform(1.0 / (self.inputs as f32).sqrt());
        vec![
            TensorSpec::new(format!("{}.weight", self.name), vec![self.outputs, self.inputs, 1, 1], bound, true),
            TensorSpec::new(format!("{}.bias", self.name), vec![self.outputs], bound, false),
        ]
    }

    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, _mode: Mode) -> Forward {
        let (w, b) = (&bound.params[0], &bound.params[1]);
        let y = ops.node("Conv", &[x, w, b], vec![attr_ints("kernel_shape", &[1, 1])]);
        Forward::plain(y, vec![x.clone(), w.clone()])
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, need_dx: bool) -> Backward {
        let (x, w) = (&tape.values[0], &tape.values[1]);
        let (c, o) = (self.inputs as i64, self.outputs as i64);
        let dx = need_dx.then(|| ops.node("ConvTranspose", &[dy, w], vec![attr_ints("kernel_shape", &[1, 1])]));
        let rows = ops.reshape(dy, &[0, o, -1]);
        let columns = ops.reshape(x, &[0, c, -1]);
        let columns = ops.transpose(&columns, &[0, 2, 1]);
        let per_sample = ops.node("MatMul", &[&rows, &columns], vec![]);
        let summed = ops.sum_over_batch(&per_sample);
        let dw = ops.reshape(&summed, &[o, c, 1, 1]);
        let db = ops.reduce_sum(dy, &[0, 2, 3], false);
        Backward { dx, grads: vec![dw, db] }
    }
}
