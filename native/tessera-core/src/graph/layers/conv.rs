//! 3×3 convolution, stride 1, padding 1, no bias (a batch normalisation follows it).

use super::{shape_error, Backward, Bound, Forward, Init, Layer, Mode, Tape, TensorSpec};
use crate::graph::builder::{attr_int, attr_ints, Value};
use crate::graph::ops::Ops;
use crate::Result;

/// `y = W ⋆ x`: a 3×3 convolution keeping the spatial size.
///
/// Backward: `dx` is the transposed convolution of `dy` with the same weights; `dW` is an
/// im2col — a grouped convolution of `x` with a fixed one-hot kernel lays the nine shifted
/// copies of each channel side by side — followed by a batched `MatMul` with `dy` summed over the
/// batch.
pub struct Conv2d {
    name: String,
    inputs: usize,
    outputs: usize,
}

impl Conv2d {
    /// A convolution named `name` from `inputs` to `outputs` channels.
    pub fn new(name: &str, inputs: usize, outputs: usize) -> Self {
        Self { name: name.to_owned(), inputs, outputs }
    }
}

fn same_padding() -> Vec<crate::graph::proto::AttributeProto> {
    vec![attr_ints("kernel_shape", &[3, 3]), attr_ints("pads", &[1, 1, 1, 1])]
}

/// The one-hot kernel `[9·c, 1, 3, 3]`: output channel `9·i + k` copies input channel `i`
/// shifted by offset `k = 3·ky + kx`.
fn im2col_kernel(channels: usize) -> Vec<f32> {
    let mut kernel = vec![0.0; channels * 81];
    for i in 0..channels * 9 {
        kernel[i * 9 + i % 9] = 1.0;
    }
    kernel
}

/// `dx`: the convolution of `dy` with the weights transposed (in ↔ out) and flipped in space
/// (measured faster than `ConvTranspose` on ONNX Runtime's CPU provider).
fn input_gradient(ops: &mut Ops, dy: &Value, w: &Value) -> Value {
    let transposed = ops.transpose(w, &[1, 0, 2, 3]);
    let (starts, ends) = (ops.ints(&[-1, -1]), ops.ints(&[i64::MIN, i64::MIN]));
    let (axes, steps) = (ops.ints(&[2, 3]), ops.ints(&[-1, -1]));
    let flipped = ops.node("Slice", &[&transposed, &starts, &ends, &axes, &steps], vec![]);
    ops.node("Conv", &[dy, &flipped], same_padding())
}

impl Conv2d {
    /// `dW = Σₙ dyₙ · patchesₙᵀ`, the patches from the one-hot im2col convolution.
    fn weight_gradient(&self, ops: &mut Ops, x: &Value, dy: &Value) -> Value {
        let (c, o) = (self.inputs as i64, self.outputs as i64);
        let kernel = ops.tensor(&format!("im2col{c}"), &[9 * c, 1, 3, 3], || im2col_kernel(self.inputs));
        let mut attrs = same_padding();
        attrs.push(attr_int("group", c));
        let patches = ops.node("Conv", &[x, &kernel], attrs);
        let patches = ops.reshape(&patches, &[0, 9 * c, -1]);
        let patches = ops.transpose(&patches, &[0, 2, 1]);
        let dy = ops.reshape(dy, &[0, o, -1]);
        let per_sample = ops.node("MatMul", &[&dy, &patches], vec![]);
        let dw = ops.sum_over_batch(&per_sample);
        ops.reshape(&dw, &[o, c, 3, 3])
    }
}

impl Layer for Conv2d {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input {
            [c, h, w] if *c == self.inputs => Ok(vec![self.outputs, *h, *w]),
            _ => Err(shape_error(&self.name, input, &format!("[{}, height, width]", self.inputs))),
        }
    }

    fn params(&self) -> Vec<TensorSpec> {
        let fan_in = (self.inputs * 9) as f32;
        let shape = vec![self.outputs, self.inputs, 3, 3];
        vec![TensorSpec::new(format!("{}.weight", self.name), shape, Init::Normal((2.0 / fan_in).sqrt()), true)]
    }

    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, _mode: Mode) -> Forward {
        let w = &bound.params[0];
        let y = ops.node("Conv", &[x, w], same_padding());
        Forward::plain(y, vec![x.clone(), w.clone()])
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, need_dx: bool) -> Backward {
        let (x, w) = (&tape.values[0], &tape.values[1]);
        let dx = need_dx.then(|| input_gradient(ops, dy, w));
        let dw = self.weight_gradient(ops, x, dy);
        Backward { dx, grads: vec![dw] }
    }
}
