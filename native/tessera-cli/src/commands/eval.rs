//! `tessera eval`: scores a model on annotated slides it was not trained on.

use std::path::PathBuf;

use tessera_core::infer::Precision;
use tessera_core::job::Job;
use tessera_core::pipeline::{self, LabelledSlide};
use tessera_core::runtime::Device;
use tessera_core::slide::RegionSource;
use tessera_core::{runtime, Result, TesseraError};

use super::inputs::{named_inputs, open_slides};
use super::interrupt;
use super::model;
use super::plots;
use super::progress::Bar;
use tessera_core::outputs::{check_outputs, Output};

/// Evaluate a model on annotated slides.
///
/// Every tile the model would read inside the annotation polygons is classified and compared
/// with the polygon's class: accuracy, balanced accuracy, macro-F1 and per-class scores with
/// 95 % bootstrap intervals, the confusion matrix and one-vs-rest ROC curves. REPORT/metrics.json
/// holds them all; REPORT/confusion and REPORT/roc plot them (.svg and .png).
///
/// Example: `tessera eval --model cmu.tessera --slide CMU-2.svs --annotations CMU-2.geojson --report cmu-2-report`
#[derive(clap::Args)]
pub struct Args {
    /// The model (`.tessera`, or a bare `.onnx` with a WSInfer-style config.json beside it).
    #[arg(long)]
    model: PathBuf,
    /// A slide; repeat for several, each followed by its --annotations.
    #[arg(long = "slide", required = true)]
    slides: Vec<PathBuf>,
    /// The QuPath GeoJSON export of the slide given at the same position.
    #[arg(long = "annotations", required = true)]
    annotations: Vec<PathBuf>,
    /// Folder for metrics.json and the confusion and ROC plots (created if missing).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Tiles per inference batch.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// Which of the package's models runs: auto (its int8 model where that passed the package's
    /// accuracy guard and the model runs on the CPU, else the float model), fp32, or int8.
    #[arg(long, default_value = "auto", value_parser = Precision::parse)]
    precision: Precision,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
    /// Print the metrics as JSON.
    #[arg(long)]
    json: bool,
}

/// Evaluates and prints or writes the report.
pub fn run(args: Args) -> Result<()> {
    let mut inputs = named_inputs(&args.slides, &args.annotations);
    inputs.push(("the model given with --model", &args.model));
    let report = args.report.as_deref().map(|report| Output::folder("--report", report));
    check_outputs(report.as_slice(), &inputs)?;
    let runtime = runtime::init(&runtime::locate()?)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut predictor =
        model::load(runtime, &args.model, threads, Device::Cpu, args.precision, args.quiet || args.json)?;
    let (slides, _) = open_slides(&args.slides, &args.annotations, None)?;
    let labelled: Vec<LabelledSlide> = slides
        .iter()
        .map(|s| LabelledSlide {
            source: &s.source as &dyn RegionSource,
            name: s.name.clone(),
            selection: s.selection.clone(),
        })
        .collect();
    let bar = Bar::new("tiles", args.quiet);
    let report = pipeline::evaluate_slides(&mut predictor, &labelled, args.batch, &Job::new(interrupt::token(), &bar))?;
    bar.finish();
    let value = serde_json::to_value(&report).map_err(|e| TesseraError::invalid(e.to_string()))?;
    if let Some(dir) = &args.report {
        plots::write_evaluation(&value, dir)?;
    }
    if args.json {
        println!("{value:#}");
    } else if !args.quiet {
        let m = |metric: &tessera_core::eval::report::Metric| {
            format!("{:.3} [{:.3}, {:.3}]", metric.value, metric.ci95.low, metric.ci95.high)
        };
        match &report.mean_iou {
            Some(iou) => {
                println!("labelled pixels: {}", report.tiles);
                println!("pixel accuracy (95% CI):    {}", m(&report.accuracy));
                println!("mean IoU (95% CI):          {}", m(iou));
                println!("mean Dice (95% CI):         {}", m(&report.macro_f1));
                for class in &report.classes {
                    println!("  {:<24} IoU {:.3}  Dice {:.3}", class.name, class.iou.unwrap_or(0.0), class.scores.f1);
                }
            }
            None => {
                println!("tiles: {}", report.tiles);
                println!("accuracy (95% CI):          {}", m(&report.accuracy));
                println!("balanced accuracy (95% CI): {}", m(&report.balanced_accuracy));
                println!("macro-F1 (95% CI):          {}", m(&report.macro_f1));
            }
        }
        if let Some(dir) = &args.report {
            println!("report: {}", dir.join("metrics.json").display());
        }
    }
    Ok(())
}
