//! `tessera info` and `tessera tiles` run as a user would: the built binary on the real slides
//! and QuPath exports in `../shared/data`, good input and bad.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(path)
}

fn tessera(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `tessera tiles` on (slide, annotations) pairs into `out`, with `extra` arguments.
fn tiles(pairs: &[(&Path, &Path)], out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["tiles".to_string()];
    for (slide, annotations) in pairs {
        args.extend([
            "--slide".into(),
            slide.display().to_string(),
            "--annotations".into(),
            annotations.display().to_string(),
        ]);
    }
    args.extend(["--out".into(), out.display().to_string()]);
    args.extend(extra.iter().map(|arg| arg.to_string()));
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(&args)
        .output()
        .unwrap()
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Width and height from a PNG header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[1..4], b"PNG", "{}", path.display());
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

const CMU: &str = "slides/CMU-1-Small-Region.svs";
const DEMO: &str = "demo/CMU-1-Small-Region.annotations.geojson";

#[test]
fn info_shows_levels_and_pixel_size_or_its_absence() {
    let cmu = tessera(&["info", data(CMU).to_str().unwrap()]);
    assert!(cmu.status.success(), "{}", text(&cmu.stderr));
    let out = text(&cmu.stdout);
    assert!(
        out.contains("aperio") && out.contains("2220 × 2967") && out.contains("0.499 µm/px"),
        "{out}"
    );

    let tiff = tessera(&[
        "info",
        data("slides/small_HE_levels.tiff").to_str().unwrap(),
        "--json",
    ]);
    assert!(tiff.status.success(), "{}", text(&tiff.stderr));
    let report: Value = serde_json::from_slice(&tiff.stdout).unwrap();
    assert_eq!(report["vendor"], "generic-tiff");
    assert_eq!(report["mpp"], Value::Null);
    assert_eq!(report["levels"].as_array().unwrap().len(), 4);
    assert_eq!(report["levels"][1]["downsample"], 2.0);
}

#[test]
fn tiles_of_the_demo_are_labelled_by_their_polygon() {
    let out = scratch("demo");
    let run = tiles(
        &[(&data(CMU), &data(DEMO))],
        &out,
        &[
            "--tile-size",
            "64",
            "--mpp",
            "1.0",
            "--min-coverage",
            "0.75",
            "--overlap",
            "0.25",
        ],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let summary = text(&run.stdout);
    assert!(
        summary.contains("Epithelium")
            && summary.contains("Stroma")
            && summary.contains("Background"),
        "{summary}"
    );

    let geojson: Value =
        serde_json::from_str(&std::fs::read_to_string(data(DEMO)).unwrap()).unwrap();
    let class_of = |id: &str| -> String {
        let feature = geojson["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap();
        feature["properties"]["classification"]["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let tiles = manifest["tiles"].as_array().unwrap();
    let csv = std::fs::read_to_string(out.join("manifest.csv")).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "file,class,x,y,w,h,coverage,polygon_id,slide"
    );
    assert_eq!(csv.lines().count(), tiles.len() + 1);
    assert!(tiles.len() > 20, "{} tiles", tiles.len());
    // 1 µm/px on a 0.499 µm/px slide: 64 output px are 128 level-0 px; stride 96.
    assert!((manifest["slides"][0]["downsample"].as_f64().unwrap() - 2.004).abs() < 1e-3);
    for tile in tiles {
        let class = tile["class"].as_str().unwrap();
        assert_eq!(
            class,
            class_of(tile["polygon_id"].as_str().unwrap()),
            "{tile}"
        );
        let file = tile["file"].as_str().unwrap();
        assert!(
            file.starts_with(&format!("{class}/CMU-1-Small-Region_x")),
            "{file}"
        );
        assert_eq!(png_size(&out.join(file)), (64, 64));
        assert_eq!(tile["w"], 128);
        assert!(tile["coverage"].as_f64().unwrap() >= 0.75);
        assert_eq!(tile["x"].as_i64().unwrap() % 96, 0);
    }
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn several_slides_in_one_run() {
    let out = scratch("several");
    let square = out.join("square.geojson");
    std::fs::write(
        &square,
        r#"[{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [300, 0], [300, 250], [0, 250], [0, 0]]]},
            "properties": {"objectType": "annotation", "classification": {"name": "Tissue", "color": [0, 128, 0]}}}]"#,
    )
    .unwrap();
    let tiles_dir = out.join("tiles");
    let run = tiles(
        &[
            (&data(CMU), &data(DEMO)),
            (&data("slides/small_HE_levels.tiff"), &square),
        ],
        &tiles_dir,
        &["--tile-size", "32", "--downsample", "4", "--quiet"],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(run.stdout.is_empty(), "--quiet prints nothing");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(tiles_dir.join("manifest.json")).unwrap())
            .unwrap();
    let slides: std::collections::BTreeSet<_> = manifest["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slide"].as_str().unwrap())
        .collect();
    assert_eq!(
        slides.into_iter().collect::<Vec<_>>(),
        ["CMU-1-Small-Region", "small_HE_levels"]
    );
    // 300×250 px at downsample 4 with 128-px tiles: 2 × 1 tiles, all "Tissue".
    let tissue = manifest["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["class"] == "Tissue")
        .count();
    assert_eq!(tissue, 2);
    std::fs::remove_dir_all(out).unwrap();
}

/// Runs `tessera tiles` expecting failure: checks the exit code and that stderr names
/// `culprit` and says `problem`, and that no manifest was written; returns stderr.
fn fails(
    name: &str,
    slide: &Path,
    annotations: &Path,
    extra: &[&str],
    code: i32,
    culprit: &str,
    problem: &str,
) -> String {
    let out = scratch(name).join("out");
    let run = tiles(&[(slide, annotations)], &out, extra);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(code), "{name}: {stderr}");
    assert!(stderr.starts_with("error: "), "{name}: {stderr}");
    assert!(
        stderr.contains(culprit) && stderr.contains(problem),
        "{name}: expected {culprit:?} and {problem:?} in {stderr}"
    );
    assert!(!out.join("manifest.csv").exists(), "{name}");
    stderr
}

const GOOD: &[&str] = &["--tile-size", "64", "--downsample", "1"];

#[test]
fn bad_slides_are_named_with_their_problem() {
    fails(
        "broken",
        &data("slides/broken.svs"),
        &data(DEMO),
        GOOD,
        4,
        "broken.svs",
        "OpenSlide does not recognise",
    );
    fails(
        "missing",
        &data("slides/missing.svs"),
        &data(DEMO),
        GOOD,
        1,
        "missing.svs",
        "No such file",
    );
    let no_mpp = fails(
        "nompp",
        &data("slides/small_HE_levels.tiff"),
        &data(DEMO),
        &["--tile-size", "64", "--mpp", "0.5"],
        3,
        "small_HE_levels.tiff",
        "no pixel size",
    );
    assert!(
        no_mpp.contains("--downsample"),
        "the error says what to give instead: {no_mpp}"
    );
}

#[test]
fn bad_annotations_and_parameters_are_named_with_their_problem() {
    let dir = scratch("bad-annotations");
    let points_only = dir.join("points.geojson");
    std::fs::write(
        &points_only,
        r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10, 10]}, "properties": {"objectType": "annotation"}},
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [90, 0], [90, 90], [0, 0]]]}, "properties": {"objectType": "annotation"}}]}"#,
    )
    .unwrap();
    let malformed = dir.join("malformed.geojson");
    std::fs::write(
        &malformed,
        "{\"type\": \"FeatureCollection\", \"features\": [",
    )
    .unwrap();
    let slide = data(CMU);
    fails(
        "nopolygons",
        &slide,
        &points_only,
        GOOD,
        3,
        "points.geojson",
        "no usable polygons",
    );
    fails(
        "malformed",
        &slide,
        &malformed,
        GOOD,
        3,
        "malformed.geojson",
        "not valid JSON",
    );
    // Real QuPath export of another, much larger slide: every polygon is beyond 2220 × 2967.
    fails(
        "outside",
        &slide,
        &data("annotations/2022_12_14_CD163_1-100_ph6.geojson"),
        GOOD,
        3,
        "2022_12_14_CD163_1-100_ph6.geojson",
        "outside slide",
    );
    fails(
        "tilesize",
        &slide,
        &data(DEMO),
        &["--tile-size", "0", "--downsample", "1"],
        3,
        "tile size",
        "got 0",
    );
    fails(
        "missingannotations",
        &slide,
        &dir.join("absent.geojson"),
        GOOD,
        1,
        "absent.geojson",
        "No such file",
    );
    std::fs::remove_dir_all(dir).unwrap();
}
