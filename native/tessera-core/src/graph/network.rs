//! A whole network: from one description, the training-step graph and the inference graph.
//!
//! The training step's inputs are the batch `input` `[n, c, h, w]` f32, `labels` i64 (`[n]` for
//! a classifier, `[n, h, w]` with −1 at unlabelled pixels for a segmenter), the learning rate `lr`
//! and 1-based step number `step` (f32 scalars), then every tensor of the [`State`] under its own
//! name; its outputs are `loss`, `logits` (`[n, classes]`, or `[n, classes, h, w]`), then every
//! state tensor updated, named `<name>.next`, in the same order. The inference graph takes
//! `input` and gives `probabilities` (softmax over the classes), with the parameters and running
//! statistics stored in it and a batch size chosen at run time.

use super::builder::{attr_int, Dim, GraphBuilder, Value};
use super::layers::{pixel_loss, softmax_cross_entropy, Bound, Init, Layer, Mode, PixelLoss, Sequential, TensorSpec};
use super::ops::Ops;
use super::optim::{Optimizer, Update};
use super::proto::DataType;
use crate::rng::Rng;
use crate::runtime::Tensor;
use crate::{Result, TesseraError};

/// The name of the batch input of both graphs.
pub const INPUT: &str = "input";
/// The name of the labels input of the training step.
pub const LABELS: &str = "labels";
/// The name of the learning-rate input of the training step.
pub const LEARNING_RATE: &str = "lr";
/// The name of the step-number input of the training step.
pub const STEP: &str = "step";
/// The name of the inference graph's output.
pub const PROBABILITIES: &str = "probabilities";
/// The suffix of an updated state tensor's output name.
pub const NEXT: &str = ".next";

/// A named tensor of the training state.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    /// Its graph input name.
    pub name: String,
    /// Its value.
    pub tensor: Tensor,
}

/// Everything a training step reads and updates: parameters, optimizer state, running
/// statistics, in the graph's input order.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The trainable parameters.
    pub params: Vec<Named>,
    /// The optimizer's per-parameter state.
    pub slots: Vec<Named>,
    /// The running statistics.
    pub buffers: Vec<Named>,
}

impl State {
    /// All tensors in graph input order.
    pub fn iter(&self) -> impl Iterator<Item = &Named> {
        self.params.iter().chain(&self.slots).chain(&self.buffers)
    }

    /// All tensors in graph input order, to update.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Named> {
        self.params.iter_mut().chain(&mut self.slots).chain(&mut self.buffers)
    }
}

/// A classifier (layers from an image `[channels, height, width]` to `classes` logits) or a
/// segmenter (to `[classes, height, width]` logits, one vector per pixel).
pub struct Network {
    layers: Sequential,
    input: Vec<usize>,
    classes: usize,
    /// A segmenter's loss; `None` for a classifier.
    pixels: Option<PixelLoss>,
    /// Parameters and running statistics to start training from instead of random ones.
    start: Option<(Vec<Named>, Vec<Named>)>,
}

/// The values of a training-mode forward and backward pass.
pub(crate) struct Pass {
    pub(crate) params: Vec<Value>,
    pub(crate) loss: Value,
    pub(crate) logits: Value,
    pub(crate) grads: Vec<Value>,
    pub(crate) new_buffers: Vec<Value>,
}

fn dims(shape: &[usize]) -> Vec<Dim<'static>> {
    shape.iter().map(|&d| Dim::Fixed(d as i64)).collect()
}

fn batch_dims(shape: &[usize]) -> Vec<Dim<'static>> {
    std::iter::once(Dim::Symbolic("n")).chain(dims(shape)).collect()
}

pub(crate) fn initial(spec: &TensorSpec, rng: &mut Rng) -> Tensor {
    let data = (0..spec.len())
        .map(|_| match spec.init {
            Init::Normal(std) => (rng.normal() * std as f64) as f32,
            Init::Uniform(bound) => ((rng.uniform() * 2.0 - 1.0) * bound as f64) as f32,
            Init::Constant(value) => value,
        })
        .collect();
    Tensor { shape: spec.shape.clone(), data }
}

impl Network {
    /// A network of `layers` for per-sample `input` shape; they must end in `[classes]` logits.
    pub fn new(layers: Sequential, input: &[usize]) -> Result<Self> {
        match layers.output_shape(input)?.as_slice() {
            [classes] if *classes >= 2 => {
                Ok(Self { layers, input: input.to_vec(), classes: *classes, pixels: None, start: None })
            }
            other => Err(TesseraError::invalid(format!("a classifier must end in ≥ 2 class logits, not {other:?}"))),
        }
    }

