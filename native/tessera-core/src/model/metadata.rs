//! `tessera.json`: what a model is for and what it expects, with its validation.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::record::{ArchitectureRecord, LineageRecord, MetricsRecord, QuantizationRecord, TrainingRecord};
use crate::{Result, TesseraError};

/// The version of the `tessera.json` format this core writes; it reads this one and older.
pub const FORMAT_VERSION: u32 = 1;

/// The largest tile side a package may declare, in pixels.
const MAX_TILE_SIZE: u32 = 8192;

/// What the model computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// One class probability vector per tile: output `[N, classes]`.
    TileClassification,
    /// One class probability vector per pixel: output `[N, classes, H, W]`.
    Segmentation,
    /// A slide-level label from many tiles (multiple-instance learning).
    SlideMil,
}

/// A class the model predicts, with the colour QuPath shows it in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassInfo {
    /// The class name, as in QuPath.
    pub name: String,
    /// Red, green, blue.
    pub color: [u8; 3],
}

impl ClassInfo {
    /// A class named `name` shown in `color`.
    pub fn new(name: impl Into<String>, color: [u8; 3]) -> Self {
        Self { name: name.into(), color }
    }
}

/// The input the model expects: square RGB tiles at a resolution, normalised per channel.
///
/// A pixel value `v` (0–255) of channel `c` reaches the model as `(v / 255 − mean[c]) / std[c]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    /// Tile side in pixels, as the model sees it.
    pub tile_size: u32,
    /// µm per model pixel; `None` when the model was made on a downsample without a pixel size.
    pub mpp: Option<f64>,
    /// The downsample from full resolution, used when `mpp` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downsample: Option<f64>,
    /// Colour channels (3: RGB).
    pub channels: u32,
    /// Per-channel mean, on the 0–1 scale.
    pub mean: Vec<f32>,
    /// Per-channel standard deviation, on the 0–1 scale.
    pub std: Vec<f32>,
}

impl InputSpec {
    /// RGB tiles of `tile_size` at `mpp`, normalised with the ImageNet statistics.
    pub fn imagenet(tile_size: u32, mpp: Option<f64>) -> Self {
        Self {
            tile_size,
            mpp,
            downsample: None,
            channels: 3,
            mean: vec![0.485, 0.456, 0.406],
            std: vec![0.229, 0.224, 0.225],
        }
    }
}

/// Where the training data came from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The images (slide names or paths) trained on.
    pub images: Vec<String>,
    /// Annotated objects (polygons) per class.
    #[serde(default)]
    pub annotations_per_class: BTreeMap<String, u64>,
    /// Tiles per class.
    #[serde(default)]
    pub tiles_per_class: BTreeMap<String, u64>,
    /// How the data was split (e.g. `4-fold, grouped by polygon`).
    #[serde(default)]
    pub split: String,
}

/// The contents of `tessera.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The format version ([`FORMAT_VERSION`] when written by this core).
    pub format_version: u32,
    /// A short name for the model.
    pub name: String,
    /// What the model computes.
    pub task: Task,
    /// The classes, in the order of the model's output channels.
    pub classes: Vec<ClassInfo>,
    /// The input the model expects.
    pub input: InputSpec,
    /// The network (`null` when unknown).
    #[serde(default)]
    pub architecture: Option<ArchitectureRecord>,
    /// How the model was trained (`null` for imported models).
    #[serde(default)]
    pub training: Option<TrainingRecord>,
    /// Where the training data came from.
    #[serde(default)]
    pub provenance: Provenance,
    /// Evaluation results with confidence intervals (`null` for imported models).
    #[serde(default)]
    pub metrics: Option<MetricsRecord>,
    /// Software that made the model, name → version.
    #[serde(default)]
    pub software: BTreeMap<String, String>,
    /// The int8 model beside the float one (absent from packages made before there were any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantization: Option<QuantizationRecord>,
    /// The parent model this one was fine-tuned from (absent for models trained from scratch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<LineageRecord>,
    /// What the training tiles looked like: stain normalisation target, feature statistics
    /// (absent from packages made before there were any, and from models made elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<crate::shift::ShiftRecord>,
}

