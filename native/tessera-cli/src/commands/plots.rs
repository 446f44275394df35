//! The plots of a training report, as SVG: the confusion matrix of the final hold-out and the
//! per-epoch training loss and validation macro-F1 of the final model.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;
use tessera_core::{Result, TesseraError};

/// Writes `metrics.json`, `confusion.svg` and `curves.svg` for a package's metadata into `dir`.
pub fn write_report(metadata: &tessera_core::model::Metadata, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| TesseraError::io(dir, source))?;
    let metrics = serde_json::to_string_pretty(&metadata.metrics).map_err(|e| TesseraError::invalid(e.to_string()))?;
    let names: Vec<&str> = metadata.class_names();
    let confusion = &metadata.metrics["final_hold_out"]["confusion"]["counts"];
    let history = &metadata.training["history"];
    for (file, text) in [
        ("metrics.json", metrics),
        ("confusion.svg", confusion_svg(&names, confusion)),
        ("curves.svg", curves_svg(history)),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|source| TesseraError::io(&path, source))?;
    }
    Ok(())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A heat-coloured `k × k` grid, rows = true class, columns = predicted class, with counts.
fn confusion_svg(names: &[&str], counts: &Value) -> String {
    let k = names.len();
    let counts: Vec<u64> = counts.as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()).unwrap_or_default();
    let (cell, left, top) = (70usize, 130usize, 60usize);
    let (width, height) = (left + k * cell + 20, top + k * cell + 40);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <text x=\"{left}\" y=\"20\" font-size=\"14\">Confusion matrix (final hold-out): rows true, columns predicted</text>\n"
    );
    for (r, row_name) in names.iter().enumerate() {
        let row: Vec<u64> = counts.iter().skip(r * k).take(k).copied().collect();
        let total = row.iter().sum::<u64>().max(1);
        let _ = writeln!(svg, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 8, top + r * cell + cell / 2 + 4, escape(row_name));
        for (c, &count) in row.iter().enumerate() {
            let share = count as f64 / total as f64;
            let shade = (255.0 * (1.0 - share)).round() as u8;
            let (x, y) = (left + c * cell, top + r * cell);
            let ink = if share > 0.5 { "white" } else { "black" };
            let _ = writeln!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({shade},{shade},255)\" stroke=\"#888\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\">{count}</text>",
                x + cell / 2,
                y + cell / 2 + 4
            );
        }
    }
    for (c, name) in names.iter().enumerate() {
        let _ = writeln!(svg, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", left + c * cell + cell / 2, top + k * cell + 18, escape(name));
    }
    svg + "</svg>\n"
}

/// Training loss (scaled to its maximum) and validation macro-F1 per epoch, as two polylines.
fn curves_svg(history: &Value) -> String {
    let epochs = history.as_array().cloned().unwrap_or_default();
    let series = |key: &str| -> Vec<f64> { epochs.iter().map(|e| e[key].as_f64().unwrap_or(f64::NAN)).collect() };
    let (loss, f1) = (series("train_loss"), series("validation_macro_f1"));
    let max_loss = loss.iter().copied().filter(|v| v.is_finite()).fold(f64::MIN_POSITIVE, f64::max);
    let (left, top, plot_w, plot_h) = (50.0, 40.0, 480.0, 240.0);
    let x = |i: usize| left + plot_w * i as f64 / (epochs.len().max(2) - 1) as f64;
    let line = |values: &[f64], scale: f64| -> String {
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), top + plot_h * (1.0 - v / scale)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"580\" height=\"330\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <text x=\"{left}\" y=\"22\" font-size=\"14\">Final model by epoch: training loss (red, max {max_loss:.3}) and validation macro-F1 (blue, 0–1)</text>\n\
         <rect x=\"{left}\" y=\"{top}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"none\" stroke=\"#888\"/>\n\
         <polyline fill=\"none\" stroke=\"#c00\" stroke-width=\"2\" points=\"{}\"/>\n\
         <polyline fill=\"none\" stroke=\"#00c\" stroke-width=\"2\" points=\"{}\"/>\n\
         <text x=\"{left}\" y=\"{}\">epoch 1</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">epoch {}</text>\n</svg>\n",
        line(&loss, max_loss),
        line(&f1, 1.0),
        top + plot_h + 18.0,
        left + plot_w,
        top + plot_h + 18.0,
        epochs.len()
    )
}
