//! U-Net training throughput and quality: Tessera's segmentation training against a PyTorch CPU
//! reference that trains the same U-Net on the same patches. A measurement, not a test.
//!
//! The demo slide's annotations are cut into patches as `tessera demo --task segmentation` cuts
//! them (`collect_patches`: 64 px at 1 µm/px, overlap 0.5, minimum coverage 0.25, each patch's
//! label mask from its own polygon, the other pixels unlabelled) and split once, grouped by
//! polygon (a quarter of the polygons held out). The network is the default U-Net (width 16,
//! depth 3, class-weighted cross-entropy + soft Dice over the labelled pixels); the reference is
//! `unet_reference.py`'s network and loss, driven by `unet_train_baseline.py`. Both sides start
//! from the same initial weights (written by Tessera), visit the same batches in the same order
//! (32 patches, no augmentation), follow the same cosine learning rates and class weights (by
//! labelled pixels), and use AdamW with Tessera's defaults (decay on convolution weights only),
//! batch normalisation with momentum 0.1 and ε 1e-5, and 2 threads. As in the `train` bench,
//! the two trainings run in lockstep, one epoch of each in turn, and the speed ratio is the median
//! over all rounds' epochs of the epoch's ratio (this machine's speed drifts over minutes; an
//! epoch pair, seconds apart, sees the most similar machine). Images/s counts the steps only
//! (batch assembly included; validation and each epoch's first step excluded). Each round starts
//! from its own seed (initial weights and batch order; the split stays). Quality is the
//! validation mean IoU over the labelled pixels, compared as the mean over all rounds and epochs
//! of Tessera's minus PyTorch's: the runs agree to float rounding at first, then drift apart
//! (max-pooling ties, last bits) into equally valid trajectories, and the validation mean IoU of
//! these 4 held-out polygons swings by up to ±0.2 from one epoch to the next, so that the last
//! epoch alone (printed too, averaged over the rounds) differs by a few hundredths by chance
//! once two trajectories have drifted apart (0.513 against 0.481 in one round). The training loss and validation mean IoU of every
//! epoch are printed too.
//!
//! Run:   cargo bench -p tessera-cli --bench unet_train
//! Needs: pip install numpy torch (CPU is enough); ONNX Runtime as for the tests.
//!
//! Where the time goes: `TESSERA_PROFILE=FOLDER cargo bench -p tessera-cli --bench unet_train`
//! only writes Tessera's training graph and the reference's inputs (seed 0) into FOLDER, for
//! `python3 benches/unet_profile.py FOLDER` (needs pip install onnxruntime too).

use std::path::Path;

use serde_json::json;
use tessera_core::dataset::balance::class_weights;
use tessera_core::dataset::split::{grouped_split, Split};
use tessera_core::dataset::TileStore;
use tessera_core::graph::network::Network;
use tessera_core::pipeline::{collect_patches, UNetOptions};
use tessera_core::train::fit::TrainConfig;

#[path = "common/demo.rs"]
mod demo;
use demo::Demo;
#[path = "common/lockstep.rs"]
mod lockstep;
use lockstep::{epoch_ratios, lockstep_config, mean, median, reference_inputs, Round, Run};

