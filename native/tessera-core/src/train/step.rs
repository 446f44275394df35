//! One training step after another: the step graph in a session, the state fed back each time.

use super::session::{Feed, GraphSession};
use crate::graph::network::Network;
use crate::graph::network::{State, INPUT, LABELS, LEARNING_RATE, STEP};
use crate::graph::optim::Optimizer;
use crate::runtime::{Runtime, Tensor};
use crate::{Result, TesseraError};

/// What one step reports.
#[derive(Clone, Debug, PartialEq)]
pub struct StepOutput {
    /// The batch's loss before the update.
    pub loss: f32,
    /// The batch's logits (`[n, classes]`, or `[n, classes, h, w]`) before the update
    /// (training-mode forward).
    pub logits: Tensor,
}

/// Runs training steps of one network, holding its state between them.
pub struct Stepper {
    session: GraphSession,
    input: Vec<usize>,
    labels: Vec<usize>,
    state: State,
    steps: u64,
}

impl Stepper {
    /// Builds the training-step graph of `network` for `optimizer` and `class_weights` (in the
    /// blocked layout where this ONNX Runtime has it), loads it on `threads` threads and starts
    /// from `state`.
    pub fn new(
        runtime: &Runtime,
        network: &Network,
        optimizer: &Optimizer,
        class_weights: &[f32],
        state: State,
        threads: usize,
    ) -> Result<Self> {
        let graph = network.training_graph(optimizer, class_weights, super::blocked::block_size(runtime))?;
        let session = GraphSession::new(runtime, &graph, threads)?;
        Ok(Self { session, input: network.input().to_vec(), labels: network.label_shape().to_vec(), state, steps: 0 })
    }

    /// The current state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The number of steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One step on a batch of images `x` (NCHW) with their `labels` (one per image, or one per
    /// pixel for a segmenter) at learning rate `lr`. A step whose loss is not finite (training
    /// diverged) leaves the state as it was and is not counted.
    pub fn step(&mut self, x: &[f32], labels: &[i64], lr: f32) -> Result<StepOutput> {
        let n = x.len() / self.input.iter().product::<usize>().max(1);
        let shape: Vec<usize> = std::iter::once(n).chain(self.input.iter().copied()).collect();
        let label_shape: Vec<usize> = std::iter::once(n).chain(self.labels.iter().copied()).collect();
        let step = [(self.steps + 1) as f32];
        let lr = [lr];
        let mut feeds = vec![
            Feed::f32(INPUT, &shape, x),
            Feed::i64(LABELS, &label_shape, labels),
            Feed::f32(LEARNING_RATE, &[], &lr),
            Feed::f32(STEP, &[], &step),
        ];
        feeds.extend(self.state.iter().map(|n| Feed::f32(&n.name, &n.tensor.shape, &n.tensor.data)));
        let mut outputs = self.session.run(&feeds)?.into_iter();
        let (Some(loss), Some(logits)) = (outputs.next(), outputs.next()) else {
            return Err(TesseraError::Runtime("the training step gave no loss".into()));
        };
        let loss = loss.data.first().copied().unwrap_or(f32::NAN);
        if !loss.is_finite() {
            return Ok(StepOutput { loss, logits });
        }
        for (named, next) in self.state.iter_mut().zip(outputs) {
            named.tensor = next;
        }
        self.steps += 1;
        Ok(StepOutput { loss, logits })
    }
}
