//! `tessera demo`: the whole job on the embedded demo slide, start to finish.

use std::path::{Path, PathBuf};
use std::time::Instant;

use geo::MultiPolygon;
use tessera_core::geometry::ObjectType;
use tessera_core::geometry::{Document, Shape};
use tessera_core::infer::{self, ApplyOptions, Precision};
use tessera_core::job::Job;
use tessera_core::outputs::write_file;
use tessera_core::pipeline::{Architecture, CnnOptions, LabelledSlide, UNetOptions};
use tessera_core::png_file;
use tessera_core::runtime::Device;
use tessera_core::slide::{read_region, RegionSource, Resolution};
use tessera_core::tiling::raster::{fill, Placement};
use tessera_core::tiling::TileSpec;
use tessera_core::train::fit::TrainConfig;
use tessera_core::{runtime, Result, TesseraError};

use super::inputs::open_slides;
use super::interrupt;
use super::model;
use super::plots;
use super::progress::Bar;
use super::train::{self, TaskArg};

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
/// `overlay.png` (the slide with the predicted classes coloured). With `--task segmentation`,
/// a U-Net learns a class per pixel instead (patches of 64 px at 1 µm/px, stride 32, inside and
/// around the annotations) and the objects are one polygon per region.
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
    /// A tile classifier (CNN) or a pixel classifier (U-Net).
    #[arg(long, value_enum, default_value_t = TaskArg::Tiles)]
    task: TaskArg,
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

    let (spec, architecture, objects) = match args.task {
        TaskArg::Tiles => (
            TileSpec { overlap: 0.5, ..TileSpec::new(64, Resolution::Mpp(0.5)) },
            Architecture::Cnn(CnnOptions::default()),
            ObjectType::Detection,
        ),
        TaskArg::Segmentation => (
            TileSpec { overlap: 0.5, min_coverage: 0.25, ..TileSpec::new(64, Resolution::Mpp(1.0)) },
            Architecture::UNet(UNetOptions::default()),
            ObjectType::Annotation,
        ),
    };
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
    let outcome = train::train(&labelled, &spec, &architecture, &config, 4, "cmu-demo", &colours, None, args.quiet)?;

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
    let options = ApplyOptions { object_type: objects, ..ApplyOptions::default() };
    let (shift, applied) = infer::apply_to_slide(runtime, &mut predictor, source, None, &options, false, &job)?;
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

/// The slide at low resolution with each object's class colour laid over its polygon (holes
/// left clear) at 45 %.
pub fn write_overlay(source: &dyn RegionSource, objects: &Document, path: &Path) -> Result<()> {
    let (width0, height0) = source.dimensions();
    let scale = f64::from(OVERLAY_SIDE) / width0.max(height0) as f64;
    let (width, height) =
        (((width0 as f64 * scale).round() as u32).max(1), ((height0 as f64 * scale).round() as u32).max(1));
    let mut pixels = read_region(source, (0, 0, width0, height0), (width, height))?.into_bytes();
    let at = Placement { origin: (0.0, 0.0), downsample: 1.0 / scale, size: (width as usize, height as usize) };
    let mut mask = vec![0u8; width as usize * height as usize];
    for object in &objects.objects {
        let Some(colour) = object.classification.as_ref().and_then(|class| class.color) else { continue };
        let polygons = match &object.shape {
            Shape::Polygon(polygon) => MultiPolygon::new(vec![polygon.clone()]),
            Shape::MultiPolygon(polygons) => polygons.clone(),
            _ => continue,
        };
        mask.fill(0);
        fill(&polygons, at, 1, &mut mask);
        for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m == 1) {
            for (c, &value) in colour.iter().enumerate() {
                let p = &mut pixels[3 * i + c];
                *p = ((f64::from(*p) * 0.55) + f64::from(value) * 0.45).round() as u8;
            }
        }
    }
    png_file::write(path, width, height, png::ColorType::Rgb, &pixels)
}
