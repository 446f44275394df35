//! Whole-slide inference throughput: `tessera apply`'s pipeline against the model alone and
//! against the Python pipelines (openslide-python + numpy + onnxruntime-python, and the same with
//! PyTorch eager) on the same tiles with the same ResNet-18-shaped model (224 px, batch 32, 2
//! threads, random weights): in fp32 at ONNX Runtime's EXTENDED level (inference before #15), at
//! its ALL level (now), and quantised to int8 by the core (calibrated on the slide's tiles).
//! Then peak memory of whole-slide runs on a 24k² and a 4k² slide. A measurement, not a test.
//!
//! Run:   cargo bench -p tessera-cli --bench apply
//! Needs: apt-get install -y libvips42 libopenslide0;
//!        pip install openslide-python numpy scikit-image pyvips onnxruntime==1.31.1 (torch optional)
//! Slides: target/bench/synthetic-24.svs and synthetic-4.svs, written once with
//! ../shared/tools/make_synthetic_wsi.py (24576² and 4096² px, 0.5 µm/px). The repository's slides
//! are too small for this measurement (16² tiles of 224 px in the middle, whole-slide memory), so
//! on a clone with nothing beside it the bench stops, saying what it needs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tessera_core::dataset::TileStore;
use tessera_core::geometry::Document;
use tessera_core::graph::builder::attr_int;
use tessera_core::graph::proto::DataType;
use tessera_core::graph::{Dim, GraphBuilder};
use tessera_core::infer::{self, ApplyOptions, Precision, Predictor};
use tessera_core::job::{CancelToken, Job, Silent};
use tessera_core::model::{ClassInfo, InputSpec, Metadata, Package, QuantizationRecord, Task};
use tessera_core::quant::{self, Calibration};
use tessera_core::runtime::{self, Optimisation, Runtime};
use tessera_core::slide::{read_region, OpenSlideSource, RegionSource};

const TILE: u32 = 224;
const BATCH: usize = 32;
const THREADS: usize = 2;
/// Tiles per side of the measured square region (16² = 256 tiles, 8 batches).
const SIDE_TILES: u32 = 16;
const ROUNDS: usize = 2;
/// Set in the environment of the peak-memory child runs of this binary (value: the slide).
const CHILD: &str = "TESSERA_BENCH_RSS_SLIDE";

