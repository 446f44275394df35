//! 2×2 max pooling, stride 2.

use super::{shape_error, Backward, Bound, Forward, Layer, Mode, Tape};
use crate::graph::builder::{attr_ints, attr_string, Value};
use crate::graph::ops::Ops;
use crate::Result;

/// `y = max` over each 2×2 window; height and width must be even.
///
/// Backward: `y` and `dy` are upsampled back to full size (nearest `Resize`), and `dy` flows to
/// the inputs equal to their window's maximum, through a `Cast` + `Mul` mask. Ties (equal values
/// in one window) pass the gradient to each of them.
pub struct MaxPool2;

fn upsample(ops: &mut Ops, x: &Value) -> Value {
    let scales = ops.tensor("upsample2", &[4], || vec![1.0, 1.0, 2.0, 2.0]);
    let attrs = vec![
        attr_string("mode", "nearest"),
        attr_string("coordinate_transformation_mode", "asymmetric"),
        attr_string("nearest_mode", "floor"),
    ];
    ops.node("Resize", &[x, &Value::absent(), &scales], attrs)
}

impl Layer for MaxPool2 {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input {
            [c, h, w] if h % 2 == 0 && w % 2 == 0 && *h > 0 && *w > 0 => Ok(vec![*c, h / 2, w / 2]),
            _ => Err(shape_error("max pooling", input, "[channels, height, width] with even height and width")),
        }
    }

    fn forward(&self, ops: &mut Ops, x: &Value, _bound: Bound, _mode: Mode) -> Forward {
        let y = ops.node("MaxPool", &[x], vec![attr_ints("kernel_shape", &[2, 2]), attr_ints("strides", &[2, 2])]);
        Forward::plain(y.clone(), vec![x.clone(), y])
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, _need_dx: bool) -> Backward {
        let (x, y) = (&tape.values[0], &tape.values[1]);
        let y_up = upsample(ops, y);
        let mask = ops.mask("Equal", x, &y_up);
        let dy_up = upsample(ops, dy);
        Backward { dx: Some(ops.mul(&dy_up, &mask)), grads: Vec::new() }
    }
}
