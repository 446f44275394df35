//! Training throughput and quality: Tessera's training loop against a PyTorch CPU reference that
//! trains the same network on the same tiles. A measurement, not a test.
//!
//! The demo slide's annotations are tiled as `tessera demo` tiles them (64 px at 0.5 µm/px,
//! stride 32) and split once, grouped by polygon (fold 1 of 4). Both sides start from the same
//! initial weights (written by Tessera), visit the same batches in the same order (32 tiles,
//! no augmentation), follow the same cosine learning rates and class-weighted loss, and use
//! AdamW with Tessera's defaults, batch normalisation with momentum 0.1 and ε 1e-5, and 2 threads.
//! Training images/s counts the steps only (batch assembly included, validation and the first
//! step's set-up excluded); macro-F1 is on the validation tiles after the last epoch. Rounds
//! interleave Tessera, PyTorch eager (NCHW) and PyTorch channels_last; each rate is the best of
//! its rounds, and each ratio is given both between best rates and as the median of the rounds'
//! own ratios (the machine's speed drifts by tens of per cent over minutes: a round's runs, back
//! to back, see the most similar machine). The training loss and validation macro-F1 of every
//! epoch are printed too: the first steps agree to ~1e-4, but max pooling over flat tissue meets
//! many ties (Tessera shares a window's gradient among them, PyTorch gives it to the first: both
//! valid), and last-bit differences in the forward pass decide which inputs tie, so the runs
//! drift apart into equally valid trajectories and the last epoch's F1 carries that noise.
//!
//! Run:   cargo bench -p tessera-cli --bench train
//! Needs: pip install numpy torch (CPU is enough; only this benchmark uses PyTorch);
//!        ONNX Runtime as for the tests (target/onnxruntime or $TESSERA_ONNXRUNTIME).