#[path = "common/resnet.rs"]
mod resnet;
use resnet::resnet18;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folder = manifest.join("../../target/bench");
    // Found as the `tessera` command finds it: $TESSERA_ONNXRUNTIME, else target/onnxruntime.
    let runtime = runtime::init(&runtime::locate().unwrap()).unwrap();
    if let Some(slide) = std::env::var_os(CHILD) {
        return whole_slide_peak_rss(runtime, Path::new(&slide));
    }
    let large = synthetic(manifest, &folder, 24);
    let onnx = resnet18(2);
    let model_path = folder.join("resnet18.onnx");
    std::fs::write(&model_path, &onnx).unwrap();
    let float = package(onnx);
    let source = OpenSlideSource::open(&large).unwrap();
    // A square of SIDE_TILES² tiles in the middle of the slide.
    let span = f64::from(SIDE_TILES * TILE);
    let (w, h) = source.dimensions();
    let (x0, y0) = ((w as f64 - span) / 2.0, (h as f64 - span) / 2.0);
    let roi = region((x0, y0, x0 + span, y0 + span));
    let plan =
        infer::region::plan(&source, float.metadata(), Some((&roi, Path::new("roi"))), &Default::default()).unwrap();
    let tiles_path = folder.join("apply-tiles.json");
    let tiles: Vec<[i64; 2]> = plan.tiles.iter().map(|t| [t.x, t.y]).collect();
    std::fs::write(&tiles_path, serde_json::json!({"tile_size": TILE, "tiles": tiles}).to_string()).unwrap();
    let count = plan.tiles.len();
    let job = Job::new(CancelToken::new(), &Silent);
    // The int8 model, calibrated on the slide's own tiles as `tessera` calibrates a package.
    let mut calibration = TileStore::new(TILE as usize, vec!["Tumor".into(), "Other".into()]).unwrap();
    for (i, t) in plan.tiles.iter().step_by(4).enumerate() {
        let tile = read_region(&source, (t.x, t.y, t.w, t.h), (TILE, TILE)).unwrap();
        calibration.push(tile.as_bytes(), 0, i as u64).unwrap();
    }
    let picked = quant::calibration_tiles(&(0..calibration.len()).collect::<Vec<_>>(), "slide tiles").unwrap();
    let int8 =
        quant::quantize(runtime, float.onnx(), &calibration, &picked, Calibration::Percentile, THREADS, &job).unwrap();
    let record = QuantizationRecord {
        accepted: true,
        reason: "bench".into(),
        scheme: Some(quant::SCHEME.into()),
        calibration: Some(Calibration::Percentile),
        calibration_tiles: picked.len(),
        agreement: None,
    };
    let both = float.with_int8(Some(int8), record).unwrap();
    let variants = [
        ("fp32, EXTENDED (before)", Precision::Fp32, Optimisation::Extended),
        ("fp32, ALL", Precision::Fp32, Optimisation::All),
        ("int8", Precision::Int8, Optimisation::All),
    ]
    .map(|(name, precision, level)| {
        (name, Predictor::new_optimised(runtime, both.clone(), THREADS, precision, level).unwrap())
    });
    let options = ApplyOptions { batch: BATCH, ..ApplyOptions::default() };
    // Warm-up, then interleaved rounds; each rate is the best of its rounds.
    for (_, predictor) in &variants {
        infer::apply(predictor, &source, Some((&roi, Path::new("roi"))), &options, &job).unwrap();
    }
    let mut best = [[0.0f64; 2]; 3];
    let mut python = [0.0f64; 2];
    let mut torch = None;
    for _ in 0..ROUNDS {
        for ((_, predictor), best) in variants.iter().zip(best.iter_mut()) {
            let decoded: Vec<Vec<f32>> = plan
                .tiles
                .chunks(BATCH)
                .map(|chunk| {
                    chunk
                        .iter()
                        .flat_map(|t| {
                            predictor
                                .preprocess(&read_region(&source, (t.x, t.y, t.w, t.h), (TILE, TILE)).unwrap())
                                .unwrap()
                        })
                        .collect()
                })
                .collect();
            let start = Instant::now();
            for batch in &decoded {
                predictor.infer(batch, batch.len() / predictor.tile_len()).unwrap();
            }
            let model_only = count as f64 / start.elapsed().as_secs_f64();
            drop(decoded);
            let start = Instant::now();
            let applied = infer::apply(predictor, &source, Some((&roi, Path::new("roi"))), &options, &job).unwrap();
            let end_to_end = applied.tiles as f64 / start.elapsed().as_secs_f64();
            best[0] = best[0].max(model_only);
            best[1] = best[1].max(end_to_end);
        }
        let baseline = Command::new("python3")
            .arg(manifest.join("benches/apply_baseline.py"))
            .args([large.as_os_str(), tiles_path.as_os_str(), model_path.as_os_str()])
            .args([BATCH.to_string(), THREADS.to_string()])
            .env("OMP_NUM_THREADS", THREADS.to_string())
            .output()
            .unwrap();
        assert!(baseline.status.success(), "baseline failed: {}", String::from_utf8_lossy(&baseline.stderr));
        let baseline: serde_json::Value = serde_json::from_slice(&baseline.stdout).unwrap();
        python[0] = python[0].max(baseline["model_only"].as_f64().unwrap());
        python[1] = python[1].max(baseline["end_to_end"].as_f64().unwrap());
        torch = baseline["torch"].as_f64().map(|rate| torch.map_or(rate, |t: f64| t.max(rate)));
    }
    println!(
        "slide {} ({count} tiles of {TILE} px, batch {BATCH}, {THREADS} ONNX Runtime threads, best of {ROUNDS} rounds)",
        large.display()
    );
    println!(
        "{:<34} {:>12} {:>12} {:>10} {:>10} {:>10}",
        "tiles/s", "model only", "end to end", "e2e/model", "/ python", "/ pytorch"
    );
    let ratio = |rate: f64, to: Option<f64>| to.map_or("–".to_string(), |to| format!("{:.2}×", rate / to));
    for ((name, _), [model_only, end_to_end]) in variants.iter().zip(best) {
        println!(
            "{:<34} {model_only:>12.1} {end_to_end:>12.1} {:>10.3} {:>10} {:>10}",
            format!("tessera {name}"),
            end_to_end / model_only,
            ratio(end_to_end, Some(python[1])),
            ratio(end_to_end, torch)
        );
    }
    println!(
        "{:<34} {:>12.1} {:>12.1} {:>10.3}",
        "python: openslide + onnxruntime",
        python[0],
        python[1],
        python[1] / python[0]
    );
    match torch {
        Some(rate) => println!("{:<34} {:>12} {rate:>12.1}", "python: openslide + pytorch eager", "–"),
        None => println!("pytorch eager pipeline: not measured (torch is not installed)"),
    }
    println!(
        "targets: int8 end to end ≥ 4× pytorch; fp32 ALL end to end ≥ 1.3× pytorch; end to end ≥ 0.95× model only"
    );
    for repeat in [24, 4] {
        let slide = synthetic(manifest, &folder, repeat);
        let child = Command::new(std::env::current_exe().unwrap()).env(CHILD, &slide).output().unwrap();
        assert!(child.status.success(), "{}", String::from_utf8_lossy(&child.stderr));
        print!("{}", String::from_utf8_lossy(&child.stdout));
    }
}

