//! `tessera demo`: the whole job on the embedded demo slide, start to finish.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tessera_core::geometry::{Document, Shape};
use tessera_core::infer::{self, ApplyOptions, Precision};
use tessera_core::job::Job;
use tessera_core::outputs::write_file;
use tessera_core::pipeline::{Architecture, CnnOptions, LabelledSlide};
use tessera_core::runtime::Device;
use tessera_core::slide::{read_region, RegionSource, Resolution};
use tessera_core::tiling::TileSpec;
use tessera_core::train::fit::TrainConfig;
use tessera_core::{runtime, Result, TesseraError};

use super::inputs::open_slides;
use super::interrupt;
use super::model;
use super::plots;
use super::png_file;
use super::progress::Bar;
use super::train;

/// The demo slide (CMU-1-Small-Region, OpenSlide test data; see data/demo/MANIFEST.tsv).
const SLIDE: &[u8] = include_bytes!("../../../../data/demo/CMU-1-Small-Region.svs");
/// Hand-drawn annotations of the demo slide: Epithelium, Stroma, Background.
const ANNOTATIONS: &[u8] = include_bytes!("../../../../data/demo/CMU-1-Small-Region.annotations.geojson");
const SLIDE_NAME: &str = "CMU-1-Small-Region.svs";
const ANNOTATIONS_NAME: &str = "CMU-1-Small-Region.annotations.geojson";
/// Longest side of the overlay image, in pixels.
const OVERLAY_SIDE: u32 = 1024;

/// Run the whole job on the embedded demo slide.
///
/// Tiles the hand-drawn demo annotations (64 px at 0.5 µm/px, stride 32), trains the default
/// CNN with 4-fold cross-validation grouped by polygon and a final model, applies it to the
/// whole slide and writes into OUT: the slide and its annotations, `demo.tessera`,
/// `report/` (metrics.json; confusion, roc and curves plots as .svg and .png), `detections.geojson` (File › Import objects in QuPath) and
/// `overlay.png` (the slide with the predicted classes coloured).
///
/// Example: `tessera demo --out tessera-demo`
#[derive(clap::Args)]
pub struct Args {
    /// Output folder (created if missing).
    #[arg(long, default_value = "tessera-demo")]
    out: PathBuf,
    /// Epochs per training (fewer is faster, more may be better).
    #[arg(long, default_value_t = 8)]
    epochs: usize,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

/// Trains, evaluates, applies and writes every output.
pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let out = &args.out;
    std::fs::create_dir_all(out.join("report")).map_err(|source| TesseraError::io(out, source))?;
    let slide_path = out.join(SLIDE_NAME);
    let annotations_path = out.join(ANNOTATIONS_NAME);
    for (path, bytes) in [(&slide_path, SLIDE), (&annotations_path, ANNOTATIONS)] {
        write_file(path, bytes)?;
    }

    let spec = TileSpec { overlap: 0.5, ..TileSpec::new(64, Resolution::Mpp(0.5)) };
    let (slides, colours) = open_slides(&[slide_path], &[annotations_path], None)?;
    let labelled: Vec<LabelledSlide> = slides
        .iter()
        .map(|s| LabelledSlide {
            source: &s.source as &dyn RegionSource,
            name: s.name.clone(),
            selection: s.selection.clone(),
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let config = TrainConfig { epochs: args.epochs, threads, ..TrainConfig::default() };
    let outcome = train::train(
        &labelled,
        &spec,
        &Architecture::Cnn(CnnOptions::default()),
        &config,
        4,
        "cmu-demo",
        &colours,
        None,
        args.quiet,
    )?;

    let model_path = out.join("demo.tessera");
    outcome.package.write(&model_path)?;
    plots::write_report(outcome.package.metadata(), &out.join("report"))?;
    let metrics_path = out.join("report").join("metrics.json");

    // Apply the model as written, to prove the file loads.
    let runtime = runtime::get()?;
    let mut predictor = model::load(runtime, &model_path, threads, Device::Cpu, Precision::Auto, args.quiet)?;
    let source = &slides[0].source;
    let bar = Bar::new("tiles", args.quiet);
    let job = Job::new(interrupt::token(), &bar);
    let (shift, applied) =
        infer::apply_to_slide(runtime, &mut predictor, source, None, &ApplyOptions::default(), false, &job)?;
    bar.finish();
    super::apply::report_shift(&shift, args.quiet);
    let detections_path = out.join("detections.geojson");
    applied.document.write(&detections_path)?;
    let overlay_path = out.join("overlay.png");
    write_overlay(source, &applied.document, &overlay_path)?;

    if !args.quiet {
        println!(
            "applied to {} tiles of the whole slide in {:.0} s in all",
            applied.tiles,
            started.elapsed().as_secs_f64()
        );
        for (what, path) in [
            ("model", &model_path),
            ("report", &metrics_path),
            ("plots", &out.join("report")),
            ("detections (QuPath: File > Import objects)", &detections_path),
            ("overlay", &overlay_path),
        ] {
            println!("{what}: {}", path.display());
        }
    }
    Ok(())
}

/// The slide at low resolution with each detection's class colour laid over its tile at 45 %.
fn write_overlay(source: &dyn RegionSource, detections: &Document, path: &Path) -> Result<()> {
    let (width0, height0) = source.dimensions();
    let scale = f64::from(OVERLAY_SIDE) / width0.max(height0) as f64;
    let (width, height) =
        (((width0 as f64 * scale).round() as u32).max(1), ((height0 as f64 * scale).round() as u32).max(1));
    let mut pixels = read_region(source, (0, 0, width0, height0), (width, height))?.into_bytes();
    for object in &detections.objects {
        let (Some(class), Shape::Polygon(polygon)) = (object.classification.as_ref(), &object.shape) else { continue };
        let Some(colour) = class.color else { continue };
        let corners = &polygon.exterior().0;
        let (x0, x1) = corners.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| (lo.min(c.x), hi.max(c.x)));
        let (y0, y1) = corners.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| (lo.min(c.y), hi.max(c.y)));
        let to_px = |v: f64, limit: u32| ((v * scale).round().max(0.0) as u32).min(limit);
        for y in to_px(y0, height)..to_px(y1, height) {
            for x in to_px(x0, width)..to_px(x1, width) {
                let i = 3 * (y as usize * width as usize + x as usize);
                for (c, &value) in colour.iter().enumerate() {
                    pixels[i + c] = ((f64::from(pixels[i + c]) * 0.55) + f64::from(value) * 0.45).round() as u8;
                }
            }
        }
    }
    png_file::write(path, width, height, png::ColorType::Rgb, &pixels)
}
