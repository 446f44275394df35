//! `tessera quantize`: an int8 model for a model made elsewhere, calibrated on the user's slides.

use std::path::PathBuf;

use tessera_core::job::Job;
use tessera_core::model::Package;
use tessera_core::outputs::{check_outputs, Output};
use tessera_core::pipeline::int8::int8_for_slides;
use tessera_core::slide::{OpenSlideSource, RegionSource};
use tessera_core::{runtime, Result};

use super::inputs::named_inputs;
use super::interrupt;
use super::progress::Bar;

/// Add an int8 model to a model: calibrated on tissue tiles of your slides, checked there against
/// the float model.
///
/// For models Tessera did not train (a bare .onnx with a WSInfer-style config.json, or a package
/// from before int8 models); packages `tessera train` makes carry one already. Up to 512 tissue
/// tiles at the model's resolution, spread over the slides, alternately calibrate the int8 model
/// and check it: `apply --precision auto` uses it only where it gives the float model's class on
/// at least 99 % of the checking tiles. A model that cannot be quantised is written with its
/// float model only, and the reason is printed.
///
/// Example: `tessera quantize --model resnet34/model.onnx --slide a.svs --slide b.svs --out resnet34.tessera`
#[derive(clap::Args)]
pub struct Args {
    /// The model (.tessera package, or bare .onnx with a WSInfer config.json beside it).
    #[arg(long)]
    model: PathBuf,
    /// A slide to take tissue tiles from (repeat for several).
    #[arg(long, required = true)]
    slide: Vec<PathBuf>,
    /// The package written: the model, its int8 model and their record.
    #[arg(long)]
    out: PathBuf,
    /// ONNX Runtime threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Print nothing but errors and warnings.
    #[arg(long)]
    quiet: bool,
}

/// Calibrates, checks and writes the package.
pub fn run(args: Args) -> Result<()> {
    let mut inputs = named_inputs(&args.slide, &[]);
    inputs.push(("the model given with --model", &args.model));
    check_outputs(&[Output::file("--out", &args.out)], &inputs)?;
    let runtime = runtime::init(&runtime::locate()?)?;
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let package = Package::read(&args.model)?;
    let sources = args.slide.iter().map(OpenSlideSource::open).collect::<Result<Vec<_>>>()?;
    let slides: Vec<&dyn RegionSource> = sources.iter().map(|s| s as &dyn RegionSource).collect();
    let bar = Bar::new("int8", args.quiet);
    let package = int8_for_slides(runtime, package, &slides, threads, &Job::new(interrupt::token(), &bar))?;
    bar.finish();
    package.write(&args.out)?;
    if let Some(record) = &package.metadata().quantization {
        match (record.accepted, package.int8().is_some()) {
            (true, _) if !args.quiet => println!("int8 model: used by --precision auto: {}", record.reason),
            (true, _) => {}
            (false, true) => eprintln!("warning: int8 model not used by --precision auto: {}", record.reason),
            (false, false) => eprintln!("warning: no int8 model, the float model is kept: {}", record.reason),
        }
    }
    if !args.quiet {
        println!("model: {}", args.out.display());
    }
    Ok(())
}
