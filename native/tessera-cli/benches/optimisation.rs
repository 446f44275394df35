//! The model alone at ONNX Runtime's EXTENDED optimisation level (what inference sessions used
//! before), at the ALL level they use now, and quantised to int8 by the core (calibrated on 64
//! tiles of pixel noise: speed only, accuracy is the guard's business), in one process on the
//! same batches: the ResNet-18-shaped model of the `apply` bench (224 px, batch 32, 2 threads,
//! random weights), the default CNN `tessera train` builds (64 px) and the same twice as wide.
//! Prints tiles/s, the ratios to EXTENDED and the largest difference between the float levels'
//! outputs; a measurement, not a test.
//!
//! Run: cargo bench -p tessera-cli --bench optimisation

use std::time::Instant;

use tessera_core::dataset::TileStore;
use tessera_core::graph::cnn::CnnSpec;
use tessera_core::graph::optim::Optimizer;
use tessera_core::job::{CancelToken, Job, Silent};
use tessera_core::quant::{self, Calibration};
use tessera_core::runtime::{self, Device, Model, Optimisation};

#[path = "common/resnet.rs"]
mod resnet;

const BATCH: usize = 32;
const THREADS: usize = 2;
const BATCHES: usize = 8;
const ROUNDS: usize = 3;

fn main() {
    let runtime = runtime::init(&runtime::locate().unwrap()).unwrap();
    let cnn = |width: usize| {
        let network = CnnSpec { tile: 64, classes: 3, width, ..Default::default() }.network().unwrap();
        network.inference_graph(&network.initial_state(&Optimizer::default(), 1)).unwrap()
    };
    println!(
        "{BATCH} tiles a batch, {BATCHES} batches, {THREADS} ONNX Runtime threads, best of {ROUNDS} interleaved rounds"
    );
    let models = [
        ("ResNet-18-shaped, 224 px", resnet::resnet18(2), 224),
        ("default CNN, 64 px", cnn(16), 64),
        ("CNN --width 32, 64 px", cnn(32), 64),
    ];
    for (name, bytes, tile) in models {
        let data: Vec<f32> = (0..BATCH * 3 * tile * tile).map(|i| ((i * 7919 % 2000) as f32 / 1000.0) - 1.0).collect();
        let shape = [BATCH, 3, tile, tile];
        let int8 = int8(runtime, &bytes, tile);
        let [extended, all] = [Optimisation::Extended, Optimisation::All]
            .map(|level| Model::from_bytes_with(runtime, &bytes, THREADS, Device::Cpu, level).unwrap());
        let models = [extended, all, Model::from_bytes(runtime, &int8, THREADS).unwrap()];
        let outputs = models.each_ref().map(|model| model.run(&data, &shape).unwrap().data);
        let difference = outputs[0].iter().zip(&outputs[1]).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        let mut best = [0.0f64; 3];
        for _ in 0..ROUNDS {
            for (best, model) in best.iter_mut().zip(&models) {
                let start = Instant::now();
                for _ in 0..BATCHES {
                    std::hint::black_box(model.run(&data, &shape).unwrap());
                }
                *best = best.max((BATCH * BATCHES) as f64 / start.elapsed().as_secs_f64());
            }
        }
        let [extended, all, int8] = best;
        println!(
            "{name:<26} EXTENDED {extended:7.1} tiles/s   ALL {all:7.1} tiles/s {:.2}×   int8 {int8:7.1} tiles/s {:.2}×   \
             float outputs differ by at most {difference:.1e}",
            all / extended,
            int8 / extended
        );
    }
}

/// `float` quantised to int8, calibrated on 64 tiles of pixel noise of side `tile`.
fn int8(runtime: &runtime::Runtime, float: &[u8], tile: usize) -> Vec<u8> {
    let mut store = TileStore::new(tile, vec!["a".into(), "b".into()]).unwrap();
    for i in 0..64u64 {
        let rgb: Vec<u8> = (0..3 * tile * tile).map(|p| ((p as u64 * 2654435761 + i * 97) >> 7) as u8).collect();
        store.push(&rgb, (i % 2) as usize, i).unwrap();
    }
    let tiles = quant::calibration_tiles(&(0..64).collect::<Vec<_>>(), "noise tiles").unwrap();
    let job = Job::new(CancelToken::new(), &Silent);
    quant::quantize(runtime, float, &store, &tiles, Calibration::MinMax, THREADS, &job).unwrap()
}
