use super::normalise::{StainFit, StainMethod, StainTransform};
use super::ood::FeatureReference;
use super::*;
use crate::dataset::stain::mix;
use crate::graph::cnn::CnnSpec;
use crate::graph::optim::Optimizer;
use crate::graph::weights::float_initializers;
use crate::job::{CancelToken, Silent};
use crate::rng::Rng;
use crate::train::testing::runtime;

/// Haematoxylin and eosin stain vectors (unit OD), as a slide might have them.
const H: [f32; 3] = [0.65, 0.70, 0.29];
const E: [f32; 3] = [0.07, 0.99, 0.11];

fn unit(v: [f32; 3]) -> [f32; 3] {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.map(|x| x / n)
}

/// Pixels of random haematoxylin and eosin amounts mixed with the two stains, and some
/// background.
fn tissue(seed: u64, count: usize) -> Vec<u8> {
    let (h, e) = (unit(H), unit(E));
    let mut rng = Rng::new(seed);
    let mut pixels = Vec::with_capacity(3 * count);
    for i in 0..count {
        if i % 10 == 0 {
            pixels.extend([245, 245, 243]);
            continue;
        }
        let (ch, ce) = (0.1 + 0.8 * rng.uniform() as f32, 0.1 + 0.6 * rng.uniform() as f32);
        for c in 0..3 {
            pixels.push((255.0 * 10f32.powf(-(ch * h[c] + ce * e[c]))).round() as u8);
        }
    }
    pixels
}

/// A rotation by `degrees` of the haematoxylin–eosin plane in HED space, beyond any jitter.
fn rotated(pixels: &[u8], degrees: f32) -> Vec<u8> {
    let (s, c) = degrees.to_radians().sin_cos();
    let mut out = pixels.to_vec();
    mix(&mut out, [[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]], [0.0; 3]);
    out
}

fn mean_difference(a: &[u8], b: &[u8]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x.abs_diff(*y))).sum::<f64>() / a.len() as f64
}

#[test]
fn each_method_maps_pixels_onto_themselves_almost_unchanged() {
    let pixels = tissue(1, 4000);
    for method in [StainMethod::Reinhard, StainMethod::Macenko] {
        let fit = StainFit::fit(method, &pixels, "test").unwrap().unwrap();
        let mut mapped = pixels.clone();
        StainTransform::new(&fit, &fit).unwrap().apply(&mut mapped);
        let difference = mean_difference(&mapped, &pixels);
        assert!(difference < 1.5, "{method:?}: {difference}");
    }
    assert!(StainFit::fit(StainMethod::None, &pixels, "test").unwrap().is_none());
}

#[test]
fn macenko_recovers_the_stain_vectors() {
    let fit = StainFit::fit(StainMethod::Macenko, &tissue(2, 20_000), "test").unwrap().unwrap();
    let StainFit::Macenko { stains, max_concentration } = fit else { panic!("{fit:?}") };
    let cosine = |a: [f32; 3], b: [f32; 3]| a.iter().zip(&b).map(|(x, y)| x * y).sum::<f32>();
    assert!(cosine(stains[0], unit(H)) > 0.98, "haematoxylin {:?}", stains[0]);
    assert!(cosine(stains[1], unit(E)) > 0.98, "eosin {:?}", stains[1]);
    assert!(max_concentration[0] > max_concentration[1], "more haematoxylin drawn: {max_concentration:?}");
}

#[test]
fn normalisation_undoes_most_of_a_stain_rotation_and_refits_to_the_target() {
    let reference = tissue(3, 20_000);
    let shifted = rotated(&tissue(3, 20_000), 25.0);
    let before = mean_difference(&shifted, &reference);
    for method in [StainMethod::Reinhard, StainMethod::Macenko] {
        let target = StainFit::fit(method, &reference, "reference").unwrap().unwrap();
        let source = StainFit::fit(method, &shifted, "shifted").unwrap().unwrap();
        let mut mapped = shifted.clone();
        StainTransform::new(&source, &target).unwrap().apply(&mut mapped);
        let after = mean_difference(&mapped, &reference);
        // Reinhard matches each colour channel's spread, Macenko the stains themselves.
        let bound = if method == StainMethod::Reinhard { 0.9 } else { 0.75 };
        assert!(after < bound * before, "{method:?}: {before} → {after}");
        if let (StainFit::Reinhard { mean: a, std: sa }, Some(StainFit::Reinhard { mean: b, std: sb })) =
            (&target, StainFit::fit(method, &mapped, "mapped").unwrap())
        {
            for c in 0..3 {
                assert!((a[c] - b[c]).abs() < 0.02 && (sa[c] - sb[c]).abs() < 0.02, "{a:?} {sa:?} vs {b:?} {sb:?}");
            }
        }
    }
    let mismatch = StainTransform::new(
        &StainFit::fit(StainMethod::Reinhard, &reference, "r").unwrap().unwrap(),
        &StainFit::fit(StainMethod::Macenko, &reference, "r").unwrap().unwrap(),
    );
    assert!(mismatch.unwrap_err().to_string().contains("cannot map"));
}

