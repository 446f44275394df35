//! Real QuPath exports: every file reads back identically after a round trip, polygons survive WKB,
//! and the demo annotations tile with the right labels. The demo annotations are in the
//! repository (`data/demo`); the other exports are an external corpus under their own licences
//! (`../shared/data/annotations`, beside the checkout on the project's machines and in CI), and
//! the tests over it are skipped where it is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::{Area, BooleanOps, Coord, Rect};
use serde_json::Value;
use tessera_core::geometry::wkb::{from_wkb, to_wkb};
use tessera_core::geometry::Document;
use tessera_core::slide::Resolution;
use tessera_core::tiling::{plan_regions, select_regions, TileSpec};

/// The demo annotations in the repository.
fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/CMU-1-Small-Region.annotations.geojson")
}

/// The external corpus `../shared/data` (see its MANIFEST.tsv), or `None` after saying on stderr
/// that it is absent: the tests over it then return early.
fn corpus() -> Option<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if folder.is_dir() {
        Some(folder)
    } else {
        eprintln!("skipped: ../shared/data is absent");
        None
    }
}

/// The QuPath exports of the corpus and the demo annotations, sorted by name.
fn exports(corpus: &Path) -> Vec<PathBuf> {
    let mut files = vec![demo()];
    for entry in std::fs::read_dir(corpus.join("annotations")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "geojson") {
            files.push(path);
        }
    }
    files.sort_by_key(|path| path.file_name().map(|name| name.to_os_string()));
    files
}

/// JSON numbers have no integer/float distinction: compare them as numbers.
fn normalised(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::from(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.iter().map(normalised).collect()),
        Value::Object(members) => Value::Object(members.iter().map(|(k, v)| (k.clone(), normalised(v))).collect()),
        other => other.clone(),
    }
}

#[test]
fn every_qupath_export_reads_back_identically() {
    let Some(corpus) = corpus() else { return };
    let files = exports(&corpus);
    assert_eq!(files.len(), 6, "{files:?}");
    for path in files {
        let original: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let document = Document::read(&path).unwrap();
        assert!(
            normalised(&document.to_value()) == normalised(&original),
            "{} differs after a round trip",
            path.display()
        );
        // And through a file written by us.
        let out =
            std::env::temp_dir().join(format!("tessera-roundtrip-{}", path.file_name().unwrap().to_string_lossy()));
        document.write(&out).unwrap();
        assert_eq!(Document::read(&out).unwrap(), document, "{}", path.display());
        std::fs::remove_file(out).unwrap();
    }
}

#[test]
fn polygons_survive_wkb_and_points_are_skipped() {
    let Some(corpus) = corpus() else { return };
    let mut polygons = 0;
    for path in exports(&corpus) {
        let document = Document::read(&path).unwrap();
        for object in &document.objects {
            if let Some(polygon) = object.polygon() {
                assert_eq!(from_wkb(&to_wkb(&polygon).unwrap()).unwrap(), polygon, "{}", path.display());
                polygons += 1;
            }
        }
    }
    // 3 + 1 + 6 + 2 + 6 polygons in the QuPath exports, 13 in the demo.
    assert_eq!(polygons, 31);
    let points = Document::read(&corpus.join("annotations/03012023_JN.geojson")).unwrap();
    assert_eq!(points.skipped(), 3);
}

#[test]
fn demo_tiles_carry_the_class_of_the_polygon_they_lie_in() {
    let path = demo();
    let document = Document::read(&path).unwrap();
    let selection = select_regions(&document, &path, None).unwrap();
    let mut per_class = BTreeMap::new();
    for region in &selection.regions {
        *per_class.entry(region.label.as_str()).or_insert(0) += 1;
    }
    assert_eq!(per_class, BTreeMap::from([("Background", 4), ("Epithelium", 5), ("Stroma", 4)]));

    let spec = TileSpec { min_coverage: 0.9, ..TileSpec::new(64, Resolution::Downsample(1.0)) };
    let plan = plan_regions(&selection, "CMU-1-Small-Region", (2220, 2967), 1.0, &spec).unwrap();
    let mut tiles_per_class = BTreeMap::new();
    for tile in &plan.tiles {
        let rect = Rect::new(
            Coord { x: tile.x as f64, y: tile.y as f64 },
            Coord { x: (tile.x + 64) as f64, y: (tile.y + 64) as f64 },
        );
        let region = selection.regions.iter().find(|r| r.id == tile.polygon_id).unwrap();
        assert_eq!(region.label, tile.label);
        // The tile lies (at least 90 %) in its own polygon, and mostly outside every other class.
        let inside = region.polygon.intersection(&rect.to_polygon()).unsigned_area() / (64.0 * 64.0);
        assert!(inside >= 0.9 - 1e-9 && (inside - tile.coverage).abs() < 1e-6, "{tile:?}");
        for other in selection.regions.iter().filter(|r| r.label != tile.label) {
            assert!(
                other.polygon.intersection(&rect.to_polygon()).unsigned_area() < 0.1 * 64.0 * 64.0 + 1e-6,
                "{tile:?}"
            );
        }
        *tiles_per_class.entry(tile.label.as_str()).or_insert(0) += 1;
    }
    assert_eq!(tiles_per_class.keys().copied().collect::<Vec<_>>(), ["Background", "Epithelium", "Stroma"]);
    assert!(tiles_per_class.values().all(|&n| n >= 5), "{tiles_per_class:?}");
}
