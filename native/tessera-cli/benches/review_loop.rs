//! Does the review loop pay off? (#14) On the demo slide's annotations: some polygons of each class
//! are held out as a fixed test set; the model starts from a few tiles of one polygon per class (a
//! small first annotation), then each round adds N tiles with their true labels (the held-back
//! annotations' classes) and trains again from scratch. Uncertainty-guided rounds add the N tiles `tessera review` would suggest
//! (highest entropy, spread out: `review::spread_top`); random rounds add N tiles drawn at random
//! (mean over several draws). Prints macro-F1 on the test polygons against the number of labelled
//! tiles for both, and how many labels the guided loop needed to reach the random loop's final
//! macro-F1. A measurement, not a test.
//!
//! Run: cargo bench -p tessera-cli --bench review_loop

use tessera_core::dataset::split::{grouped_split, Split};
use tessera_core::dataset::TileStore;
use tessera_core::eval::metrics::{argmax_rows, Confusion};
use tessera_core::graph::cnn::CnnSpec;
use tessera_core::infer::uncertainty::entropy;
use tessera_core::job::{CancelToken, Job, Silent};
use tessera_core::pipeline::collect;
use tessera_core::review::{spread_top, Candidate};
use tessera_core::rng::Rng;
use tessera_core::runtime::{Model, Runtime};
use tessera_core::tiling::{plan_selection, PlannedImage, TilePlan};
use tessera_core::train::fit::{fit, TrainConfig};

#[path = "common/demo.rs"]
mod demo;
use demo::Demo;

/// Tiles of each class's first polygon the first model learns from.
const START: usize = 6;
/// Tiles added per round.
const N: usize = 12;
/// Rounds after the first model.
const ROUNDS: usize = 8;
/// Random draws averaged.
const DRAWS: u64 = 3;
const SEED: u64 = 7;

fn main() {
    let demo = Demo::load();
    let runtime = demo.runtime;
    // Half-overlapping tiles, as the demo trains: a larger pool to choose from.
    let spec = Demo::tile_spec();
    let store = collect(&[demo.labelled()], &spec, &demo.job).unwrap().store;
    // The store holds the plan's tiles in plan order: their places on the slide.
    let plan = plan_selection(&demo.selection, &PlannedImage::of(&demo.source, "demo"), &spec).unwrap();
    assert_eq!(plan.tiles.len(), store.len());
    let test_split = grouped_split(&store, 1.0 / 3.0, SEED).unwrap();
    let (pool, test) = (test_split.train, test_split.validation);
    // A few tiles of one polygon per class to start with: each class's first group in the pool.
    let mut start = Vec::new();
    let mut rng = Rng::new(SEED);
    for class in 0..store.classes().len() {
        let group = pool.iter().map(|&i| (store.labels()[i], store.groups()[i])).find(|&(l, _)| l == class).unwrap().1;
        let mut tiles: Vec<usize> = pool.iter().copied().filter(|&i| store.groups()[i] == group).collect();
        rng.shuffle(&mut tiles);
        start.extend(tiles.into_iter().take(START));
    }
    println!(
        "demo: {} tiles of 64 px at 0.5 µm/px; test {} tiles (a third of the polygons, held out); pool {}; start {} tiles ({START} of one polygon per class); {N} tiles added per round",
        store.len(),
        test.len(),
        pool.len(),
        start.len()
    );
    // Each strategy over the same training seeds; the curves are the means.
    let run = |guided: bool| -> Vec<(usize, f64)> {
        let runs: Vec<Vec<(usize, f64)>> =
            (0..DRAWS).map(|draw| run_loop(runtime, &store, &plan, &pool, &test, &start, draw, guided)).collect();
        (0..=ROUNDS).map(|r| (runs[0][r].0, runs.iter().map(|c| c[r].1).sum::<f64>() / DRAWS as f64)).collect()
    };
    let (guided, random) = (run(true), run(false));
    println!("mean of {DRAWS} runs (training seeds {SEED}…; random draws differ per run)");
    println!("{:>8} {:>22} {:>22}", "labelled", "macro-F1 uncertainty", "macro-F1 random");
    for (&(labels, f1), &(_, chance)) in guided.iter().zip(&random) {
        println!("{labels:>8} {f1:>22.3} {chance:>22.3}");
    }
    let target = random[ROUNDS].1;
    let reached = guided.iter().find(|(_, f1)| *f1 >= target).map(|&(labels, _)| labels);
    let random_labels = random[ROUNDS].0;
    match reached {
        Some(labels) => println!(
            "uncertainty reached random's final macro-F1 {target:.3} with {labels} labelled tiles; random needed {random_labels} ({:.0} % fewer)",
            100.0 * (1.0 - labels as f64 / random_labels as f64)
        ),
        None => println!("uncertainty did not reach random's final macro-F1 {target:.3} within {random_labels} labels"),
    }
}

