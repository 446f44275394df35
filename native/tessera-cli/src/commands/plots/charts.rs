//! The report's charts as figures: confusion matrix, per-epoch curves, one-vs-rest ROC curves.

use serde_json::Value;

use super::figure::{Anchor, Figure, Mark, Rgb};

/// Series colours, one per class (cycled).
const SERIES: [Rgb; 6] = [[204, 0, 0], [0, 0, 204], [0, 140, 0], [230, 140, 0], [140, 0, 170], [0, 150, 150]];
const GREY: Rgb = [136, 136, 136];

/// A heat-coloured `k × k` grid of a report's confusion counts (`report["confusion"]["counts"]`),
/// rows = true class, columns = predicted class, with the counts written in.
pub fn confusion(names: &[&str], report: &Value) -> Figure {
    let k = names.len();
    let counts: Vec<u64> = report["confusion"]["counts"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let (cell, left, top) = (90.0, 130.0, 60.0);
    let mut figure = Figure::new((left + k as f64 * cell + 20.0) as u32, (top + k as f64 * cell + 40.0) as u32);
    figure.text([10.0, 24.0], "Confusion: rows true, columns predicted", 14.0, Anchor::Start);
    for (r, row_name) in names.iter().enumerate() {
        let row: Vec<u64> = counts.iter().skip(r * k).take(k).copied().collect();
        let total = row.iter().sum::<u64>().max(1);
        let y = top + r as f64 * cell;
        figure.text([left - 8.0, y + cell / 2.0 + 4.0], *row_name, 12.0, Anchor::End);
        for (c, &count) in row.iter().enumerate() {
            let share = count as f64 / total as f64;
            let shade = (255.0 * (1.0 - share)).round() as u8;
            let x = left + c as f64 * cell;
            figure.rect([x, y, cell, cell], Some([shade, shade, 255]), Some(GREY));
            let colour = if share > 0.5 { [255; 3] } else { [0; 3] };
            let at = [x + cell / 2.0, y + cell / 2.0 + 4.0];
            figure.marks.push(Mark::Text { at, text: count.to_string(), size: 12.0, anchor: Anchor::Middle, colour });
        }
    }
    for (c, name) in names.iter().enumerate() {
        figure.text([left + c as f64 * cell + cell / 2.0, top + k as f64 * cell + 18.0], *name, 12.0, Anchor::Middle);
    }
    figure
}

/// Training loss (scaled to its maximum) and the validation score of each epoch of a training
/// `history`, as two polylines: macro-F1 for a tile classifier, mean IoU for a segmenter (whose
/// epochs record `validation_mean_iou`).
pub fn curves(history: &Value) -> Figure {
    let epochs = history.as_array().cloned().unwrap_or_default();
    let series = |key: &str| -> Vec<f64> { epochs.iter().map(|e| e[key].as_f64().unwrap_or(f64::NAN)).collect() };
    let segmenter = epochs.iter().any(|e| e["validation_mean_iou"].is_number());
    let (key, label) =
        if segmenter { ("validation_mean_iou", "mean IoU") } else { ("validation_macro_f1", "macro-F1") };
    let (loss, score) = (series("train_loss"), series(key));
    let max_loss = loss.iter().copied().filter(|v| v.is_finite()).fold(f64::MIN_POSITIVE, f64::max);
    let (left, top, plot_w, plot_h) = (50.0, 40.0, 480.0, 240.0);
    let x = |i: usize| left + plot_w * i as f64 / (epochs.len().max(2) - 1) as f64;
    let line = |values: &[f64], scale: f64| -> Vec<[f64; 2]> {
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, v)| [x(i), top + plot_h * (1.0 - v / scale)])
            .collect()
    };
    let mut figure = Figure::new(580, 330);
    let title = format!("Training loss (red, max {max_loss:.3}), validation {label} (blue, 0-1)");
    figure.text([left, 22.0], title, 13.0, Anchor::Start);
    figure.rect([left, top, plot_w, plot_h], None, Some(GREY));
    figure.line(line(&loss, max_loss), SERIES[0], 2.0, Some("train_loss"));
    figure.line(line(&score, 1.0), SERIES[1], 2.0, Some(key));
    figure.text([left, top + plot_h + 18.0], "epoch 1", 12.0, Anchor::Start);
    figure.text([left + plot_w, top + plot_h + 18.0], format!("epoch {}", epochs.len()), 12.0, Anchor::End);
    figure
}

/// The one-vs-rest ROC curve of every class of a report (`report["classes"][i]["roc_curve"]`),
/// one coloured polyline per class with its AUC in the legend, over the chance diagonal.
pub fn roc(report: &Value) -> Figure {
    let classes = report["classes"].as_array().cloned().unwrap_or_default();
    let (left, top, side) = (60.0, 40.0, 300.0);
    let legend = left + side + 20.0;
    let mut figure = Figure::new((legend + 200.0) as u32, (top + side + 45.0) as u32);
    figure.text([left, 22.0], "ROC curves, one class against the rest", 14.0, Anchor::Start);
    figure.rect([left, top, side, side], None, Some(GREY));
    figure.line(vec![[left, top + side], [left + side, top]], GREY, 1.0, None);
    for (label, x, y, anchor) in [
        ("0", left, top + side + 16.0, Anchor::Middle),
        ("1", left + side, top + side + 16.0, Anchor::Middle),
        ("1", left - 6.0, top + 4.0, Anchor::End),
    ] {
        figure.text([x, y], label, 12.0, anchor);
    }
    figure.text([left + side / 2.0, top + side + 34.0], "false positive rate", 12.0, Anchor::Middle);
    figure.text([left - 6.0, top + side / 2.0], "TPR", 12.0, Anchor::End);
    for (i, class) in classes.iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        let name = class["name"].as_str().unwrap_or("?");
        let auc = class["roc_auc"].as_f64().map_or("n/a".to_owned(), |a| format!("{a:.3}"));
        let y = top + 10.0 + 20.0 * i as f64;
        figure.line(vec![[legend, y - 4.0], [legend + 20.0, y - 4.0]], colour, 2.0, None);
        figure.text([legend + 26.0, y], format!("{name} (AUC {auc})"), 12.0, Anchor::Start);
        let Some(points) = class["roc_curve"].as_array() else { continue };
        let points = points
            .iter()
            .filter_map(|p| Some([left + side * p[0].as_f64()?, top + side * (1.0 - p[1].as_f64()?)]))
            .collect();
        figure.line(points, colour, 2.0, Some(&format!("roc {name}")));
    }
    figure
}
