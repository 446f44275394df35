//! The training loop: epochs of shuffled, augmented batches through the step session, a
//! validation pass after each epoch through the inference graph, early stopping on validation
//! macro-F1 (a segmenter's: mean IoU over the labelled pixels) keeping the best epoch's model.

use serde::{Deserialize, Serialize};

use super::schedule::{LearningRate, Schedule};
use super::step::Stepper;
use crate::dataset::augment::Augment;
use crate::dataset::balance::class_weights;
use crate::dataset::samples::Samples;
use crate::dataset::split::Split;
use crate::eval::metrics::{argmax_classes, argmax_rows, Confusion, GroupConfusions};
use crate::eval::report::Report;
use crate::graph::network::{Network, State};
use crate::graph::optim::Optimizer;
use crate::job::Job;
use crate::rng::Rng;
use crate::runtime::{Model, Runtime};
use crate::shift::StainMethod;
use crate::{Result, TesseraError};

/// The bootstrap resamples behind every confidence interval of an evaluation.
pub const RESAMPLES: usize = 1000;

/// How to train. Deserialising fills the fields not given with their defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// The most epochs to run.
    pub epochs: usize,
    /// Tiles per step.
    pub batch_size: usize,
    /// The base learning rate.
    pub learning_rate: f32,
    /// How the rate changes over the steps.
    pub schedule: Schedule,
    /// The optimizer.
    pub optimizer: Optimizer,
    /// Stop after this many epochs without a better validation macro-F1 (0: never stop early).
    pub patience: usize,
    /// Seed of initialisation, order and augmentation: the same seed gives the same model.
    pub seed: u64,
    /// ONNX Runtime threads.
    pub threads: usize,
    /// Augmentation of training tiles.
    pub augment: Augment,
    /// Weight the loss so that every class counts the same.
    pub balance: bool,
    /// Stain normalisation fitted on the training tiles and applied before augmentation and at
    /// inference (`none`: pixels as read; absent from older records).
    #[serde(skip_serializing_if = "StainMethod::is_none")]
    pub stain_normalisation: StainMethod,
}

/// The largest base learning rate accepted: past it, training only diverges.
const MAX_LEARNING_RATE: f32 = 10.0;

impl TrainConfig {
    /// Checks the values a run cannot work with before any tile is read; the error names the
    /// setting and the value.
    pub fn validate(&self) -> Result<()> {
        let refuse = |problem: String| Err(TesseraError::invalid(problem));
        if self.epochs == 0 {
            return refuse("epochs must be at least 1, got 0".into());
        }
        if self.batch_size == 0 {
            return refuse("the batch size must be at least 1, got 0".into());
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0 && self.learning_rate <= MAX_LEARNING_RATE) {
            return refuse(format!(
                "the learning rate must be a number above 0 and at most {MAX_LEARNING_RATE}, got {}",
                self.learning_rate
            ));
        }
        Ok(())
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 30,
            batch_size: 32,
            learning_rate: 1e-3,
            schedule: Schedule::Cosine,
            optimizer: Optimizer::default(),
            patience: 8,
            seed: 0,
            threads: 2,
            augment: Augment::default(),
            balance: true,
            stain_normalisation: StainMethod::None,
        }
    }
}

/// What one epoch achieved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's steps.
    pub train_loss: f64,
    /// Validation accuracy after the epoch.
    pub validation_accuracy: f64,
    /// Validation macro-F1 after the epoch (the early-stopping metric of classifiers; for a
    /// segmenter, the mean Dice over the labelled pixels).
    pub validation_macro_f1: f64,
    /// A segmenter's validation mean IoU over the labelled pixels (its early-stopping metric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_mean_iou: Option<f64>,
    /// The learning rate of the epoch's last step.
    pub learning_rate: f32,
}

/// A progress event of training.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<'a> {
    /// A step finished.
    Step {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based step within training.
        step: usize,
        /// The step's loss.
        loss: f32,
    },
    /// An epoch finished and was validated.
    Epoch(&'a EpochRecord),
}

/// The outcome of training.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    /// The state of the best epoch (parameters and running statistics for the inference graph).
    pub state: State,
    /// The best epoch (1-based; 0 when training diverged before the first epoch ended, and
    /// `state` is the last state before the divergence).
    pub best_epoch: usize,
    /// Every epoch run.
    pub history: Vec<EpochRecord>,
    /// The loss weight of each class.
    pub class_weights: Vec<f32>,
    /// Why training ended before its last epoch, if it did (early stopping, divergence).
    pub stopped: Option<String>,
}

