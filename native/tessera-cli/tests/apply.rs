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

/// A QuPath GeoJSON of one annotation per rectangle (x0, y0, x1, y1).
fn roi(path: &Path, rectangles: &[(f64, f64, f64, f64)]) {
    let features: Vec<Value> = rectangles
        .iter()
        .map(|&(x0, y0, x1, y1)| {
            serde_json::json!({"type": "Feature", "geometry": {"type": "Polygon",
                "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]},
                "properties": {"objectType": "annotation"}})
        })
        .collect();
    std::fs::write(
        path,
        serde_json::to_string(&serde_json::json!({"type": "FeatureCollection", "features": features})).unwrap(),
    )
    .unwrap();
}

/// A heatmap PNG's width, height and grey + alpha pixels.
fn read_heatmap(path: &Path) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::fs::File::open(path).unwrap()).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.color_type, info.bit_depth), (png::ColorType::GrayscaleAlpha, png::BitDepth::Eight));
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
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
    // Two squares with a gap between them that no tile covers.
    roi(&region, &[(200.0, 300.0, 1000.0, 1100.0), (1400.0, 300.0, 2200.0, 1100.0)]);
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
    let maps: Vec<_> =
        ["Tumor", "Stroma", "Other"].iter().map(|c| read_heatmap(&heatmaps.join(format!("{c}.png")))).collect();
    let (width, height, _) = maps[0];
    assert!(maps.iter().all(|&(w, h, _)| (w, h) == (width, height)));
    let pixel = |map: usize, x: u32, y: u32| {
        let at = ((y * width + x) * 2) as usize;
        (maps[map].2[at], maps[map].2[at + 1])
    };
    let (mut computed, mut empty) = (0, 0);
    for (x, y) in (0..height).flat_map(|y| (0..width).map(move |x| (x, y))) {
        let alphas: Vec<u8> = (0..3).map(|map| pixel(map, x, y).1).collect();
        assert!(alphas == [255; 3] || alphas == [0; 3], "({x}, {y}): alphas {alphas:?}");
        if alphas[0] == 255 {
            // Computed: the greys are the class probabilities, which sum to 1.
            let total: u32 = (0..3).map(|map| u32::from(pixel(map, x, y).0)).sum();
            assert!((253..=257).contains(&total), "({x}, {y}): greys sum to {total}");
            computed += 1;
        } else {
            assert!((0..3).all(|map| pixel(map, x, y).0 == 0));
            empty += 1;
        }
    }
    assert!(computed > 100, "{computed} computed pixels");
    // The gap between the squares (level-0 x 1000–1400) is a band of columns never computed.
    let gap_column = (0..width).find(|&x| (0..height).all(|y| pixel(0, x, y).1 == 0));
    assert!(gap_column.is_some_and(|x| x > 0 && x < width - 1), "no transparent band inside the map");
    assert!(empty >= height as usize, "{empty} pixels not computed");
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
    roi(&far, &[(50_000.0, 50_000.0, 60_000.0, 60_000.0)]);
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

/// A copy of the fixture's deflate-tiled TIFF with garbage between the header and the first
/// directory (tile data and the directory's out-of-line values): libtiff complains as it reads it.
fn garbled_tiff(path: &Path) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/fixtures/tiled-levels.tiff");
    let mut bytes = std::fs::read(fixture).unwrap();
    assert_eq!(&bytes[..4], b"II*\0", "a little-endian TIFF");
    let first_directory = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    for (i, byte) in bytes[8..first_directory].iter_mut().enumerate() {
        *byte = (i * 37 % 251) as u8;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn broken_slides_fail_with_our_one_line_naming_the_file() {
    let (model, out) = (temp("broken-slides.tessera"), temp("broken-slides.geojson"));
    package(&model);
    let truncated = temp("truncated.svs");
    std::fs::write(&truncated, &std::fs::read(slide()).unwrap()[..1_500_000]).unwrap();
    let renamed = temp("notes.svs");
    std::fs::write(&renamed, "a text file, renamed\n").unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/fixtures/broken.svs");
    let garbled = temp("garbled.tiff");
    garbled_tiff(&garbled);
    for broken in [&truncated, &renamed, &fixture, &garbled] {
        let output = apply(&[&model, broken, &out], &["--downsample", "1"], None);
        let stderr = stderr(&output);
        assert_eq!(output.status.code(), Some(4), "{stderr}");
        // Our error line, then at most our hint: nothing printed by libtiff or OpenSlide.
        let errors: Vec<&str> = stderr.lines().filter(|line| !line.starts_with("hint: ")).collect();
        assert_eq!(errors.len(), 1, "{stderr}");
        let name = broken.file_name().unwrap().to_str().unwrap();
        assert!(errors[0].starts_with("error: cannot read image ") && errors[0].contains(name), "{stderr}");
        assert!(stderr.lines().count() <= 2, "{stderr}");
        if broken == &garbled {
            assert!(errors[0].contains("OpenSlide error: "), "OpenSlide's own words: {stderr}");
        }
    }
    assert!(!out.exists(), "no output is written on failure");
}
