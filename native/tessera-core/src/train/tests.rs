//! Training on a small synthetic problem that needs spatial features: tiles of fine stripes,
//! coarse stripes or plain noise, in random colours, orientations and phases.

use super::fit::{fit, Event, TrainConfig};
use super::schedule::Schedule;
use super::testing::runtime;
use crate::dataset::split::{grouped_folds, grouped_split, Split};
use crate::dataset::TileStore;
use crate::graph::cnn::CnnSpec;
use crate::graph::network::Network;
use crate::job::{CancelToken, Job, Silent};
use crate::rng::Rng;
use crate::TesseraError;

const SIDE: usize = 16;

/// One tile of `class`: 0 fine stripes (period 4), 1 coarse stripes (period 8), 2 no stripes.
fn tile(class: usize, rng: &mut Rng) -> Vec<u8> {
    let colour = |rng: &mut Rng| -> [f64; 3] { [0; 3].map(|_: u8| 40.0 + 100.0 * rng.uniform()) };
    let (background, mut foreground) = (colour(rng), colour(rng));
    foreground.iter_mut().for_each(|c| *c += 80.0);
    let (vertical, phase) = (rng.below(2) == 1, rng.below(8));
    let mut pixels = Vec::with_capacity(SIDE * SIDE * 3);
    for y in 0..SIDE {
        for x in 0..SIDE {
            let t = if vertical { x } else { y } + phase;
            let on = match class {
                0 => t % 4 < 2,
                1 => t % 8 < 4,
                _ => rng.below(2) == 1,
            };
            let base = if on { foreground } else { background };
            pixels.extend(base.map(|c| (c + 30.0 * (rng.uniform() - 0.5)).clamp(0.0, 255.0) as u8));
        }
    }
    pixels
}

/// 12 groups of 8 tiles per class.
fn store() -> TileStore {
    let mut store = TileStore::new(SIDE, vec!["fine".into(), "coarse".into(), "plain".into()]).unwrap();
    let mut rng = Rng::new(42);
    for class in 0..3 {
        for group in 0..12 {
            for _ in 0..8 {
                store.push(&tile(class, &mut rng), class, (class * 100 + group) as u64).unwrap();
            }
        }
    }
    store
}

fn network() -> Network {
    CnnSpec { tile: SIDE, classes: 3, width: 8, depth: 2, ..CnnSpec::default() }.network().unwrap()
}

fn config(epochs: usize) -> TrainConfig {
    TrainConfig { epochs, batch_size: 16, learning_rate: 5e-3, patience: 0, seed: 1, ..TrainConfig::default() }
}

fn setup() -> (TileStore, Split, Network) {
    let store = store();
    let split = grouped_split(&store, 0.25, 7).unwrap();
    (store, split, network())
}

#[test]
fn a_small_cnn_learns_stripes_far_above_chance() {
    let (store, split, network) = setup();
    let (mut steps, mut epochs) = (0, 0);
    let job = Job::new(CancelToken::new(), &Silent);
    let trained = fit(runtime(), &network, &store, &split, &config(12), &job, &mut |event| match event {
        Event::Step { .. } => steps += 1,
        Event::Epoch(record) => {
            epochs += 1;
            eprintln!("{record:?}");
        }
    })
    .unwrap();
    let best = &trained.history[trained.best_epoch - 1];
    assert_eq!((epochs, steps), (12, 12 * (split.train.len() / 16)));
    assert!(
        best.validation_macro_f1 >= 0.85,
        "best validation macro-F1 {:.3} (chance ≈ 0.33)",
        best.validation_macro_f1
    );
    assert!(trained.history.last().unwrap().train_loss < trained.history[0].train_loss / 2.0);
}

#[test]
fn the_same_seed_trains_the_same_model() {
    let (store, split, network) = setup();
    let job = Job::new(CancelToken::new(), &Silent);
    let run = |seed| {
        let config = TrainConfig { seed, ..config(2) };
        fit(runtime(), &network, &store, &split, &config, &job, &mut |_| {}).unwrap()
    };
    let (a, b, c) = (run(3), run(3), run(4));
    assert_eq!(a.history, b.history);
    assert_eq!(a.state, b.state);
    assert_ne!(a.state.params, c.state.params);
}

#[test]
fn cancellation_stops_between_steps() {
    let (store, split, network) = setup();
    let token = CancelToken::new();
    let job = Job::new(token.clone(), &Silent);
    let mut seen = 0;
    let result = fit(runtime(), &network, &store, &split, &config(3), &job, &mut |event| {
        if let Event::Step { .. } = event {
            seen += 1;
            token.cancel();
        }
    });
    assert!(matches!(result, Err(TesseraError::Cancelled)), "{:?}", result.err());
    assert_eq!(seen, 1);
}

#[test]
fn divergence_stops_and_says_so() {
    let (store, split, network) = setup();
    let job = Job::new(CancelToken::new(), &Silent);
    let config = TrainConfig { learning_rate: 1e30, schedule: Schedule::Constant, ..config(3) };
    let trained = fit(runtime(), &network, &store, &split, &config, &job, &mut |_| {}).unwrap();
    assert!(trained.stopped.as_deref().is_some_and(|s| s.contains("diverged")), "{:?}", trained.stopped);
    // The first step's update is huge but finite; the second step's loss is not: the kept
    // state is the last one whose loss was finite.
    assert_eq!((trained.best_epoch, trained.history.len()), (0, 0));
    assert!(trained.state.iter().all(|n| n.tensor.data.iter().all(|v| v.is_finite())));
}

#[test]
fn a_single_class_is_nothing_to_learn() {
    let (store, _, network) = setup();
    let fine: Vec<usize> = (0..store.len()).filter(|&i| store.labels()[i] == 0).collect();
    let split = Split { train: fine[8..].to_vec(), validation: fine[..8].to_vec() };
    let job = Job::new(CancelToken::new(), &Silent);
    let err = fit(runtime(), &network, &store, &split, &config(1), &job, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("nothing to learn"), "{err}");
}

#[test]
fn early_stopping_keeps_the_best_epoch() {
    let (store, split, network) = setup();
    let job = Job::new(CancelToken::new(), &Silent);
    // Learning rate 0: nothing improves after the first epochs, so patience 2 runs out.
    let config = TrainConfig { learning_rate: 0.0, patience: 2, ..config(10) };
    let trained = fit(runtime(), &network, &store, &split, &config, &job, &mut |_| {}).unwrap();
    assert!(trained.history.len() < 10, "{} epochs", trained.history.len());
    assert!(trained.stopped.as_deref().is_some_and(|s| s.starts_with("stopped early")), "{:?}", trained.stopped);
    let best = trained.history.iter().map(|r| r.validation_macro_f1).fold(f64::MIN, f64::max);
    assert_eq!(trained.history[trained.best_epoch - 1].validation_macro_f1, best);
    assert_eq!(trained.history.len(), trained.best_epoch + 2);
}

#[test]
fn cross_validation_reports_every_fold() {
    let (store, _, network) = setup();
    let job = Job::new(CancelToken::new(), &Silent);
    let splits = grouped_folds(&store, 3, 1).unwrap();
    let folds =
        super::cv::cross_validate(runtime(), &network, &store, &splits, &config(4), &job, &mut |_, _| {}).unwrap();
    assert_eq!(folds.len(), 3);
    assert_eq!(folds.iter().map(|f| f.report.tiles).sum::<usize>(), store.len());
    for fold in &folds {
        let f1 = fold.report.macro_f1;
        assert!(f1.value >= 0.7 && f1.ci95.low <= f1.value && f1.value <= f1.ci95.high, "{f1:?}");
    }
}