/// The confusion matrices of the labelled pixels of samples `indices` (patches with label
/// masks), one per group in the order of the groups' ids, predicted by the inference graph of the
/// segmenter `network` with `state`, `batch` at a time.
pub fn pixel_confusions(
    runtime: &Runtime,
    network: &Network,
    state: &State,
    data: &dyn Samples,
    indices: &[usize],
    batch: usize,
    threads: usize,
) -> Result<Vec<Confusion>> {
    let model = Model::from_bytes(runtime, &network.inference_graph(state)?, threads)?;
    let (classes, positions) = (network.classes(), network.label_shape().iter().product::<usize>());
    let mut groups = GroupConfusions::new(classes);
    for chunk in indices.chunks(batch.max(1)) {
        let (x, labels) = data.batch(chunk, None);
        let shape: Vec<usize> = std::iter::once(chunk.len()).chain(network.input().iter().copied()).collect();
        let predicted = argmax_classes(&model.run(&x, &shape)?.data, classes, positions);
        for (j, &i) in chunk.iter().enumerate() {
            let at = j * positions..(j + 1) * positions;
            let truth: Vec<Option<usize>> = labels[at.clone()].iter().map(|&l| usize::try_from(l).ok()).collect();
            groups.add(data.groups().map_or(i as u64, |g| g[i]), &truth, &predicted[at]);
        }
    }
    Ok(groups.into_groups())
}

/// What a trained state predicts on some samples: a classifier's tile truth and probabilities,
/// or a segmenter's confusion matrices of labelled pixels per group.
enum Outcome {
    Tiles { truth: Vec<usize>, probabilities: Vec<f32> },
    Pixels(Vec<Confusion>),
}

/// The outcome of `network` with `state` on samples `indices`.
fn outcome(
    runtime: &Runtime,
    network: &Network,
    state: &State,
    data: &dyn Samples,
    indices: &[usize],
    config: &TrainConfig,
) -> Result<Outcome> {
    let (batch, threads) = (config.batch_size, config.threads);
    if network.label_shape().is_empty() {
        let probabilities = probabilities(runtime, network, state, data, indices, batch, threads)?;
        let truth = indices.iter().map(|&i| data.labels()[i]).collect();
        return Ok(Outcome::Tiles { truth, probabilities });
    }
    Ok(Outcome::Pixels(pixel_confusions(runtime, network, state, data, indices, batch, threads)?))
}

/// The metrics of `network` with `state` on samples `indices`, with bootstrap intervals drawn
/// from `config.seed`: of tiles for a classifier, of labelled pixels (resampled by group) for a
/// segmenter.
pub fn evaluate(
    runtime: &Runtime,
    network: &Network,
    state: &State,
    data: &dyn Samples,
    indices: &[usize],
    config: &TrainConfig,
) -> Result<Report> {
    match outcome(runtime, network, state, data, indices, config)? {
        Outcome::Tiles { truth, probabilities } => {
            Report::new(data.classes(), &truth, &probabilities, RESAMPLES, config.seed)
        }
        Outcome::Pixels(groups) => Report::pixels(data.classes(), &groups, RESAMPLES, config.seed),
    }
}

/// The validation confusion matrix after an epoch: of tiles, or of labelled pixels.
fn validation_confusion(
    runtime: &Runtime,
    network: &Network,
    state: &State,
    data: &dyn Samples,
    validation: &[usize],
    config: &TrainConfig,
) -> Result<Confusion> {
    let classes = network.classes();
    Ok(match outcome(runtime, network, state, data, validation, config)? {
        Outcome::Tiles { truth, probabilities } => {
            Confusion::new(classes, &truth, &argmax_rows(&probabilities, classes))
        }
        Outcome::Pixels(groups) => Confusion::sum(classes, groups.iter()),
    })
}

/// The class probabilities `[indices.len(), classes]` of the inference graph of `network` with
/// `state` on samples `indices`, `batch` at a time.
pub fn probabilities(
    runtime: &Runtime,
    network: &Network,
    state: &State,
    data: &dyn Samples,
    indices: &[usize],
    batch: usize,
    threads: usize,
) -> Result<Vec<f32>> {
    let model = Model::from_bytes(runtime, &network.inference_graph(state)?, threads)?;
    let mut out = Vec::with_capacity(indices.len() * network.classes());
    for chunk in indices.chunks(batch.max(1)) {
        let (x, _) = data.batch(chunk, None);
        let shape: Vec<usize> = std::iter::once(chunk.len()).chain(network.input().iter().copied()).collect();
        out.extend(model.run(&x, &shape)?.data);
    }
    Ok(out)
}

/// The order in which 1-based `epoch` of training with `seed` visits the training samples
/// `train`: a fresh shuffle per epoch, the same for the same seed.
pub fn epoch_order(train: &[usize], seed: u64, epoch: usize) -> Vec<usize> {
    let mut order = train.to_vec();
    Rng::derived(seed, 2 * epoch as u64).shuffle(&mut order);
    order
}

fn check_inputs(network: &Network, data: &dyn Samples, split: &Split, config: &TrainConfig) -> Result<()> {
    if network.input() != data.shape() {
        return Err(TesseraError::IncompatibleModel(format!(
            "the network takes samples of shape {:?}, the data has {:?}",
            network.input(),
            data.shape()
        )));
    }
    if network.classes() != data.classes().len() {
        return Err(TesseraError::IncompatibleModel(format!(
            "the network has {} classes, the data {}",
            network.classes(),
            data.classes().len()
        )));
    }
    if split.train.len() < 2 || split.validation.is_empty() || config.batch_size < 2 || config.epochs == 0 {
        return Err(TesseraError::invalid(format!(
            "training needs ≥ 2 training tiles ({}), a validation tile ({}), batches of ≥ 2 ({}) and ≥ 1 epoch ({})",
            split.train.len(),
            split.validation.len(),
            config.batch_size,
            config.epochs
        )));
    }
    Ok(())
}

