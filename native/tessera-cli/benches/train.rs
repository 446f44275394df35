//! Training throughput and quality: Tessera's training loop against a PyTorch CPU reference that
//! trains the same network on the same tiles. A measurement, not a test.
//!
//! The demo slide's annotations are tiled as `tessera demo` tiles them (64 px at 0.5 µm/px,
//! stride 32) and split once, grouped by polygon (fold 1 of 4). Both sides start from the same
//! initial weights (written by Tessera), visit the same batches in the same order (32 tiles,
//! no augmentation), follow the same cosine learning rates and class-weighted loss, and use
//! AdamW with Tessera's defaults, batch normalisation with momentum 0.1 and ε 1e-5, and 2 threads.
//! Training images/s counts the steps only (batch assembly included; validation and each epoch's
//! first step excluded). The three trainings — Tessera, PyTorch eager (NCHW) and PyTorch
//! channels_last (in a Python process driven epoch by epoch) — run in lockstep, one epoch of each
//! in turn, and each speed ratio is the median over all rounds' epochs of the epoch's ratio: this
//! machine's speed drifts by tens of per cent over minutes, and an epoch's three runs, seconds
//! apart, see the most similar machine. Each round starts from its own seed (initial weights and
//! batch order; the split stays), and macro-F1 — on the validation tiles after the last epoch —
//! is the mean over the rounds: max pooling over flat tissue meets many ties (Tessera shares a
//! window's gradient among them, PyTorch gives it to the first: both valid), last-bit differences
//! decide which inputs tie, and the runs drift apart into equally valid trajectories whose last
//! F1 differs by up to about 0.01 (the difference between PyTorch's two memory layouts is printed
//! as that noise's yardstick); the first steps agree to ~1e-4. The training loss and validation
//! macro-F1 of every epoch are printed too.
//!
//! Run:   cargo bench -p tessera-cli --bench train
//! Needs: pip install numpy torch (CPU is enough; only this benchmark uses PyTorch);
//!        ONNX Runtime as for the tests (target/onnxruntime or $TESSERA_ONNXRUNTIME).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use tessera_core::dataset::augment::Augment;
use tessera_core::dataset::balance::class_weights;
use tessera_core::dataset::split::grouped_split;
use tessera_core::geometry::Document;
use tessera_core::graph::layers::batchnorm::{EPSILON, MOMENTUM};
use tessera_core::graph::optim::Optimizer;
use tessera_core::job::{CancelToken, Job, Silent};
use tessera_core::pipeline::{collect, CnnOptions, LabelledSlide};
use tessera_core::runtime;
use tessera_core::slide::{OpenSlideSource, Resolution};
use tessera_core::tiling::{select_regions, TileSpec};
use tessera_core::train::fit::{epoch_order, fit, Event, TrainConfig};

