//! `tessera tiles`: labelled PNG tiles from slides and their QuPath annotations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use tessera_core::job::{Job, ProgressSink};
use tessera_core::names::safe_file_name;
use tessera_core::outputs::{check_outputs, write_file, write_folder, Output};
use tessera_core::png_file;
use tessera_core::slide::{OpenSlideSource, RegionSource};
use tessera_core::tiling::read::read_tiles;
use tessera_core::tiling::{plan_selection, PlannedImage, Selection, Tile, TilePlan, TileSpec};
use tessera_core::{Result, TesseraError};

use super::inputs::{named_inputs, TileArgs};
use super::interrupt;

/// Cut labelled tiles out of slides, inside the polygons of QuPath GeoJSON exports.
///
/// Tiles go to OUT/<class>/<slide>_x<X>_y<Y>.png (X, Y: level-0 position), with
/// OUT/manifest.csv and OUT/manifest.json listing each tile's file, class, level-0 rectangle,
/// coverage, source polygon id and slide. They are written into a hidden folder inside OUT and
/// moved into place only when every tile is written: a failed or cancelled run leaves nothing.
///
/// Example: `tessera tiles --slide CMU-1.svs --annotations CMU-1.geojson --out tiles --tile-size 224 --mpp 0.5`
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    tiles: TileArgs,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

/// One slide ready to tile.
struct SlideJob {
    source: OpenSlideSource,
    selection: Selection,
    plan: TilePlan,
}

/// One written tile, as listed in the manifests.
#[derive(serde::Serialize)]
struct Row {
    file: String,
    class: String,
    x: i64,
    y: i64,
    w: u64,
    h: u64,
    coverage: f64,
    polygon_id: String,
    slide: String,
}

/// Forwards a job's progress to the terminal bar, offset by the tiles of earlier slides.
struct Bar {
    bar: ProgressBar,
    offset: AtomicU64,
}

impl ProgressSink for Bar {
    fn report(&self, done: u64, _total: u64, _message: &str) {
        self.bar.set_position(self.offset.load(Ordering::Relaxed) + done);
    }
}

/// Plans every slide, then reads, encodes and writes the tiles and the manifests.
pub fn run(args: Args) -> Result<()> {
    let inputs = named_inputs(&args.tiles.slides, &args.tiles.annotations);
    check_outputs(&[Output::folder("--out", &args.out)], &inputs)?;
    let spec = args.tiles.spec()?;
    let jobs = plan_all(&args, &spec)?;
    let total: usize = jobs.iter().map(|job| job.plan.tiles.len()).sum();
    if total == 0 {
        return Err(TesseraError::invalid(format!(
            "no tile of {} px is covered at least {} by a polygon; lower --min-coverage or --tile-size",
            spec.tile_size, spec.min_coverage
        )));
    }
    let bar = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(total as u64) };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} tiles  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let sink = Bar { bar, offset: AtomicU64::new(0) };
    let job = Job::new(interrupt::token(), &sink);
    let mut rows = Vec::with_capacity(total);
    write_folder(&args.out, |folder| {
        for slide in &jobs {
            write_tiles(slide, folder, &job, &mut rows)?;
            sink.offset.fetch_add(slide.plan.tiles.len() as u64, Ordering::Relaxed);
        }
        write_manifests(folder, &spec, &jobs, &rows)
    })?;
    sink.bar.finish_and_clear();
    if !args.quiet {
        print_summary(&jobs, &rows, &args.out);
    }
    Ok(())
}

/// Opens each slide with its annotations, then plans its tiles, before any pixel is read.
fn plan_all(args: &Args, spec: &TileSpec) -> Result<Vec<SlideJob>> {
    let (slides, _) = args.tiles.open(spec)?;
    slides
        .into_iter()
        .map(|slide| {
            let plan = plan_selection(&slide.selection, &PlannedImage::of(&slide.source, &slide.name), spec)?;
            Ok(SlideJob { source: slide.source, selection: slide.selection, plan })
        })
        .collect()
}

/// A name safe in file names on every platform.
fn tile_file(tile: &Tile) -> String {
    format!("{}/{}_x{}_y{}.png", safe_file_name(&tile.label), safe_file_name(&tile.slide), tile.x, tile.y)
}

