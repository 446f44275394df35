//! `tessera review`: the tiles to look at next, from a model's applied tiles.

use std::path::{Path, PathBuf};

use tessera_core::geometry::Document;
use tessera_core::outputs::{check_outputs, Output};
use tessera_core::review::{pick, Applied, Ranking};
use tessera_core::{Result, TesseraError};

/// Pick the applied tiles to review next, spread out over the slides, as QuPath annotations.
///
/// Reads the GeoJSON `tessera apply` wrote for one or more slides and picks the --count tiles that
/// most deserve a look across all of them: where the model is least sure (--by uncertainty, the
/// entropy each tile carries), or where it most disagrees with the class you annotated (--by loss,
/// with one --annotations per --detections). Picks are spread out, not crowded round one spot.
/// Each slide gets OUT/<its detections file's name>.review.geojson: unclassified annotations
/// named "Tessera review <n>: <predicted class>?" (File › Import objects in QuPath); give one a
/// class and it is a training annotation like any other.
///
/// Example: `tessera review --detections a.geojson --detections b.geojson --count 20 --out review`
#[derive(clap::Args)]
pub struct Args {
    /// The objects `tessera apply` wrote for a slide (repeat for several slides).
    #[arg(long, required = true)]
    detections: Vec<PathBuf>,
    /// The slide's classified annotations, in the order of --detections (for --by loss).
    #[arg(long)]
    annotations: Vec<PathBuf>,
    /// How many tiles to pick, over all the slides.
    #[arg(long, default_value_t = 20)]
    count: usize,
    /// uncertainty (where the model hesitates) or loss (where it disagrees with the annotations).
    #[arg(long, default_value = "uncertainty", value_parser = ["uncertainty", "loss"])]
    by: String,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
}

/// Reads, picks and writes one review file per slide.
pub fn run(args: Args) -> Result<()> {
    let ranking = if args.by == "loss" { Ranking::Loss } else { Ranking::Uncertainty };
    if !args.annotations.is_empty() && args.annotations.len() != args.detections.len() {
        return Err(TesseraError::invalid(format!(
            "{} --detections but {} --annotations: give one annotation file per detections file, in the same order",
            args.detections.len(),
            args.annotations.len()
        )));
    }
    let outputs: Vec<PathBuf> = args.detections.iter().map(|d| review_file(&args.out, d)).collect();
    if let Some(twice) = outputs.iter().enumerate().find_map(|(i, o)| outputs[..i].contains(o).then_some(o)) {
        return Err(TesseraError::invalid(format!(
            "two --detections files would both be reviewed into {}: give them different names",
            twice.display()
        )));
    }
    let mut inputs: Vec<(&str, &Path)> =
        args.detections.iter().map(|d| ("the objects given with --detections", d.as_path())).collect();
    inputs.extend(args.annotations.iter().map(|a| ("the annotations given with --annotations", a.as_path())));
    check_outputs(&[Output::folder("--out", &args.out)], &inputs)?;
    // Nor may a review file be one of the inputs (annotations called `<slide>.review.geojson`
    // in the output folder, say).
    if let Some((_, input)) = inputs.iter().find(|(_, input)| outputs.iter().any(|o| o == input)) {
        return Err(TesseraError::invalid(format!("--out would overwrite the input {}", input.display())));
    }
    let tiles = args.detections.iter().map(|d| Document::read(d)).collect::<Result<Vec<_>>>()?;
    let annotations = args.annotations.iter().map(|a| Document::read(a)).collect::<Result<Vec<_>>>()?;
    let images: Vec<Applied> = tiles
        .iter()
        .zip(&args.detections)
        .enumerate()
        .map(|(i, (tiles, source))| Applied { tiles, annotations: annotations.get(i), source })
        .collect();
    let reviews = pick(&images, ranking, args.count)?;
    std::fs::create_dir_all(&args.out).map_err(|source| TesseraError::io(&args.out, source))?;
    for (review, path) in reviews.iter().zip(&outputs) {
        review.write(path)?;
        println!("{}: {} tiles to review", path.display(), review.objects.len());
    }
    Ok(())
}

/// `OUT/<name of the detections file without .geojson>.review.geojson`.
fn review_file(out: &Path, detections: &Path) -> PathBuf {
    let name = detections.file_name().map_or_else(|| "tiles".into(), |n| n.to_string_lossy().into_owned());
    let stem = name.strip_suffix(".geojson").or_else(|| name.strip_suffix(".json")).unwrap_or(&name);
    out.join(format!("{stem}.review.geojson"))
}
