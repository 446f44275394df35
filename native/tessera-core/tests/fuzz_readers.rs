//! The readers of untrusted files against 100 000 deterministic fuzz inputs each (cargo feature
//! `fuzzing`, see `tessera_core::fuzz`): the GeoJSON reader, the WKB reader, the model package
//! reader and the direct TIFF reader (opening, then reading regions of every level).
//!
//! A panic fails the test; an input that runs for two minutes aborts it, naming the input; the
//! process's peak memory must stay bounded. Every input either reads or is refused with an
//! error of the expected kind that names the file; the valid seeds read, with their content.
//! Each test prints how many inputs were accepted and refused, and the slowest input.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tessera_core::fuzz::Target;
use tessera_core::geometry::{validity, wkb, Document};
use tessera_core::model::Package;
use tessera_core::slide::{RegionSource, TiffSource};
use tessera_core::TesseraError;

/// Inputs per reader.
const INPUTS: u64 = 100_000;

/// An input running this long is a hang.
const HANG: Duration = Duration::from_secs(120);

/// The most resident memory the whole test process may reach.
const PEAK_MEMORY: u64 = 2 << 30;

/// Inputs accepted and refused, and the slowest.
#[derive(Debug, Default)]
struct Tally {
    accepted: u64,
    refused: u64,
    slowest: (Duration, u64),
}

/// Feeds inputs `0..INPUTS` of `target` to `read`, which says whether the input was accepted
/// (and panics, failing the test, on anything else), under a watchdog that aborts on a hang.
fn fuzz(target: Target, read: impl Fn(u64, Vec<u8>) -> bool) -> Tally {
    let started = Instant::now();
    let current = AtomicU64::new(0);
    let finished = AtomicU64::new(0);
    let mut tally = Tally::default();
    std::thread::scope(|scope| {
        scope.spawn(|| watchdog(target, &current, &finished));
        // Stops the watchdog however the loop ends (a panic must fail the test, not hang it).
        let _stop = Stop(&finished);
        for index in 0..INPUTS {
            current.store(index, Ordering::Relaxed);
            let start = Instant::now();
            let accepted = read(index, target.input(index));
            let took = start.elapsed();
            if took > tally.slowest.0 {
                tally.slowest = (took, index);
            }
            *(if accepted { &mut tally.accepted } else { &mut tally.refused }) += 1;
        }
    });
    println!("{}: {tally:?} in {:.1?}", target.name(), started.elapsed());
    assert_eq!(tally.accepted + tally.refused, INPUTS);
    assert!(tally.refused > INPUTS / 10, "{}: the mutations must mostly break the seeds: {tally:?}", target.name());
    assert!(tally.accepted > target.seeds() as u64, "{}: some mutations must still read: {tally:?}", target.name());
    assert_peak_memory();
    tally
}

/// Sets its flag when dropped.
struct Stop<'a>(&'a AtomicU64);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        self.0.store(1, Ordering::Relaxed);
    }
}

/// Aborts the process when the input being read has not changed for [`HANG`].
fn watchdog(target: Target, current: &AtomicU64, finished: &AtomicU64) {
    let (mut seen, mut since) = (u64::MAX, Instant::now());
    while finished.load(Ordering::Relaxed) == 0 {
        std::thread::sleep(Duration::from_millis(200));
        let now = current.load(Ordering::Relaxed);
        if now != seen {
            (seen, since) = (now, Instant::now());
        } else if since.elapsed() > HANG {
            eprintln!("{} input {now} has been read for {HANG:?}: a hang", target.name());
            std::process::abort();
        }
    }
}

/// The peak resident memory of the process (Linux) is below [`PEAK_MEMORY`].
fn assert_peak_memory() {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return;
    };
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .map(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap() * 1024);
    if let Some(peak) = peak {
        assert!(peak < PEAK_MEMORY, "peak memory {} MiB", peak >> 20);
    }
}

/// The valid seeds must be accepted.
fn seed_accepted(target: Target, index: u64, accepted: bool) -> bool {
    assert!(accepted || index >= target.seeds() as u64, "{} seed {index} is refused", target.name());
    accepted
}

#[test]
fn geojson_reader() {
    let target = Target::GeoJson;
    fuzz(target, |index, bytes| {
        let source = PathBuf::from(format!("fuzz-{index}.geojson"));
        let accepted = match Document::from_bytes(&bytes, &source) {
            Ok(document) => {
                // What reads, reads back the same from what it writes.
                let again = Document::from_value(document.to_value(), &source).unwrap();
                assert_eq!(again, document, "input {index}");
                true
            }
            Err(error) => {
                assert!(matches!(error, TesseraError::InvalidInput(_)), "input {index}: {error:?}");
                assert!(error.to_string().contains("fuzz-"), "input {index}: {error}");
                false
            }
        };
        seed_accepted(target, index, accepted)
    });
}

