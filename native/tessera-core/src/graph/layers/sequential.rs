//! Layers applied one after another.

use super::{Backward, Bound, Forward, Layer, Mode, Tape, TensorSpec};
use crate::graph::builder::Value;
use crate::graph::ops::Ops;
use crate::Result;

/// A chain of layers; its parameters and running statistics are its layers', in order.
#[derive(Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Layer>>,
}

impl Sequential {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `layer`.
    pub fn push(&mut self, layer: impl Layer + 'static) {
        self.layers.push(Box::new(layer));
    }

    /// Appends every layer of `other`, in order.
    pub fn extend(&mut self, other: Sequential) {
        self.layers.extend(other.layers);
    }

    /// Each layer with the index of its first parameter and first running statistic.
    fn offsets(&self) -> Vec<(&dyn Layer, usize, usize)> {
        let (mut p, mut b) = (0, 0);
        self.layers
            .iter()
            .map(|layer| {
                let at = (layer.as_ref(), p, b);
                p += layer.params().len();
                b += layer.buffers().len();
                at
            })
            .collect()
    }
}

impl Layer for Sequential {
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        self.layers.iter().try_fold(input.to_vec(), |shape, layer| layer.output_shape(&shape))
    }

    fn params(&self) -> Vec<TensorSpec> {
        self.layers.iter().flat_map(|l| l.params()).collect()
    }

    fn buffers(&self) -> Vec<TensorSpec> {
        self.layers.iter().flat_map(|l| l.buffers()).collect()
    }

    fn forward(&self, ops: &mut Ops, x: &Value, bound: Bound, mode: Mode) -> Forward {
        let mut out = Forward { y: x.clone(), tape: Tape::default(), buffers: Vec::new() };
        for (layer, p, b) in self.offsets() {
            let own = Bound {
                params: &bound.params[p..p + layer.params().len()],
                buffers: &bound.buffers[b..b + layer.buffers().len()],
            };
            let step = layer.forward(ops, &out.y, own, mode);
            out.y = step.y;
            out.tape.children.push(step.tape);
            out.buffers.extend(step.buffers);
        }
        out
    }

    fn backward(&self, ops: &mut Ops, tape: &Tape, dy: &Value, need_dx: bool) -> Backward {
        let mut grads = Vec::new();
        let mut dy = Some(dy.clone());
        for (index, layer) in self.layers.iter().enumerate().rev() {
            let Some(upstream) = dy else { break };
            let step = layer.backward(ops, &tape.children[index], &upstream, index > 0 || need_dx);
            grads.push(step.grads);
            dy = step.dx;
        }
        grads.reverse();
        Backward { dx: dy, grads: grads.into_iter().flatten().collect() }
    }
}
