//! The files of a report folder: `metrics.json` and the plots, each as SVG and as PNG — the
//! confusion matrix and one-vs-rest ROC curves of the evaluated tiles and, for a training
//! report, the per-epoch training loss and validation macro-F1 of the final model.

mod charts;
mod figure;
mod raster;

use std::path::Path;

use png::ColorType;
use serde_json::Value;
use tessera_core::outputs::write_file;
use tessera_core::png_file;
use tessera_core::{Result, TesseraError};

use figure::Figure;

/// Writes a training report into `dir`: `metrics.json` (all of the package's metrics), and
/// `confusion`, `roc` (of the final hold-out) and `curves` plots as `.svg` and `.png`.
pub fn write_report(metadata: &tessera_core::model::Metadata, dir: &Path) -> Result<()> {
    let metrics = json(&metadata.metrics)?;
    write_json(&metrics, dir)?;
    let hold_out = &metrics["final_hold_out"];
    let history = json(&metadata.training.as_ref().map(|training| &training.history))?;
    write_figures(
        dir,
        &[
            ("confusion", charts::confusion(&metadata.class_names(), hold_out)),
            ("roc", charts::roc(hold_out)),
            ("curves", charts::curves(&history)),
        ],
    )
}

/// A package record as the JSON the charts read, its numbers as `tessera.json` writes them (an
/// f32 with its shortest digits, not widened to f64 first), so `metrics.json` equals the package's.
fn json(record: &impl serde::Serialize) -> Result<Value> {
    let fail = |e: serde_json::Error| TesseraError::internal(format!("metrics: {e}"));
    serde_json::from_str(&serde_json::to_string(record).map_err(fail)?).map_err(fail)
}

/// Writes an evaluation report (an [`eval::report::Report`](tessera_core::eval::report::Report)
/// as JSON) into `dir`: `metrics.json` and the `confusion` and `roc` plots as `.svg` and `.png`.
pub fn write_evaluation(report: &Value, dir: &Path) -> Result<()> {
    write_json(report, dir)?;
    let classes = report["classes"].as_array().map(Vec::as_slice).unwrap_or_default();
    let names: Vec<&str> = classes.iter().map(|c| c["name"].as_str().unwrap_or("?")).collect();
    write_figures(dir, &[("confusion", charts::confusion(&names, report)), ("roc", charts::roc(report))])
}

/// Creates `dir` and writes `metrics` as pretty JSON into `dir/metrics.json`.
fn write_json(metrics: &Value, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| TesseraError::io(dir, source))?;
    let text = serde_json::to_string_pretty(metrics).map_err(|e| TesseraError::invalid(e.to_string()))?;
    let path = dir.join("metrics.json");
    write_file(&path, text.as_ref())
}

/// Writes each named figure as `dir/<name>.svg` and `dir/<name>.png`.
fn write_figures(dir: &Path, figures: &[(&str, Figure)]) -> Result<()> {
    for (name, figure) in figures {
        let path = dir.join(format!("{name}.svg"));
        write_file(&path, figure.to_svg().as_ref())?;
        let (width, height, pixels) = raster::rasterise(figure);
        png_file::write(&dir.join(format!("{name}.png")), width, height, ColorType::Rgb, &pixels)?;
    }
    Ok(())
}
