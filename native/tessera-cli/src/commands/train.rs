//! `tessera train`: a tile classifier (or, with `--task segmentation`, a pixel classifier) from
//! slides and their QuPath annotations, cross-validated and packed into a `.tessera` model.

use std::path::PathBuf;
use std::time::Instant;

use tessera_core::graph::layers::PixelLoss;
use tessera_core::job::{Job, ProgressSink};
use tessera_core::model::Package;
use tessera_core::pipeline::parent::FINE_TUNING_LEARNING_RATE;
use tessera_core::pipeline::{
    self, Architecture, CnnOptions, Collected, FoldResult, LabelledSlide, Stage, Stages, TrainingRequest,
    TransferOptions, UNetOptions,
};
use tessera_core::shift::StainMethod;
use tessera_core::slide::RegionSource;
use tessera_core::train::fit::TrainConfig;
use tessera_core::train::schedule::Schedule;
use tessera_core::Result;
use tessera_core::{runtime, TesseraError};

use super::inputs::{named_inputs, TileArgs};
use super::interrupt;
use super::plots;
use super::progress::Bar;
use tessera_core::outputs::{check_outputs, Output};

/// Train a tile classifier, or a pixel classifier, on annotated slides.
///
/// Tiles are cut inside the annotation polygons, a small CNN is trained from scratch on ONNX
/// Runtime (or, with --backbone, a head on the embeddings of your ONNX backbone), evaluated by
/// grouped k-fold cross-validation (tiles of one polygon, or of one slide when there are
/// several, never on both sides), then trained once more on all tiles and written with its
/// metrics as one `.tessera` file. With --task segmentation, patches inside and around the
/// annotations get label masks (pixels outside every annotation count for nothing) and a U-Net
/// learns a class for every pixel, evaluated by IoU and Dice over the labelled pixels.
///
/// Example: `tessera train --slide CMU-1.svs --annotations CMU-1.geojson --mpp 0.5 --tile-size 64 --model cmu.tessera`
/// Segmentation: `tessera train --task segmentation --slide CMU-1.svs --annotations CMU-1.geojson --mpp 1 --tile-size 128 --overlap 0.5 --min-coverage 0.25 --model cmu-seg.tessera`
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    tiles: TileArgs,
    /// The model file to write (`.tessera`).
    #[arg(long)]
    model: PathBuf,
    /// What the model learns: a class per tile, or a class per pixel (a U-Net; --tile-size is
    /// then the patch side, a multiple of 2^depth).
    #[arg(long, value_enum, default_value_t = TaskArg::Tiles)]
    task: TaskArg,
    /// The segmentation loss over the labelled pixels.
    #[arg(long, value_enum, default_value_t = LossArg::CrossEntropyDice)]
    loss: LossArg,
    /// The model's name (default: the model file's stem).
    #[arg(long)]
    name: Option<String>,
    /// Folds of grouped cross-validation (0: none, only the final model).
    #[arg(long, default_value_t = 4)]
    folds: usize,
    /// The most epochs per training.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Stop after this many epochs without a better validation macro-F1 (0: never).
    #[arg(long, default_value_t = 8)]
    patience: usize,
    /// Tiles per training step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// The base learning rate (default: 1e-3, or 1e-4 when fine-tuning with --from: larger
    /// steps undo what the parent learnt before they improve on it).
    #[arg(long)]
    learning_rate: Option<f32>,
    /// How the learning rate changes: cosine (annealed to 0 over all steps), constant, or
    /// plateau (multiplied by --plateau-factor after --plateau-patience epochs without a better
    /// validation macro-F1).
    #[arg(long, value_enum, default_value_t = ScheduleArg::Cosine)]
    schedule: ScheduleArg,
    /// The plateau schedule's reduction factor, in (0, 1).
    #[arg(long, default_value_t = 0.5)]
    plateau_factor: f32,
    /// The plateau schedule's epochs without a better validation macro-F1 before a reduction.
    #[arg(long, default_value_t = 3)]
    plateau_patience: usize,
    /// Channels of the CNN's first block or the U-Net's first level (doubled by each further
    /// one).
    #[arg(long, default_value_t = 16)]
    width: usize,
    /// Blocks of the CNN (default 4) or levels below the U-Net's first (default 3), each halving
    /// the tile side.
    #[arg(long)]
    depth: Option<usize>,
    /// Instead of the CNN, train a head on this ONNX backbone's features: an image model from
    /// [batch, 3, tile, tile] (RGB scaled to [-1, 1]) to [batch, features]. The model written is
    /// the backbone followed by the head.
    #[arg(long)]
    backbone: Option<PathBuf>,
    /// Width of the head's hidden ReLU layer (default: a linear head).
    #[arg(long, requires = "backbone")]
    head_hidden: Option<usize>,
    /// Stain normalisation: none, reinhard (fast: colour statistics) or macenko (stain vectors).
    /// Fitted on the training tiles and stored in the model; each training slide, and each slide
    /// the model is applied to, is mapped onto it from its own appearance.
    #[arg(long, default_value = "none", value_parser = StainMethod::parse)]
    stain_normalisation: StainMethod,
    /// Seed of initialisation, order, splits and augmentation: the same seed gives the same model.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// ONNX Runtime threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Also write the report here: metrics.json; confusion, roc and curves plots (.svg, .png).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Fine-tune: start from this model's weights instead of random ones (a model Tessera trained,
    /// with the same classes, tile size, resolution and network); the new package records it
    /// as its parent, what was added, and both models' macro-F1 on the same folds.
    #[arg(long)]
    from: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
    /// Print the model's metrics as JSON.
    #[arg(long)]
    json: bool,
}

