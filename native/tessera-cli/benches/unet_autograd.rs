//! Every gradient of Tessera's U-Net training graph against PyTorch's float64 autograd of the
//! same network, loss and batch. A check run outside the test suite, because it needs PyTorch.
//!
//! For U-Nets one and two levels deep (8×8 RGB, 3 classes, width 3, batch 6 with a quarter of
//! the pixels unlabelled) and each pixel loss, Tessera's gradient graph (f32, ONNX Runtime) runs
//! from seeded initial weights; `unet_reference.py` rebuilds the network from the same tensors
//! in float64 and differentiates it. Each parameter's worst relative difference (largest absolute
//! difference over its gradient's largest value) is printed; the run fails above 10⁻⁵, which f32
//! rounding stays far below and any wrong rule far above. The unit tests' finite differences are
//! coarser for the U-Net (its many ReLU kinks), hence this check.
//!
//! Run:   cargo bench -p tessera-cli --bench unet_autograd
//! Needs: pip install numpy torch (CPU is enough); ONNX Runtime as for the tests.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Map, Value};
use tessera_core::graph::layers::PixelLoss;
use tessera_core::graph::network::Named;
use tessera_core::graph::optim::Optimizer;
use tessera_core::graph::unet::UNetSpec;
use tessera_core::rng::Rng;
use tessera_core::runtime;
use tessera_core::train::session::{Feed, GraphSession};

const BATCH: usize = 6;
const WEIGHTS: [f32; 3] = [1.0, 0.5, 2.0];
const TOLERANCE: f64 = 1e-5;

fn named(tensors: &[Named]) -> Map<String, Value> {
    tensors.iter().map(|n| (n.name.clone(), json!({"shape": n.tensor.shape, "data": n.tensor.data}))).collect()
}

fn main() {
    let runtime = runtime::init(&runtime::locate().unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/unet_reference.py");
    let dir = std::env::temp_dir().join(format!("tessera-unet-autograd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut worst_overall: f64 = 0.0;
    for depth in [1, 2] {
        for (seed, loss) in
            [PixelLoss::CrossEntropy, PixelLoss::Dice, PixelLoss::CrossEntropyDice].into_iter().enumerate()
        {
            let spec = UNetSpec { channels: 3, patch: 8, classes: 3, width: 3, depth, loss };
            let network = spec.network().unwrap();
            let state = network.initial_state(&Optimizer::default(), seed as u64);
            let mut rng = Rng::new(100 + seed as u64);
            let x: Vec<f32> = (0..BATCH * 3 * 64).map(|_| rng.normal() as f32).collect();
            let labels: Vec<i64> = (0..BATCH * 64).map(|_| rng.below(4) as i64 - 1).collect();
            let mut session = GraphSession::new(runtime, &network.gradient_graph(&WEIGHTS).unwrap(), 2).unwrap();
            let mut feeds =
                vec![Feed::f32("input", &[BATCH, 3, 8, 8], &x), Feed::i64("labels", &[BATCH, 8, 8], &labels)];
            feeds.extend(
                state.params.iter().chain(&state.buffers).map(|n| Feed::f32(&n.name, &n.tensor.shape, &n.tensor.data)),
            );
            let out = session.run(&feeds).unwrap();
            let gradients: Map<String, Value> =
                state.params.iter().zip(&out[1..]).map(|(p, g)| (p.name.clone(), json!(g.data))).collect();
            let doc = json!({
                "depth": depth, "loss_kind": loss, "input_shape": [BATCH, 3, 8, 8], "label_shape": [BATCH, 8, 8],
                "x": x, "labels": labels, "class_weights": WEIGHTS, "params": named(&state.params),
                "buffers": named(&state.buffers), "loss": out[0].data[0], "gradients": gradients,
            });
            let path = dir.join(format!("unet-{depth}-{seed}.json"));
            std::fs::write(&path, doc.to_string()).unwrap();
            let run = Command::new("python3").arg(&script).arg("gradients").arg(&path).output().unwrap();
            assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
            let report: Value = serde_json::from_slice(&run.stdout).unwrap();
            let worst = report["worst"].as_object().unwrap();
            let (name, error) =
                worst.iter().map(|(k, v)| (k.clone(), v.as_f64().unwrap())).max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
            println!(
                "depth {depth}, {loss:?}: loss {:.7} (Tessera f32) vs {:.7} (PyTorch f64); {} gradients, worst {error:.1e} ({name})",
                out[0].data[0],
                report["torch_loss"].as_f64().unwrap(),
                worst.len()
            );
            worst_overall = worst_overall.max(error);
        }
    }
    println!("worst relative difference of any gradient: {worst_overall:.1e} (bound {TOLERANCE:.0e})");
    std::fs::remove_dir_all(&dir).ok();
    assert!(worst_overall < TOLERANCE);
}