/// Trains `network` on `split` of `data`, reporting progress to `job` (and stopping between
/// steps when it is cancelled) and each step and epoch to `on_event`.
pub fn fit(
    runtime: &Runtime,
    network: &Network,
    data: &dyn Samples,
    split: &Split,
    config: &TrainConfig,
    job: &Job,
    on_event: &mut dyn FnMut(Event),
) -> Result<Trained> {
    check_inputs(network, data, split, config)?;
    let weights = class_weights(&data.label_counts(&split.train), data.classes())?;
    let weights = if config.balance { weights } else { vec![1.0; weights.len()] };
    let state = network.initial_state(&config.optimizer, config.seed);
    let mut stepper = Stepper::new(runtime, network, &config.optimizer, &weights, state, config.threads)?;
    let per_epoch = (split.train.len() / config.batch_size).max(1);
    let total = per_epoch * config.epochs;
    let segmenter = !network.label_shape().is_empty();
    let mut history: Vec<EpochRecord> = Vec::new();
    let mut best: Option<(usize, f64, State)> = None;
    let mut stopped = None;
    let mut learning_rate = LearningRate::new(config.schedule, config.learning_rate, total);
    'epochs: for epoch in 1..=config.epochs {
        let order = epoch_order(&split.train, config.seed, epoch);
        let mut augment_rng = Rng::derived(config.seed, 2 * epoch as u64 + 1);
        let (mut loss_sum, mut rate) = (0.0, config.learning_rate);
        for s in 0..per_epoch {
            job.check()?;
            let done = (epoch - 1) * per_epoch + s;
            rate = learning_rate.at(done);
            let indices = &order[s * config.batch_size..((s + 1) * config.batch_size).min(order.len())];
            let (x, labels) = data.batch(indices, Some((&config.augment, &mut augment_rng)));
            let out = stepper.step(&x, &labels, rate)?;
            if !out.loss.is_finite() {
                stopped = Some(format!("training diverged: the loss became {} at epoch {epoch}, step {}; kept the best model so far (try a lower learning rate)", out.loss, done + 1));
                break 'epochs;
            }
            loss_sum += out.loss as f64;
            on_event(Event::Step { epoch, step: done + 1, loss: out.loss });
            job.progress(
                done as u64 + 1,
                total as u64,
                &format!("epoch {epoch}/{}: loss {:.4}", config.epochs, out.loss),
            );
        }
        let confusion = validation_confusion(runtime, network, stepper.state(), data, &split.validation, config)?;
        let record = EpochRecord {
            epoch,
            train_loss: loss_sum / per_epoch as f64,
            validation_accuracy: confusion.accuracy(),
            validation_macro_f1: confusion.macro_f1(),
            validation_mean_iou: segmenter.then(|| confusion.mean_iou()),
            learning_rate: rate,
        };
        on_event(Event::Epoch(&record));
        let score = record.validation_mean_iou.unwrap_or(record.validation_macro_f1);
        learning_rate.validated(score);
        if best.as_ref().is_none_or(|(_, best, _)| score > *best) {
            best = Some((epoch, score, stepper.state().clone()));
        }
        history.push(record);
        let best_epoch = best.as_ref().map_or(epoch, |b| b.0);
        if config.patience > 0 && epoch - best_epoch >= config.patience && epoch < config.epochs {
            stopped = Some(format!(
                "stopped early at epoch {epoch}: no better validation {} for {} epochs",
                if segmenter { "mean IoU" } else { "macro-F1" },
                config.patience
            ));
            break;
        }
    }
    // Diverging before the first validation leaves the last good (unvalidated) state: epoch 0.
    let (best_epoch, _, state) = best.unwrap_or_else(|| (0, 0.0, stepper.state().clone()));
    Ok(Trained { state, best_epoch, history, class_weights: weights, stopped })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_a_run_cannot_work_with_are_named() {
        assert!(TrainConfig::default().validate().is_ok());
        let refused = |edit: fn(&mut TrainConfig)| {
            let mut config = TrainConfig::default();
            edit(&mut config);
            config.validate().unwrap_err().to_string()
        };
        assert!(refused(|c| c.learning_rate = f32::NAN).contains("learning rate must be a number above 0"));
        assert!(refused(|c| c.learning_rate = 1e30).contains("at most 10"));
        assert!(refused(|c| c.learning_rate = -1.0).contains("got -1"));
        assert!(refused(|c| c.epochs = 0).contains("epochs"));
        assert!(refused(|c| c.batch_size = 0).contains("batch size"));
    }
}
