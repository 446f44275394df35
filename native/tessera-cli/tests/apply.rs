//! `tessera apply` run as a user would: a package made by our trainer's graph builder, applied
//! to the real slide; and each kind of bad input with its exit code and one-line message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tessera_core::graph::cnn::CnnSpec;
use tessera_core::graph::optim::Optimizer;
use tessera_core::model::{ClassInfo, InputSpec, Metadata, Package, Task};

fn slide() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/CMU-1-Small-Region.svs")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-apply-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A 3-class package of a freshly initialised 2-block CNN on 32 px tiles at 2 µm/px.
fn package(path: &Path) {
    let spec = CnnSpec { tile: 32, classes: 3, width: 4, depth: 2, ..Default::default() };
    let network = spec.network().unwrap();
    let onnx = network.inference_graph(&network.initial_state(&Optimizer::default(), 3)).unwrap();
    let classes = ["Tumor", "Stroma", "Other"]
        .iter()
        .zip([[200, 0, 0], [0, 150, 0], [0, 0, 200]])
        .map(|(n, c)| ClassInfo::new(*n, c))
        .collect();
    let metadata = Metadata::new("cnn", Task::TileClassification, classes, InputSpec::imagenet(32, Some(2.0)));
    Package::new(metadata, onnx).unwrap().write(path).unwrap();
}

fn roi(path: &Path, (x0, y0, x1, y1): (f64, f64, f64, f64)) {
    let feature = serde_json::json!({"type": "Feature", "geometry": {"type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}, "properties": {"objectType": "annotation"}});
    std::fs::write(
        path,
        serde_json::to_string(&serde_json::json!({"type": "FeatureCollection", "features": [feature]})).unwrap(),
    )
    .unwrap();
}

fn apply(args: &[&Path], extra: &[&str], env: Option<(&str, &str)>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command.arg("apply");
    for (flag, path) in ["--model", "--slide", "--out"].iter().zip(args) {
        command.arg(flag).arg(path);
    }
    command.args(extra);
    if let Some((key, value)) = env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn apply_writes_classified_tiles_merged_regions_and_heatmaps() {
    let (model, out, heatmaps, region) =
        (temp("ok.tessera"), temp("ok.geojson"), temp("heatmaps"), temp("roi.geojson"));
    package(&model);
    roi(&region, (200.0, 300.0, 1000.0, 1100.0));
    let output = apply(
        &[&model, &slide(), &out],
        &[
            "--annotations",
            region.to_str().unwrap(),
            "--heatmap",
            heatmaps.to_str().unwrap(),
            "--stride",
            "16",
            "--merge",
            "--quiet",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let features = json["features"].as_array().unwrap();
    let detections: Vec<&Value> = features.iter().filter(|f| f["properties"]["objectType"] == "detection").collect();
    assert!(detections.len() > 100, "{} tiles", detections.len());
    for feature in &detections {
        let measurements = feature["properties"]["measurements"].as_object().unwrap();
        let total: f64 = ["Tumor", "Stroma", "Other"]
            .iter()
            .map(|c| measurements[&format!("Tessera: {c} probability")].as_f64().unwrap())
            .sum();
        assert!((total - 1.0).abs() < 1e-4, "probabilities sum to {total}");
    }
    assert!(features.iter().any(|f| f["properties"]["objectType"] == "annotation"), "merged regions");
    for class in ["Tumor", "Stroma", "Other"] {
        let png = std::fs::read(heatmaps.join(format!("{class}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
}

#[test]
fn bad_input_fails_with_one_line_and_its_exit_code() {
    let (model, out) = (temp("bad.tessera"), temp("bad.geojson"));
    package(&model);
    let missing =
        apply(&[&model, &slide(), &out], &[], Some(("TESSERA_ONNXRUNTIME", "/nonexistent/libonnxruntime.so.1")));
    assert_eq!(missing.status.code(), Some(6), "{}", stderr(&missing));
    assert!(
        stderr(&missing).starts_with("error: ONNX Runtime: no ONNX Runtime library at /nonexistent"),
        "{}",
        stderr(&missing)
    );
    let corrupt = temp("corrupt.tessera");
    std::fs::write(&corrupt, b"PK\x03\x04 truncated").unwrap();
    let broken = apply(&[&corrupt, &slide(), &out], &[], None);
    assert_eq!(broken.status.code(), Some(5), "{}", stderr(&broken));
    assert!(
        stderr(&broken).contains("corrupt.tessera") && stderr(&broken).contains("not a readable .tessera package"),
        "{}",
        stderr(&broken)
    );
    let far = temp("far.geojson");
    roi(&far, (50_000.0, 50_000.0, 60_000.0, 60_000.0));
    let outside = apply(&[&model, &slide(), &out], &["--annotations", far.to_str().unwrap()], None);
    assert_eq!(outside.status.code(), Some(3), "{}", stderr(&outside));
    assert!(stderr(&outside).contains("outside slide"), "{}", stderr(&outside));
    assert_eq!(stderr(&outside).lines().count(), 1);
    let huge = apply(&[&model, &slide(), &out], &["--downsample", "1e9"], None);
    assert_eq!(huge.status.code(), Some(3), "{}", stderr(&huge));
    assert!(
        stderr(&huge).contains("no tile fits over the tissue"),
        "an empty result is never passed off as one: {}",
        stderr(&huge)
    );
    assert!(!out.exists(), "no output is written on failure");
}
