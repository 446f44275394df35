//! `tessera apply`: a model over a slide (or the polygons of a QuPath export), as QuPath objects.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tessera_core::geometry::{Document, ObjectType};
use tessera_core::infer::{self, heatmap, ApplyOptions, Precision, Sliding, Tracing};
use tessera_core::job::Job;
use tessera_core::runtime::{self, Device};
use tessera_core::shift::SlideShift;
use tessera_core::slide::{OpenSlideSource, Resolution};
use tessera_core::tiling::MAX_TILES;
use tessera_core::Result;

use super::inputs::named_inputs;
use super::interrupt;
use super::model;
use super::progress::Bar;
use tessera_core::outputs::{check_outputs, Output};

/// Apply a model (.tessera package, or bare .onnx with a WSInfer config.json beside it) to a slide.
///
/// Tile classification models give one object per tile, classified by the most probable class,
/// with each class's probability as a measurement "Tessera: <class> probability"; segmentation
/// models give traced polygons (holes kept). Without --annotations the model runs over the
/// slide's tissue. The output is QuPath GeoJSON (File › Import objects).
///
/// Example: `tessera apply --model tumour.tessera --slide CMU-1.svs --out tumour.geojson --heatmap heatmaps`
#[derive(clap::Args)]
pub struct Args {
    /// The model.
    #[arg(long)]
    model: PathBuf,
    /// The slide.
    #[arg(long)]
    slide: PathBuf,
    /// QuPath GeoJSON whose polygons limit where the model runs (default: the slide's tissue).
    #[arg(long)]
    annotations: Option<PathBuf>,
    /// Output GeoJSON file.
    #[arg(long)]
    out: PathBuf,
    /// Folder for one low-resolution heatmap PNG per class (created if missing): grey + alpha,
    /// grey = the class's probability (255 = 1) where a tile was computed, transparent (alpha 0)
    /// where none was (outside the tissue or the ROI).
    #[arg(long)]
    heatmap: Option<PathBuf>,
    /// Step between tiles in model pixels (default: the tile size, no overlap).
    #[arg(long)]
    stride: Option<u32>,
    /// Tiles per model run.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// ONNX Runtime threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Read at this downsample instead of the model's µm/px (for slides without a pixel size).
    #[arg(long)]
    downsample: Option<f64>,
    /// The least fraction of a tile the region or tissue must cover, in [0, 1].
    #[arg(long, default_value_t = 0.25)]
    min_coverage: f64,
    /// Object type written: detection, tile or annotation.
    #[arg(long, default_value = "detection", value_parser = ["detection", "tile", "annotation"])]
    objects: String,
    /// Tile classification: also write one merged annotation per class.
    #[arg(long)]
    merge: bool,
    /// Segmentation: smallest region kept, in model output pixels.
    #[arg(long, default_value_t = 16.0)]
    min_area: f64,
    /// Segmentation: smallest hole kept (smaller ones are filled), in model output pixels.
    #[arg(long, default_value_t = 16.0)]
    min_hole: f64,
    /// Segmentation: polygon simplification tolerance, in model output pixels.
    #[arg(long, default_value_t = 0.5)]
    simplify: f64,
    /// Segmentation: rounds of corner smoothing of the outlines (0: none).
    #[arg(long, default_value_t = 2)]
    smooth: usize,
    /// Where the model runs: cpu, cuda or cuda:<index> (falls back to the CPU with a warning).
    #[arg(long, default_value = "cpu", value_parser = Device::parse)]
    device: Device,
    /// Which of the package's models runs: auto (its int8 model where that passed the package's
    /// accuracy guard and the model runs on the CPU, else the float model), fp32, or int8.
    #[arg(long, default_value = "auto", value_parser = Precision::parse)]
    precision: Precision,
    /// Re-estimate the model's batch-normalisation statistics on this slide's tiles before
    /// predicting (AdaBN): for slides from another scanner or stain; the float model then runs.
    #[arg(long)]
    adapt_normalisation: bool,
    /// Make the tiles even when there are more than a million (otherwise refused as a likely
    /// mistake in --stride or --downsample).
    #[arg(long)]
    yes: bool,
    /// Print nothing but errors and warnings.
    #[arg(long)]
    quiet: bool,
}

/// Loads the model and the slide, applies the model and writes the objects and heatmaps.
pub fn run(args: Args) -> Result<()> {
    let mut inputs = named_inputs(std::slice::from_ref(&args.slide), args.annotations.as_slice());
    inputs.push(("the model given with --model", &args.model));
    let mut outputs = vec![Output::file("--out", &args.out)];
    outputs.extend(args.heatmap.as_deref().map(|heatmap| Output::folder("--heatmap", heatmap)));
    check_outputs(&outputs, &inputs)?;
    let runtime = runtime::init(&runtime::locate()?)?;
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let mut predictor = model::load(runtime, &args.model, threads, args.device, args.precision, args.quiet)?;
    let source = OpenSlideSource::open(&args.slide)?;
    let roi = args.annotations.as_deref().map(Document::read).transpose()?;
    let options = ApplyOptions {
        sliding: Sliding {
            stride: args.stride,
            resolution: args.downsample.map(Resolution::Downsample),
            min_coverage: args.min_coverage,
            max_tiles: if args.yes { None } else { Some(MAX_TILES) },
        },
        batch: args.batch,
        object_type: match args.objects.as_str() {
            "tile" => ObjectType::Tile,
            "annotation" => ObjectType::Annotation,
            _ => ObjectType::Detection,
        },
        merge: args.merge,
        tracing: Tracing {
            simplify: args.simplify,
            min_area: args.min_area,
            min_hole: args.min_hole,
            smooth: args.smooth,
        },
    };
    let sink = Bar::new("tiles", args.quiet);
    let job = Job::new(interrupt::token(), &sink);
    let started = Instant::now();
    let roi_input = roi.as_ref().zip(args.annotations.as_deref());
    let (shift, applied) =
        infer::apply_to_slide(runtime, &mut predictor, &source, roi_input, &options, args.adapt_normalisation, &job)?;
    sink.finish();
    report_shift(&shift, args.quiet);
    applied.document.write(&args.out)?;
    if let Some(dir) = &args.heatmap {
        heatmap::write_pngs(&applied.heatmaps, dir)?;
    }
    if !args.quiet {
        summarise(&applied.document, applied.tiles, started.elapsed().as_secs_f64(), &args.out);
    }
    Ok(())
}

/// Prints what preparing the slide found (unless `quiet`) and the out-of-distribution warning
/// (to stderr, always).
pub fn report_shift(shift: &SlideShift, quiet: bool) {
    if !quiet {
        for line in shift.lines() {
            println!("{line}");
        }
    }
    if let Some(warning) = shift.warning() {
        eprintln!("warning: {warning}");
    }
}

fn summarise(document: &Document, tiles: usize, seconds: f64, out: &Path) {
    let mut per_class: BTreeMap<&str, usize> = BTreeMap::new();
    for object in &document.objects {
        *per_class.entry(object.class_name().unwrap_or("(unclassified)")).or_default() += 1;
    }
    println!(
        "{tiles} tiles in {seconds:.1} s ({:.1} tiles/s); {} objects in {}",
        tiles as f64 / seconds.max(1e-9),
        document.objects.len(),
        out.display()
    );
    for (class, count) in per_class {
        println!("  {class:<20} {count:>7}");
    }
}