/// What the model learns.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TaskArg {
    /// A class per tile.
    Tiles,
    /// A class per pixel.
    Segmentation,
}

/// The segmentation losses by name.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LossArg {
    CrossEntropy,
    Dice,
    #[value(name = "cross-entropy+dice")]
    CrossEntropyDice,
}

/// The learning-rate schedules by name.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ScheduleArg {
    Cosine,
    Constant,
    Plateau,
}

impl Args {
    /// The network asked for.
    fn architecture(&self) -> Result<Architecture> {
        Ok(match (self.task, &self.backbone) {
            (TaskArg::Tiles, Some(path)) => Architecture::Transfer(TransferOptions::from_file(path, self.head_hidden)?),
            (TaskArg::Segmentation, Some(_)) => {
                return Err(TesseraError::invalid("--backbone trains a tile classifier, not --task segmentation"))
            }
            (TaskArg::Tiles, None) => {
                let defaults = CnnOptions::default();
                Architecture::Cnn(CnnOptions {
                    width: self.width,
                    depth: self.depth.unwrap_or(defaults.depth),
                    ..defaults
                })
            }
            (TaskArg::Segmentation, None) => {
                let loss = match self.loss {
                    LossArg::CrossEntropy => PixelLoss::CrossEntropy,
                    LossArg::Dice => PixelLoss::Dice,
                    LossArg::CrossEntropyDice => PixelLoss::CrossEntropyDice,
                };
                let depth = self.depth.unwrap_or(UNetOptions::default().depth);
                Architecture::UNet(UNetOptions { width: self.width, depth, loss })
            }
        })
    }

    /// The schedule asked for, checked.
    fn schedule(&self) -> Result<Schedule> {
        Ok(match self.schedule {
            ScheduleArg::Cosine => Schedule::Cosine,
            ScheduleArg::Constant => Schedule::Constant,
            ScheduleArg::Plateau => {
                if !(self.plateau_factor > 0.0 && self.plateau_factor < 1.0) || self.plateau_patience == 0 {
                    return Err(TesseraError::invalid(format!(
                        "--plateau-factor must be in (0, 1) and --plateau-patience ≥ 1, not {} and {}",
                        self.plateau_factor, self.plateau_patience
                    )));
                }
                Schedule::Plateau { factor: self.plateau_factor, patience: self.plateau_patience }
            }
        })
    }
}

/// What training produced.
pub struct Outcome {
    /// The package, with the cross-validation folds in its metrics.
    pub package: tessera_core::model::Package,
}

