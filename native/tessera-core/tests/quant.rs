//! int8 models made by the core (`tessera_core::quant`): run by ONNX Runtime next to the float
//! model they come from, on tiles the networks have not seen; models made elsewhere calibrated on
//! a slide's tissue; and the refusals.

use prost::Message;
use tessera_core::dataset::TileStore;
use tessera_core::graph::cnn::CnnSpec;
use tessera_core::graph::optim::Optimizer;
use tessera_core::graph::proto::{DataType, ModelProto};
use tessera_core::graph::{Dim, GraphBuilder};
use tessera_core::model::{ClassInfo, InputSpec, Metadata, Package, Task};
use tessera_core::pipeline::int8::int8_for_slides;
use tessera_core::quant::{self, Agreement, Calibration};
use tessera_core::rng::Rng;
use tessera_core::runtime::Model;
use tessera_core::slide::BufferSource;
use tessera_core::TesseraError;

mod common;
use common::{job, runtime};

const TILE: usize = 32;

/// A float CNN with random weights and running statistics far from their initial 0 and 1, so
/// that folding the normalisation into the convolutions changes them.
fn network(residual: bool) -> Vec<u8> {
    let spec = CnnSpec { tile: TILE, classes: 3, width: 8, depth: 3, residual, channels: 3 };
    let network = spec.network().unwrap();
    let mut state = network.initial_state(&Optimizer::default(), 11);
    let mut rng = Rng::new(5);
    for buffer in &mut state.buffers {
        let variance = buffer.name.ends_with("var");
        for v in &mut buffer.tensor.data {
            *v = if variance { 0.5 + rng.uniform() as f32 } else { rng.uniform() as f32 - 0.5 };
        }
    }
    network.inference_graph(&state).unwrap()
}

/// Tiles of smooth colour gradients and stripes with noise, three kinds (labels 0–2).
fn tiles(count: usize, seed: u64) -> TileStore {
    let classes = vec!["A".to_string(), "B".to_string(), "C".to_string()];
    let mut store = TileStore::new(TILE, classes).unwrap();
    let mut rng = Rng::new(seed);
    for i in 0..count {
        let label = i % 3;
        let mut rgb = Vec::with_capacity(3 * TILE * TILE);
        for y in 0..TILE {
            for x in 0..TILE {
                let stripe = if (x + y * label) % 8 < 4 { 60.0 } else { 0.0 };
                let base = [120.0 + stripe, 80.0 + 40.0 * label as f64, 200.0 - stripe];
                for value in base {
                    rgb.push((value + 40.0 * (rng.uniform() - 0.5) + (x as f64)).clamp(0.0, 255.0) as u8);
                }
            }
        }
        store.push(&rgb, label, i as u64).unwrap();
    }
    store
}

fn ops(bytes: &[u8]) -> Vec<String> {
    ModelProto::decode(bytes).unwrap().graph.unwrap().node.into_iter().map(|n| n.op_type).collect()
}

fn count(ops: &[String], op: &str) -> usize {
    ops.iter().filter(|o| *o == op).count()
}

/// The largest difference between the two models' class probabilities on `tiles`.
fn largest_difference(float: &[u8], int8: &[u8], store: &TileStore) -> f32 {
    use tessera_core::dataset::samples::Samples;
    let all: Vec<usize> = (0..store.len()).collect();
    let (x, _) = store.batch(&all, None);
    let shape = [all.len(), 3, TILE, TILE];
    let a = Model::from_bytes(runtime(), float, 1).unwrap().run(&x, &shape).unwrap();
    let b = Model::from_bytes(runtime(), int8, 1).unwrap().run(&x, &shape).unwrap();
    assert_eq!(a.shape, b.shape);
    a.data.iter().zip(&b.data).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max)
}

#[test]
fn int8_models_answer_as_the_float_model_does() {
    let calibration = tiles(64, 1);
    let unseen = tiles(60, 2);
    let picked = quant::calibration_tiles(&(0..64).collect::<Vec<_>>(), "training tiles").unwrap();
    for residual in [false, true] {
        let float = network(residual);
        for method in Calibration::ALL {
            let int8 = quant::quantize(runtime(), &float, &calibration, &picked, method, 1, &job()).unwrap();
            let ops = ops(&int8);
            // Normalisation folded into the convolutions; every convolution and the classifier's
            // matrix product read dequantised int8 weights; the ReLUs after quantised tensors
            // are gone (a zero point of 0 clips at 0 already).
            assert_eq!(count(&ops, "BatchNormalization"), 0, "{ops:?}");
            let weighted = count(&ops, "Conv") + count(&ops, "Gemm");
            assert_eq!(weighted, if residual { 3 * 3 + 1 } else { 3 + 1 }, "{ops:?}");
            assert!(count(&ops, "DequantizeLinear") >= weighted * 2 + count(&ops, "QuantizeLinear"), "{ops:?}");
            assert_eq!(count(&ops, "Relu"), 0, "{ops:?}");
            let difference = largest_difference(&float, &int8, &unseen);
            assert!(difference < 0.05, "residual {residual}, {method:?}: probabilities differ by {difference}");
            let all: Vec<usize> = (0..unseen.len()).collect();
            let agreement = Agreement::measure(runtime(), &float, &int8, &unseen, &all, true, 1, &job()).unwrap();
            assert!(agreement.agreement >= 0.95, "{agreement:?}");
            assert!(agreement.macro_f1_float.is_some() && agreement.macro_f1_int8.is_some());
        }
    }
}

