//! The core's own TIFF reader (what the QuPath extension reads SVS files with) against the
//! OpenSlide source the `tessera` command uses, on the demo slide in the repository: the same
//! levels, the same pixels and the same tissue plan.
#![cfg(feature = "openslide")]

use std::path::PathBuf;

use tessera_core::infer::region::plan_tissue;
use tessera_core::slide::{read_region, OpenSlideSource, RegionSource, Resolution, TiffSource};
use tessera_core::tiling::TileSpec;

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/CMU-1-Small-Region.svs")
}

#[test]
fn the_core_reads_the_demo_slide_as_the_command_does() {
    let command = OpenSlideSource::open(demo()).unwrap();
    let core = TiffSource::open(demo(), command.mpp()).unwrap();
    assert_eq!(core.levels(), command.levels());
    for (x, y, size, out) in [(0, 0, 256, 256), (1000, 1200, 64, 64), (700, 900, 300, 100), (2100, 2900, 256, 128)] {
        let a = read_region(&command, (x, y, size, size), (out, out)).unwrap();
        let b = read_region(&core, (x, y, size, size), (out, out)).unwrap();
        assert_eq!(a, b, "region at ({x}, {y})");
    }
    let spec = TileSpec::new(64, Resolution::Mpp(0.998));
    let by_command = plan_tissue(&command, "demo", &spec, "Tissue").unwrap();
    let by_core = plan_tissue(&core, "demo", &spec, "Tissue").unwrap();
    assert!(!by_command.tiles.is_empty());
    assert_eq!(by_command, by_core, "one tile plan for the command and the QuPath extension");
}

#[test]
fn the_direct_decoder_matches_openslides_to_rounding() {
    let mut openslide = OpenSlideSource::open(demo()).unwrap();
    openslide.set_direct_jpeg(false);
    let core = TiffSource::open(demo(), None).unwrap();
    let a = openslide.read_rgb(0, 512, 512, 512, 512).unwrap();
    let b = core.read_rgb(0, 512, 512, 512, 512).unwrap();
    let largest = a.as_bytes().iter().zip(b.as_bytes()).map(|(&p, &q)| p.abs_diff(q)).max().unwrap();
    assert!(largest <= 2, "libjpeg (OpenSlide) and the direct decoder differ by {largest}");
}
