//! A skip connection by concatenation: a U-Net level's encoder output joined to what the
//! deeper levels made of it.

use super::{shape_error, Backward, Bound, Forward, Layer, Mode, Sequential, Tape, TensorSpec};
use crate::graph::builder::{attr_int, Value};
use crate::graph::ops::Ops;
use crate::Result;

/// `y = concat(x, f(x))` along the channels; `f` must keep the height and width. Backward splits
/// `dy` into the part of `x` and the part of `f(x)`, and `dx = dy_x + ∂f(dy_f)`.
pub struct Skip {
    channels: usize,
    added: usize,
    body: Sequential,
}

impl Skip {
    /// A skip connection around `body`, which turns inputs of `channels` channels into outputs
    /// of `added` channels.
    pub fn new(channels: usize, added: usize, body: Sequential) -> Self {
        Self { channels, added, body }
    }
}

impl Layer for Skip {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let out = self.body.output_shape(input)?;
        match (input, out.as_slice()) {
            ([c, h, w], [d, oh, ow]) if *c == self.channels && *d == self.added && (oh, ow) == (h, w) => {
                Ok(vec![c + d, *h, *w])
            }
            _ => Err(shape_error(
                "skip connection",
                input,
                &format!(
                    "[{}, height, width] and a body giving [{}, height, width], not {out:?}",
                    self.channels, self.added
                ),
            )),
        }
    }

    fn params(&self) -> Vec<TensorSpec> {
        self.body.params()
    }

    fn buffers(&self) -> Vec<TensorSpec> {
        self.body.buffers()
    }

    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, mode: Mode) -> Forward {
        let body = self.body.forward(ops, x, bound, mode);
        let y = ops.node("Concat", &[x, &body.y], vec![attr_int("axis", 1)]);
        Forward { y, tape: Tape { values: Vec::new(), children: vec![body.tape] }, buffers: body.buffers }
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, need_dx: bool) -> Backward {
        let sizes = ops.ints(&[self.channels as i64, self.added as i64]);
        let [dy_x, dy_body] = ops.node_with_outputs::<2>("Split", &[dy, &sizes], vec![attr_int("axis", 1)]);
        let body = self.body.backward(ops, &tape.children[0], &dy_body, true);
        let dx = if need_dx { body.dx.map(|d| ops.add(&dy_x, &d)) } else { None };
        Backward { dx, grads: body.grads }
    }
}