/// A model with no convolution or matrix product: mean colour → class.
fn pool_model() -> Vec<u8> {
    let mut g = GraphBuilder::new("pool");
    let x = g.input("x", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(32), Dim::Fixed(32)]);
    let pooled = g.node("GlobalAveragePool", &[&x], vec![]);
    let flat = g.node("Flatten", &[&pooled], vec![]);
    let y = g.node("Softmax", &[&flat], vec![]);
    g.output(&y, "y", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3)]);
    g.to_bytes("t")
}

#[test]
fn what_cannot_be_quantised_is_refused_with_the_reason() {
    let store = tiles(40, 3);
    let picked = quant::calibration_tiles(&(0..40).collect::<Vec<_>>(), "tiles").unwrap();
    assert_eq!(picked.len(), 40);
    // No convolution or matrix product: nothing int8 could speed up.
    match quant::quantize(runtime(), &pool_model(), &store, &picked, Calibration::MinMax, 1, &job()) {
        Err(TesseraError::IncompatibleModel(reason)) => {
            assert!(reason.contains("no convolution or matrix product"), "{reason}")
        }
        other => panic!("{:?}", other.map(|b| b.len())),
    }
    // Too few calibration tiles.
    let few = quant::calibration_tiles(&[1, 2, 3], "training tiles").unwrap_err().to_string();
    assert!(few.contains("3 training tiles are too few") && few.contains("at least 32"), "{few}");
    // Bytes that are no model.
    let error = quant::quantize(runtime(), b"garbage", &store, &picked, Calibration::MinMax, 1, &job()).unwrap_err();
    assert!(error.to_string().contains("not an ONNX model"), "{error}");
}

#[test]
fn the_guard_refuses_a_model_that_answers_differently() {
    let store = tiles(60, 4);
    let all: Vec<usize> = (0..60).collect();
    let (a, b) = (network(false), network(true));
    let measured = Agreement::measure(runtime(), &a, &b, &store, &all, true, 1, &job()).unwrap();
    let refusal = Agreement { agreement: 0.9, ..measured.clone() }.refusal().unwrap();
    assert!(refusal.contains("agrees with the float model on 90.0 % of 60 tiles"), "{refusal}");
    let lower = Agreement { agreement: 1.0, macro_f1_float: Some(0.9), macro_f1_int8: Some(0.89), ..measured };
    assert!(lower.refusal().unwrap().contains("0.8900 against the float model's 0.9000"));
    let close = Agreement { macro_f1_int8: Some(0.896), ..lower };
    assert_eq!(close.refusal(), None);
}

/// A square "slide" of `side` px at 1 µm/px, all tissue: pink with noise.
fn tissue(side: u32) -> BufferSource {
    let mut rng = Rng::new(9);
    let rgb = (0..3 * side * side)
        .map(|i| ([190.0, 110.0, 160.0][(i % 3) as usize] + 60.0 * (rng.uniform() - 0.5)) as u8)
        .collect();
    BufferSource::new("tissue", rgb, (side, side), (u64::from(side), u64::from(side)), Some(1.0)).unwrap()
}

#[test]
fn models_made_elsewhere_are_calibrated_on_tissue_tiles_or_kept_float_with_the_reason() {
    let package = |onnx| {
        let classes = ["A", "B", "C"].map(|c| ClassInfo::new(c, [0, 0, 0])).to_vec();
        let input = InputSpec::imagenet(TILE as u32, Some(1.0));
        Package::new(Metadata::new("imported", Task::TileClassification, classes, input), onnx).unwrap()
    };
    let slide = tissue(512);
    let made = int8_for_slides(runtime(), package(network(false)), &[&slide], 1, &job()).unwrap();
    let record = made.metadata().quantization.clone().unwrap();
    assert!(made.int8().is_some(), "{record:?}");
    let agreement = record.agreement.unwrap();
    // 16² tissue tiles: every other one calibrates, the rest check; no labels, so no macro-F1.
    assert_eq!((record.calibration_tiles, agreement.tiles), (128, 128));
    assert_eq!((agreement.macro_f1_float, agreement.macro_f1_int8), (None, None));
    // Nothing to quantise: the package keeps its float model and says why.
    let kept = int8_for_slides(runtime(), package(pool_model()), &[&slide], 1, &job()).unwrap();
    let reason = kept.metadata().quantization.clone().unwrap().reason;
    assert!(kept.int8().is_none() && reason.contains("cannot be quantised: it has no convolution"), "{reason}");
    // Too few tissue tiles to calibrate on.
    let error = int8_for_slides(runtime(), package(network(false)), &[&tissue(128)], 1, &job()).unwrap_err();
    assert!(
        error.to_string().contains("8 tissue tiles of the slides") && error.to_string().contains("too few"),
        "{error}"
    );
}