/// Trains, cross-validates and writes the model.
pub fn run(args: Args) -> Result<()> {
    let mut inputs = named_inputs(&args.tiles.slides, &args.tiles.annotations);
    if let Some(backbone) = &args.backbone {
        inputs.push(("the backbone given with --backbone", backbone));
    }
    if let Some(parent) = &args.from {
        inputs.push(("the parent model given with --from", parent));
    }
    let mut outputs = vec![Output::file("--model", &args.model)];
    outputs.extend(args.report.as_deref().map(|report| Output::folder("--report", report)));
    check_outputs(&outputs, &inputs)?;
    let spec = args.tiles.spec()?;
    let (slides, colours) = args.tiles.open(&spec)?;
    let labelled: Vec<LabelledSlide> = slides
        .iter()
        .map(|s| LabelledSlide {
            source: &s.source as &dyn RegionSource,
            name: s.name.clone(),
            selection: s.selection.clone(),
        })
        .collect();
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate.unwrap_or(if args.from.is_some() {
            FINE_TUNING_LEARNING_RATE
        } else {
            TrainConfig::default().learning_rate
        }),
        schedule: args.schedule()?,
        patience: args.patience,
        seed: args.seed,
        threads: args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
        stain_normalisation: args.stain_normalisation,
        ..TrainConfig::default()
    };
    let architecture = args.architecture()?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| args.model.file_stem().map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned()));
    let started = Instant::now();
    let parent = args.from.as_deref().map(Package::read).transpose()?;
    let outcome =
        train(&labelled, &spec, &architecture, &config, args.folds, &name, &colours, parent.as_ref(), args.quiet)?;
    outcome.package.write(&args.model)?;
    if let Some(dir) = &args.report {
        plots::write_report(outcome.package.metadata(), dir)?;
    }
    if args.json {
        let metrics = serde_json::to_string(&outcome.package.metadata().metrics)
            .map_err(|e| TesseraError::internal(format!("metrics: {e}")))?;
        println!("{metrics}");
    } else if !args.quiet {
        summarise(&outcome, started.elapsed().as_secs_f64());
        println!("model: {}", args.model.display());
    }
    Ok(())
}

/// Checks the architecture against the tiles, collects them and runs the core's training request
/// (cross-validation, final model), with a progress bar for each stage.
#[allow(clippy::too_many_arguments)] // The whole training request.
pub fn train(
    slides: &[LabelledSlide],
    spec: &tessera_core::tiling::TileSpec,
    architecture: &Architecture,
    config: &TrainConfig,
    folds: usize,
    name: &str,
    colours: &std::collections::BTreeMap<String, [u8; 3]>,
    parent: Option<&Package>,
    quiet: bool,
) -> Result<Outcome> {
    let request = TrainingRequest { name, tiles: spec, architecture, config, folds, colours, parent };
    request.check()?;
    let runtime = runtime::init(&runtime::locate()?)?;
    let cancel = interrupt::token();
    let segmentation = matches!(architecture, Architecture::UNet(_));
    let collected: Collected = {
        let bar = Bar::new("tiles", quiet);
        let job = Job::new(cancel.clone(), &bar);
        let collected = if segmentation {
            pipeline::collect_patches(slides, spec, &job)?
        } else {
            pipeline::collect(slides, spec, &job)?
        };
        bar.finish();
        collected
    };
    if !quiet {
        let store = &collected.store;
        let (what, counts) = if segmentation {
            ("patches", store.pixel_counts(&(0..store.len()).collect::<Vec<_>>()))
        } else {
            ("tiles", store.class_counts(&(0..store.len()).collect::<Vec<_>>()))
        };
        let unit = if segmentation { " labelled px" } else { "" };
        let counts: Vec<String> = store.classes().iter().zip(counts).map(|(c, n)| format!("{c} {n}{unit}")).collect();
        println!("{what}: {} ({}), grouped by {}", store.len(), counts.join(", "), collected.record.grouping);
    }
    let mut bars = StageBars { quiet, embeds: matches!(architecture, Architecture::Transfer(_)), bar: None };
    let package = request.run(runtime, &collected.store, &collected.record, &cancel, &mut bars)?;
    bars.finish();
    Ok(Outcome { package })
}

/// A progress bar for each stage of training, and the folds' table once they are done.
struct StageBars {
    quiet: bool,
    /// Whether preparing means computing embeddings (a backbone), worth a bar.
    embeds: bool,
    bar: Option<Bar>,
}

impl StageBars {
    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
}

impl Stages for StageBars {
    fn start(&mut self, stage: Stage) -> &dyn ProgressSink {
        self.finish();
        let (unit, hidden) = match stage {
            Stage::Prepare => ("tiles embedded", !self.embeds),
            Stage::CrossValidation | Stage::FinalModel => ("steps", false),
        };
        self.bar.insert(Bar::new(unit, self.quiet || hidden))
    }

