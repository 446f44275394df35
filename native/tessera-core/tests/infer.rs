//! Applying real ONNX models: predictions against a reference run, segmentation polygons of a
//! known mask, seams, GeoJSON round trips, and each kind of bad input.

use std::path::{Path, PathBuf};

use geo::{Area, BooleanOps, Coord, MultiPolygon, Polygon, Rect};
use tessera_core::geometry::{Document, Layout, ObjectType, PathObject, Shape};
use tessera_core::graph::builder::{attr_int, attr_ints};
use tessera_core::graph::proto::DataType;
use tessera_core::graph::{Dim, GraphBuilder};
use tessera_core::infer::given::GivenSegmentation;
use tessera_core::infer::{self, ApplyOptions, Precision, Predictor, Sliding};
use tessera_core::model::{wsinfer, ClassInfo, InputSpec, Metadata, Package, Task};
use tessera_core::runtime::provider::CUDA_PROVIDER_LIBRARY;
use tessera_core::runtime::{Device, Model};
use tessera_core::slide::{read_region, BufferSource, RegionSource};
use tessera_core::TesseraError;

mod common;
use common::{job, runtime};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-infer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A segmentation model `[N, 3, H, W] → [N, 2, H, W]`: Softmax(Conv(x)) with a `k × k` kernel
/// (zero padding) whose weights average the three channels; class 1 ("Tissue") where dark.
fn segmentation_model(k: i64, tile: Dim) -> Vec<u8> {
    let mut g = GraphBuilder::new("segmenter");
    let x = g.input("image", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), tile, tile]);
    let per = 20.0 / (3 * k * k) as f32;
    let weights: Vec<f32> = [per, -per].iter().flat_map(|&w| vec![w; (3 * k * k) as usize]).collect();
    let w = g.initializer_f32("w", &[2, 3, k, k], &weights);
    let b = g.initializer_f32("b", &[2], &[-10.0, 10.0]);
    let pad = k / 2;
    let logits = g.node("Conv", &[&x, &w, &b], vec![attr_ints("pads", &[pad, pad, pad, pad])]);
    let p = g.node("Softmax", &[&logits], vec![attr_int("axis", 1)]);
    g.output(&p, "probabilities", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(2), tile, tile]);
    g.to_bytes("tessera-test")
}

fn segmentation_package(model: Vec<u8>, tile: u32) -> Package {
    let classes = vec![ClassInfo::new("Background", [255, 255, 255]), ClassInfo::new("Tissue", [200, 0, 100])];
    let input = InputSpec {
        mean: vec![0.0; 3],
        std: vec![1.0; 3],
        mpp: None,
        downsample: Some(1.0),
        ..InputSpec::imagenet(tile, None)
    };
    Package::new(Metadata::new("segmenter", Task::Segmentation, classes, input), model).unwrap()
}

/// A 256×256 slide: white, with a dark square ring (outer 40..216, hole 90..170) and a dark
/// disc-free island inside the hole (115..145).
fn ring_slide() -> (BufferSource, MultiPolygon<f64>) {
    let rect = |a: f64, b: f64| Rect::new(Coord { x: a, y: a }, Coord { x: b, y: b }).to_polygon();
    let ring = Polygon::new(rect(40.0, 216.0).exterior().clone(), vec![rect(90.0, 170.0).exterior().clone()]);
    let truth = MultiPolygon::new(vec![ring, rect(115.0, 145.0)]);
    let dark = |x: usize, y: usize| {
        let inside = |a: usize, b: usize| (a..b).contains(&x) && (a..b).contains(&y);
        inside(40, 216) && !inside(90, 170) || inside(115, 145)
    };
    let data = (0..256)
        .flat_map(|y| (0..256).flat_map(move |x| if dark(x, y) { [60, 30, 90] } else { [240, 240, 235] }))
        .collect();
    (BufferSource::new("ring", data, (256, 256), (256, 256), None).unwrap(), truth)
}

fn whole(source: &dyn RegionSource) -> Document {
    let (w, h) = source.dimensions();
    let polygon = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: w as f64, y: h as f64 }).to_polygon();
    let object = PathObject { object_type: Some(ObjectType::Annotation), ..PathObject::new(Shape::Polygon(polygon)) };
    Document { objects: vec![object], layout: Layout::Array }
}

fn options(stride: u32) -> ApplyOptions {
    ApplyOptions {
        sliding: Sliding { stride: Some(stride), ..Sliding::default() },
        batch: 5,
        ..ApplyOptions::default()
    }
}

