//! What the benches on the demo slide start from (shared by `train`, `unet_train`,
//! `segmentation_vs_tiles`, `review_loop` and `stain_shift`): ONNX Runtime, a job, the slide
//! `data/demo/CMU-1-Small-Region.svs` with the regions of its annotations, and the tiles and
//! patches `tessera demo` cuts from them.

use std::path::Path;

use tessera_core::geometry::Document;
use tessera_core::job::{CancelToken, Job, Silent};
use tessera_core::pipeline::LabelledSlide;
use tessera_core::runtime::{self, Runtime};
use tessera_core::slide::{OpenSlideSource, Resolution};
use tessera_core::tiling::{select_regions, Selection, TileSpec};

/// The demo slide, its annotations and what a bench needs to train and apply models on them.
pub struct Demo {
    /// ONNX Runtime, found as the `tessera` command finds it: `$TESSERA_ONNXRUNTIME`, else
    /// `target/onnxruntime`.
    pub runtime: &'static Runtime,
    /// A job nobody cancels, whose progress goes nowhere.
    pub job: Job<'static>,
    /// `data/demo/CMU-1-Small-Region.svs`, opened with OpenSlide.
    pub source: OpenSlideSource,
    /// The regions of `data/demo/CMU-1-Small-Region.annotations.geojson`, labelled by their
    /// classes, in file order.
    pub selection: Selection,
}

impl Demo {
    /// Starts ONNX Runtime, then opens the slide and reads its annotations; panics where any of
    /// that fails.
    pub fn load() -> Self {
        let runtime = runtime::init(&runtime::locate().unwrap()).unwrap();
        let job = Job::new(CancelToken::new(), &Silent);
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo");
        let (slide_path, annotations) =
            (demo.join("CMU-1-Small-Region.svs"), demo.join("CMU-1-Small-Region.annotations.geojson"));
        let source = OpenSlideSource::open(&slide_path).unwrap();
        let selection = select_regions(&Document::read(&annotations).unwrap(), &annotations, None).unwrap();
        Self { runtime, job, source, selection }
    }

    /// The slide labelled by all its annotations, named `demo`: what `collect` and
    /// `collect_patches` read the training tiles from.
    pub fn labelled(&self) -> LabelledSlide<'_> {
        LabelledSlide { source: &self.source, name: "demo".into(), selection: self.selection.clone() }
    }

    /// The tiles `tessera demo` trains its tile classifier on: 64 px at 0.5 µm/px, overlap 0.5.
    #[allow(dead_code)] // Not every bench includes both specs.
    pub fn tile_spec() -> TileSpec {
        TileSpec { overlap: 0.5, ..TileSpec::new(64, Resolution::Mpp(0.5)) }
    }

    /// The patches `tessera demo --task segmentation` trains its U-Net on: 64 px at 1 µm/px,
    /// overlap 0.5, minimum coverage 0.25.
    #[allow(dead_code)] // Not every bench includes both specs.
    pub fn patch_spec() -> TileSpec {
        TileSpec { overlap: 0.5, min_coverage: 0.25, ..TileSpec::new(64, Resolution::Mpp(1.0)) }
    }
}
