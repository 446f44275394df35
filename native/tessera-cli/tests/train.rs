//! `tessera train --backbone`: a head trained on a small ONNX backbone made by our graph builder
//! (with the plateau learning-rate schedule), packed as one model from tile to class
//! probabilities; a backbone that does not fit the tile size and a plateau schedule that cannot
//! reduce refused before any pixel is read.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tessera_core::graph::probe;
use tessera_core::graph::signature::signature;
use tessera_core::model::{ArchitectureRecord, BuiltNetwork, Package};
use tessera_core::train::schedule::Schedule;

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo").join(name)
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A backbone giving each channel's mean and maximum over a `side`-pixel tile: 6 features.
fn backbone(path: &Path, side: usize) {
    std::fs::write(path, probe::colour_backbone(side).unwrap()).unwrap();
}

fn tessera(args: &[&str], paths: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command.args(args);
    for (flag, path) in paths {
        command.arg(flag).arg(path);
    }
    command.output().unwrap()
}

fn train(backbone: &Path, model: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["train", "--mpp", "0.5", "--tile-size", "64", "--folds", "0", "--quiet"];
    args.extend_from_slice(extra);
    let (slide, annotations) = (demo("CMU-1-Small-Region.svs"), demo("CMU-1-Small-Region.annotations.geojson"));
    tessera(
        &args,
        &[("--slide", &slide), ("--annotations", &annotations), ("--backbone", backbone), ("--model", model)],
    )
}

#[test]
fn a_head_on_a_backbone_is_packed_with_it_as_one_model() {
    let (onnx, model) = (temp("colour.onnx"), temp("colour.tessera"));
    backbone(&onnx, 64);
    let extra = [
        "--head-hidden",
        "8",
        "--epochs",
        "10",
        "--learning-rate",
        "0.01",
        "--schedule",
        "plateau",
        "--plateau-patience",
        "2",
    ];
    let output = train(&onnx, &model, &extra);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let package = Package::read(&model).unwrap();
    assert_eq!(
        package.metadata().architecture,
        Some(ArchitectureRecord::Built(BuiltNetwork::Transfer {
            backbone: "colour.onnx".into(),
            features: Some(6),
            head_hidden: Some(8)
        }))
    );
    let schedule = &package.metadata().training.as_ref().unwrap().config.schedule;
    assert_eq!(schedule, &Schedule::Plateau { factor: 0.5, patience: 2 });
    let declared = signature(package.onnx()).unwrap();
    assert_eq!(declared.input, ("image".to_owned(), vec![None, Some(3), Some(64), Some(64)]));
    assert_eq!(declared.output.1, vec![None, Some(3)]);

    // The package runs as any other: evaluated on the slide it learnt from, colour separates the classes.
    let (slide, annotations) = (demo("CMU-1-Small-Region.svs"), demo("CMU-1-Small-Region.annotations.geojson"));
    let eval = tessera(
        &["eval", "--json", "--quiet"],
        &[("--model", &model), ("--slide", &slide), ("--annotations", &annotations)],
    );
    assert!(eval.status.success(), "{}", String::from_utf8_lossy(&eval.stderr));
    let report: Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert!(report["tiles"].as_u64().unwrap() > 100);
    let f1 = report["macro_f1"]["value"].as_f64().unwrap();
    assert!(f1 > 0.5, "macro-F1 {f1}");
}

#[test]
fn a_backbone_for_another_tile_size_is_refused_up_front() {
    let (onnx, model) = (temp("small.onnx"), temp("small.tessera"));
    backbone(&onnx, 32);
    let output = train(&onnx, &model, &[]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("backbone small.onnx takes images of shape [?, 3, 32, 32] but the tiles are [batch, 3, 64, 64]"),
        "{stderr}"
    );
    assert!(!model.exists());
}

#[test]
fn a_plateau_schedule_that_never_reduces_is_refused() {
    let (onnx, model) = (temp("plateau.onnx"), temp("plateau.tessera"));
    backbone(&onnx, 64);
    let output = train(&onnx, &model, &["--schedule", "plateau", "--plateau-factor", "1.5"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--plateau-factor must be in (0, 1)"));
    let output = train(&onnx, &model, &["--schedule", "sometimes"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn settings_that_cannot_train_are_refused_before_any_tile_is_read() {
    let (onnx, model) = (temp("lr.onnx"), temp("lr.tessera"));
    backbone(&onnx, 64);
    for (flags, problem) in [
        (["--learning-rate", "NaN"], "the learning rate must be"),
        (["--learning-rate", "1e30"], "the learning rate must be"),
        (["--learning-rate", "0"], "the learning rate must be"),
    ] {
        let output = train(&onnx, &model, &flags);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{flags:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(problem), "{stderr}");
        assert!(!model.exists(), "nothing written");
    }
    let (slide, annotations) = (demo("CMU-1-Small-Region.svs"), demo("CMU-1-Small-Region.annotations.geojson"));
    let one_fold = tessera(
        &["train", "--mpp", "0.5", "--tile-size", "64", "--folds", "1", "--quiet"],
        &[("--slide", &slide), ("--annotations", &annotations), ("--model", &model)],
    );
    let stderr = String::from_utf8_lossy(&one_fold.stderr);
    assert_eq!(one_fold.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("1 fold is no cross-validation"), "{stderr}");
    // Annotations of one class only.
    let mut document: Value = serde_json::from_str(&std::fs::read_to_string(&annotations).unwrap()).unwrap();
    let features = document["features"].as_array_mut().unwrap();
    features.retain(|f| f["properties"]["classification"]["name"] == "Stroma");
    let stroma = temp("stroma.geojson");
    std::fs::write(&stroma, document.to_string()).unwrap();
    let one_class = tessera(
        &["train", "--mpp", "0.5", "--tile-size", "64", "--folds", "0", "--quiet"],
        &[("--slide", &slide), ("--annotations", &stroma), ("--model", &model)],
    );
    let stderr = String::from_utf8_lossy(&one_class.stderr);
    assert_eq!(one_class.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("label Stroma only: annotate at least 2 classes"), "{stderr}");
    assert!(!model.exists(), "nothing written");
}