#[test]
fn segmentation_recovers_a_known_mask_with_its_hole_and_island() {
    let (source, truth) = ring_slide();
    let predictor =
        Predictor::new(runtime(), segmentation_package(segmentation_model(1, Dim::Fixed(64)), 64), 1).unwrap();
    let roi = whole(&source);
    let applied =
        infer::apply(&predictor, &source, Some((&roi, Path::new("roi.geojson"))), &options(32), &job()).unwrap();
    assert_eq!(applied.tiles, 49);
    let polygons: Vec<Polygon<f64>> =
        applied.document.objects.iter().filter_map(|o| o.polygon()).flat_map(|m| m.0).collect();
    assert_eq!(polygons.len(), 2, "the ring and the island");
    assert!(polygons.iter().any(|p| p.interiors().len() == 1), "the hole is kept");
    let found = MultiPolygon::new(polygons);
    let iou = found.intersection(&truth).unsigned_area() / found.union(&truth).unsigned_area();
    assert!(iou >= 0.99, "IoU {iou}");
    assert!(applied.document.objects.iter().all(|o| o.class_name() == Some("Tissue")));
    let tissue = applied.heatmaps.iter().find(|h| h.class == "Tissue").unwrap();
    assert_eq!((tissue.width, tissue.height), (256, 256));
    assert_eq!((tissue.pixels[0], tissue.pixels[60 * 256 + 60]), (Some(0), Some(255)));
}

/// Tiles read by someone else (as QuPath reads them) and given in the plan's order give the same
/// regions as the tiles this core reads itself.
#[test]
fn given_tiles_segment_as_read_tiles_do() {
    let (source, _) = ring_slide();
    let predictor =
        Predictor::new(runtime(), segmentation_package(segmentation_model(1, Dim::Fixed(64)), 64), 1).unwrap();
    let roi = whole(&source);
    let options = options(32);
    let read = infer::apply(&predictor, &source, Some((&roi, Path::new("roi.geojson"))), &options, &job()).unwrap();
    let metadata = predictor.package().metadata();
    let plan =
        infer::region::plan(&source, metadata, Some((&roi, Path::new("roi.geojson"))), &options.sliding).unwrap();
    let mut given = GivenSegmentation::new(&predictor, &plan).unwrap();
    let order: Vec<_> = given.order().to_vec();
    for batch in order.chunks(5) {
        let mut rgb = Vec::new();
        for tile in batch {
            let region = (tile.x, tile.y, tile.w, tile.h);
            rgb.extend(read_region(&source, region, (64, 64)).unwrap().into_bytes());
        }
        given.add(&predictor, &rgb, batch.len()).unwrap();
    }
    let (objects, heatmaps) = given.finish(options.tracing, &options.object_type).unwrap();
    assert_eq!(objects, read.document.objects);
    assert_eq!(heatmaps.len(), read.heatmaps.len());
    let short = GivenSegmentation::new(&predictor, &plan).unwrap();
    assert!(short.finish(options.tracing, &options.object_type).unwrap_err().to_string().contains("given 0 of its"));
}

#[test]
fn overlap_blending_leaves_no_seams() {
    let (source, _) = ring_slide();
    // A 5×5 kernel: tile borders see zero padding instead of their neighbours.
    let whole_image = Model::from_bytes(runtime(), &segmentation_model(5, Dim::Symbolic("s")), 1).unwrap();
    let predictor =
        Predictor::new(runtime(), segmentation_package(segmentation_model(5, Dim::Fixed(64)), 64), 1).unwrap();
    let pixels = tessera_core::slide::read_region(&source, (0, 0, 256, 256), (256, 256)).unwrap();
    let reference = whole_image.run(&predictor.preprocess_any(&pixels), &[1, 3, 256, 256]).unwrap();
    let worst_seam = |stride: u32| {
        let plan = infer::region::plan(
            &source,
            predictor.package().metadata(),
            Some((&whole(&source), Path::new("roi"))),
            &Sliding { stride: Some(stride), ..Sliding::default() },
        )
        .unwrap();
        let mut blender = infer::segment::canvas(&predictor, &plan).unwrap();
        let mut worst = 0.0f32;
        let mut rows = 0;
        // Batches of 4 make bands of 4 batches = 16 tiles: bands end inside the canvas.
        infer::segment::stitch(&predictor, &source, &plan, 4, &job(), &mut blender, |row| {
            assert_eq!(row.y, rows, "rows arrive once, in order");
            rows += 1;
            // Interior pixels only: the slide's own border is zero-padded in the reference too.
            if (3..253).contains(&row.y) {
                for x in 3..253 {
                    worst = worst.max((row.probabilities[256 + x] - reference.data[65536 + row.y * 256 + x]).abs());
                }
            }
        })
        .unwrap();
        assert_eq!(rows, 256);
        worst
    };
    let (seams, blended) = (worst_seam(64), worst_seam(32));
    assert!(seams > 0.05, "tiles without overlap show their borders: {seams}");
    assert!(blended < seams / 20.0, "blended {blended} vs unblended {seams}");
}