    /// A segmenter of `layers` for per-sample `input` shape `[channels, height, width]`, trained
    /// with `loss`; they must end in `[classes, height, width]` logits.
    pub fn segmenter(layers: Sequential, input: &[usize], loss: PixelLoss) -> Result<Self> {
        match (layers.output_shape(input)?.as_slice(), input) {
            ([classes, h, w], [_, ih, iw]) if *classes >= 2 && (h, w) == (ih, iw) => {
                Ok(Self { layers, input: input.to_vec(), classes: *classes, pixels: Some(loss), start: None })
            }
            (other, _) => Err(TesseraError::invalid(format!(
                "a segmenter must end in ≥ 2 class logits per input pixel, not {other:?} for input {input:?}"
            ))),
        }
    }

    /// The per-sample output shape: `[classes]`, or `[classes, height, width]` for a segmenter.
    pub fn output(&self) -> Vec<usize> {
        std::iter::once(self.classes).chain(self.label_shape().iter().copied()).collect()
    }

    /// The per-sample label shape: `[]` for a classifier, `[height, width]` for a segmenter.
    pub fn label_shape(&self) -> &[usize] {
        if self.pixels.is_some() {
            &self.input[1..]
        } else {
            &[]
        }
    }

    /// The per-sample input shape.
    pub fn input(&self) -> &[usize] {
        &self.input
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// This network starting its training from `initializers` (name → tensor: a trained model's
    /// weights and running statistics) instead of random values: fine-tuning. Every parameter and
    /// statistic must be there with its shape; the error names the first that is not.
    pub fn starting_from(mut self, initializers: &std::collections::HashMap<String, Tensor>) -> Result<Self> {
        let take = |specs: Vec<TensorSpec>| -> Result<Vec<Named>> {
            specs
                .iter()
                .map(|spec| match initializers.get(&spec.name) {
                    Some(tensor) if tensor.shape == spec.shape => {
                        Ok(Named { name: spec.name.clone(), tensor: tensor.clone() })
                    }
                    Some(tensor) => Err(TesseraError::IncompatibleModel(format!(
                        "the parent's {} has shape {:?} where this network's has {:?}",
                        spec.name, tensor.shape, spec.shape
                    ))),
                    None => Err(TesseraError::IncompatibleModel(format!("the parent has no {}", spec.name))),
                })
                .collect()
        };
        self.start = Some((take(self.layers.params())?, take(self.layers.buffers())?));
        Ok(self)
    }

    /// The initial training state for `optimizer`: the parameters drawn from `seed`, or those
    /// given by [`Network::starting_from`].
    pub fn initial_state(&self, optimizer: &Optimizer, seed: u64) -> State {
        let mut rng = Rng::new(seed);
        let params: Vec<TensorSpec> = self.layers.params();
        let slots = params
            .iter()
            .flat_map(|p| {
                optimizer.slots().iter().map(move |slot| Named {
                    name: format!("{}.{slot}", p.name),
                    tensor: Tensor { shape: p.shape.clone(), data: vec![0.0; p.len()] },
                })
            })
            .collect();
        if let Some((params, buffers)) = &self.start {
            return State { params: params.clone(), slots, buffers: buffers.clone() };
        }
        let named = |spec: &TensorSpec, rng: &mut Rng| Named { name: spec.name.clone(), tensor: initial(spec, rng) };
        State {
            params: params.iter().map(|p| named(p, &mut rng)).collect(),
            slots,
            buffers: self.layers.buffers().iter().map(|b| named(b, &mut rng)).collect(),
        }
    }

    /// Declares the batch, label and state inputs and emits the forward pass, the loss with
    /// `class_weights` and the backward pass.
    pub(crate) fn emit_pass(&self, ops: &mut Ops, class_weights: &[f32]) -> Result<Pass> {
        if class_weights.len() != self.classes {
            return Err(TesseraError::invalid(format!(
                "{} class weights for {} classes",
                class_weights.len(),
                self.classes
            )));
        }
        let x = ops.input(INPUT, DataType::Float, &batch_dims(&self.input));
        let labels = ops.input(LABELS, DataType::Int64, &batch_dims(self.label_shape()));
        let mut declare = |specs: Vec<TensorSpec>| -> Vec<Value> {
            specs.iter().map(|s| ops.input(&s.name, DataType::Float, &dims(&s.shape))).collect()
        };
        let params = declare(self.layers.params());
        let buffers = declare(self.layers.buffers());
        let forward = self.layers.forward(ops, &x, Bound { params: &params, buffers: &buffers }, Mode::Train);
        let loss = match self.pixels {
            Some(kind) => pixel_loss(ops, &forward.y, &labels, class_weights, kind),
            None => softmax_cross_entropy(ops, &forward.y, &labels, class_weights),
        };
        let backward = self.layers.backward(ops, &forward.tape, &loss.dlogits, false);
        Ok(Pass { params, loss: loss.loss, logits: forward.y, grads: backward.grads, new_buffers: forward.buffers })
    }

    /// The gradient graph, to check the backward rules against another framework: the training
    /// step's inputs without `lr`, `step` and the optimizer's state; outputs `loss`, then the
    /// gradient of every parameter, named `<name>.grad`, in [`State::params`] order.
    pub fn gradient_graph(&self, class_weights: &[f32]) -> Result<Vec<u8>> {
        let mut ops = Ops::new("tessera_gradients");
        let pass = self.emit_pass(&mut ops, class_weights)?;
        let mut g = ops.into_builder();
        g.output(&pass.loss, "loss", DataType::Float, &[]);
        for (grad, spec) in pass.grads.iter().zip(self.layers.params()) {
            g.output(grad, &format!("{}.grad", spec.name), DataType::Float, &dims(&spec.shape));
        }
        Ok(g.to_bytes("tessera-gradients"))
    }

    /// The training-step graph: forward, loss, backward and `optimizer` update; its
    /// convolutions in ONNX Runtime's blocked layout of `block` channels where they fit (see
    /// [`crate::train::blocked`]; `None`: NCHW throughout).
    pub fn training_graph(
        &self,
        optimizer: &Optimizer,
        class_weights: &[f32],
        block: Option<usize>,
    ) -> Result<Vec<u8>> {
        let mut ops = Ops::new("tessera_train_step").with_blocked_convolutions(block);
        let lr = ops.input(LEARNING_RATE, DataType::Float, &[]);
        let step = ops.input(STEP, DataType::Float, &[]);
        let pass = self.emit_pass(&mut ops, class_weights)?;
        let specs = self.layers.params();
        let slots: Vec<Vec<Value>> = specs
            .iter()
            .map(|p| {
                let names = optimizer.slots().iter().map(|slot| format!("{}.{slot}", p.name));
                names.map(|name| ops.input(&name, DataType::Float, &dims(&p.shape))).collect()
            })
            .collect();
        let updates: Vec<Update> = (0..specs.len())
            .map(|i| Update { param: &pass.params[i], grad: &pass.grads[i], slots: &slots[i], decay: specs[i].decay })
            .collect();
        let updated = optimizer.emit(&mut ops, &lr, &step, &updates);
        let mut g = ops.into_builder();
        g.output(&pass.loss, "loss", DataType::Float, &[]);
        g.output(&pass.logits, "logits", DataType::Float, &batch_dims(&self.output()));
        let next = |g: &mut GraphBuilder, value: &Value, spec: &TensorSpec, name: &str| {
            g.output(value, &format!("{name}{NEXT}"), DataType::Float, &dims(&spec.shape));
        };
        for ((param, _), spec) in updated.iter().zip(&specs) {
            next(&mut g, param, spec, &spec.name);
        }
        for ((_, new_slots), spec) in updated.iter().zip(&specs) {
            for (value, slot) in new_slots.iter().zip(optimizer.slots()) {
                next(&mut g, value, spec, &format!("{}.{slot}", spec.name));
            }
        }
        for (value, spec) in pass.new_buffers.iter().zip(self.layers.buffers()) {
            next(&mut g, value, &spec, &spec.name);
        }
        Ok(g.to_bytes("tessera-train"))
    }

    /// The inference graph: the eval-mode forward with `state`'s parameters and running
    /// statistics stored in it, ending in a softmax.
    pub fn inference_graph(&self, state: &State) -> Result<Vec<u8>> {
        let mut ops = Ops::new("tessera_classifier");
        let x = ops.input(INPUT, DataType::Float, &batch_dims(&self.input));
        let mut store = |specs: Vec<TensorSpec>, named: &[Named]| -> Result<Vec<Value>> {
            if specs.len() != named.len() {
                return Err(TesseraError::IncompatibleModel(format!(
                    "the state has {} tensors where the network has {}",
                    named.len(),
                    specs.len()
                )));
            }
            specs
                .iter()
                .zip(named)
                .map(|(spec, n)| {
                    if n.name != spec.name || n.tensor.shape != spec.shape {
                        return Err(TesseraError::IncompatibleModel(format!(
                            "state tensor {} {:?} does not fit {} {:?}",
                            n.name, n.tensor.shape, spec.name, spec.shape
                        )));
                    }
                    Ok(ops.initializer_f32(&spec.name, &spec.dims(), &n.tensor.data))
                })
                .collect()
        };
        let params = store(self.layers.params(), &state.params)?;
        let buffers = store(self.layers.buffers(), &state.buffers)?;
        let forward = self.layers.forward(&mut ops, &x, Bound { params: &params, buffers: &buffers }, Mode::Eval);
        let probabilities = ops.node("Softmax", &[&forward.y], vec![attr_int("axis", 1)]);
        let mut g = ops.into_builder();
        g.output(&probabilities, PROBABILITIES, DataType::Float, &batch_dims(&self.output()));
        Ok(g.to_bytes("tessera"))
    }
}
