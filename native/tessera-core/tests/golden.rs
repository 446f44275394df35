//! Model packages as Tessera wrote them keep loading (see the format-version policy in
//! `model::record`): each golden `tessera.json` reads into the typed records and writes back the
//! same JSON.

use serde_json::Value;
use tessera_core::model::{ArchitectureRecord, BuiltNetwork, Metadata, Task, FORMAT_VERSION};

const VERSION_1: &str = include_str!("golden/tessera-v1.json");

#[test]
fn a_version_1_package_loads_into_typed_records_and_round_trips() {
    let metadata: Metadata = serde_json::from_str(VERSION_1).unwrap();
    metadata.validate().unwrap();
    assert_eq!((metadata.format_version, metadata.task), (1, Task::TileClassification));
    const { assert!(FORMAT_VERSION >= 1, "this core reads version 1") };
    let Some(ArchitectureRecord::Built(BuiltNetwork::Cnn { cnn })) = &metadata.architecture else {
        panic!("a CNN: {:?}", metadata.architecture);
    };
    assert_eq!((cnn.tile, cnn.classes, cnn.depth), (32, 3, 4));
    let training = metadata.training.as_ref().unwrap();
    assert_eq!(training.history.len(), training.config.epochs.min(training.history.len()));
    assert!(training.best_epoch >= 1 && training.best_epoch <= training.history.len());
    let metrics = metadata.metrics.as_ref().unwrap();
    let cross_validation = metrics.cross_validation.as_ref().unwrap();
    assert_eq!(cross_validation.folds.len(), 2);
    let mean = cross_validation.folds.iter().map(|f| f.report.macro_f1.value).sum::<f64>() / 2.0;
    assert!((cross_validation.mean_macro_f1 - mean).abs() < 1e-12);
    assert_eq!(metrics.final_hold_out.as_ref().unwrap().classes.len(), 3);

    // Written back: the same records, and the same JSON but for key order and how many digits an
    // f32 is printed with (0.1 rather than 0.10000000149011612: the same f32).
    let text = serde_json::to_string(&metadata).unwrap();
    assert_eq!(serde_json::from_str::<Metadata>(&text).unwrap(), metadata);
    let written: Value = serde_json::from_str(&text).unwrap();
    same(&written, &serde_json::from_str(VERSION_1).unwrap(), "");
}

/// Asserts that `a` and `b` hold the same keys, arrays and values, numbers equal as f32.
fn same(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "keys at {at}");
            for (key, value) in a {
                same(value, &b[key], &format!("{at}/{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "length at {at}");
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{at}[{index}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(x == y || x as f32 == y as f32, "{x} ≠ {y} at {at}");
        }
        _ => assert_eq!(a, b, "at {at}"),
    }
}

#[test]
fn an_imported_model_names_its_network_and_has_no_training_record() {
    let mut original: Value = serde_json::from_str(VERSION_1).unwrap();
    original["architecture"] = Value::from("resnet34");
    original["training"] = Value::Null;
    original["metrics"] = Value::Null;
    let metadata: Metadata = serde_json::from_value(original.clone()).unwrap();
    assert_eq!(metadata.architecture, Some(ArchitectureRecord::Named("resnet34".into())));
    assert!(metadata.training.is_none() && metadata.metrics.is_none());
    assert_eq!(serde_json::to_value(&metadata).unwrap(), original);
}
