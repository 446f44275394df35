//! Global average pooling.

use super::{shape_error, Backward, Bound, Forward, Layer, Mode, Tape};
use crate::graph::builder::Value;
use crate::graph::ops::Ops;
use crate::Result;

/// `y[n, c]` = mean of `x[n, c]` over a `height × width` plane; backward spreads `dy / (h·w)`
/// evenly over the plane.
pub struct GlobalAvgPool {
    height: usize,
    width: usize,
}

impl GlobalAvgPool {
    /// Pooling over planes of `height × width`.
    pub fn new(height: usize, width: usize) -> Self {
        Self { height, width }
    }
}

impl Layer for GlobalAvgPool {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input {
            [c, h, w] if (*h, *w) == (self.height, self.width) => Ok(vec![*c]),
            _ => Err(shape_error(
                "global average pooling",
                input,
                &format!("[channels, {}, {}]", self.height, self.width),
            )),
        }
    }

    fn forward(&self, ops: &mut Ops, x: &Value, _bound: Bound, _mode: Mode) -> Forward {
        let y = ops.reduce_mean(x, &[2, 3], false);
        Forward::plain(y, vec![x.clone()])
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, _need_dx: bool) -> Backward {
        let dy = ops.scale(dy, 1.0 / (self.height * self.width) as f32);
        let dy = ops.reshape(&dy, &[0, -1, 1, 1]);
        let shape = ops.unary("Shape", &tape.values[0]);
        Backward { dx: Some(ops.node("Expand", &[&dy, &shape], vec![])), grads: Vec::new() }
    }
}
