//! 2× nearest-neighbour upsampling.

use super::maxpool::{upsample, window_mean};
use super::{shape_error, Backward, Bound, Forward, Layer, Mode, Tape};
use crate::graph::builder::Value;
use crate::graph::ops::Ops;
use crate::Result;

/// Each value repeated over a 2×2 block; backward sums each 2×2 block of `dy` (a 2×2 average
/// pooling times 4), since every input value feeds the four outputs of its block.
pub struct Upsample2;

impl Layer for Upsample2 {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input {
            [c, h, w] => Ok(vec![*c, 2 * h, 2 * w]),
            _ => Err(shape_error("upsampling", input, "[channels, height, width]")),
        }
    }

    fn forward(&self, ops: &mut Ops, x: &Value, _bound: Bound, _mode: Mode) -> Forward {
        Forward::plain(upsample(ops, x), Vec::new())
    }

    fn backward(&self, ops: &mut Ops, _tape: &Tape, dy: &Value, _need_dx: bool) -> Backward {
        let mean = window_mean(ops, dy);
        Backward { dx: Some(ops.scale(&mean, 4.0)), grads: Vec::new() }
    }
}
