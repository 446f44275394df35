//! Measures the training step of the default CNN: images per second for batches of 32 RGB
//! 64×64 tiles with AdamW on 2 threads (`cargo run --release --example train_step_throughput`;
//! `TESSERA_ONNXRUNTIME` names the ONNX Runtime library, else the repository's copy is used).

use std::path::PathBuf;
use std::time::Instant;

use tessera_core::graph::cnn::CnnSpec;
use tessera_core::graph::optim::Optimizer;
use tessera_core::rng::Rng;
use tessera_core::runtime;
use tessera_core::train::step::Stepper;

fn main() -> tessera_core::Result<()> {
    let library = std::env::var_os(runtime::LIBRARY_ENV).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/onnxruntime").join(runtime::LIBRARY_NAME)
    });
    let runtime = runtime::init(&library)?;
    let spec = CnnSpec { classes: 3, ..CnnSpec::default() };
    let network = spec.network()?;
    let optimizer = Optimizer::default();
    let state = network.initial_state(&optimizer, 1);
    let mut stepper = Stepper::new(runtime, &network, &optimizer, &[1.0; 3], state, 2)?;
    let (batch, warmup, steps) = (32, 3, 20);
    let mut rng = Rng::new(2);
    let x: Vec<f32> = (0..batch * 3 * spec.tile * spec.tile).map(|_| rng.normal() as f32).collect();
    let labels: Vec<i64> = (0..batch).map(|i| (i % 3) as i64).collect();
    for _ in 0..warmup {
        stepper.step(&x, &labels, 1e-3)?;
    }
    let start = Instant::now();
    for _ in 0..steps {
        stepper.step(&x, &labels, 1e-3)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "default CNN {spec:?}: {:.1} ms/step, {:.0} images/s (batch {batch}, 2 threads)",
        1e3 * seconds / steps as f64,
        (steps * batch) as f64 / seconds
    );
    Ok(())
}
