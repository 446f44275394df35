//! Is a stain shift caught and reduced? (#14) A stain-shifted copy of the demo slide: every pixel's
//! haematoxylin–eosin densities rotated by [`ROTATION`]° in HED space and eosin strengthened by
//! [`EOSIN`] (far beyond the training augmentation's ±3 % stain jitter), read through the same
//! slide reader. A third of the demo's polygons (per class) are held out as the test set; models
//! are trained on the rest with the training request `tessera train` runs — without stain
//! normalisation, with Reinhard, with Macenko — and macro-F1 on the held-out polygons is printed
//! for the original and the shifted slide, and for the model without normalisation after AdaBN
//! (its batch normalisations re-estimated on the slide's tissue tiles). Last, the
//! out-of-distribution score of each slide's tissue against the in-distribution folds' scores
//! stored in the package. A measurement, not a test.
//!
//! Run: cargo bench -p tessera-cli --bench stain_shift

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tessera_core::dataset::stain::mix;
use tessera_core::infer::{region, Precision, Predictor, Sliding};
use tessera_core::job::{CancelToken, ProgressSink, Silent};
use tessera_core::model::Package;
use tessera_core::pipeline::{
    collect, evaluate_slides, Architecture, CnnOptions, LabelledSlide, Stage, Stages, TrainingRequest,
};
use tessera_core::runtime::{Device, Runtime};
use tessera_core::shift::{prepare_slide, StainMethod};
use tessera_core::slide::{Level, OpenSlideSource, RegionSource, Resolution, RgbImage};
use tessera_core::tiling::{Selection, TileSpec};
use tessera_core::train::fit::TrainConfig;

#[path = "common/demo.rs"]
mod demo;
use demo::Demo;

/// Degrees the haematoxylin–eosin plane is rotated by.
const ROTATION: f32 = 60.0;
/// Eosin density scale of the shifted slide.
const EOSIN: f32 = 1.5;
const EPOCHS: usize = 8;
const FOLDS: usize = 3;
const THREADS: usize = 2;
const SEED: u64 = 3;

/// A slide read through another, its stain shifted.
struct Shifted<'a> {
    inner: &'a OpenSlideSource,
    path: PathBuf,
}

impl RegionSource for Shifted<'_> {
    fn path(&self) -> &Path {
        &self.path
    }

    fn vendor(&self) -> &str {
        self.inner.vendor()
    }

    fn levels(&self) -> &[Level] {
        self.inner.levels()
    }

    fn mpp(&self) -> Option<f64> {
        self.inner.mpp()
    }

    fn read_rgb(&self, level: usize, x: i64, y: i64, width: u32, height: u32) -> tessera_core::Result<RgbImage> {
        let mut pixels = self.inner.read_rgb(level, x, y, width, height)?.into_bytes();
        let (s, c) = ROTATION.to_radians().sin_cos();
        mix(&mut pixels, [[c, s * EOSIN, 0.0], [-s, c * EOSIN, 0.0], [0.0, 0.0, 1.0]], [0.0; 3]);
        RgbImage::new(width, height, pixels)
    }
}

struct Quiet;

impl Stages for Quiet {
    fn start(&mut self, _stage: Stage) -> &dyn ProgressSink {
        &Silent
    }
}

/// The selection split into training and test polygons: every third polygon of each class
/// (in file order) is a test polygon.
fn split(selection: &Selection) -> (Selection, Selection) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut train, mut test) = (selection.clone(), selection.clone());
    train.regions.clear();
    test.regions.clear();
    for region in &selection.regions {
        let n = seen.entry(region.label.as_str()).or_default();
        if *n % 3 == 1 { &mut test } else { &mut train }.regions.push(region.clone());
        *n += 1;
    }
    (train, test)
}