/// Applies a cheap model of the same input size over the whole slide's tissue and prints the
/// process's peak resident memory: the pipeline's memory, without the large model's.
fn whole_slide_peak_rss(runtime: &Runtime, slide: &Path) {
    let mut g = GraphBuilder::new("mean_colour");
    let x = g.input(
        "image",
        DataType::Float,
        &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(i64::from(TILE)), Dim::Fixed(i64::from(TILE))],
    );
    let pooled = g.node("GlobalAveragePool", &[&x], vec![]);
    let flat = g.node("Flatten", &[&pooled], vec![]);
    let w = g.initializer_f32("w", &[3, 2], &[1.0, -1.0, 0.5, -0.5, 0.0, 0.0]);
    let logits = g.node("MatMul", &[&flat, &w], vec![]);
    let p = g.node("Softmax", &[&logits], vec![attr_int("axis", 1)]);
    g.output(&p, "p", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(2)]);
    let predictor = Predictor::new(runtime, package(g.to_bytes("bench")), THREADS).unwrap();
    let source = OpenSlideSource::open(slide).unwrap();
    let job = Job::new(CancelToken::new(), &Silent);
    let start = Instant::now();
    let applied =
        infer::apply(&predictor, &source, None, &ApplyOptions { batch: BATCH, ..ApplyOptions::default() }, &job)
            .unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: ?")
        .trim_start_matches("VmHWM:")
        .trim()
        .to_string();
    let (w, h) = source.dimensions();
    println!(
        "whole slide {w}×{h}: {} tiles in {:.1} s, peak RSS {peak} (mean-colour model, same pipeline)",
        applied.tiles,
        start.elapsed().as_secs_f64()
    );
}

fn package(onnx: Vec<u8>) -> Package {
    let classes = vec![ClassInfo::new("Tumor", [200, 0, 0]), ClassInfo::new("Other", [0, 0, 200])];
    // Tessera's own normalisation (v / 127.5 − 1), which the calibration tiles are given in.
    let input = InputSpec { mean: vec![0.5; 3], std: vec![0.5; 3], ..InputSpec::imagenet(TILE, Some(0.5)) };
    Package::new(Metadata::new("bench", Task::TileClassification, classes, input), onnx).unwrap()
}

fn region((x0, y0, x1, y1): (f64, f64, f64, f64)) -> Document {
    let ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    let feature = serde_json::json!({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {"objectType": "annotation"}});
    Document::from_value(feature, Path::new("roi")).unwrap()
}

/// `target/bench/synthetic-<repeat>.svs`, written once.
fn synthetic(manifest: &Path, folder: &Path, repeat: u32) -> PathBuf {
    let slide = folder.join(format!("synthetic-{repeat}.svs"));
    let generator = manifest.join("../../../shared/tools/make_synthetic_wsi.py");
    if !slide.exists() {
        assert!(
            generator.is_file(),
            "{} is absent and so is its generator {}: this bench needs a large slide",
            slide.display(),
            generator.display()
        );
        std::fs::create_dir_all(folder).unwrap();
        let made = Command::new("python3").arg(&generator).arg(&slide).arg(repeat.to_string()).status().unwrap();
        assert!(
            made.success(),
            "make_synthetic_wsi.py failed (pip install scikit-image pyvips; apt-get install libvips42)"
        );
    }
    slide
}
