//! The ONNX Runtime wrapper against the real library (fetched by scripts/fetch-onnxruntime.sh).

use tessera_core::graph::probe;
use tessera_core::job::{CancelToken, Job, Silent};
use tessera_core::runtime::{self, Model};
use tessera_core::TesseraError;

mod common;
use common::runtime;

/// softmax(x·W + b) computed directly, in f64.
fn reference(x: &[f32], w: &[f32], b: &[f32], features: usize) -> Vec<f32> {
    let classes = b.len();
    x.chunks(features)
        .flat_map(|row| {
            let logits: Vec<f64> = (0..classes)
                .map(|c| b[c] as f64 + (0..features).map(|f| row[f] as f64 * w[f * classes + c] as f64).sum::<f64>())
                .collect();
            let max = logits.iter().cloned().fold(f64::MIN, f64::max);
            let sum: f64 = logits.iter().map(|l| (l - max).exp()).sum();
            logits.into_iter().map(move |l| ((l - max).exp() / sum) as f32)
        })
        .collect()
}

#[test]
fn probe_model_matches_the_reference() {
    let (features, w, b) = (3, vec![0.5, -1.0, 2.0, 0.25, 1.5, -0.75], vec![0.1, -0.2]);
    let model = Model::from_bytes(runtime(), &probe::linear_softmax(&w, &b, features).unwrap(), 1).unwrap();
    let x = vec![1.0, 2.0, 3.0, -1.0, 0.5, 4.0];
    let out = model.run(&x, &[2, features]).unwrap();
    assert_eq!(out.shape, vec![2, 2]);
    for (got, want) in out.data.iter().zip(reference(&x, &w, &b, features)) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
}

#[test]
fn rows_in_batches_equal_one_run() {
    let (features, w, b) = (2, vec![1.0, -1.0, 0.5, 2.0, -0.5, 0.0], vec![0.0, 0.1, 0.2]);
    let model = Model::from_bytes(runtime(), &probe::linear_softmax(&w, &b, features).unwrap(), 1).unwrap();
    let rows: Vec<f32> = (0..20).map(|i| i as f32 / 7.0).collect();
    let whole = model.run(&rows, &[10, features]).unwrap();
    let batched = model.run_rows(&rows, features, 3, &Job::new(CancelToken::new(), &Silent)).unwrap();
    assert_eq!(batched, whole);
}

#[test]
fn cancelled_job_stops_before_running() {
    let model = Model::from_bytes(runtime(), &probe::linear_softmax(&[1.0], &[0.0], 1).unwrap(), 1).unwrap();
    let token = CancelToken::new();
    token.cancel();
    let result = model.run_rows(&[1.0; 8], 1, 2, &Job::new(token, &Silent));
    assert!(matches!(result, Err(TesseraError::Cancelled)));
}

#[test]
fn corrupt_model_is_refused_as_incompatible() {
    let err = Model::from_bytes(runtime(), b"definitely not protobuf", 1).err().unwrap();
    assert!(matches!(err, TesseraError::IncompatibleModel(_)), "{err}");
}

#[test]
fn wrong_input_size_is_an_error_not_a_crash() {
    let model = Model::from_bytes(runtime(), &probe::linear_softmax(&[1.0, 2.0], &[0.0], 2).unwrap(), 1).unwrap();
    let err = model.run(&[1.0, 2.0, 3.0], &[1, 3]).unwrap_err();
    assert!(matches!(err, TesseraError::Runtime(_)), "{err}");
}

#[test]
fn thread_counts_are_capped_at_the_cores() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    assert_eq!(runtime::capped_threads(0), 1);
    assert_eq!(runtime::capped_threads(10_000), cores);
    assert_eq!(runtime::capped_threads(1), 1);
}

/// Models are fully optimised (NCHWc convolutions and all) and predict what the EXTENDED level,
/// which training keeps, predicts: the CNN and the residual network Tessera trains, to rounding.
#[test]
fn full_optimisation_predicts_what_the_extended_level_does() {
    use tessera_core::graph::cnn::CnnSpec;
    use tessera_core::graph::optim::Optimizer;
    use tessera_core::runtime::{Device, Optimisation};
    for spec in [
        CnnSpec { tile: 32, classes: 3, width: 8, depth: 3, ..Default::default() },
        CnnSpec { tile: 32, classes: 4, width: 8, depth: 2, residual: true, ..Default::default() },
    ] {
        let network = spec.network().unwrap();
        let bytes = network.inference_graph(&network.initial_state(&Optimizer::default(), 3)).unwrap();
        let input: Vec<f32> = (0..5 * 3 * 32 * 32).map(|i| ((i * 7919 % 1000) as f32 / 500.0) - 1.0).collect();
        let run = |optimisation| {
            let model = Model::from_bytes_with(runtime(), &bytes, 2, Device::Cpu, optimisation).unwrap();
            model.run(&input, &[5, 3, 32, 32]).unwrap().data
        };
        let (all, extended) = (run(Optimisation::All), run(Optimisation::Extended));
        assert_eq!(all.len(), 5 * spec.classes);
        let worst = all.iter().zip(&extended).map(|(a, e)| (a - e).abs()).fold(0.0f32, f32::max);
        assert!(worst <= 1e-5, "{spec:?}: outputs differ by {worst}");
        assert_eq!(Optimisation::default(), Optimisation::All);
    }
}
