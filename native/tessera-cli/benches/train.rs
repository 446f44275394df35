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

use std::path::Path;

use serde_json::json;
use tessera_core::dataset::balance::class_weights;
use tessera_core::dataset::split::{grouped_split, Split};
use tessera_core::dataset::TileStore;
use tessera_core::graph::network::Network;
use tessera_core::pipeline::{collect, CnnOptions};
use tessera_core::train::fit::TrainConfig;

#[path = "common/demo.rs"]
mod demo;
use demo::Demo;
#[path = "common/lockstep.rs"]
mod lockstep;
use lockstep::{epoch_ratios, lockstep_config, mean, median, reference_inputs, Round, Run};

const EPOCHS: usize = 8;
const THREADS: usize = 2;
const ROUNDS: usize = 3;
/// The seed of the split.
const SEED: u64 = 0;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = Demo::load();
    let (runtime, job) = (demo.runtime, &demo.job);
    let store = collect(&[demo.labelled()], &Demo::tile_spec(), job).unwrap().store;
    let split = grouped_split(&store, 0.25, SEED).unwrap();
    let network = CnnOptions::default().network(&store).unwrap();
    let base = lockstep_config(EPOCHS, THREADS);
    let folder = std::env::temp_dir().join(format!("tessera-bench-train-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let tiles: Vec<u8> = (0..store.len()).flat_map(|i| store.tile(i).iter().copied()).collect();
    std::fs::write(folder.join("tiles.u8"), &tiles).unwrap();
    let script = manifest.join("benches/train_baseline.py");
    // Each round trains from its own seed (initial weights, batch order): the last epoch's F1 of
    // one run carries the noise of its trajectory, their mean much less.
    let rounds: Vec<Vec<Run>> = (0..ROUNDS as u64)
        .map(|seed| {
            let config = TrainConfig { seed, ..base.clone() };
            write_reference_inputs(&folder, &network, &store, &split, &config);
            let round = Round {
                runtime,
                network: &network,
                data: &store,
                split: &split,
                config: &config,
                job,
                script: &script,
                folder: &folder,
                models: &["eager", "channels_last"],
                score: |record| record.validation_macro_f1,
            };
            round.run()
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
        let f1s: Vec<f64> = rounds.iter().map(|r| r[i].last()).collect();
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
        println!("    validation F1 by epoch, seed {}:  {}", ROUNDS - 1, list(&last[i].scores));
    }
    for (reference, bar) in [(1, "target"), (2, "next bar")] {
        let ratios = epoch_ratios(&rounds, 0, reference);
        let (low, high) = (ratios.iter().copied().fold(f64::MAX, f64::min), ratios.iter().copied().fold(0.0, f64::max));
        println!(
            "tessera / {}: {:.3}× median of {} epochs (from {low:.3} to {high:.3})  ({bar} ≥ 1.0)",
            names[reference].split(" (").next().unwrap_or_default(),
            median(ratios.clone()),
            ratios.len()
        );
    }
    let f1 = |i: usize| mean(&rounds.iter().map(|r| r[i].last()).collect::<Vec<_>>());
    println!("macro-F1 tessera − pytorch eager: {:+.4}  (target within ±0.01)", f1(0) - f1(1));
    println!(
        "macro-F1 pytorch channels_last − pytorch eager: {:+.4}  (the same training, another memory layout)",
        f1(2) - f1(1)
    );
}

/// What the reference reads besides the tiles and the fields every reference reads: labels,
/// classes and the CNN's shape.
fn write_reference_inputs(folder: &Path, network: &Network, store: &TileStore, split: &Split, config: &TrainConfig) {
    let weights = class_weights(&store.class_counts(&split.train), store.classes()).unwrap();
    let mut data = reference_inputs(folder, network, split, config, &weights);
    let cnn = CnnOptions::default();
    data.extend([
        ("tile".into(), json!(store.side())),
        ("classes".into(), json!(store.classes())),
        ("labels".into(), json!(store.labels())),
        ("width".into(), json!(cnn.width)),
        ("depth".into(), json!(cnn.depth)),
    ]);
    std::fs::write(folder.join("data.json"), serde_json::Value::Object(data).to_string()).unwrap();
}
