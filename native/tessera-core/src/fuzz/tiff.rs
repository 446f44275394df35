//! TIFF inputs: small JPEG-tiled pyramids (classic little-endian with complete JPEG tiles,
//! BigTIFF big-endian with shared JPEG tables), the repository's deflate-tiled fixture, and a
//! page claiming 10¹² pixels, mutated in their header, directory entries (tags, types, counts,
//! values), image and tile sizes and tile offsets and byte counts.

use super::mutate::{mutate, pick, Field, Seed};
use super::Corpus;
use crate::rng::Rng;

/// A 16 × 16 px JPEG (YCbCr, 4:2:0): every tile of the seeds.
const TILE: &[u8] = include_bytes!("tile.jpg");

/// The repository's deflate-compressed tiled pyramid (a TIFF the JPEG reader leaves alone).
const FIXTURE: &[u8] = include_bytes!("../../../../data/fixtures/tiled-levels.tiff");

/// Tags, types, compressions, photometric interpretations, tile sides and sizes worth trying.
const INTERESTING: [u64; 30] = [
    256,
    257,
    258,
    259,
    262,
    277,
    284,
    322,
    323,
    324,
    325,
    347,
    4,
    5,
    6,
    9,
    10,
    11,
    12,
    13,
    16,
    17,
    18,
    42,
    43,
    4096,
    4104,
    1_000_000,
    1 << 31,
    1 << 40,
];

/// Tags whose values are sizes, offsets or byte counts: each value is a field of its own.
const SIZE_TAGS: [u64; 8] = [256, 257, 273, 279, 322, 323, 324, 325];

/// The side of the seeds' tiles.
const SIDE: u64 = 16;

pub(super) struct Tiffs {
    valid: Vec<Vec<u8>>,
    /// The valid seeds, the fixture and the huge page, with their fields.
    seeds: Vec<Seed>,
}

/// The TIFF corpus.
pub(super) fn corpus() -> Tiffs {
    let small = [(32, 32), (16, 16)];
    let valid = vec![
        build(Layout { little: true, big: false, tables: false }, &small),
        build(Layout { little: false, big: true, tables: true }, &small),
    ];
    // 2²⁰ × 2²⁰ px in 4096-px tiles, all of them one 16-px JPEG.
    let huge = build(Layout { little: true, big: false, tables: false }, &[(1 << 20, 1 << 20)]);
    let seeds = [valid[0].clone(), valid[1].clone(), FIXTURE.to_vec(), huge];
    Tiffs { seeds: seeds.map(|bytes| Seed { fields: walk(&bytes), bytes }).into(), valid }
}

impl Corpus for Tiffs {
    fn seeds(&self) -> &[Vec<u8>] {
        &self.valid
    }

    fn mutated(&self, rng: &mut Rng) -> Vec<u8> {
        // The huge page is half a megabyte: rarely.
        let seed = if rng.below(64) == 0 { &self.seeds[3] } else { pick(rng, &self.seeds[..3]) };
        let other = pick(rng, &self.seeds[..3]);
        mutate(rng, seed, &other.bytes, &INTERESTING)
    }
}

/// Byte order, classic or BigTIFF, and whether the JPEG tables are shared (abbreviated tiles).
#[derive(Clone, Copy)]
struct Layout {
    little: bool,
    big: bool,
    tables: bool,
}

/// A TIFF being written in one byte order.
struct Writer {
    bytes: Vec<u8>,
    little: bool,
}

impl Writer {
    fn put(&mut self, value: u64, width: usize) {
        let at = self.bytes.len();
        self.bytes.resize(at + width, 0);
        super::mutate::write_field(&mut self.bytes, Field { at, width, little: self.little }, value);
    }
}

/// A JPEG-tiled TIFF of `pages` (width, height), every tile [`TILE`].
fn build(layout: Layout, pages: &[(u64, u64)]) -> Vec<u8> {
    let (offset_width, count_width) = if layout.big { (8, 8) } else { (4, 2) };
    let mut out = Writer { bytes: if layout.little { b"II".to_vec() } else { b"MM".to_vec() }, little: layout.little };
    if layout.big {
        out.put(43, 2);
        out.put(8, 2);
        out.put(0, 2);
    } else {
        out.put(42, 2);
    }
    let mut next = out.bytes.len();
    out.put(0, offset_width);
    let (tables, tile) = if layout.tables { split_tables(TILE) } else { (Vec::new(), TILE.to_vec()) };
    let tile_at = out.bytes.len() as u64;
    out.bytes.extend_from_slice(&tile);
    let tables_at = out.bytes.len() as u64;
    out.bytes.extend_from_slice(&tables);
    for &(width, height) in pages {
        let side = if width > 1024 { 4096 } else { SIDE };
        let tiles = (width.div_ceil(side) * height.div_ceil(side)) as usize;
        let long = if layout.big { 16 } else { 4 };
        let mut entries: Vec<(u64, u64, Vec<u64>)> = vec![
            (256, 4, vec![width]),
            (257, 4, vec![height]),
            (258, 3, vec![8, 8, 8]),
            (259, 3, vec![7]),
            (262, 3, vec![6]),
            (277, 3, vec![3]),
            (284, 3, vec![1]),
            (322, 3, vec![side]),
            (323, 3, vec![side]),
            (324, long, vec![tile_at; tiles]),
            (325, 4, vec![tile.len() as u64; tiles]),
        ];
        if layout.tables {
            entries.push((347, 7, vec![tables_at, tables.len() as u64]));
        }
        // Values that do not fit in an entry go first, each where the entry will point.
        let mut values = Vec::new();
        for (tag, kind, list) in &entries {
            let size = type_size(*kind);
            if *tag == 347 {
                values.push((list[0], list[1]));
            } else if list.len() * size > offset_width {
                values.push((out.bytes.len() as u64, list.len() as u64));
                list.iter().for_each(|&value| out.put(value, size));
            } else {
                values.push((u64::MAX, list.len() as u64));
            }
        }
        let directory = out.bytes.len() as u64;
        super::mutate::write_field(
            &mut out.bytes,
            Field { at: next, width: offset_width, little: layout.little },
            directory,
        );
        out.put(entries.len() as u64, count_width);
        for ((tag, kind, list), (at, count)) in entries.iter().zip(values) {
            out.put(*tag, 2);
            out.put(*kind, 2);
            out.put(count, offset_width);
            if at == u64::MAX {
                let size = type_size(*kind);
                list.iter().for_each(|&value| out.put(value, size));
                out.put(0, offset_width - list.len() * size);
            } else {
                out.put(at, offset_width);
            }
        }
        next = out.bytes.len();
        out.put(0, offset_width);
    }
    out.bytes
}

