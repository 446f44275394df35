//! `.tessera` inputs: a valid package (a tile classifier a predictor loads), mutated in its zip
//! records (entry sizes, offsets, compression methods, name lengths, counts), or rebuilt around
//! mutated contents: metadata with hostile values, damaged ONNX, entries named `../…` or `/…`,
//! stored or deflated, zip64, and a model entry that is a zip bomb.

use std::io::{Cursor, Write};
use std::ops::Range;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::json::{replace, values, HOSTILE};
use super::mutate::{mutate, mutate_bytes, pick, Field, Seed};
use super::Corpus;
use crate::graph::cnn::CnnSpec;
use crate::graph::optim::Optimizer;
use crate::model::{ClassInfo, InputSpec, Metadata, Package, Task, METADATA_ENTRY, MODEL_ENTRY};
use crate::rng::Rng;

/// Compression methods (stored, deflate, others this reader cannot inflate, none at all),
/// versions and flags (encrypted, data descriptor).
const INTERESTING: [u64; 10] = [0, 8, 9, 12, 14, 93, 99, 20, 45, 0x0809];

/// Names of the entries of a rebuilt package: the right ones, and traversals and absolute paths.
const NAMES: [&str; 6] = ["", "../", "/", "dir/../", "./", "C:\\"];

/// The inflated size of the zip bomb's model entry (it deflates a thousandfold).
const BOMB_BYTES: usize = 2 << 20;

pub(super) struct Packages {
    valid: Vec<Vec<u8>>,
    /// The valid package and the zip bomb, with their zip records' fields.
    zips: Vec<Seed>,
    /// The valid package's metadata, its values' spans, and its model.
    metadata: Vec<u8>,
    spans: Vec<Range<usize>>,
    onnx: Vec<u8>,
}

/// The package corpus.
pub(super) fn corpus() -> Packages {
    let package = classifier();
    let (metadata, onnx) = match &package {
        Some(package) => (serde_json::to_vec_pretty(package.metadata()).unwrap_or_default(), package.onnx().to_vec()),
        None => (Vec::new(), Vec::new()),
    };
    let valid: Vec<Vec<u8>> = package.and_then(|package| package.to_bytes().ok()).into_iter().collect();
    let bomb = zipped(&[(METADATA_ENTRY, &metadata, true), (MODEL_ENTRY, &vec![0; BOMB_BYTES], true)], false);
    let zips = valid.iter().chain([&bomb]).map(|bytes| Seed { bytes: bytes.clone(), fields: fields(bytes) }).collect();
    Packages { valid, zips, spans: values(&metadata), metadata, onnx }
}

/// A valid package: a freshly initialised classifier of 8-px tiles, as the trainer makes them.
fn classifier() -> Option<Package> {
    let metadata = Metadata::new(
        "fuzz",
        Task::TileClassification,
        vec![ClassInfo::new("Tumor", [200, 0, 0]), ClassInfo::new("Stroma", [0, 150, 0])],
        InputSpec::imagenet(8, Some(0.5)),
    );
    let network = CnnSpec { tile: 8, classes: 2, width: 2, depth: 1, ..Default::default() }.network().ok()?;
    let onnx = network.inference_graph(&network.initial_state(&Optimizer::default(), 1)).ok()?;
    Package::new(metadata, onnx).ok()
}

impl Corpus for Packages {
    fn seeds(&self) -> &[Vec<u8>] {
        &self.valid
    }

    fn mutated(&self, rng: &mut Rng) -> Vec<u8> {
        if rng.below(2) == 0 {
            // The bomb is slow to inflate: rarely.
            let zip = if rng.below(64) == 0 { self.zips.last() } else { self.zips.first() };
            return zip.map(|seed| mutate(rng, seed, &self.onnx, &INTERESTING)).unwrap_or_default();
        }
        let mut metadata = self.metadata.clone();
        let mut onnx = self.onnx.clone();
        match rng.below(3) {
            0 => metadata = replace(metadata, pick(rng, &self.spans).clone(), pick(rng, &HOSTILE).as_bytes()),
            1 => metadata = mutate_bytes(rng, metadata, &self.onnx),
            _ => onnx = mutate_bytes(rng, onnx, &self.metadata),
        }
        let names: Vec<String> = [METADATA_ENTRY, MODEL_ENTRY]
            .iter()
            .map(|name| if rng.below(4) == 0 { format!("{}{name}", pick(rng, &NAMES)) } else { (*name).to_string() })
            .collect();
        let entries =
            [(names[0].as_str(), &metadata, rng.below(2) == 0), (names[1].as_str(), &onnx, rng.below(2) == 0)];
        zipped(&entries, rng.below(8) == 0)
    }
}

/// A zip of `(name, bytes, deflated)` entries, zip64 when `large`; empty if it cannot be written.
fn zipped(entries: &[(&str, &Vec<u8>, bool)], large: bool) -> Vec<u8> {
    let write = || -> zip::result::ZipResult<Vec<u8>> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for &(name, bytes, deflated) in entries {
            let method = if deflated { CompressionMethod::Deflated } else { CompressionMethod::Stored };
            zip.start_file(name, SimpleFileOptions::default().compression_method(method).large_file(large))?;
            zip.write_all(bytes)?;
        }
        Ok(zip.finish()?.into_inner())
    };
    write().unwrap_or_default()
}

/// The fields of the zip records in `bytes`: local headers, central directory, end records.
fn fields(bytes: &[u8]) -> Vec<Field> {
    /// A record's signature, then its fields as (offset, width).
    type Record = (&'static [u8; 4], &'static [(usize, usize)]);
    const RECORDS: [Record; 4] = [
        (b"PK\x03\x04", &[(4, 2), (6, 2), (8, 2), (14, 4), (18, 4), (22, 4), (26, 2), (28, 2)]),
        (
            b"PK\x01\x02",
            &[(6, 2), (8, 2), (10, 2), (16, 4), (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (34, 2), (42, 4)],
        ),
        (b"PK\x05\x06", &[(4, 2), (6, 2), (8, 2), (10, 2), (12, 4), (16, 4), (20, 2)]),
        (b"PK\x06\x06", &[(4, 8), (16, 4), (20, 4), (24, 8), (32, 8), (40, 8), (48, 8)]),
    ];
    let mut found = Vec::new();
    for at in 0..bytes.len().saturating_sub(3) {
        for (signature, record) in RECORDS {
            if &bytes[at..at + 4] == signature {
                found.extend(record.iter().map(|&(offset, width)| Field { at: at + offset, width, little: true }));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_has_two_entries_and_the_bomb_inflates_a_thousandfold() {
        let corpus = corpus();
        let seed = &corpus.zips[0];
        // Two local headers, two central entries, one end record.
        assert_eq!(seed.fields.len(), 2 * 8 + 2 * 11 + 7);
        let bomb = &corpus.zips[1];
        assert!(bomb.bytes.len() * 100 < BOMB_BYTES, "{} bytes", bomb.bytes.len());
        assert!(Package::from_bytes(bomb.bytes.clone(), "bomb.tessera".as_ref()).is_err());
    }
}