impl Metadata {
    /// Metadata of the current format for a model with no training record yet.
    pub fn new(name: impl Into<String>, task: Task, classes: Vec<ClassInfo>, input: InputSpec) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            name: name.into(),
            task,
            classes,
            input,
            architecture: None,
            training: None,
            provenance: Provenance::default(),
            metrics: None,
            software: BTreeMap::from([("tessera".to_string(), crate::VERSION.to_string())]),
            quantization: None,
            lineage: None,
            shift: None,
        }
    }

    /// The class names, in output order.
    pub fn class_names(&self) -> Vec<&str> {
        self.classes.iter().map(|class| class.name.as_str()).collect()
    }

    /// Checks every field; the error names the field and what is wrong with it.
    pub fn validate(&self) -> Result<()> {
        let refuse = |problem: String| Err(TesseraError::IncompatibleModel(problem));
        if self.format_version == 0 || self.format_version > FORMAT_VERSION {
            return refuse(format!(
                "format_version {} is not one this Tessera reads (1 to {FORMAT_VERSION}); was it made by a newer Tessera?",
                self.format_version
            ));
        }
        let min_classes = if self.task == Task::Segmentation { 1 } else { 2 };
        if self.classes.len() < min_classes {
            return refuse(format!(
                "classes: a {:?} model needs at least {min_classes} classes, the package lists {}",
                self.task,
                self.classes.len()
            ));
        }
        let mut seen = BTreeSet::new();
        for class in &self.classes {
            if class.name.trim().is_empty() {
                return refuse("classes: a class has an empty name".into());
            }
            if !seen.insert(class.name.as_str()) {
                return refuse(format!("classes: {:?} is listed twice", class.name));
            }
        }
        self.validate_input()?;
        self.shift.as_ref().map_or(Ok(()), crate::shift::ShiftRecord::validate)
    }

    fn validate_input(&self) -> Result<()> {
        let input = &self.input;
        let refuse = |problem: String| Err(TesseraError::IncompatibleModel(format!("input: {problem}")));
        if input.tile_size == 0 || input.tile_size > MAX_TILE_SIZE {
            return refuse(format!("tile_size {} is not between 1 and {MAX_TILE_SIZE}", input.tile_size));
        }
        if input.channels != 3 {
            return refuse(format!("{} channels; slides give RGB, so the model must take 3", input.channels));
        }
        for (what, value) in [("mpp", input.mpp), ("downsample", input.downsample)] {
            if value.is_some_and(|v| !(v.is_finite() && v > 0.0)) {
                return refuse(format!("{what} must be a positive number, got {value:?}"));
            }
        }
        if input.mpp.is_none() && input.downsample.is_none() {
            return refuse("neither mpp nor downsample: the resolution the model expects is unknown".into());
        }
        for (what, values) in [("mean", &input.mean), ("std", &input.std)] {
            if values.len() != input.channels as usize {
                return refuse(format!("{what} has {} values for {} channels", values.len(), input.channels));
            }
        }
        if let Some(bad) = input.std.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return refuse(format!("std must be positive, got {bad}"));
        }
        if let Some(bad) = input.mean.iter().find(|m| !m.is_finite()) {
            return refuse(format!("mean must be finite, got {bad}"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> Metadata {
        Metadata::new(
            "m",
            Task::TileClassification,
            vec![ClassInfo::new("A", [1, 2, 3]), ClassInfo::new("B", [4, 5, 6])],
            InputSpec::imagenet(64, Some(0.5)),
        )
    }

    fn problem(edit: impl FnOnce(&mut Metadata)) -> String {
        let mut m = metadata();
        edit(&mut m);
        m.validate().unwrap_err().to_string()
    }

    #[test]
    fn every_bad_field_is_named() {
        assert!(metadata().validate().is_ok());
        assert!(problem(|m| m.format_version = 99).contains("format_version 99"));
        assert!(problem(|m| m.classes.truncate(1)).contains("at least 2 classes"));
        assert!(problem(|m| m.classes[1].name = "A".into()).contains("\"A\" is listed twice"));
        assert!(problem(|m| m.input.channels = 1).contains("1 channels"));
        assert!(problem(|m| m.input.std[2] = 0.0).contains("std must be positive"));
        assert!(problem(|m| m.input.mean.pop().map_or((), drop)).contains("mean has 2 values"));
        assert!(problem(|m| m.input.tile_size = 0).contains("tile_size 0"));
        assert!(problem(|m| m.input.mpp = None).contains("resolution the model expects is unknown"));
    }

    #[test]
    fn json_round_trips() {
        let m = metadata();
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains("\"task\":\"tile_classification\""), "{text}");
        assert_eq!(serde_json::from_str::<Metadata>(&text).unwrap(), m);
    }
}
