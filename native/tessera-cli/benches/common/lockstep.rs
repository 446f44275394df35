//! Training in lockstep with a PyTorch reference (shared by `train` and `unet_train`): what the
//! reference needs to train exactly as Tessera does, the reference process driven epoch by
//! epoch, and the figures of each epoch.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tessera_core::dataset::augment::Augment;
use tessera_core::dataset::samples::Samples;
use tessera_core::dataset::split::Split;
use tessera_core::graph::layers::batchnorm::{EPSILON, MOMENTUM};
use tessera_core::graph::network::Network;
use tessera_core::graph::optim::Optimizer;
use tessera_core::job::Job;
use tessera_core::runtime::Runtime;
use tessera_core::train::fit::{epoch_order, fit, EpochRecord, Event, TrainConfig};

/// What both sides train with: `epochs` epochs, all of them (no early stopping), on `threads`
/// threads, without augmentation (the references have none); Tessera's defaults otherwise.
pub fn lockstep_config(epochs: usize, threads: usize) -> TrainConfig {
    TrainConfig { epochs, patience: 0, threads, augment: Augment::none(), ..TrainConfig::default() }
}

pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Writes the initial parameters and running statistics of `network` under `config` into
/// `folder/state.f32` and returns the JSON fields every reference reads to train exactly as
/// `config` does on `split` with `class_weights`: the state's index, split, batch orders,
/// learning rates and hyper-parameters.
pub fn reference_inputs(
    folder: &Path,
    network: &Network,
    split: &Split,
    config: &TrainConfig,
    class_weights: &[f32],
) -> serde_json::Map<String, Value> {
    let state = network.initial_state(&config.optimizer, config.seed);
    let (mut values, mut index) = (Vec::new(), Vec::new());
    for named in state.params.iter().chain(&state.buffers) {
        index.push(json!({"name": named.name, "shape": named.tensor.shape, "offset": values.len()}));
        values.extend(named.tensor.data.iter().flat_map(|v| v.to_le_bytes()));
    }
    std::fs::write(folder.join("state.f32"), &values).unwrap();
    let total = split.train.len() / config.batch_size * config.epochs;
    let orders: Vec<Vec<usize>> = (1..=config.epochs).map(|e| epoch_order(&split.train, config.seed, e)).collect();
    let rates: Vec<f32> = (0..total).map(|s| config.schedule.rate(config.learning_rate, s, total)).collect();
    let Optimizer::AdamW { beta1, beta2, epsilon, weight_decay } = config.optimizer else { panic!("AdamW expected") };
    let fields = json!({
        "train": split.train, "validation": split.validation, "orders": orders, "learning_rates": rates,
        "batch_size": config.batch_size, "class_weights": class_weights, "threads": config.threads,
        "adamw": {"betas": [beta1, beta2], "eps": epsilon, "weight_decay": weight_decay},
        "batchnorm": {"momentum": MOMENTUM, "eps": EPSILON}, "state": index,
    });
    let Value::Object(fields) = fields else { unreachable!() };
    fields
}

/// One training's figures for each epoch: images/s, mean training loss, validation score (the
/// early-stopping metric: macro-F1, or mean IoU for a segmenter).
#[derive(Default)]
pub struct Run {
    pub rates: Vec<f64>,
    pub losses: Vec<f64>,
    pub scores: Vec<f64>,
}

impl Run {
    fn push(&mut self, rate: f64, loss: f64, score: f64) {
        self.rates.push(rate);
        self.losses.push(loss);
        self.scores.push(score);
    }

    fn push_json(&mut self, epoch: &Value) {
        let value = |key: &str| epoch[key].as_f64().unwrap();
        self.push(value("rate"), value("loss"), value("score"));
    }

    /// The validation score after the last epoch.
    pub fn last(&self) -> f64 {
        *self.scores.last().unwrap()
    }
}

/// The PyTorch reference in its own process, set up before it is returned, then training one more
/// epoch of each of its models per request.
struct Reference {
    child: Child,
    requests: ChildStdin,
    replies: BufReader<ChildStdout>,
}

impl Reference {
    fn start(script: &Path, folder: &Path, threads: usize) -> Self {
        let mut child = Command::new("python3")
            .arg(script)
            .arg(folder)
            .env("OMP_NUM_THREADS", threads.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let requests = child.stdin.take().unwrap();
        let mut replies = BufReader::new(child.stdout.take().unwrap());
        // Its set-up (importing PyTorch, building the models) must not overlap Tessera's epochs.
        let mut ready = String::new();
        replies.read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready", "baseline did not start");
        Self { child, requests, replies }
    }

    /// The next epoch's figures, `{"<model>": {rate, loss, score}, …}`.
    fn epoch(&mut self) -> Value {
        writeln!(self.requests, "epoch").unwrap();
        let mut line = String::new();
        self.replies.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("baseline gave {line:?}: {e}"))
    }

    fn finish(self) {
        drop(self.requests);
        let status = self.child.wait_with_output().unwrap().status;
        assert!(status.success(), "baseline failed: {status}");
    }
}

/// What one lockstep round trains and against what.
pub struct Round<'a> {
    pub runtime: &'a Runtime,
    pub network: &'a Network,
    pub data: &'a dyn Samples,
    pub split: &'a Split,
    pub config: &'a TrainConfig,
    pub job: &'a Job<'a>,
    /// The reference script, run as `python3 SCRIPT FOLDER`.
    pub script: &'a Path,
    /// Where the reference reads its inputs.
    pub folder: &'a Path,
    /// The reference's models, the keys of its replies.
    pub models: &'a [&'a str],
    /// The validation score of an epoch of Tessera's.
    pub score: fn(&EpochRecord) -> f64,
}

impl Round<'_> {
    /// Trains Tessera once, and after each of its epochs one epoch of each reference model;
    /// Tessera's run first, then the models' in order. The rates count each epoch's steps after
    /// its first (batch assembly included, validation excluded).
    pub fn run(&self) -> Vec<Run> {
        let mut reference = Reference::start(self.script, self.folder, self.config.threads);
        let mut runs: Vec<Run> = (0..=self.models.len()).map(|_| Run::default()).collect();
        let (config, per_epoch) = (self.config, self.split.train.len() / self.config.batch_size);
        let (mut stepping, mut steps, mut last) = (Duration::ZERO, 0usize, Instant::now());
        fit(self.runtime, self.network, self.data, self.split, config, self.job, &mut |event| match event {
            Event::Step { epoch, step, .. } => {
                let now = Instant::now();
                if step > (epoch - 1) * per_epoch + 1 {
                    stepping += now - last;
                    steps += 1;
                }
                last = now;
            }
            Event::Epoch(record) => {
                let rate = (steps * config.batch_size) as f64 / stepping.as_secs_f64();
                runs[0].push(rate, record.train_loss, (self.score)(record));
                (stepping, steps) = (Duration::ZERO, 0);
                let theirs = reference.epoch();
                for (run, model) in runs[1..].iter_mut().zip(self.models) {
                    run.push_json(&theirs[*model]);
                }
            }
        })
        .unwrap();
        reference.finish();
        runs
    }
}

/// Each epoch's speed ratio of run `ours` to run `theirs` of every round.
pub fn epoch_ratios(rounds: &[Vec<Run>], ours: usize, theirs: usize) -> Vec<f64> {
    rounds.iter().flat_map(|r| r[ours].rates.iter().zip(&r[theirs].rates).map(|(a, b)| a / b)).collect()
}
