//! Fully connected layer.

use super::{shape_error, Backward, Bound, Forward, Init, Layer, Mode, Tape, TensorSpec};
use crate::graph::builder::{attr_int, Value};
use crate::graph::ops::Ops;
use crate::Result;

/// `y = x Wᵀ + b` with `W` of shape `[outputs, inputs]` (PyTorch's layout and initialisation).
///
/// Backward: `dx = dy W`, `dW = dyᵀ x`, `db = Σₙ dy`.
pub struct Linear {
    name: String,
    inputs: usize,
    outputs: usize,
}

impl Linear {
    /// A linear layer named `name` from `inputs` to `outputs` features.
    pub fn new(name: &str, inputs: usize, outputs: usize) -> Self {
        Self { name: name.to_owned(), inputs, outputs }
    }
}

impl Layer for Linear {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input {
            [f] if *f == self.inputs => Ok(vec![self.outputs]),
            _ => Err(shape_error(&self.name, input, &format!("[{}]", self.inputs))),
        }
    }

    fn params(&self) -> Vec<TensorSpec> {
        let bound = Init::Uniform(1.0 / (self.inputs as f32).sqrt());
        vec![
            TensorSpec::new(format!("{}.weight", self.name), vec![self.outputs, self.inputs], bound, true),
            TensorSpec::new(format!("{}.bias", self.name), vec![self.outputs], bound, false),
        ]
    }

    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, _mode: Mode) -> Forward {
        let (w, b) = (&bound.params[0], &bound.params[1]);
        let y = ops.node("Gemm", &[x, w, b], vec![attr_int("transB", 1)]);
        Forward::plain(y, vec![x.clone(), w.clone()])
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, need_dx: bool) -> Backward {
        let (x, w) = (&tape.values[0], &tape.values[1]);
        let dx = need_dx.then(|| ops.node("MatMul", &[dy, w], vec![]));
        let dw = ops.node("Gemm", &[dy, x], vec![attr_int("transA", 1)]);
        let db = ops.sum_over_batch(dy);
        Backward { dx, grads: vec![dw, db] }
    }
}