/// Bytes per value of the TIFF types the seeds use.
fn type_size(kind: u64) -> usize {
    match kind {
        3 => 2,
        4 => 4,
        16 => 8,
        _ => 1,
    }
}

/// A JPEG split as TIFF's JPEGTables does: the tables (quantisation, Huffman) as a stream of
/// their own, and the image without them.
fn split_tables(jpeg: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (mut tables, mut image) = (b"\xff\xd8".to_vec(), b"\xff\xd8".to_vec());
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at + 1] != 0xda {
        let end = (at + 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]))).min(jpeg.len());
        let target = if matches!(jpeg[at + 1], 0xdb | 0xc4) { &mut tables } else { &mut image };
        target.extend_from_slice(&jpeg[at..end]);
        at = end;
    }
    tables.extend_from_slice(b"\xff\xd9");
    image.extend_from_slice(&jpeg[at..]);
    (tables, image)
}

/// The fields of a TIFF: header, each directory's entry count, every entry's tag, type, count and
/// value, the values of its size and offset tags, and the link to the next directory.
fn walk(bytes: &[u8]) -> Vec<Field> {
    let little = bytes.starts_with(b"II");
    let read = |at: usize, width: usize| -> u64 {
        let mut value = 0;
        for i in 0..width {
            let byte = bytes.get(at + if little { width - 1 - i } else { i }).copied().unwrap_or(0);
            value = value << 8 | u64::from(byte);
        }
        value
    };
    let field = |at: usize, width: usize| Field { at, width, little };
    let big = read(2, 2) == 43;
    let (offset_width, count_width, entry_width) = if big { (8, 8, 20) } else { (4, 2, 12) };
    let mut fields = vec![field(2, 2), field(4, offset_width)];
    if big {
        fields.extend([field(4, 2), field(6, 2), field(8, 8)]);
    }
    let mut directory = read(if big { 8 } else { 4 }, offset_width) as usize;
    for _ in 0..16 {
        if directory == 0 || directory >= bytes.len() {
            break;
        }
        fields.push(field(directory, count_width));
        let entries = read(directory, count_width) as usize;
        for i in 0..entries.min(64) {
            let entry = directory + count_width + i * entry_width;
            let value = entry + 4 + offset_width;
            fields.extend([
                field(entry, 2),
                field(entry + 2, 2),
                field(entry + 4, offset_width),
                field(value, offset_width),
            ]);
            let size = match read(entry + 2, 2) {
                3 => 2,
                4 => 4,
                16 => 8,
                _ => 0,
            };
            let (tag, count) = (read(entry, 2), read(entry + 4, offset_width));
            if SIZE_TAGS.contains(&tag) && size > 0 {
                let at = if count as usize * size <= offset_width { value } else { read(value, offset_width) as usize };
                fields.extend((0..count.min(64) as usize).map(|j| field(at + j * size, size)));
            }
        }
        let link = directory + count_width + entries * entry_width;
        fields.push(field(link, offset_width));
        directory = read(link, offset_width) as usize;
    }
    fields.retain(|f| f.at + f.width <= bytes.len());
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_and_the_image_are_jpeg_streams_that_make_the_tile() {
        let (tables, image) = split_tables(TILE);
        assert!(tables.starts_with(b"\xff\xd8\xff\xdb") && tables.ends_with(b"\xff\xd9"));
        assert!(image.starts_with(b"\xff\xd8") && image.ends_with(b"\xff\xd9"));
        assert_eq!(tables.len() + image.len(), TILE.len() + 4);
    }

    #[test]
    fn the_walk_finds_the_directories_of_every_seed() {
        let corpus = corpus();
        for (seed, pages) in corpus.seeds.iter().zip([2, 2, 4, 1]) {
            let counts = seed.fields.iter().filter(|f| f.width == 2 || f.width == 8).count();
            assert!(counts >= pages * 11, "{counts} fields");
        }
        // The small classic seed: header (2), each page's count, 11 entries of 4 fields, link.
        let first = &corpus.seeds[0];
        assert_eq!(
            first.fields[..2],
            [Field { at: 2, width: 2, little: true }, Field { at: 4, width: 4, little: true }]
        );
    }
}