#[test]
fn background_alone_is_refused_naming_the_pixels() {
    let white = vec![250u8; 3 * 1000];
    let error = StainFit::fit(StainMethod::Macenko, &white, "the slide's tiles").unwrap_err().to_string();
    assert!(error.contains("the slide's tiles have 0 stained pixels"), "{error}");
}

#[test]
fn a_stain_normalised_store_keeps_its_labels_and_changes_its_pixels() {
    let mut store = TileStore::new(8, vec!["a".into(), "b".into()]).unwrap();
    let (reference, shifted) = (tissue(4, 64 * 4), rotated(&tissue(5, 64 * 4), 30.0));
    for (i, tile) in reference.chunks(192).chain(shifted.chunks(192)).enumerate() {
        store.push(tile, i % 2, (i / 4) as u64).unwrap();
    }
    let (same, none) = normalise_store(&store, StainMethod::None, true).unwrap();
    assert!(matches!(same, Cow::Borrowed(_)) && none.is_none());
    let (normalised, target) = normalise_store(&store, StainMethod::Reinhard, true).unwrap();
    assert!(matches!(target, Some(StainFit::Reinhard { .. })));
    assert_eq!(normalised.labels(), store.labels());
    assert!((0..store.len()).any(|i| normalised.tile(i) != store.tile(i)));
}

/// `rows` feature rows of `dim` values, alternately of class 0 (around 0) and class 1 (around
/// 3), all moved by `shift`; with their labels.
fn features(seed: u64, rows: usize, dim: usize, shift: f64) -> (Vec<f32>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let labels: Vec<usize> = (0..rows).map(|r| r % 2).collect();
    let values = (0..rows * dim)
        .map(|i| (rng.normal() * (1.0 + (i % dim) as f64 * 0.1) + 3.0 * labels[i / dim] as f64 + shift) as f32)
        .collect();
    (values, labels)
}

#[test]
fn the_ood_score_separates_shifted_features_from_the_folds_whatever_the_class_mix() {
    let (dim, rows) = (16, 400);
    let (training, labels) = features(1, rows, dim, 0.0);
    let all = ood::Features { values: &training, dim, labels: &labels, classes: 2 };
    let folds: Vec<f64> = (0..4)
        .map(|k| {
            let split = Split {
                train: (0..rows).filter(|i| i % 4 != k).collect(),
                validation: (0..rows).filter(|i| i % 4 == k).collect(),
            };
            ood::held_out_score(&all, &split).unwrap()
        })
        .collect();
    let reference = FeatureReference::fit(vec!["pooled".into()], &all, folds.clone()).unwrap();
    reference.validate().unwrap();
    assert_eq!((reference.fold_scores.clone(), reference.class_means.len()), (folds.clone(), 2));
    let largest = folds.iter().copied().fold(0.0, f64::max);
    assert!((reference.threshold - ood::THRESHOLD_FACTOR * largest).abs() < 1e-12);
    let (fresh, fresh_labels) = features(2, 100, dim, 0.0);
    let in_distribution = reference.score(&fresh, dim).unwrap();
    assert!(in_distribution < reference.threshold, "in distribution {in_distribution} vs {}", reference.threshold);
    // Tiles of one class only: another mix of the same classes is no shift.
    let one_class: Vec<f32> = fresh
        .chunks(dim)
        .zip(&fresh_labels)
        .filter(|(_, &label)| label == 1)
        .flat_map(|(row, _)| row.iter().copied())
        .collect();
    let mix = reference.score(&one_class, dim).unwrap();
    assert!(mix < reference.threshold, "one class only {mix} vs {}", reference.threshold);
    let shifted = reference.score(&features(3, 100, dim, 3.0).0, dim).unwrap();
    assert!(shifted > 1.5 * reference.threshold, "shifted {shifted} vs threshold {}", reference.threshold);
    let error = reference.score(&fresh[..3 * 10], 3).unwrap_err().to_string();
    assert!(error.contains("gives 3 features but the package's statistics have 16"), "{error}");
    let none = FeatureReference::fit(vec!["pooled".into()], &all, Vec::new()).unwrap_err().to_string();
    assert!(none.contains("needs in-distribution fold scores"), "{none}");
}