trait PreprocessAny {
    fn preprocess_any(&self, image: &tessera_core::slide::RgbImage) -> Vec<f32>;
}

impl PreprocessAny for Predictor {
    /// The reference normalisation, written out independently: (v / 255 − mean) / std, planar.
    fn preprocess_any(&self, image: &tessera_core::slide::RgbImage) -> Vec<f32> {
        let input = &self.package().metadata().input;
        let plane = (image.width() * image.height()) as usize;
        let mut out = vec![0.0; 3 * plane];
        for (i, px) in image.as_bytes().chunks(3).enumerate() {
            for c in 0..3 {
                out[c * plane + i] = (px[c] as f32 / 255.0 - input.mean[c]) / input.std[c];
            }
        }
        out
    }
}

fn classifier_package(onnx: Vec<u8>, tile: u32) -> Package {
    let classes = vec![
        ClassInfo::new("Tumor", [200, 0, 0]),
        ClassInfo::new("Stroma", [150, 200, 150]),
        ClassInfo::new("Other", [0, 0, 180]),
    ];
    Package::new(Metadata::new("cnn", Task::TileClassification, classes, InputSpec::imagenet(tile, Some(1.0))), onnx)
        .unwrap()
}

/// Our trainer's inference graph (a 2-block CNN, freshly initialised) for 3 classes.
fn trained_classifier(tile: usize) -> Vec<u8> {
    let spec = tessera_core::graph::cnn::CnnSpec { tile, classes: 3, width: 4, depth: 2, ..Default::default() };
    let network = spec.network().unwrap();
    let state = network.initial_state(&tessera_core::graph::optim::Optimizer::default(), 7);
    network.inference_graph(&state).unwrap()
}

fn incompatible(package: Package) -> String {
    match Predictor::new(runtime(), package, 1) {
        Err(TesseraError::IncompatibleModel(message)) => message,
        Err(other) => panic!("wrong kind of error: {other}"),
        Ok(_) => panic!("an incompatible model was accepted"),
    }
}

#[test]
fn models_that_do_not_fit_are_refused_clearly() {
    // Tile size: the network takes 32 px tiles, the package says 64.
    let size = incompatible(classifier_package(trained_classifier(32), 64));
    assert!(size.contains("32 px") && size.contains("tile_size 64"), "{size}");
    // Channels: a one-channel model.
    let mut g = GraphBuilder::new("grey");
    let x = g.input("x", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(1), Dim::Fixed(8), Dim::Fixed(8)]);
    let y = g.node("GlobalAveragePool", &[&x], vec![]);
    g.output(&y, "y", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(1), Dim::Fixed(1), Dim::Fixed(1)]);
    let channels = incompatible(classifier_package(g.to_bytes("t"), 8));
    assert!(channels.contains("takes 1 channel(s)"), "{channels}");
    // Output: [N, 3, 8] is neither [N, classes] nor [N, classes, H, W].
    let mut g = GraphBuilder::new("odd");
    let x = g.input("x", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(8), Dim::Fixed(8)]);
    let y = g.node("ReduceMean", &[&x], vec![attr_ints("axes", &[3]), attr_int("keepdims", 0)]);
    g.output(&y, "y", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(8)]);
    let output = incompatible(classifier_package(g.to_bytes("t"), 8));
    assert!(output.contains("neither classification") && output.contains("[1, 3, 8]"), "{output}");
    // A segmentation model in a package that says tile classification.
    let task = incompatible(classifier_package(segmentation_model(1, Dim::Fixed(8)), 8));
    assert!(task.contains("neither") || task.contains("says tile classification"), "{task}");
}