const EPOCHS: usize = 8;
const THREADS: usize = 2;
const ROUNDS: usize = 3;
/// The seed of the split.
const SEED: u64 = 0;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    // Found as the `tessera` command finds it: $TESSERA_ONNXRUNTIME, else target/onnxruntime.
    let runtime = runtime::init(&runtime::locate().unwrap()).unwrap();
    let job = Job::new(CancelToken::new(), &Silent);

    let slide_path = root.join("data/demo/CMU-1-Small-Region.svs");
    let annotations = root.join("data/demo/CMU-1-Small-Region.annotations.geojson");
    let source = OpenSlideSource::open(&slide_path).unwrap();
    let selection = select_regions(&Document::read(&annotations).unwrap(), &annotations, None).unwrap();
    let spec = TileSpec { overlap: 0.5, ..TileSpec::new(64, Resolution::Mpp(0.5)) };
    let slide = LabelledSlide { source: &source, name: "demo".into(), selection };
    let store = collect(&[slide], &spec, &job).unwrap().store;
    let split = grouped_split(&store, 0.25, SEED).unwrap();
    let network = CnnOptions::default().network(&store).unwrap();
    let base = TrainConfig {
        epochs: EPOCHS,
        patience: 0,
        threads: THREADS,
        augment: Augment::none(),
        ..TrainConfig::default()
    };
    let folder = std::env::temp_dir().join(format!("tessera-bench-train-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let tiles: Vec<u8> = (0..store.len()).flat_map(|i| store.tile(i).iter().copied()).collect();
    std::fs::write(folder.join("tiles.u8"), &tiles).unwrap();
    let script = manifest.join("benches/train_baseline.py");
    // Each round trains from its own seed (initial weights, batch order): the last epoch's F1 of
    // one run carries the noise of its trajectory, their mean much less.
    let rounds: Vec<[Run; 3]> = (0..ROUNDS as u64)
        .map(|seed| {
            let config = TrainConfig { seed, ..base.clone() };
            write_reference_inputs(&folder, &network, &store, &split, &config);
            lockstep_round(runtime, &network, &store, &split, &config, &job, &script, &folder)
        })
        .collect();
    std::fs::remove_dir_all(&folder).unwrap();
    let config = base;

    println!(
        "demo tiles: {} ({} train, {} validation), 64 px, batch {}, {EPOCHS} epochs, {THREADS} threads, {ROUNDS} rounds in lockstep",
        store.len(),
        split.train.len(),
        split.validation.len(),
        config.batch_size
    );
    let names = ["tessera (ONNX Runtime)", "pytorch eager (NCHW)", "pytorch channels_last"];
    let last = &rounds[ROUNDS - 1];
    let list = |values: &[f64]| values.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(" ");
    for (i, name) in names.iter().enumerate() {
        let rates: Vec<f64> = rounds.iter().flat_map(|r| r[i].rates.iter().copied()).collect();
        let f1s: Vec<f64> = rounds.iter().map(|r| r[i].f1()).collect();
        println!(
            "{name:<24} {:7.1} images/s (median epoch)   macro-F1 {:.4} (mean of {ROUNDS} seeds)",
            median(rates),
            mean(&f1s)
        );
        for (r, round) in rounds.iter().enumerate() {
            let rates: Vec<String> = round[i].rates.iter().map(|v| format!("{v:.0}")).collect();
            println!("    images/s by epoch, round {}: {}", r + 1, rates.join(" "));
        }
        println!("    last-epoch macro-F1 by seed:  {}", list(&f1s));
        println!("    training loss by epoch, seed {}:  {}", ROUNDS - 1, list(&last[i].losses));
        println!("    validation F1 by epoch, seed {}:  {}", ROUNDS - 1, list(&last[i].f1_by_epoch));
    }
    for (reference, bar) in [(1, "target"), (2, "next bar")] {
        let ratios: Vec<f64> = rounds
            .iter()
            .flat_map(|r| r[0].rates.iter().zip(&r[reference].rates).map(|(ours, theirs)| ours / theirs))
            .collect();
        let (low, high) = (ratios.iter().copied().fold(f64::MAX, f64::min), ratios.iter().copied().fold(0.0, f64::max));
        println!(
            "tessera / {}: {:.3}× median of {} epochs (from {low:.3} to {high:.3})  ({bar} ≥ 1.0)",
            names[reference].split(" (").next().unwrap_or_default(),
            median(ratios.clone()),
            ratios.len()
        );
    }
    let f1 = |i: usize| mean(&rounds.iter().map(|r| r[i].f1()).collect::<Vec<_>>());
    println!("macro-F1 tessera − pytorch eager: {:+.4}  (target within ±0.01)", f1(0) - f1(1));
    println!(
        "macro-F1 pytorch channels_last − pytorch eager: {:+.4}  (the same training, another memory layout)",
        f1(2) - f1(1)
    );
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Writes into `folder` what the reference needs besides the tiles to train exactly as `config`
/// does: initial parameters and running statistics, labels, split, batch orders, learning
/// rates, class weights and hyper-parameters.
fn write_reference_inputs(
    folder: &Path,
    network: &tessera_core::graph::network::Network,
    store: &tessera_core::dataset::TileStore,
    split: &tessera_core::dataset::split::Split,
    config: &TrainConfig,
) {
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
    let counts = store.class_counts(&split.train);
    let Optimizer::AdamW { beta1, beta2, epsilon, weight_decay } = config.optimizer else { panic!("AdamW expected") };
    let data = json!({
        "tile": store.side(), "classes": store.classes(), "labels": store.labels(),
        "train": split.train, "validation": split.validation, "orders": orders, "learning_rates": rates,
        "batch_size": config.batch_size, "class_weights": class_weights(&counts, store.classes()).unwrap(),
        "adamw": {"betas": [beta1, beta2], "eps": epsilon, "weight_decay": weight_decay},
        "batchnorm": {"momentum": MOMENTUM, "eps": EPSILON}, "state": index,
        "width": CnnOptions::default().width, "depth": CnnOptions::default().depth, "threads": config.threads,
    });
    std::fs::write(folder.join("data.json"), data.to_string()).unwrap();
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One training's figures for each epoch: images/s, mean training loss, validation macro-F1.
#[derive(Default)]
struct Run {
    rates: Vec<f64>,
    losses: Vec<f64>,
    f1_by_epoch: Vec<f64>,
}

impl Run {
    fn push(&mut self, rate: f64, loss: f64, f1: f64) {
        self.rates.push(rate);
        self.losses.push(loss);
        self.f1_by_epoch.push(f1);
    }

    fn push_json(&mut self, epoch: &serde_json::Value) {
        let value = |key: &str| epoch[key].as_f64().unwrap();
        self.push(value("rate"), value("loss"), value("f1"));
    }

    fn f1(&self) -> f64 {
        *self.f1_by_epoch.last().unwrap()
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
    fn start(script: &Path, folder: &Path) -> Self {
        let mut child = Command::new("python3")
            .arg(script)
            .arg(folder)
            .env("OMP_NUM_THREADS", THREADS.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let requests = child.stdin.take().unwrap();
        let mut replies = BufReader::new(child.stdout.take().unwrap());
        // Its set-up (importing PyTorch, building both models) must not overlap Tessera's epochs.
        let mut ready = String::new();
        replies.read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready", "baseline did not start");
        Self { child, requests, replies }
    }

    /// The next epoch's figures, `{"eager": {rate, loss, f1}, "channels_last": {…}}`.
    fn epoch(&mut self) -> serde_json::Value {
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

/// Trains Tessera once, and after each of its epochs one epoch of each PyTorch model; the
/// rates count each epoch's steps after its first.
#[allow(clippy::too_many_arguments)]
fn lockstep_round(
    runtime: &runtime::Runtime,
    network: &tessera_core::graph::network::Network,
    store: &tessera_core::dataset::TileStore,
    split: &tessera_core::dataset::split::Split,
    config: &TrainConfig,
    job: &Job,
    script: &Path,
    folder: &Path,
) -> [Run; 3] {
    let mut reference = Reference::start(script, folder);
    let mut runs: [Run; 3] = Default::default();
    let per_epoch = split.train.len() / config.batch_size;
    let (mut stepping, mut steps, mut last) = (Duration::ZERO, 0usize, Instant::now());
    fit(runtime, network, store, split, config, job, &mut |event| match event {
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
            runs[0].push(rate, record.train_loss, record.validation_macro_f1);
            (stepping, steps) = (Duration::ZERO, 0);
            let theirs = reference.epoch();
            runs[1].push_json(&theirs["eager"]);
            runs[2].push_json(&theirs["channels_last"]);
        }
    })
    .unwrap();
    reference.finish();
    runs
}
