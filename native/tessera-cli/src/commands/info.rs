//! `tessera info`: what OpenSlide sees in a slide.

use std::path::PathBuf;

use tessera_core::slide::{OpenSlideSource, RegionSource};
use tessera_core::Result;

/// Show a slide's format, pyramid levels and pixel size.
///
/// Example: `tessera info CMU-1-Small-Region.svs --json`
#[derive(clap::Args)]
pub struct Args {
    /// The slide file (any format OpenSlide reads).
    slide: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Opens the slide and prints what it holds.
pub fn run(args: Args) -> Result<()> {
    let source = OpenSlideSource::open(&args.slide)?;
    let (width, height) = source.dimensions();
    if args.json {
        let report = serde_json::json!({
            "slide": args.slide,
            "vendor": source.vendor(),
            "width": width,
            "height": height,
            "mpp": source.mpp(),
            "levels": source.levels(),
        });
        println!("{report:#}");
        return Ok(());
    }
    println!("slide:      {}", args.slide.display());
    println!("vendor:     {}", source.vendor());
    println!("dimensions: {width} × {height} px");
    match source.mpp() {
        Some(mpp) => println!("pixel size: {mpp} µm/px"),
        None => println!("pixel size: not recorded (give --downsample rather than --mpp to `tessera tiles`)"),
    }
    println!("levels:");
    for (index, level) in source.levels().iter().enumerate() {
        println!("  {index}: {} × {} px, downsample {}", level.width, level.height, level.downsample);
    }
    Ok(())
}
