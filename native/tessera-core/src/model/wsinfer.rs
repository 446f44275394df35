//! Models made elsewhere: a bare ONNX file with a WSInfer-style `config.json` beside it.
//!
//! ```json
//! {"spec_version": "1.0", "architecture": "resnet34", "num_classes": 2,
//!  "class_names": ["notumor", "tumor"], "patch_size_pixels": 350, "spacing_um_px": 0.25,
//!  "transform": [{"name": "Resize", "arguments": {"size": 224}}, {"name": "ToTensor"},
//!                {"name": "Normalize", "arguments": {"mean": [0.7, 0.5, 0.6], "std": [0.1, 0.1, 0.1]}}]}
//! ```
//!
//! A `Resize` means the model sees the patch's field of view at a coarser resolution, so the
//! package's tile size is the resized size and its µm/px is scaled to match.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{ArchitectureRecord, ClassInfo, InputSpec, Metadata, Task};
use crate::{Result, TesseraError};

/// The name of the configuration file looked for beside a bare ONNX model.
pub const CONFIG_FILE: &str = "config.json";

/// Colours given to classes, in order, when the configuration names none.
const PALETTE: [[u8; 3]; 8] = [
    [230, 25, 75],
    [60, 180, 75],
    [0, 130, 200],
    [245, 130, 48],
    [145, 30, 180],
    [70, 240, 240],
    [240, 50, 230],
    [128, 128, 0],
];

#[derive(Deserialize)]
struct Config {
    #[serde(default)]
    architecture: Option<String>,
    num_classes: Option<usize>,
    class_names: Vec<String>,
    patch_size_pixels: u32,
    spacing_um_px: f64,
    #[serde(default)]
    transform: Vec<Transform>,
}

#[derive(Deserialize)]
struct Transform {
    name: String,
    #[serde(default)]
    arguments: Value,
}

/// Reads a WSInfer-style `config.json` into package metadata (task: tile classification).
pub fn read_config(path: &Path) -> Result<Metadata> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        TesseraError::io(
            path,
            std::io::Error::new(
                source.kind(),
                format!("{source}; a bare ONNX model needs a WSInfer-style {CONFIG_FILE} beside it (or use a .tessera package)"),
            ),
        )
    })?;
    parse_config(&text).map_err(|problem| TesseraError::IncompatibleModel(format!("{}: {problem}", path.display())))
}

fn parse_config(text: &str) -> std::result::Result<Metadata, String> {
    let config: Config = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if let Some(count) = config.num_classes.filter(|&n| n != config.class_names.len()) {
        return Err(format!("num_classes is {count} but class_names lists {}", config.class_names.len()));
    }
    let mut tile_size = config.patch_size_pixels;
    let mut input = InputSpec { mean: vec![0.0; 3], std: vec![1.0; 3], ..InputSpec::imagenet(tile_size, None) };
    for transform in &config.transform {
        match transform.name.as_str() {
            "Resize" => tile_size = resize_size(&transform.arguments)?,
            "Normalize" => {
                input.mean = floats(&transform.arguments, "mean")?;
                input.std = floats(&transform.arguments, "std")?;
            }
            "ToTensor" => {}
            other => return Err(format!("transform {other:?} is not supported (only Resize, ToTensor, Normalize)")),
        }
    }
    input.tile_size = tile_size;
    input.mpp = Some(config.spacing_um_px * f64::from(config.patch_size_pixels) / f64::from(tile_size.max(1)));
    let classes = config
        .class_names
        .iter()
        .enumerate()
        .map(|(i, name)| ClassInfo::new(name.clone(), PALETTE[i % PALETTE.len()]))
        .collect();
    let name = config.architecture.clone().unwrap_or_else(|| "wsinfer-model".into());
    let mut metadata = Metadata::new(name, Task::TileClassification, classes, input);
    metadata.architecture = config.architecture.map(ArchitectureRecord::Named);
    Ok(metadata)
}

fn resize_size(arguments: &Value) -> std::result::Result<u32, String> {
    let size = arguments.get("size").ok_or("Resize has no size")?;
    let side = match size {
        Value::Array(sides) if sides.len() == 2 && sides[0] == sides[1] => sides[0].as_u64(),
        other => other.as_u64(),
    };
    side.and_then(|s| u32::try_from(s).ok())
        .ok_or_else(|| format!("Resize size {size} is not one square side in pixels"))
}

fn floats(arguments: &Value, key: &str) -> std::result::Result<Vec<f32>, String> {
    serde_json::from_value(arguments.get(key).cloned().unwrap_or(Value::Null))
        .map_err(|_| format!("Normalize {key} must be a list of numbers"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{"spec_version": "1.0", "architecture": "resnet34", "num_classes": 2,
        "class_names": ["notumor", "tumor"], "patch_size_pixels": 350, "spacing_um_px": 0.25,
        "transform": [{"name": "Resize", "arguments": {"size": 224}}, {"name": "ToTensor"},
        {"name": "Normalize", "arguments": {"mean": [0.7, 0.5, 0.6], "std": [0.1, 0.2, 0.3]}}]}"#;

    #[test]
    fn a_wsinfer_config_becomes_metadata() {
        let m = parse_config(CONFIG).unwrap();
        m.validate().unwrap();
        assert_eq!(m.class_names(), vec!["notumor", "tumor"]);
        assert_eq!(m.input.tile_size, 224);
        assert!((m.input.mpp.unwrap() - 0.25 * 350.0 / 224.0).abs() < 1e-12);
        assert_eq!(m.input.std, vec![0.1, 0.2, 0.3]);
    }

    #[test]
    fn inconsistent_configs_are_refused() {
        let wrong = CONFIG.replace("\"num_classes\": 2", "\"num_classes\": 3");
        assert!(parse_config(&wrong).unwrap_err().contains("num_classes is 3"));
        let unknown = CONFIG.replace("ToTensor", "CenterCrop");
        assert!(parse_config(&unknown).unwrap_err().contains("\"CenterCrop\" is not supported"));
    }
}