/// One loop: (labelled tiles, test macro-F1) after each round, training with seed `SEED + draw`;
/// `guided` adds the most unsure tiles spread out, otherwise random ones drawn with that seed.
#[allow(clippy::too_many_arguments)] // The data, the split and the strategy.
fn run_loop(
    runtime: &Runtime,
    store: &TileStore,
    plan: &TilePlan,
    pool: &[usize],
    test: &[usize],
    start: &[usize],
    draw: u64,
    guided: bool,
) -> Vec<(usize, f64)> {
    let job = Job::new(CancelToken::new(), &Silent);
    let network = CnnSpec { tile: 64, classes: store.classes().len(), ..Default::default() }.network().unwrap();
    let config = TrainConfig { epochs: 12, batch_size: 8, patience: 0, seed: SEED + draw, ..TrainConfig::default() };
    let mut labelled = start.to_vec();
    let mut rng = Rng::new(draw + 100);
    let mut curve = Vec::new();
    for round in 0..=ROUNDS {
        // Early stopping on the labelled tiles themselves: the test polygons stay unseen.
        let split = Split { train: labelled.clone(), validation: labelled.clone() };
        let trained = fit(runtime, &network, store, &split, &config, &job, &mut |_| {}).unwrap();
        let model = Model::from_bytes(runtime, &network.inference_graph(&trained.state).unwrap(), 2).unwrap();
        let predict = |tiles: &[usize]| -> Vec<f32> {
            use tessera_core::dataset::samples::Samples;
            tiles
                .chunks(64)
                .flat_map(|chunk| {
                    let (x, _) = store.batch(chunk, None);
                    model.run(&x, &[chunk.len(), 3, 64, 64]).unwrap().data
                })
                .collect()
        };
        let k = store.classes().len();
        let predicted = argmax_rows(&predict(test), k);
        let truth: Vec<usize> = test.iter().map(|&i| store.labels()[i]).collect();
        curve.push((labelled.len(), Confusion::new(k, &truth, &predicted).macro_f1()));
        if round == ROUNDS {
            break;
        }
        let unlabelled: Vec<usize> = pool.iter().copied().filter(|i| !labelled.contains(i)).collect();
        let picks: Vec<usize> = match guided {
            false => {
                let mut shuffled = unlabelled.clone();
                rng.shuffle(&mut shuffled);
                shuffled.into_iter().take(N).collect()
            }
            true => {
                let probabilities = predict(&unlabelled);
                let candidates: Vec<Candidate> = unlabelled
                    .iter()
                    .zip(probabilities.chunks(k))
                    .map(|(&i, p)| {
                        let t = &plan.tiles[i];
                        let (x, y) = (t.x as f64 + t.w as f64 / 2.0, t.y as f64 + t.h as f64 / 2.0);
                        Candidate { image: 0, x, y, side: t.w as f64, score: entropy(p) }
                    })
                    .collect();
                spread_top(&candidates, N).into_iter().map(|c| unlabelled[c]).collect()
            }
        };
        labelled.extend(picks);
    }
    curve
}
