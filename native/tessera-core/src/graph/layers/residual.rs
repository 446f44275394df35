//! Residual connection around a chain of layers.

use super::{shape_error, Backward, Bound, Forward, Layer, Mode, Sequential, Tape, TensorSpec};
use crate::graph::builder::Value;
use crate::graph::ops::Ops;
use crate::Result;

/// `y = x + f(x)`; backward `dx = dy + ∂f(dy)`. The body must keep the shape.
pub struct Residual {
    body: Sequential,
}

impl Residual {
    /// A residual connection around `body`.
    pub fn new(body: Sequential) -> Self {
        Self { body }
    }
}

impl Layer for Residual {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let out = self.body.output_shape(input)?;
        if out == input {
            Ok(out)
        } else {
            Err(shape_error(
                "residual connection",
                input,
                &format!("a body that keeps the shape, not one giving {out:?}"),
            ))
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
        let y = ops.add(x, &body.y);
        Forward { y, tape: Tape { values: Vec::new(), children: vec![body.tape] }, buffers: body.buffers }
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, need_dx: bool) -> Backward {
        let body = self.body.backward(ops, &tape.children[0], dy, need_dx);
        let dx = body.dx.map(|d| ops.add(dy, &d));
        Backward { dx, grads: body.grads }
    }
}