use std::path::{Path, PathBuf};
use std::process::Command;
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
const SEED: u64 = 0;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    let library = std::env::var_os(runtime::LIBRARY_ENV)
        .map_or_else(|| root.join("target/onnxruntime").join(runtime::LIBRARY_NAME), PathBuf::from);
    let runtime = runtime::init(&library).unwrap();
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
    let config = TrainConfig { epochs: EPOCHS, patience: 0, seed: SEED, threads: THREADS, augment: Augment::none(), ..TrainConfig::default() };

    // Everything the reference needs to train on exactly the same pixels, batches and start.
    let folder = std::env::temp_dir().join(format!("tessera-bench-train-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let tiles: Vec<u8> = (0..store.len()).flat_map(|i| store.tile(i).iter().copied()).collect();
    std::fs::write(folder.join("tiles.u8"), &tiles).unwrap();
    let state = network.initial_state(&config.optimizer, config.seed);
    let (mut values, mut index) = (Vec::new(), Vec::new());
    for named in state.params.iter().chain(&state.buffers) {
        index.push(json!({"name": named.name, "shape": named.tensor.shape, "offset": values.len()}));
        values.extend(named.tensor.data.iter().flat_map(|v| v.to_le_bytes()));
    }
    std::fs::write(folder.join("state.f32"), &values).unwrap();
    let per_epoch = split.train.len() / config.batch_size;
    let total = per_epoch * EPOCHS;
    let orders: Vec<Vec<usize>> = (1..=EPOCHS).map(|e| epoch_order(&split.train, SEED, e)).collect();
    let rates: Vec<f32> = (0..total).map(|s| config.schedule.rate(config.learning_rate, s, total)).collect();
    let counts = store.class_counts(&split.train);
    let Optimizer::AdamW { beta1, beta2, epsilon, weight_decay } = config.optimizer else { panic!("AdamW expected") };
    let data = json!({
        "tile": store.side(), "classes": store.classes(), "labels": store.labels(),
        "train": split.train, "validation": split.validation, "orders": orders, "learning_rates": rates,
        "batch_size": config.batch_size, "class_weights": class_weights(&counts, store.classes()).unwrap(),
        "adamw": {"betas": [beta1, beta2], "eps": epsilon, "weight_decay": weight_decay},
        "batchnorm": {"momentum": MOMENTUM, "eps": EPSILON}, "state": index,
        "width": CnnOptions::default().width, "depth": CnnOptions::default().depth, "threads": THREADS,
    });
    std::fs::write(folder.join("data.json"), data.to_string()).unwrap();

    let mut rounds: Vec<[f64; 3]> = Vec::new();
    let mut last: Vec<Run> = Vec::new();
    for _ in 0..ROUNDS {
        let ours = tessera_round(runtime, &network, &store, &split, &config, &job);
        let python = Command::new("python3")
            .arg(manifest.join("benches/train_baseline.py"))
            .arg(&folder)
            .env("OMP_NUM_THREADS", THREADS.to_string())
            .output()
            .unwrap();
        assert!(python.status.success(), "baseline failed: {}", String::from_utf8_lossy(&python.stderr));
        let baseline: serde_json::Value = serde_json::from_slice(&python.stdout).unwrap();
        last = vec![ours, Run::from_json(&baseline["eager"]), Run::from_json(&baseline["channels_last"])];
        rounds.push([last[0].rate, last[1].rate, last[2].rate]);
    }
    let best: Vec<f64> = (0..3).map(|i| rounds.iter().map(|r| r[i]).fold(0.0, f64::max)).collect();
    std::fs::remove_dir_all(&folder).unwrap();

    println!(
        "demo tiles: {} ({} train, {} validation), 64 px, batch {}, {EPOCHS} epochs, {THREADS} threads, best of {ROUNDS} rounds",
        store.len(),
        split.train.len(),
        split.validation.len(),
        config.batch_size
    );
    for (name, (rate, run)) in ["tessera (ONNX Runtime)", "pytorch eager (NCHW)", "pytorch channels_last"].iter().zip(best.iter().zip(&last)) {
        let list = |values: &[f64]| values.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(" ");
        println!("{name:<24} {rate:7.1} images/s   macro-F1 {:.4}", run.f1());
        println!("    training loss by epoch:   {}", list(&run.losses));
        println!("    validation F1 by epoch:   {}", list(&run.f1_by_epoch));
    }
    for (reference, name, bar) in [(1, "pytorch eager", "target"), (2, "pytorch channels_last", "next bar")] {
        let mut ratios: Vec<f64> = rounds.iter().map(|r| r[0] / r[reference]).collect();
        let listed = ratios.iter().map(|r| format!("{r:.3}")).collect::<Vec<_>>().join(" ");
        ratios.sort_by(f64::total_cmp);
        println!(
            "tessera / {name}: {:.3}× best to best, {:.3}× median of rounds ({listed})  ({bar} ≥ 1.0)",
            best[0] / best[reference],
            ratios[ratios.len() / 2]
        );
    }
    println!("macro-F1 tessera − pytorch eager: {:+.4}  (target within ±0.01)", last[0].f1() - last[1].f1());
}

/// One training run: images/s over its steps, validation macro-F1 and mean training loss of
/// each epoch.
struct Run {
    rate: f64,
    f1_by_epoch: Vec<f64>,
    losses: Vec<f64>,
}

impl Run {
    fn from_json(value: &serde_json::Value) -> Self {
        let series = |key: &str| value[key].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        Self { rate: value["rate"].as_f64().unwrap(), f1_by_epoch: series("f1_by_epoch"), losses: series("losses") }
    }

    fn f1(&self) -> f64 {
        *self.f1_by_epoch.last().unwrap()
    }
}

/// Trains once; the rate counts the steps after the first (which builds the session).
fn tessera_round(
    runtime: &runtime::Runtime,
    network: &tessera_core::graph::network::Network,
    store: &tessera_core::dataset::TileStore,
    split: &tessera_core::dataset::split::Split,
    config: &TrainConfig,
    job: &Job,
) -> Run {
    let (mut stepping, mut steps, mut last) = (Duration::ZERO, 0usize, Instant::now());
    let trained = fit(runtime, network, store, split, config, job, &mut |event| {
        let now = Instant::now();
        if let Event::Step { step, .. } = event {
            if step > 1 {
                stepping += now - last;
                steps += 1;
            }
        }
        last = now;
    })
    .unwrap();
    Run {
        rate: (steps * config.batch_size) as f64 / stepping.as_secs_f64(),
        f1_by_epoch: trained.history.iter().map(|e| e.validation_macro_f1).collect(),
        losses: trained.history.iter().map(|e| e.train_loss).collect(),
    }
}
