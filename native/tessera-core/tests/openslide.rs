//! OpenSlide on the slides in the repository's `data/` folder (with the `openslide` feature): the
//! demo Aperio slide, a generated pyramidal TIFF without pixel size, and a file that is no slide.
#![cfg(feature = "openslide")]

use std::path::{Path, PathBuf};

use tessera_core::slide::{read_region, OpenSlideSource, RegionSource, Resolution};
use tessera_core::tiling::tissue::detect_tissue;
use tessera_core::TesseraError;

/// A slide in the repository's `data/` folder (`demo/…` or `fixtures/…`).
fn slide(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data").join(name)
}

#[test]
fn the_aperio_slide_has_its_size_pixel_size_and_tissue() {
    let source = OpenSlideSource::open(slide("demo/CMU-1-Small-Region.svs")).unwrap();
    assert_eq!(source.vendor(), "aperio");
    assert_eq!(source.dimensions(), (2220, 2967));
    assert!((source.mpp().unwrap() - 0.499).abs() < 1e-9);
    assert!((Resolution::Mpp(0.998).downsample_for(&source).unwrap() - 2.0).abs() < 1e-9);
    let image = read_region(&source, (1000, 1000, 512, 512), (256, 256)).unwrap();
    assert_eq!((image.width(), image.height()), (256, 256));
    let mean: f64 = image.as_bytes().iter().map(|&b| f64::from(b)).sum::<f64>() / image.as_bytes().len() as f64;
    assert!(mean < 230.0, "tissue is darker than glass, mean {mean}");
    // Outside the slide OpenSlide gives transparent pixels: white.
    let outside = source.read_rgb(0, 2200, 2950, 40, 40).unwrap();
    assert_eq!(outside.pixel(39, 39), [255, 255, 255]);
    let mask = detect_tissue(&source, 512).unwrap();
    assert!(mask.fraction(0, 0, 2220, 2967) > 0.2);
}

#[test]
fn a_tiff_without_pixel_size_asks_for_a_downsample() {
    let source = OpenSlideSource::open(slide("fixtures/tiled-levels.tiff")).unwrap();
    assert_eq!(source.levels().len(), 4);
    assert_eq!(source.dimensions(), (300, 250));
    assert_eq!(source.mpp(), None);
    let level = &source.levels()[1];
    assert_eq!((level.width, level.height, level.downsample), (150, 125, 2.0));
    let message = Resolution::Mpp(0.5).downsample_for(&source).unwrap_err().to_string();
    assert!(message.contains("tiled-levels.tiff") && message.contains("give a downsample"), "{message}");
    // A downsample of 4 reads level 2 (downsample 3.98) and resizes a little: white glass at the
    // corner and below the slide's bottom edge (y ≥ 250), pink tissue around (120, 115).
    let image = read_region(&source, (0, 0, 256, 256), (64, 64)).unwrap();
    assert_eq!((image.width(), image.height()), (64, 64));
    assert_eq!(image.pixel(0, 0), [255, 255, 255]);
    assert_eq!(image.pixel(32, 63), [255, 255, 255]);
    let [r, g, _] = image.pixel(30, 29);
    assert!(r < 250 && r > g + 40, "tissue at (120, 116): {:?}", image.pixel(30, 29));
}

#[test]
fn broken_and_missing_files_are_named_errors() {
    let broken = OpenSlideSource::open(slide("fixtures/broken.svs")).err().unwrap();
    assert!(matches!(broken, TesseraError::UnreadableImage { .. }));
    assert!(broken.to_string().contains("broken.svs") && broken.to_string().contains("does not recognise"), "{broken}");
    let missing = OpenSlideSource::open(slide("fixtures/nope.svs")).err().unwrap();
    assert!(matches!(missing, TesseraError::Io { .. }) && missing.to_string().contains("nope.svs"), "{missing}");
}

#[test]
fn direct_jpeg_tiles_match_what_openslide_paints() {
    let direct = OpenSlideSource::open(slide("demo/CMU-1-Small-Region.svs")).unwrap();
    let mut painted = OpenSlideSource::open(slide("demo/CMU-1-Small-Region.svs")).unwrap();
    painted.set_direct_jpeg(false);
    // Aligned, straddling tile borders, and running off the slide's edge.
    for (x, y, w, h) in [(0, 0, 240, 240), (1000, 1100, 256, 256), (123, 2801, 300, 200), (2100, 2900, 200, 100)] {
        let a = direct.read_rgb(0, x, y, w, h).unwrap();
        let b = painted.read_rgb(0, x, y, w, h).unwrap();
        let differences: Vec<u32> =
            a.as_bytes().iter().zip(b.as_bytes()).map(|(&p, &q)| u32::from(p.abs_diff(q))).collect();
        let mean = f64::from(differences.iter().sum::<u32>()) / differences.len() as f64;
        // Two JPEG decoders (libjpeg-turbo inside OpenSlide, zune-jpeg here) round the IDCT and
        // the upsampling a little differently; a wrong colour space or offset is far off.
        assert!(mean < 1.0, "({x}, {y}) {w}×{h}: mean difference {mean}");
        assert!(differences.iter().all(|&d| d <= 24), "({x}, {y}): max {:?}", differences.iter().max());
    }
}