/// Reads and encodes one slide's tiles in parallel and writes them from this thread.
fn write_tiles(slide: &SlideJob, out: &Path, job: &Job, rows: &mut Vec<Row>) -> Result<()> {
    for label in slide.plan.tiles.iter().map(|tile| &tile.label).collect::<std::collections::BTreeSet<_>>() {
        let folder = out.join(safe_file_name(label));
        std::fs::create_dir_all(&folder).map_err(|source| TesseraError::io(&folder, source))?;
    }
    let first = rows.len();
    let mut slots: Vec<Option<Row>> = Vec::new();
    slots.resize_with(slide.plan.tiles.len(), || None);
    read_tiles(
        &slide.source,
        &slide.plan,
        job,
        |tile, pixels| {
            png_file::encode(
                pixels.width(),
                pixels.height(),
                png::ColorType::Rgb,
                pixels.as_bytes(),
                Path::new(&tile_file(tile)),
            )
        },
        |index, bytes| {
            let tile = &slide.plan.tiles[index];
            let file = tile_file(tile);
            let path = out.join(&file);
            std::fs::write(&path, bytes).map_err(|source| TesseraError::io(&path, source))?;
            slots[index] = Some(Row {
                file,
                class: tile.label.clone(),
                x: tile.x,
                y: tile.y,
                w: tile.w,
                h: tile.h,
                coverage: tile.coverage,
                polygon_id: tile.polygon_id.clone(),
                slide: tile.slide.clone(),
            });
            Ok(())
        },
    )?;
    rows.extend(slots.into_iter().flatten());
    debug_assert_eq!(rows.len() - first, slide.plan.tiles.len());
    Ok(())
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn write_manifests(out: &Path, spec: &TileSpec, jobs: &[SlideJob], rows: &[Row]) -> Result<()> {
    let mut csv = String::from("file,class,x,y,w,h,coverage,polygon_id,slide\n");
    for row in rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{:.4},{},{}\n",
            csv_field(&row.file),
            csv_field(&row.class),
            row.x,
            row.y,
            row.w,
            row.h,
            row.coverage,
            csv_field(&row.polygon_id),
            csv_field(&row.slide)
        ));
    }
    let csv_path = out.join("manifest.csv");
    write_file(&csv_path, csv.as_ref())?;
    let slides: Vec<_> = jobs
        .iter()
        .map(|job| {
            serde_json::json!({
                "slide": job.plan.slide,
                "path": job.source.path(),
                "annotations": job.selection.source,
                "downsample": job.plan.downsample,
                "mpp": job.source.mpp().map(|mpp| mpp * job.plan.downsample),
            })
        })
        .collect();
    let manifest = serde_json::json!({ "tile_size": spec.tile_size, "spec": spec, "slides": slides, "tiles": rows });
    let json_path = out.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|error| TesseraError::io(&json_path, std::io::Error::other(error)))?;
    write_file(&json_path, text.as_ref())
}

fn print_summary(jobs: &[SlideJob], rows: &[Row], out: &Path) {
    let mut per_class: BTreeMap<&str, (usize, std::collections::BTreeSet<&str>)> = BTreeMap::new();
    for row in rows {
        let entry = per_class.entry(&row.class).or_default();
        entry.0 += 1;
        entry.1.insert(&row.polygon_id);
    }
    println!("{} tiles from {} slide(s) in {}", rows.len(), jobs.len(), out.display());
    for (class, (tiles, polygons)) in &per_class {
        println!("  {class:<20} {tiles:>7} tiles from {:>4} polygons", polygons.len());
    }
    for job in jobs {
        let s = &job.selection;
        let skipped = [
            (s.not_polygons, "without a polygon"),
            (s.unclassified, "unclassified"),
            (s.ignored, "of an Ignore* class"),
            (s.excluded, "of other classes"),
        ];
        let notes: Vec<String> =
            skipped.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
        if !notes.is_empty() || s.repaired > 0 {
            println!(
                "  {}: skipped {}; repaired {} self-intersecting polygon(s)",
                s.source.display(),
                if notes.is_empty() { "nothing".into() } else { notes.join(", ") },
                s.repaired
            );
        }
    }
}