const EPOCHS: usize = 8;
const THREADS: usize = 2;
const ROUNDS: usize = 5;
/// The seed of the split.
const SEED: u64 = 0;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = Demo::load();
    let (runtime, job) = (demo.runtime, &demo.job);
    let store = collect_patches(&[demo.labelled()], &Demo::patch_spec(), job).unwrap().store;
    let split = grouped_split(&store, 0.25, SEED).unwrap();
    let unet = UNetOptions::default();
    let network = unet.spec(store.side(), store.classes().len()).network().unwrap();
    let base = lockstep_config(EPOCHS, THREADS);
    if let Some(profile) = std::env::var_os("TESSERA_PROFILE") {
        // What unet_profile.py profiles: the reference's inputs and Tessera's training graph.
        let profile = Path::new(&profile);
        write_patches(profile, &store);
        let weights = write_reference_inputs(profile, &network, &store, &split, &base, &unet);
        let block = tessera_core::train::blocked::block_size(runtime);
        let graph = network.training_graph(&base.optimizer, &weights, block).unwrap();
        std::fs::write(profile.join("training.onnx"), graph).unwrap();
        println!("wrote the training graph and its inputs into {}", profile.display());
        return;
    }
    let folder = std::env::temp_dir().join(format!("tessera-bench-unet-train-{}", std::process::id()));
    write_patches(&folder, &store);
    let script = manifest.join("benches/unet_train_baseline.py");
    let rounds: Vec<Vec<Run>> = (0..ROUNDS as u64)
        .map(|seed| {
            let config = TrainConfig { seed, ..base.clone() };
            write_reference_inputs(&folder, &network, &store, &split, &config, &unet);
            let round = Round {
                runtime,
                network: &network,
                data: &store,
                split: &split,
                config: &config,
                job,
                script: &script,
                folder: &folder,
                models: &["eager"],
                score: |record| record.validation_mean_iou.unwrap(),
            };
            round.run()
        })
        .collect();
    std::fs::remove_dir_all(&folder).unwrap();

    let pixels = |indices: &[usize]| store.pixel_counts(indices).iter().sum::<usize>();
    println!(
        "demo patches: {} ({} train, {} validation; {} and {} labelled px), 64 px at 1 µm/px, U-Net width {} depth {}, \
         batch {}, {EPOCHS} epochs, {THREADS} threads, {ROUNDS} rounds in lockstep",
        store.len(),
        split.train.len(),
        split.validation.len(),
        pixels(&split.train),
        pixels(&split.validation),
        unet.width,
        unet.depth,
        base.batch_size
    );
    let list = |values: &[f64]| values.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(" ");
    for (i, name) in ["tessera (ONNX Runtime)", "pytorch eager (NCHW)"].iter().enumerate() {
        let rates: Vec<f64> = rounds.iter().flat_map(|r| r[i].rates.iter().copied()).collect();
        let scores: Vec<f64> = rounds.iter().map(|r| r[i].last()).collect();
        println!(
            "{name:<24} {:7.1} images/s (median epoch)   mIoU {:.4} (mean of {ROUNDS} seeds)",
            median(rates),
            mean(&scores)
        );
        for (r, round) in rounds.iter().enumerate() {
            let rates: Vec<String> = round[i].rates.iter().map(|v| format!("{v:.1}")).collect();
            println!("    seed {r}: images/s by epoch {}", rates.join(" "));
            println!("    seed {r}: training loss by epoch {}", list(&round[i].losses));
            println!("    seed {r}: validation mIoU by epoch {}", list(&round[i].scores));
        }
    }
    let ratios = epoch_ratios(&rounds, 0, 1);
    let (low, high) = (ratios.iter().copied().fold(f64::MAX, f64::min), ratios.iter().copied().fold(0.0, f64::max));
    println!(
        "tessera / pytorch eager: {:.3}× median of {} epochs (from {low:.3} to {high:.3})  (target ≥ 1.0)",
        median(ratios.clone()),
        ratios.len()
    );
    let differences: Vec<f64> =
        rounds.iter().flat_map(|r| r[0].scores.iter().zip(&r[1].scores).map(|(a, b)| a - b)).collect();
    let last = |i: usize| mean(&rounds.iter().map(|r| r[i].last()).collect::<Vec<_>>());
    println!(
        "mIoU tessera − pytorch eager: {:+.4} mean of {} epochs (target within ±0.01); last epoch {:+.4}",
        mean(&differences),
        differences.len(),
        last(0) - last(1)
    );
}

/// Writes the patches and their masks into `folder` (created if missing).
fn write_patches(folder: &Path, store: &TileStore) {
    std::fs::create_dir_all(folder).unwrap();
    let patches: Vec<u8> = (0..store.len()).flat_map(|i| store.tile(i).iter().copied()).collect();
    let masks: Vec<u8> = (0..store.len()).flat_map(|i| store.mask(i).unwrap().iter().copied()).collect();
    std::fs::write(folder.join("patches.u8"), &patches).unwrap();
    std::fs::write(folder.join("masks.u8"), &masks).unwrap();
}

/// What the reference reads besides the patches, their masks and the fields every reference
/// reads: classes, patch side and the U-Net's shape and loss. Returns the class weights.
fn write_reference_inputs(
    folder: &Path,
    network: &Network,
    store: &TileStore,
    split: &Split,
    config: &TrainConfig,
    unet: &UNetOptions,
) -> Vec<f32> {
    let weights = class_weights(&store.pixel_counts(&split.train), store.classes()).unwrap();
    let mut data = reference_inputs(folder, network, split, config, &weights);
    data.extend([
        ("patch".into(), json!(store.side())),
        ("classes".into(), json!(store.classes())),
        ("depth".into(), json!(unet.depth)),
        ("loss".into(), json!(unet.loss)),
    ]);
    std::fs::write(folder.join("data.json"), serde_json::Value::Object(data).to_string()).unwrap();
    weights
}
