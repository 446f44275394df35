//! 3×3 convolution, stride 1, padding 1, no bias (a batch normalisation follows it).

use super::weight_gradient::weight_gradient;
use super::{shape_error, Backward, Bound, Forward, Init, Layer, Mode, Tape, TensorSpec};
use crate::graph::builder::{attr_int, attr_ints, Value};
use crate::graph::ops::Ops;
use crate::Result;

/// `y = W ⋆ x`: a 3×3 convolution keeping the spatial size.
///
/// Backward: `dx` is the transposed convolution of `dy` with the same weights; `dW` sums, for
/// each of the nine kernel offsets, the products of `dy` with `x` shifted by that offset (see
/// [`weight_gradient`](super::weight_gradient) for its forms).
pub struct Conv2d {
    name: String,
    inputs: usize,
    outputs: usize,
    pixels: Option<usize>,
}

impl Conv2d {
    /// A convolution named `name` from `inputs` to `outputs` channels.
    pub fn new(name: &str, inputs: usize, outputs: usize) -> Self {
        Self { name: name.to_owned(), inputs, outputs, pixels: None }
    }

    /// The same convolution, told that its input has `pixels` pixels per channel, which picks
    /// the fastest form of its weight gradient.
    pub fn for_pixels(self, pixels: usize) -> Self {
        Self { pixels: Some(pixels), ..self }
    }
}

fn same_padding() -> Vec<crate::graph::proto::AttributeProto> {
    vec![attr_ints("kernel_shape", &[3, 3]), attr_ints("pads", &[1, 1, 1, 1])]
}

/// ONNX Runtime's operator set of its blocked channel layout ("NCHWc") on the CPU.
const NCHWC: &str = "com.microsoft.nchwc";

/// `x ⋆ w` from `inputs` to `outputs` channels in ONNX Runtime's blocked channel layout of
/// `block` channels: `x` reordered into it, the weights rearranged at run time into blocks of
/// `block` input × `block` output channels (`[o/b, c/b, 3, 3, b, b]`, ONNX Runtime's OIHWBiBo),
/// its direct convolution, the result reordered back to NCHW. About 1.3× faster than `Conv` from
/// 32 channels up (the reorders included), as fast at 16.
fn blocked_conv(ops: &mut Ops, x: &Value, w: &Value, inputs: usize, outputs: usize, block: usize) -> Value {
    let (c, o, b) = (inputs as i64, outputs as i64, block as i64);
    let blocked_x = ops.node_in(NCHWC, "ReorderInput", &[x], vec![]);
    let w = ops.reshape(w, &[o / b, b, c / b, b, 9]);
    let w = ops.transpose(&w, &[0, 2, 4, 3, 1]);
    let w = ops.reshape(&w, &[o, c, 3, 3]);
    let y = ops.node_in(NCHWC, "Conv", &[&blocked_x, &w], same_padding());
    ops.node_in(NCHWC, "ReorderOutput", &[&y], vec![attr_int("channels", o)])
}

/// Up to this many input channels, a widening convolution's `dx` is a `ConvTranspose`.
const TRANSPOSED_MAX_INPUTS: usize = 16;

impl Conv2d {
    /// The channel block, when the graph allows the blocked layout and both widths fill blocks.
    fn block(&self, ops: &Ops) -> Option<usize> {
        ops.blocked_convolutions().filter(|b| self.inputs.is_multiple_of(*b) && self.outputs.is_multiple_of(*b))
    }

    /// `dx`: the transposed convolution of `dy`. ONNX Runtime's CPU provider runs it fastest as
    /// `ConvTranspose` for a layer that widens few channels (measured 1.1–1.5× faster from 8 or 16
    /// channels to twice as many), and otherwise as a `Conv` with the weights transposed (in ↔ out)
    /// and flipped in space (1.2–1.3× faster for equal widths, and from 64 channels up), the
    /// weights rearranged by one `Gather` of precomputed positions — always the latter in the
    /// blocked layout, which has no transposed convolution.
    fn input_gradient(&self, ops: &mut Ops, dy: &Value, w: &Value) -> Value {
        let (c, o) = (self.inputs, self.outputs);
        let block = self.block(ops);
        if block.is_none() && c <= TRANSPOSED_MAX_INPUTS && o > c {
            return ops.node("ConvTranspose", &[dy, w], same_padding());
        }
        // Element [i, j, y, x] of the result is w[j, i, 2 − y, 2 − x].
        let positions: Vec<i64> =
            (0..c * o * 9).map(|at| ((at / 9 % o * c + at / (o * 9)) * 9 + 8 - at % 9) as i64).collect();
        let positions = ops.initializer_i64(&format!("{}.flipped", self.name), &[c as i64, o as i64, 3, 3], &positions);
        let flat = ops.reshape(w, &[-1]);
        let flipped = ops.node("Gather", &[&flat, &positions], vec![attr_int("axis", 0)]);
        match block {
            Some(block) => blocked_conv(ops, dy, &flipped, o, c, block),
            None => ops.node("Conv", &[dy, &flipped], same_padding()),
        }
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

    /// In training, in the blocked layout where the graph allows it; inference graphs (saved in
    /// packages, run anywhere) stay in NCHW, which ONNX Runtime reorders itself where it can.
    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, mode: Mode) -> Forward {
        let w = &bound.params[0];
        let y = match self.block(ops).filter(|_| mode == Mode::Train) {
            Some(block) => blocked_conv(ops, x, w, self.inputs, self.outputs, block),
            None => ops.node("Conv", &[x, w], same_padding()),
        };
        Forward::plain(y, vec![x.clone(), w.clone()])
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, need_dx: bool) -> Backward {
        let (x, w) = (&tape.values[0], &tape.values[1]);
        let dx = need_dx.then(|| self.input_gradient(ops, dy, w));
        let dw = weight_gradient(ops, x, dy, self.inputs, self.outputs, self.pixels);
        Backward { dx, grads: vec![dw] }
    }
}