/// A package whose network ONNX Runtime refuses (an operator it does not have) is named by its
/// file when loaded from one, as the command and QuPath load models.
#[test]
fn a_model_onnx_runtime_refuses_is_named_by_its_file() {
    let mut g = GraphBuilder::new("unknown");
    let x = g.input("x", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(8), Dim::Fixed(8)]);
    let y = g.node("NoSuchOperator", &[&x], vec![]);
    g.output(&y, "y", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3)]);
    let path = temp("refused.tessera");
    classifier_package(g.to_bytes("t"), 8).write(&path).unwrap();
    match Predictor::load(runtime(), &path, 1, Device::Cpu, Precision::Auto) {
        Err(TesseraError::IncompatibleModel(message)) => {
            assert!(message.starts_with(&format!("{}: ", path.display())), "{message}")
        }
        Err(other) => panic!("wrong kind of error: {other}"),
        Ok(_) => panic!("an unknown operator was accepted"),
    }
}

#[test]
fn a_corrupt_onnx_file_is_named_and_refused() {
    let onnx = temp("corrupt.onnx");
    std::fs::write(&onnx, b"\x0a\xff\xff\xff\xff not a model").unwrap();
    std::fs::write(
        onnx.with_file_name(wsinfer::CONFIG_FILE),
        r#"{"class_names": ["a", "b"], "patch_size_pixels": 64, "spacing_um_px": 0.5}"#,
    )
    .unwrap();
    let message = Package::read(&onnx).unwrap_err().to_string();
    assert!(message.contains("corrupt.onnx") && message.contains("not an ONNX model"), "{message}");
    // The same model file, whole, loads with its WSInfer configuration.
    std::fs::write(&onnx, trained_classifier(64)).unwrap();
    let package = Package::read(&onnx).unwrap();
    assert_eq!(package.metadata().class_names(), vec!["a", "b"]);
    let message = incompatible(package);
    assert!(message.contains("neither classification [1, 2]"), "{message}");
}

/// With a CPU-only ONNX Runtime (the one CI fetches), asking for CUDA runs on the CPU, says
/// why, and predicts exactly what a CPU run predicts.
#[test]
fn cuda_without_its_provider_falls_back_to_the_cpu_with_the_same_predictions() {
    let library = runtime().library();
    if library.with_file_name(CUDA_PROVIDER_LIBRARY).is_file() {
        eprintln!("skipped: {} has a CUDA provider beside it", library.display());
        return;
    }
    let (source, _) = ring_slide();
    let roi = whole(&source);
    let package = || segmentation_package(segmentation_model(3, Dim::Fixed(64)), 64);
    let cpu = Predictor::new_on(runtime(), package(), 1, Device::Cpu, Precision::Auto).unwrap();
    let cuda = Predictor::new_on(runtime(), package(), 1, Device::Cuda(0), Precision::Auto).unwrap();
    assert_eq!(cpu.placement().warning(), None);
    assert_eq!((cuda.placement().requested, cuda.placement().device), (Device::Cuda(0), Device::Cpu));
    let warning = cuda.placement().warning().unwrap();
    assert!(
        warning.contains("cuda:0 requested")
            && warning.contains(CUDA_PROVIDER_LIBRARY)
            && warning.contains("running on the CPU"),
        "{warning}"
    );
    let apply = |predictor: &Predictor| {
        infer::apply(predictor, &source, Some((&roi, Path::new("roi.geojson"))), &options(48), &job()).unwrap()
    };
    let (on_cpu, fallen_back) = (apply(&cpu), apply(&cuda));
    assert_eq!(on_cpu.document, fallen_back.document);
    assert_eq!(on_cpu.heatmaps, fallen_back.heatmaps);
}

#[cfg(feature = "openslide")]
mod on_the_real_slide {
    use super::*;
    use tessera_core::infer::objects::probability_name;
    use tessera_core::job::{CancelToken, Job, Silent};
    use tessera_core::slide::{read_region, OpenSlideSource};

    fn slide() -> OpenSlideSource {
        OpenSlideSource::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/CMU-1-Small-Region.svs"))
            .unwrap()
    }