    fn folds(&mut self, folds: &[FoldResult]) {
        self.finish();
        if !self.quiet && !folds.is_empty() {
            print_folds(folds);
        }
    }
}

/// A metric and its interval, for tables.
fn with_interval(m: &tessera_core::eval::report::Metric) -> String {
    format!("{:.3} [{:.3}, {:.3}]", m.value, m.ci95.low, m.ci95.high)
}

/// Prints a table of the cross-validation folds: tiles, accuracy and macro-F1, or for a
/// segmenter labelled pixels, pixel accuracy and mean IoU.
fn print_folds(folds: &[FoldResult]) {
    let pixels = folds.iter().all(|f| f.report.mean_iou.is_some());
    let (count, accuracy, headline) = if pixels {
        ("pixels", "pixel accuracy (95% CI)", "mean IoU (95% CI)")
    } else {
        ("tiles", "accuracy (95% CI)", "macro-F1 (95% CI)")
    };
    println!("{:<6} {:>9} {:>24} {:>24} {:>6}", "fold", count, accuracy, headline, "epoch");
    for fold in folds {
        let headline = fold.report.mean_iou.as_ref().unwrap_or(&fold.report.macro_f1);
        println!(
            "{:<6} {:>9} {:>24} {:>24} {:>6}",
            fold.fold,
            fold.report.tiles,
            with_interval(&fold.report.accuracy),
            with_interval(headline),
            fold.best_epoch
        );
    }
    let mean = |of: &dyn Fn(&FoldResult) -> f64| folds.iter().map(of).sum::<f64>() / folds.len().max(1) as f64;
    if pixels {
        let iou = mean(&|f| f.report.mean_iou.map_or(0.0, |m| m.value));
        let dice = mean(&|f| f.report.macro_f1.value);
        println!("mean IoU over {} folds: {iou:.3} (mean Dice {dice:.3})", folds.len());
    } else {
        println!("mean macro-F1 over {} folds: {:.3}", folds.len(), mean(&|f| f.report.macro_f1.value));
    }
    let int8: Option<Vec<_>> = folds.iter().map(|f| f.int8.as_ref()).collect();
    if let Some(int8) = int8.filter(|all| !all.is_empty()) {
        let mean = |value: &dyn Fn(&tessera_core::quant::Agreement) -> f64| {
            int8.iter().map(|a| value(a)).sum::<f64>() / int8.len() as f64
        };
        println!(
            "the folds' int8 models: mean macro-F1 {:.4} (float {:.4}), same class as the float model on {:.2} % of tiles",
            mean(&|a| a.macro_f1_int8.unwrap_or(f64::NAN)),
            mean(&|a| a.macro_f1_float.unwrap_or(f64::NAN)),
            100.0 * mean(&|a| a.agreement)
        );
    }
}

/// Prints how the final model did on its hold-out, its int8 model, and the time taken.
fn summarise(outcome: &Outcome, seconds: f64) {
    let metadata = outcome.package.metadata();
    if let Some(hold_out) = metadata.metrics.as_ref().and_then(|m| m.final_hold_out.as_ref()) {
        match &hold_out.mean_iou {
            Some(iou) => println!(
                "final model: mean IoU {} on its hold-out of {} labelled pixels; trained in {seconds:.0} s",
                with_interval(iou),
                hold_out.tiles
            ),
            None => println!(
                "final model: macro-F1 {:.3} on its hold-out of {} tiles; trained in {seconds:.0} s",
                hold_out.macro_f1.value, hold_out.tiles
            ),
        }
    }
    if let Some(lineage) = &metadata.lineage {
        let on_folds = match (lineage.parent_macro_f1_on_folds, lineage.child_macro_f1_on_folds) {
            (Some(parent), Some(child)) => format!("; on the same folds macro-F1 {child:.3}, the parent {parent:.3}"),
            _ => String::new(),
        };
        println!("fine-tuned from {:?}{on_folds}", lineage.parent);
    }
    if let Some(int8) = &metadata.quantization {
        let verdict = if int8.accepted { "used by --precision auto" } else { "not used by --precision auto" };
        println!("int8 model: {verdict}: {}", int8.reason);
    }
}
