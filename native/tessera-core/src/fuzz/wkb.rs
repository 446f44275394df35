//! WKB inputs: polygons and multipolygons with holes in both byte orders, a collection, and
//! mutations of their byte orders, geometry types, ring and point counts and coordinates, and
//! collections nested deeper than any reader should follow.

use geo::{wkt, Geometry, GeometryCollection, MultiPolygon, Point};
use wkb::writer::{write_geometry, WriteOptions};
use wkb::Endianness;

use super::mutate::{mutate, pick, Field, Seed};
use super::Corpus;
use crate::rng::Rng;

/// Geometry types (plain, Z/M/ZM, EWKB flags) and coordinates (NaN, infinities, extremes).
const INTERESTING: [u64; 22] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    15,
    17,
    1003,
    2003,
    3003,
    1006,
    0x8000_0003,
    0x4000_0003,
    0x2000_0006,
    0x7ff8_0000_0000_0000, // NaN
    0x7ff0_0000_0000_0000, // +∞
    0xfff0_0000_0000_0000, // −∞
    0x7fef_ffff_ffff_ffff, // f64::MAX
    0x7e37_e43c_8800_759c, // 1e300
];

/// Depths of nested geometry collections.
const DEPTHS: [usize; 6] = [2, 16, 128, 1_000, 10_000, 100_000];

pub(super) struct Wkb {
    valid: Vec<Vec<u8>>,
    seeds: Vec<Seed>,
}

/// The WKB corpus.
pub(super) fn corpus() -> Wkb {
    let holed = wkt!(POLYGON((0. 0., 100. 0., 100. 80., 0. 80., 0. 0.), (20. 20., 40. 20., 40. 40., 20. 20.)));
    let triangle = wkt!(POLYGON((200. 10., 260.5 10., 230. 70., 200. 10.)));
    let multi = MultiPolygon::new(vec![holed.clone(), triangle.clone()]);
    let collection =
        GeometryCollection::new_from(vec![Geometry::Polygon(triangle.clone()), Geometry::Point(Point::new(5.0, 5.0))]);
    let valid = vec![
        encode(&Geometry::Polygon(holed), Endianness::BigEndian),
        encode(&Geometry::MultiPolygon(multi.clone()), Endianness::BigEndian),
        encode(&Geometry::MultiPolygon(multi), Endianness::LittleEndian),
        encode(&Geometry::GeometryCollection(collection), Endianness::LittleEndian),
        encode(&Geometry::Polygon(triangle), Endianness::BigEndian),
    ];
    let seeds = valid
        .iter()
        .map(|bytes| {
            let mut fields = Vec::new();
            walk(bytes, 0, &mut fields);
            Seed { bytes: bytes.clone(), fields }
        })
        .collect();
    Wkb { valid, seeds }
}

impl Corpus for Wkb {
    fn seeds(&self) -> &[Vec<u8>] {
        &self.valid
    }

    fn mutated(&self, rng: &mut Rng) -> Vec<u8> {
        let seed = pick(rng, &self.seeds);
        if rng.below(32) == 0 {
            // Deep nesting is rarer the deeper it goes (a 100 000-deep input is 900 kB).
            let depth = DEPTHS[rng.below(DEPTHS.len()).min(rng.below(DEPTHS.len()))];
            return nested(&seed.bytes, depth);
        }
        let other = pick(rng, &self.seeds);
        mutate(rng, seed, &other.bytes, &INTERESTING)
    }
}

/// `geometry` as WKB in `endianness` (empty if it cannot be written: the seeds' test catches it).
fn encode(geometry: &Geometry<f64>, endianness: Endianness) -> Vec<u8> {
    let mut bytes = Vec::new();
    match write_geometry(&mut bytes, geometry, &WriteOptions { endianness }) {
        Ok(()) => bytes,
        Err(_) => Vec::new(),
    }
}

/// `inner` inside `depth` geometry collections of one member each.
fn nested(inner: &[u8], depth: usize) -> Vec<u8> {
    const COLLECTION: [u8; 9] = [1, 7, 0, 0, 0, 1, 0, 0, 0];
    let mut bytes = COLLECTION.repeat(depth);
    bytes.extend_from_slice(inner);
    bytes
}

/// Gathers the fields of the WKB geometry at `at` (byte order, type, counts, coordinates) into
/// `fields`; the end of the geometry, `None` at anything a seed does not hold.
fn walk(bytes: &[u8], at: usize, fields: &mut Vec<Field>) -> Option<usize> {
    let little = *bytes.get(at)? == 1;
    let read = |at: usize| -> Option<usize> {
        let raw: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if little { u32::from_le_bytes(raw) } else { u32::from_be_bytes(raw) } as usize)
    };
    let count = |at: usize, fields: &mut Vec<Field>| {
        fields.push(Field { at, width: 4, little });
        read(at)
    };
    let points = |at: usize, n: usize, fields: &mut Vec<Field>| {
        fields.extend((0..2 * n).map(|i| Field { at: at + 8 * i, width: 8, little }));
        at + 16 * n
    };
    fields.push(Field { at, width: 1, little });
    let mut end = at + 5;
    match count(at + 1, fields)? {
        1 => Some(points(end, 1, fields)),
        3 => {
            let rings = count(end, fields)?;
            end += 4;
            for _ in 0..rings {
                let n = count(end, fields)?;
                end = points(end + 4, n, fields);
            }
            Some(end)
        }
        6 | 7 => {
            let parts = count(end, fields)?;
            end += 4;
            for _ in 0..parts {
                end = walk(bytes, end, fields)?;
            }
            Some(end)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_finds_every_header_field_of_a_polygon() {
        let seed = &corpus().seeds[0];
        // Byte order, type, ring count, then each ring's point count and its coordinates.
        let headers: Vec<usize> = seed.fields.iter().filter(|f| f.width != 8).map(|f| f.at).collect();
        assert_eq!(headers, vec![0, 1, 5, 9, 13 + 5 * 16]);
        assert_eq!(seed.fields.iter().filter(|f| f.width == 8).count(), 2 * (5 + 4));
        assert_eq!(seed.fields.last().map(|f| f.at + f.width), Some(seed.bytes.len()));
    }
}