    fn roi(x0: f64, y0: f64, x1: f64, y1: f64) -> Document {
        let mut document = whole(&BufferSource::new("r", vec![0; 3], (1, 1), (1, 1), None).unwrap());
        document.objects[0].shape =
            Shape::Polygon(Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }).to_polygon());
        document
    }

    #[test]
    fn tile_predictions_match_a_reference_run_and_round_trip_as_qupath_geojson() {
        let source = slide();
        let onnx = trained_classifier(64);
        let predictor = Predictor::new(runtime(), classifier_package(onnx.clone(), 64), 2).unwrap();
        let region = roi(400.0, 600.0, 1400.0, 1400.0);
        let options = ApplyOptions { merge: true, ..options(48) };
        let applied =
            infer::apply(&predictor, &source, Some((&region, Path::new("roi.geojson"))), &options, &job()).unwrap();
        let tiles: Vec<&PathObject> =
            applied.document.objects.iter().filter(|o| o.object_type == Some(ObjectType::Detection)).collect();
        assert_eq!(tiles.len(), applied.tiles);
        assert!(applied.tiles > 20, "{} tiles", applied.tiles);
        // Reference: the same pixels, normalised by hand, one tile at a time through a separate session.
        let reference = Model::from_bytes(runtime(), &onnx, 1).unwrap();
        for tile in &tiles {
            let bounds = geo::BoundingRect::bounding_rect(&tile.polygon().unwrap()).unwrap();
            let rect = (bounds.min().x as i64, bounds.min().y as i64, bounds.width() as u64, bounds.height() as u64);
            let pixels = read_region(&source, rect, (64, 64)).unwrap();
            let want = reference.run(&predictor.preprocess_any(&pixels), &[1, 3, 64, 64]).unwrap();
            let measurements = tile.measurements.as_ref().unwrap();
            for (class, &p) in predictor.package().metadata().classes.iter().zip(&want.data) {
                let got = measurements[probability_name(&class.name)].as_f64().unwrap();
                assert!((got - f64::from(p)).abs() < 1e-5, "{got} vs {p}");
            }
            let best = (0..3).max_by(|&a, &b| want.data[a].total_cmp(&want.data[b])).unwrap();
            assert_eq!(tile.class_name(), Some(predictor.package().metadata().classes[best].name.as_str()));
        }
        // Merged regions cover exactly the tiles' cells (48 px steps, overlapping tiles share).
        let merged: f64 = applied
            .document
            .objects
            .iter()
            .filter(|o| o.object_type == Some(ObjectType::Annotation))
            .map(|o| o.polygon().unwrap().unsigned_area())
            .sum();
        let side = geo::BoundingRect::bounding_rect(&tiles[0].polygon().unwrap()).unwrap().width();
        let cell = side * 48.0 / 64.0;
        assert_eq!(merged, tiles.len() as f64 * cell * cell);
        // Written, read back by our reader, identical; and in QuPath's schema.
        let path = temp("tiles.geojson");
        applied.document.write(&path).unwrap();
        let read = Document::read(&path).unwrap();
        assert_eq!(read, applied.document);
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(json["type"], "FeatureCollection");
        for feature in json["features"].as_array().unwrap() {
            assert_eq!(feature["type"], "Feature");
            assert!(["Polygon", "MultiPolygon"].contains(&feature["geometry"]["type"].as_str().unwrap()));
            let properties = &feature["properties"];
            assert!(["detection", "annotation"].contains(&properties["objectType"].as_str().unwrap()));
            assert!(["Tumor", "Stroma", "Other"].contains(&properties["classification"]["name"].as_str().unwrap()));
            assert_eq!(properties["classification"]["color"].as_array().unwrap().len(), 3);
        }
    }

    #[test]
    fn a_region_outside_the_slide_is_refused() {
        let predictor = Predictor::new(runtime(), classifier_package(trained_classifier(64), 64), 1).unwrap();
        let far = roi(10_000.0, 10_000.0, 11_000.0, 11_000.0);
        let error = infer::apply(&predictor, &slide(), Some((&far, Path::new("far.geojson"))), &options(64), &job())
            .unwrap_err();
        assert!(
            matches!(error, TesseraError::InvalidInput(_)) && error.to_string().contains("outside slide"),
            "{error}"
        );
    }

    #[test]
    fn cancelling_stops_the_whole_slide_run() {
        let predictor = Predictor::new(runtime(), classifier_package(trained_classifier(64), 64), 1).unwrap();
        let token = CancelToken::new();
        token.cancel();
        let job = Job::new(token, &Silent);
        let error = infer::apply(&predictor, &slide(), None, &options(64), &job).unwrap_err();
        assert!(matches!(error, TesseraError::Cancelled), "{error}");
    }
}
