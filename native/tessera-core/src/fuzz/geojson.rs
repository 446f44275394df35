//! GeoJSON inputs: the demo's QuPath export and small features with holes, multipolygons and a
//! byte-order mark, mutated value by value (extreme, NaN-like and overlong numbers, wrong types,
//! huge arrays), nested deeper than JSON readers allow, or made invalid UTF-8.

use std::ops::Range;

use super::json::{replace, values, HOSTILE};
use super::mutate::{mutate_bytes, pick};
use super::Corpus;
use crate::rng::Rng;

/// Byte-order marks and sequences that are not UTF-8 (a lone continuation, an overlong NUL, a
/// surrogate, a code point above U+10FFFF, a cut sequence).
const ENCODINGS: [&[u8]; 8] =
    [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x80", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc3"];

/// Depths of nested arrays around a document.
const DEPTHS: [usize; 6] = [64, 127, 128, 129, 1_000, 100_000];

const FEATURE: &str = r#"{"type": "Feature", "id": "5f0c", "geometry": {"type": "Polygon", "coordinates": [
    [[0, 0], [100, 0], [100, 80], [0, 80], [0, 0]], [[20, 20], [40, 20], [40.5, 40], [20, 20]]]},
    "properties": {"objectType": "annotation", "name": "a", "isLocked": true,
    "classification": {"name": "Tumor", "color": [200, 0, 0]}, "measurements": {"Area": 7.25}}}"#;

const ARRAY: &str = r#"[{"type": "Feature", "id": 7, "geometry": {"type": "MultiPolygon", "coordinates": [
    [[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6.25, 5], [6, 6], [5, 5]]]]},
    "properties": {"objectType": "cell"}, "nucleusGeometry": {"type": "Point", "coordinates": [1, 1]}},
    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "properties": null}]"#;

const COLLECTION: &str = "\u{feff}{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \
    \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[1e2, 0], [2, 0], [2, 2], [1e2, 0]]]}}]}";

/// The demo slide's annotations, as QuPath exports them.
const DEMO: &[u8] = include_bytes!("../../../../data/demo/CMU-1-Small-Region.annotations.geojson");

pub(super) struct GeoJson {
    seeds: Vec<Vec<u8>>,
    /// The spans of every value (scalar, array or object) of each seed.
    values: Vec<Vec<Range<usize>>>,
}

/// The GeoJSON corpus.
pub(super) fn corpus() -> GeoJson {
    let seeds: Vec<Vec<u8>> =
        [DEMO, FEATURE.as_bytes(), ARRAY.as_bytes(), COLLECTION.as_bytes()].map(<[u8]>::to_vec).into();
    let values = seeds.iter().map(|seed| values(seed)).collect();
    GeoJson { seeds, values }
}

impl Corpus for GeoJson {
    fn seeds(&self) -> &[Vec<u8>] {
        &self.seeds
    }

    fn mutated(&self, rng: &mut Rng) -> Vec<u8> {
        let which = rng.below(self.seeds.len());
        let (mut text, values) = (self.seeds[which].clone(), &self.values[which]);
        for _ in 0..=rng.below(2) {
            let span = pick(rng, values).clone();
            text = match rng.below(16) {
                0..=7 => replace(text, span, HOSTILE[rng.below(HOSTILE.len())].as_bytes()),
                8 => {
                    let other = rng.below(self.seeds.len());
                    let from = pick(rng, &self.values[other]).clone();
                    replace(text, span, &self.seeds[other][from])
                }
                9 => replace(text, span, &huge_array(rng)),
                10 => {
                    let depth = DEPTHS[rng.below(DEPTHS.len()).min(rng.below(DEPTHS.len()))];
                    [b"[".repeat(depth), text, b"]".repeat(depth)].concat()
                }
                11 => {
                    let at = rng.below(text.len() + 1);
                    let encoding = ENCODINGS[rng.below(ENCODINGS.len())];
                    text.splice(at..at, encoding.iter().copied());
                    text
                }
                _ => {
                    let other = rng.below(self.seeds.len());
                    mutate_bytes(rng, text, &self.seeds[other])
                }
            };
        }
        text
    }
}

/// An array of 10 to 1 000 000 positions, the larger the rarer.
fn huge_array(rng: &mut Rng) -> Vec<u8> {
    let mut length = 10;
    while length < 1_000_000 && rng.below(5) == 0 {
        length *= 10;
    }
    let mut array = b"[".to_vec();
    array.extend(b"[0, 1e300],".repeat(length - 1));
    array.extend(b"[0, 0]]");
    array
}