fn main() {
    let demo = Demo::load();
    let (runtime, job, original, selection) = (demo.runtime, &demo.job, &demo.source, &demo.selection);
    let shifted = Shifted { inner: original, path: PathBuf::from("CMU-1-Small-Region (stain-shifted)") };
    let (train, test) = split(selection);
    let spec = Demo::tile_spec();
    let collected = collect(&[LabelledSlide { selection: train, ..demo.labelled() }], &spec, job).unwrap();
    println!(
        "demo: {} training tiles from {} polygons; test: {} polygons (every third of each class); shift: HED rotation {ROTATION}°, eosin ×{EOSIN}; {EPOCHS} epochs, {FOLDS}-fold CV",
        collected.store.len(),
        selection.regions.len() - test.regions.len(),
        test.regions.len()
    );
    let slides: [(&str, &dyn RegionSource); 2] = [("original", original), ("shifted", &shifted)];
    let f1 = |predictor: &mut Predictor, source: &dyn RegionSource| -> f64 {
        let labelled = [LabelledSlide { source, name: "test".into(), selection: test.clone() }];
        evaluate_slides(predictor, &labelled, 32, job).unwrap().macro_f1.value
    };
    println!("{:<34} {:>10} {:>10}", "macro-F1 on the test polygons", "original", "shifted");
    let mut plain = None;
    for method in [StainMethod::None, StainMethod::Reinhard, StainMethod::Macenko] {
        let package = train_model(runtime, &collected, &spec, method);
        let scores: Vec<f64> =
            slides.iter().map(|(_, source)| f1(&mut predictor(runtime, &package), *source)).collect();
        println!("{:<34} {:>10.3} {:>10.3}", format!("stain normalisation {method:?}"), scores[0], scores[1]);
        if method == StainMethod::None {
            plain = Some(package);
        }
    }
    let plain = plain.unwrap();
    // AdaBN on the slide's tissue (what `tessera apply --adapt-normalisation` reads without
    // --annotations), and on the tiles being classified (with --annotations).
    let test_plan = |source: &dyn RegionSource, name: &str| {
        let image = tessera_core::tiling::PlannedImage::of(source, name);
        tessera_core::tiling::plan_selection(&test, &image, &TileSpec::new(64, Resolution::Mpp(0.5))).unwrap()
    };
    for (label, tissue) in [("none + AdaBN (slide's tissue tiles)", true), ("none + AdaBN (the test tiles)", false)] {
        let adapted: Vec<f64> = slides
            .iter()
            .map(|(name, source)| {
                let mut predictor = predictor(runtime, &plain);
                let plan = match tissue {
                    true => region::plan(*source, plain.metadata(), None, &Sliding::default()).unwrap(),
                    false => test_plan(*source, name),
                };
                prepare_slide(runtime, &mut predictor, *source, &plan, (true, tissue), job).unwrap();
                f1(&mut predictor, *source)
            })
            .collect();
        println!("{label:<34} {:>10.3} {:>10.3}", adapted[0], adapted[1]);
    }

    let reference = plain.metadata().shift.as_ref().and_then(|s| s.features.as_ref()).unwrap();
    let folds: Vec<String> = reference.fold_scores.iter().map(|s| format!("{s:.4}")).collect();
    println!(
        "out-of-distribution score (model without normalisation): in-distribution folds {}; threshold {:.4}",
        folds.join(", "),
        reference.threshold
    );
    for (name, source) in slides {
        let mut predictor = predictor(runtime, &plain);
        for (what, tissue) in [("tissue", true), ("test polygons", false)] {
            let plan = match tissue {
                true => region::plan(source, plain.metadata(), None, &Sliding::default()).unwrap(),
                false => test_plan(source, name),
            };
            let found = prepare_slide(runtime, &mut predictor, source, &plan, (false, tissue), job).unwrap();
            let verdict = match (found.ood.beyond(), found.warning().is_some()) {
                (true, true) => "beyond: warning",
                (true, false) => "beyond, over the whole tissue: no warning",
                _ => "within",
            };
            println!("  {name} slide, {what} ({} tiles): {:.4} ({verdict})", found.tiles, found.score().unwrap());
        }
    }
}

fn train_model(
    runtime: &Runtime,
    collected: &tessera_core::pipeline::Collected,
    spec: &TileSpec,
    method: StainMethod,
) -> Package {
    let config = TrainConfig {
        epochs: EPOCHS,
        seed: SEED,
        threads: THREADS,
        stain_normalisation: method,
        ..TrainConfig::default()
    };
    let architecture = Architecture::Cnn(CnnOptions::default());
    let request = TrainingRequest {
        name: "shift",
        tiles: spec,
        architecture: &architecture,
        config: &config,
        folds: FOLDS,
        colours: &BTreeMap::new(),
        parent: None,
    };
    request.run(runtime, &collected.store, &collected.record, &CancelToken::new(), &mut Quiet).unwrap()
}

/// The float model: AdaBN re-estimates the float model, and every row compares like with like.
fn predictor(runtime: &Runtime, package: &Package) -> Predictor {
    Predictor::new_on(runtime, package.clone(), THREADS, Device::Cpu, Precision::Fp32).unwrap()
}