/// A small CNN's inference graph with its initial state, and its stored tensors.
fn small_cnn() -> Vec<u8> {
    let network = CnnSpec { tile: 8, depth: 1, width: 4, ..Default::default() }.network().unwrap();
    network.inference_graph(&network.initial_state(&Optimizer::default(), 1)).unwrap()
}

#[test]
fn adabn_re_estimates_the_statistics_on_the_target_tiles() {
    let job = Job::new(CancelToken::new(), &Silent);
    let onnx = small_cnn();
    let mut rng = Rng::new(9);
    // Target tiles far from the initial statistics (mean 0, variance 1 after the convolution).
    let inputs: Vec<f32> = (0..16 * 3 * 64).map(|_| (2.0 + rng.normal()) as f32).collect();
    let adapted = adabn::adapt(runtime(), &onnx, &inputs, 8, 1, &job).unwrap();
    assert_eq!(adapted.layers, 1);
    let (before, after) = (float_initializers(&onnx).unwrap(), float_initializers(&adapted.model).unwrap());
    let model = surgery::decode(&onnx).unwrap();
    let site = &surgery::batch_norms(&model)[0];
    let (values, row) =
        Probe::new(runtime(), &model, std::slice::from_ref(&site.input), 8, 1).unwrap().run(&inputs, &job).unwrap();
    let (channels, plane) = (row[0], row[1] * row[2]);
    let measured: Vec<f32> = (0..channels)
        .map(|c| {
            let of_channel = values.chunks(plane).enumerate().filter(|(k, _)| k % channels == c);
            of_channel.flat_map(|(_, v)| v).sum::<f32>() / (values.len() / channels) as f32
        })
        .collect();
    let (old, new) = (&before[&site.mean].data, &after[&site.mean].data);
    assert_ne!(old, new, "the running mean changed");
    for (m, n) in measured.iter().zip(new) {
        assert!((m - n).abs() < 1e-3 * m.abs().max(1.0), "stored {n} vs measured {m}");
    }
    assert_ne!(before[&site.var].data, after[&site.var].data, "the running variance changed");
    let linear = crate::graph::probe::linear_softmax(&[1.0, 0.0, 0.0, 1.0], &[0.0, 0.0], 2).unwrap();
    let error = adabn::adapt(runtime(), &linear, &[0.0; 2], 1, 1, &job).unwrap_err().to_string();
    assert!(error.contains("no batch normalisation"), "{error}");
}

#[test]
fn the_record_round_trips_and_bad_values_are_named() {
    let record = ShiftRecord {
        stain: StainFit::fit(StainMethod::Macenko, &tissue(6, 4000), "t").unwrap(),
        features: Some(FeatureReference {
            outputs: vec!["pooled".into()],
            class_means: vec![vec![0.5, 1.0], vec![0.0, 2.0]],
            std: vec![0.1, 0.2],
            fold_scores: vec![0.01, 0.02],
            threshold: 0.03,
        }),
    };
    record.validate().unwrap();
    let text = serde_json::to_string(&record).unwrap();
    assert!(text.contains("\"method\":\"macenko\""), "{text}");
    assert_eq!(serde_json::from_str::<ShiftRecord>(&text).unwrap(), record);
    let mut bad = record.clone();
    bad.features.as_mut().unwrap().std.pop();
    let error = bad.validate().unwrap_err().to_string();
    assert!(error.contains("shift.features: 2 class means for 1 channels"), "{error}");
    assert_eq!(serde_json::from_str::<ShiftRecord>("{}").unwrap(), ShiftRecord::default());
}

/// A score beyond the threshold warns for drawn regions (like the folds' annotated tiles), but
/// over the whole tissue it is only reported: unannotated kinds of tissue raise it there.
#[test]
fn only_regions_like_the_training_folds_are_warned_about() {
    let shift = |over_tissue| SlideShift {
        tiles: 10,
        stain: None,
        ood: Ood::Scored { score: 2.0, threshold: 1.0, folds: vec![0.5] },
        adapted_layers: None,
        over_tissue,
    };
    assert!(shift(false).warning().is_some_and(|w| w.contains("score 2.000 is above the threshold 1.000")));
    assert!(shift(false).lines().iter().any(|l| l.ends_with("BEYOND the threshold")));
    assert_eq!(shift(true).warning(), None);
    assert!(shift(true).lines().iter().any(|l| l.contains("scored over the whole tissue")));
}
