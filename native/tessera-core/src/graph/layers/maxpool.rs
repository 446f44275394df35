//! 2×2 max pooling, stride 2.

use super::{shape_error, Backward, Bound, Forward, Layer, Mode, Tape};
use crate::graph::builder::{attr_ints, attr_string, Value};
use crate::graph::ops::Ops;
use crate::Result;

/// `y = max` over each 2×2 window; height and width must be even.
///
/// Backward: `y` is upsampled back to full size (nearest `Resize`) and compared with `x`, giving
/// a `Cast` mask of the inputs equal to their window's maximum; `dy` is divided by each window's
/// number of such inputs (a 2×2 `AveragePool` of the mask, at quarter size), upsampled and
/// multiplied in. Ties (equal values in one window, common in flat or saturated tissue) thus
/// share the gradient — a subgradient of the maximum, like PyTorch's choice of the first tied
/// input — instead of each taking all of it, which would multiply it by the number of ties.
pub struct MaxPool2;

/// Each value repeated over a 2×2 block: nearest-neighbour upsampling by 2.
pub(super) fn upsample(ops: &mut Ops, x: &Value) -> Value {
    let scales = ops.tensor("upsample2", &[4], || vec![1.0, 1.0, 2.0, 2.0]);
    let attrs = vec![
        attr_string("mode", "nearest"),
        attr_string("coordinate_transformation_mode", "asymmetric"),
        attr_string("nearest_mode", "floor"),
    ];
    ops.node("Resize", &[x, &Value::absent(), &scales], attrs)
}

/// The 2×2, stride 2 maximum.
pub(super) fn pool(ops: &mut Ops, x: &Value) -> Value {
    ops.node("MaxPool", &[x], vec![attr_ints("kernel_shape", &[2, 2]), attr_ints("strides", &[2, 2])])
}

/// Each 2×2 window's mean, at quarter size.
pub(super) fn window_mean(ops: &mut Ops, x: &Value) -> Value {
    ops.node("AveragePool", &[x], vec![attr_ints("kernel_shape", &[2, 2]), attr_ints("strides", &[2, 2])])
}

impl Layer for MaxPool2 {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input {
            [c, h, w] if h % 2 == 0 && w % 2 == 0 && *h > 0 && *w > 0 => Ok(vec![*c, h / 2, w / 2]),
            _ => Err(shape_error("max pooling", input, "[channels, height, width] with even height and width")),
        }
    }

    fn forward(&self, ops: &mut Ops, x: &Value, _bound: Bound, _mode: Mode) -> Forward {
        let y = pool(ops, x);
        Forward::plain(y.clone(), vec![x.clone(), y])
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, _need_dx: bool) -> Backward {
        let (x, y) = (&tape.values[0], &tape.values[1]);
        let y_up = upsample(ops, y);
        let mask = ops.mask("Equal", x, &y_up);
        let share = window_mean(ops, &mask);
        // share = ties / 4, so dy / ties = (dy / 4) / share.
        let quarter = ops.scale(dy, 0.25);
        let each = ops.div(&quarter, &share);
        let each_up = upsample(ops, &each);
        Backward { dx: Some(ops.mul(&each_up, &mask)), grads: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::builder::Dim;
    use crate::graph::proto::DataType;
    use crate::train::session::Feed;
    use crate::train::testing::run;

    #[test]
    fn tied_maxima_share_their_windows_gradient() {
        let mut ops = Ops::new("maxpool");
        let dims = |h, w| [Dim::Fixed(1), Dim::Fixed(1), Dim::Fixed(h), Dim::Fixed(w)];
        let x = ops.input("x", DataType::Float, &dims(2, 4));
        let dy = ops.input("dy", DataType::Float, &dims(1, 2));
        let forward = MaxPool2.forward(&mut ops, &x, Bound { params: &[], buffers: &[] }, Mode::Train);
        let dx = MaxPool2.backward(&mut ops, &forward.tape, &dy, true).dx.unwrap();
        let mut g = ops.into_builder();
        g.output(&dx, "dx", DataType::Float, &dims(2, 4));
        // Window 1 ties 3 at three positions, window 2 ties 5 at three positions.
        let xs = [3.0, 3.0, 1.0, 5.0, 3.0, 0.0, 5.0, 5.0];
        let out = run(
            &g.to_bytes("test"),
            &[Feed::f32("x", &[1, 1, 2, 4], &xs), Feed::f32("dy", &[1, 1, 1, 2], &[2.0, 7.0])],
        );
        let third = |g: f32| g / 3.0;
        let want = [third(2.0), third(2.0), 0.0, third(7.0), third(2.0), 0.0, third(7.0), third(7.0)];
        assert!(out[0].data.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-6), "{:?}", out[0].data);
    }
}
