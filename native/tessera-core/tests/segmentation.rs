//! Training a pixel classifier (a U-Net) end to end on the demo slide's annotations, with
//! OpenSlide and ONNX Runtime: patches with label masks, cross-validation by IoU over the
//! labelled pixels, a segmentation package, and its polygons back — and the bad input that must
//! be refused before any training.
#![cfg(feature = "openslide")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{job, runtime};
use tessera_core::geometry::{Document, ObjectType};
use tessera_core::infer::{self, ApplyOptions, OutputKind, Predictor};
use tessera_core::job::{CancelToken, ProgressSink, Silent};
use tessera_core::model::{Package, Task};
use tessera_core::pipeline::{collect_patches, Architecture, LabelledSlide, TrainingRequest, UNetOptions};
use tessera_core::slide::{OpenSlideSource, Resolution};
use tessera_core::tiling::{select_regions, TileSpec};
use tessera_core::train::fit::TrainConfig;

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo").join(name)
}

/// 32 px patches at 2 µm/px, half overlapping, inside and around the annotations.
fn spec() -> TileSpec {
    TileSpec { overlap: 0.5, min_coverage: 0.25, ..TileSpec::new(32, Resolution::Mpp(2.0)) }
}

fn annotations() -> Document {
    Document::read(&demo("CMU-1-Small-Region.annotations.geojson")).unwrap()
}

fn labelled<'a>(source: &'a OpenSlideSource, document: &Document) -> LabelledSlide<'a> {
    let selection = select_regions(document, Path::new("demo.geojson"), None).unwrap();
    LabelledSlide { source, name: "demo".into(), selection }
}

fn request<'a>(architecture: &'a Architecture, spec: &'a TileSpec, config: &'a TrainConfig) -> TrainingRequest<'a> {
    static COLOURS: BTreeMap<String, [u8; 3]> = BTreeMap::new();
    TrainingRequest { name: "seg", tiles: spec, architecture, config, folds: 2, colours: &COLOURS, parent: None }
}

#[test]
fn a_unet_trains_on_the_demo_annotations_and_its_polygons_come_back() {
    let source = OpenSlideSource::open(demo("CMU-1-Small-Region.svs")).unwrap();
    let spec = spec();
    let collected = collect_patches(&[labelled(&source, &annotations())], &spec, &job()).unwrap();
    let store = &collected.store;
    assert!(store.has_masks() && store.len() > 50, "{} patches", store.len());
    let pixels = store.pixel_counts(&(0..store.len()).collect::<Vec<_>>());
    assert!(pixels.iter().all(|&n| n > 1000), "labelled pixels per class: {pixels:?}");
    let unlabelled = (0..store.len()).flat_map(|i| store.mask(i).unwrap()).filter(|&&m| m == u8::MAX).count();
    assert!(unlabelled > 0, "patches around the annotations hold unlabelled pixels");

    let architecture = Architecture::UNet(UNetOptions { width: 4, depth: 2, ..UNetOptions::default() });
    let config = TrainConfig { epochs: 2, batch_size: 16, threads: 2, ..TrainConfig::default() };
    let sink: &dyn ProgressSink = &Silent;
    let package = request(&architecture, &spec, &config)
        .run(runtime(), store, &collected.record, &CancelToken::new(), &mut { sink })
        .unwrap();
    let metadata = package.metadata();
    assert_eq!(metadata.task, Task::Segmentation);
    let metrics = metadata.metrics.as_ref().unwrap();
    let cv = metrics.cross_validation.as_ref().unwrap();
    let mean_iou = cv.mean_iou.unwrap();
    assert!(mean_iou > 0.3 && mean_iou <= 1.0, "mean IoU {mean_iou}");
    for fold in &cv.folds {
        let iou = fold.report.mean_iou.unwrap();
        assert!(iou.ci95.low <= iou.value && iou.value <= iou.ci95.high);
        assert!(fold.report.classes.iter().all(|c| c.iou.is_some()));
        assert!(fold.history.iter().all(|e| e.validation_mean_iou.is_some()));
    }
    assert!(metrics.final_hold_out.as_ref().unwrap().mean_iou.is_some());
    assert!(package.int8().is_none(), "no int8 segmenters yet");

    // The package as written loads as a segmenter and gives region polygons of its classes.
    let path = std::env::temp_dir().join(format!("tessera-segmentation-{}.tessera", std::process::id()));
    package.write(&path).unwrap();
    let predictor = Predictor::new(runtime(), Package::read(&path).unwrap(), 2).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(predictor.output(), OutputKind::Segmentation { height: 32, width: 32 });
    let options = ApplyOptions { object_type: ObjectType::Annotation, ..ApplyOptions::default() };
    let applied = infer::apply(&predictor, &source, None, &options, &job()).unwrap();
    assert!(!applied.document.objects.is_empty());
    let names: Vec<&str> = applied.document.objects.iter().filter_map(|o| o.class_name()).collect();
    assert!(names.iter().all(|n| ["Epithelium", "Stroma"].contains(n)), "Background is not an object: {names:?}");
    assert_eq!(applied.heatmaps.len(), 3);
}

#[test]
fn a_patch_size_the_unet_cannot_halve_is_refused_before_any_tile_is_read() {
    let spec = TileSpec { tile_size: 36, ..spec() };
    let architecture = Architecture::UNet(UNetOptions { depth: 3, ..UNetOptions::default() });
    let config = TrainConfig::default();
    let err = request(&architecture, &spec, &config).check().unwrap_err().to_string();
    assert!(err.contains("patch size 36 is not divisible by 2^3 = 8"), "{err}");
}

#[test]
fn one_labelled_class_or_annotations_without_pixels_are_refused_with_the_reason() {
    let source = OpenSlideSource::open(demo("CMU-1-Small-Region.svs")).unwrap();
    let mut document = annotations();
    document.objects.retain(|o| o.class_name() == Some("Stroma"));
    let collected = collect_patches(&[labelled(&source, &document)], &spec(), &job()).unwrap();
    let architecture = Architecture::UNet(UNetOptions::default());
    let (spec, config) = (spec(), TrainConfig::default());
    let sink: &dyn ProgressSink = &Silent;
    let err = request(&architecture, &spec, &config)
        .run(runtime(), &collected.store, &collected.record, &CancelToken::new(), &mut { sink })
        .unwrap_err()
        .to_string();
    assert!(err.contains("annotate at least 2 classes"), "{err}");

    // At 64 µm/px the smallest Stroma polygon (90 level-0 px wide, 45 µm) covers no pixel centre.
    let coarse = TileSpec { tile_size: 8, ..TileSpec::new(8, Resolution::Mpp(64.0)) };
    let err = collect_patches(&[labelled(&source, &annotations())], &coarse, &job()).map(drop).unwrap_err().to_string();
    assert!(err.contains("cover no pixel at"), "{err}");
}
