//! What a package records of how its model was made — the network, the training run and the
//! metrics — as typed values, written to and read from `tessera.json`.
//!
//! Format-version policy: a package records the [`FORMAT_VERSION`](super::FORMAT_VERSION) it was
//! written in, and this core reads every version up to its own. A field added within a version is
//! optional when read (older packages lack it); a field whose meaning changes bumps the version,
//! and the reader keeps reading the older form. `tests/golden` holds a package of each version as
//! Tessera wrote it; it must keep loading, and round-trip unchanged.

use serde::{Deserialize, Serialize};

use crate::eval::report::Report;
use crate::graph::cnn::CnnSpec;
use crate::graph::unet::UNetSpec;
use crate::quant::{Agreement, Calibration};
use crate::tiling::TileSpec;
use crate::train::fit::{EpochRecord, TrainConfig};

/// The network a package holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ArchitectureRecord {
    /// A network Tessera built.
    Built(BuiltNetwork),
    /// A network imported with a WSInfer-style configuration, by its name there (`resnet34`).
    Named(String),
}

/// A network Tessera built, by kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BuiltNetwork {
    /// The CNN trained from scratch.
    Cnn {
        /// Its shape.
        cnn: CnnSpec,
    },
    /// The U-Net trained from scratch (a segmenter).
    #[serde(rename = "unet")]
    UNet {
        /// Its shape and loss.
        unet: UNetSpec,
    },
    /// A head trained on a fixed ONNX backbone's features, packed with the backbone.
    Transfer {
        /// The backbone's file name.
        backbone: String,
        /// Features per tile the backbone gives.
        features: Option<usize>,
        /// Width of the head's hidden layer (none: a linear head).
        head_hidden: Option<usize>,
    },
}

/// How the final model was trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    /// The training configuration.
    pub config: TrainConfig,
    /// The tiles trained on: size and resolution.
    pub tiles: TileSpec,
    /// The epoch whose model was kept.
    pub best_epoch: usize,
    /// Why training stopped before its last epoch, if it did.
    #[serde(default)]
    pub stopped: Option<String>,
    /// Every epoch run.
    #[serde(default)]
    pub history: Vec<EpochRecord>,
    /// The loss's weight of each class (balancing their tile counts).
    #[serde(default)]
    pub class_weights: Vec<f32>,
}

/// What one cross-validation fold achieved on its held-out tiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoldResult {
    /// 1-based fold number.
    pub fold: usize,
    /// The metrics on the held-out tiles, with 95 % bootstrap intervals.
    pub report: Report,
    /// The epoch whose model was kept.
    pub best_epoch: usize,
    /// Every epoch run.
    pub history: Vec<EpochRecord>,
    /// The fold's model quantised to int8 against the float model on the same held-out tiles
    /// (absent where it could not be quantised, and from packages made before int8 models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub int8: Option<Agreement>,
    /// The fold's out-of-distribution score: its held-out tiles' pooled features against its
    /// training tiles' (absent where the network has none, and from older packages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ood_score: Option<f64>,
}

/// Grouped k-fold cross-validation: each fold and the mean of the headline metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// Each fold.
    pub folds: Vec<FoldResult>,
    /// Mean accuracy over the folds.
    pub mean_accuracy: f64,
    /// Mean balanced accuracy over the folds.
    pub mean_balanced_accuracy: f64,
    /// Mean macro-F1 over the folds.
    pub mean_macro_f1: f64,
    /// Mean IoU over the folds (segmenters: over their labelled pixels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_iou: Option<f64>,
    /// Mean macro-F1 of the folds' int8 models, when every fold has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_macro_f1_int8: Option<f64>,
}

impl CrossValidation {
    /// The summary of `folds`; `None` without folds.
    pub fn of(folds: &[FoldResult]) -> Option<Self> {
        if folds.is_empty() {
            return None;
        }
        let mean = |metric: fn(&FoldResult) -> f64| folds.iter().map(metric).sum::<f64>() / folds.len() as f64;
        Some(Self {
            folds: folds.to_vec(),
            mean_accuracy: mean(|f| f.report.accuracy.value),
            mean_balanced_accuracy: mean(|f| f.report.balanced_accuracy.value),
            mean_macro_f1: mean(|f| f.report.macro_f1.value),
            mean_iou: folds
                .iter()
                .map(|f| f.report.mean_iou.map(|m| m.value))
                .sum::<Option<f64>>()
                .map(|sum| sum / folds.len() as f64),
            mean_macro_f1_int8: folds
                .iter()
                .map(|f| f.int8.as_ref().and_then(|a| a.macro_f1_int8))
                .sum::<Option<f64>>()
                .map(|sum| sum / folds.len() as f64),
        })
    }
}

/// How well the model did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricsRecord {
    /// The cross-validation, when there was one (`null` otherwise).
    #[serde(default)]
    pub cross_validation: Option<CrossValidation>,
    /// The final model on its held-out groups.
    #[serde(default)]
    pub final_hold_out: Option<Report>,
}

/// The package's int8 model: how it was made, how it compares with the float model, and
/// whether `--precision auto` uses it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantizationRecord {
    /// Whether the int8 model passed the accuracy guard, so that `auto` uses it.
    pub accepted: bool,
    /// What was found: the guard's verdict, or why there is no int8 model.
    pub reason: String,
    /// The quantisation scheme, in words (`null` when there is no int8 model).
    #[serde(default)]
    pub scheme: Option<String>,
    /// How activation ranges were calibrated.
    #[serde(default)]
    pub calibration: Option<Calibration>,
    /// Tiles calibrated on.
    #[serde(default)]
    pub calibration_tiles: usize,
    /// The int8 model against the float model on the package's validation tiles.
    #[serde(default)]
    pub agreement: Option<Agreement>,
}

/// Where a fine-tuned model came from: its parent, what the child's training added, and both
/// scored on the child's cross-validation folds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineageRecord {
    /// The parent model's name.
    pub parent: String,
    /// The images the parent was trained on.
    pub parent_images: Vec<String>,
    /// Images the child was trained on that the parent was not.
    pub added_images: Vec<String>,
    /// Per class, the child's training tiles minus the parent's.
    pub added_tiles_per_class: std::collections::BTreeMap<String, i64>,
    /// The parent's mean macro-F1 on the held-out tiles of the child's folds (it may have
    /// trained on some of them: an upper bound of how it does on new tiles).
    pub parent_macro_f1_on_folds: Option<f64>,
    /// The child's cross-validation mean macro-F1 on the same folds.
    pub child_macro_f1_on_folds: Option<f64>,
}