#[test]
fn wkb_reader() {
    let target = Target::Wkb;
    fuzz(target, |index, bytes| {
        let accepted = match wkb::from_wkb(&bytes) {
            Ok(polygons) => {
                // What reads goes on to the repair every annotation gets (the JNI planner's next step).
                if let Err(error) = validity::make_valid(&polygons, &format!("fuzz-{index}")) {
                    assert!(matches!(error, TesseraError::InvalidInput(_)), "input {index}: {error:?}");
                    assert!(error.to_string().contains(&format!("fuzz-{index}")), "input {index}: {error}");
                }
                !polygons.0.is_empty()
            }
            Err(error) => {
                let named = format!("WKB geometry ({} bytes)", bytes.len());
                assert!(matches!(error, TesseraError::InvalidInput(_)), "input {index}: {error:?}");
                assert!(error.to_string().contains(&named), "input {index}: {error}");
                false
            }
        };
        seed_accepted(target, index, accepted)
    });
}

#[test]
fn model_package_reader() {
    let target = Target::Package;
    let folder = std::env::temp_dir().join(format!("tessera-fuzz-{}", std::process::id()));
    fuzz(target, |index, bytes| {
        let path = folder.join(format!("fuzz-{index}.tessera"));
        let accepted = match Package::from_bytes(bytes, &path) {
            Ok(package) => {
                assert!(package.metadata().validate().is_ok(), "input {index}");
                true
            }
            Err(error) => {
                assert!(matches!(error, TesseraError::IncompatibleModel(_)), "input {index}: {error:?}");
                assert!(error.to_string().contains(&*path.to_string_lossy()), "input {index}: {error}");
                false
            }
        };
        seed_accepted(target, index, accepted)
    });
}

#[test]
fn tiff_reader() {
    let target = Target::Tiff;
    let reads = AtomicU64::new(0);
    let tally = fuzz(target, |index, bytes| {
        let path = PathBuf::from(format!("fuzz-{index}.tiff"));
        let Some(slide) = TiffSource::from_bytes(&path, bytes, None) else {
            return seed_accepted(target, index, false);
        };
        let levels = slide.levels().to_vec();
        let (width, height) = (levels[0].width as i64, levels[0].height as i64);
        for level in 0..=levels.len() {
            for (x, y) in [(0, 0), (width - 8, height - 8), (-8, -8), (width / 3, height / 2)] {
                match slide.read_rgb(level, x, y, 24, 16) {
                    Ok(image) => {
                        assert_eq!((image.width(), image.height()), (24, 16));
                        reads.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(error) => assert_names(&error, &path, index),
                }
            }
        }
        if index < target.seeds() as u64 {
            check_seed(&slide, index);
        }
        true
    });
    println!("tiff: {} regions read from the {} slides opened", reads.load(Ordering::Relaxed), tally.accepted);
}

/// A failed read is an error naming the slide.
fn assert_names(error: &TesseraError, path: &Path, index: u64) {
    let named = match error {
        TesseraError::UnreadableImage { path: failed, .. } => failed == path,
        TesseraError::InvalidInput(message) => message.contains(&*path.to_string_lossy()),
        _ => false,
    };
    assert!(named, "input {index}: {error:?}");
}

/// A valid seed: two levels of 32 and 16 px, pink with a purple patch, read whole.
fn check_seed(slide: &TiffSource, index: u64) {
    let sizes: Vec<_> = slide.levels().iter().map(|level| (level.width, level.height, level.downsample)).collect();
    assert_eq!(sizes, vec![(32, 32, 1.0), (16, 16, 2.0)], "seed {index}");
    for (level, offset) in [(0, 16), (1, 0)] {
        let image = slide.read_rgb(level, offset, offset, 16, 16).unwrap();
        let near = |pixel: [u8; 3], colour: [u8; 3]| pixel.iter().zip(colour).all(|(&p, c)| p.abs_diff(c) < 24);
        assert!(near(image.pixel(0, 0), [232, 160, 196]), "seed {index} level {level}: {:?}", image.pixel(0, 0));
        assert!(near(image.pixel(7, 7), [118, 62, 148]), "seed {index} level {level}: {:?}", image.pixel(7, 7));
    }
}
