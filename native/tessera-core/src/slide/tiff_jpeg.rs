//! A direct reader for JPEG-tiled TIFF levels (Aperio SVS, generic tiled TIFF).
//!
//! OpenSlide 3.4 decodes a tile, caches it and paints it into a premultiplied ARGB buffer with
//! cairo: for 256-px JPEG tiles that costs several times the JPEG decode itself. For levels
//! stored as plain JPEG tiles this reader fetches each tile's bytes with a positioned read
//! (thread-safe, no lock), merges the shared JPEG tables in and decodes straight to RGB. It only
//! takes levels whose layout it fully understands and leaves everything else to OpenSlide.
//!
//! Every size and offset in the file is checked against the file's length before anything is
//! allocated or read, so that a damaged or hostile file is refused, not believed.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use super::decoded_tiles::DecodedTiles;
use super::{Level, RgbImage};
use crate::{Result, TesseraError};

/// The tiles of one JPEG-compressed, tiled, 8-bit RGB TIFF page.
#[derive(Debug)]
pub(crate) struct JpegTiles {
    width: u64,
    height: u64,
    tile_width: u32,
    tile_height: u32,
    offsets: Vec<u64>,
    counts: Vec<u64>,
    /// The shared tables (a JPEG stream holding only DQT/DHT), empty when the tiles are complete.
    tables: Vec<u8>,
    /// Photometric RGB: the JPEG components are R, G, B themselves (no YCbCr conversion).
    rgb_components: bool,
}

/// An opened TIFF and its JPEG-tiled pages.
#[derive(Debug)]
pub(crate) struct TiffJpeg {
    storage: Storage,
    length: u64,
    pages: Vec<JpegTiles>,
    /// Tiles decoded lately, reused by the requests that cut more than one model tile from them.
    decoded: DecodedTiles,
}

const MAX_PAGES: usize = 256;
/// The most bytes of decoded tiles kept per open file: a row of 256-px source tiles across a
/// slide 80,000 px wide, so that the rows of model tiles cut from one row of source tiles
/// decode it once.
const DECODED_TILE_BYTES: usize = 64 << 20;

impl TiffJpeg {
    /// Reads the page directory of `path`; `None` when it is not a TIFF this reader handles.
    pub(crate) fn open(path: &Path) -> Option<Self> {
        Self::from_storage(Storage::File(File::open(path).ok()?))
    }

    /// Reads the page directory of a TIFF held in memory; `None` as for [`TiffJpeg::open`].
    pub(crate) fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        Self::from_storage(Storage::Memory(bytes))
    }

    fn from_storage(storage: Storage) -> Option<Self> {
        let length = storage.length().ok()?;
        let pages = Reader { storage: &storage, length, little: false, big: false }.pages()?;
        Some(Self { storage, length, pages, decoded: DecodedTiles::new(DECODED_TILE_BYTES) })
    }

    /// The JPEG-tiled page of exactly `width × height` pixels, if there is exactly one.
    pub(crate) fn page(&self, width: u64, height: u64) -> Option<&JpegTiles> {
        let mut matching = self.pages.iter().filter(|p| p.width == width && p.height == height);
        let page = matching.next()?;
        matching.next().is_none().then_some(page)
    }

    /// The sizes of the JPEG-tiled pages, in file order.
    pub(crate) fn page_sizes(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.pages.iter().map(|page| (page.width, page.height))
    }

    /// Reads `width × height` pixels of the pyramid `level` from level-0 position (`x`, `y`),
    /// when that level is a JPEG-tiled page of this file: `None` when it is not (or a tile cannot
    /// be decoded), so that the caller can read it another way.
    pub(crate) fn read_level(&self, level: &Level, x: i64, y: i64, width: u32, height: u32) -> Option<RgbImage> {
        let page = self.page(level.width, level.height)?;
        let (x, y) = ((x as f64 / level.downsample).floor() as i64, (y as f64 / level.downsample).floor() as i64);
        self.read(page, x, y, width, height).ok()
    }

    /// Reads `width × height` pixels of `page` from (`x`, `y`) in the page's own pixels; pixels
    /// outside the page (and missing tiles) are white.
    pub(crate) fn read(&self, page: &JpegTiles, x: i64, y: i64, width: u32, height: u32) -> Result<RgbImage> {
        let mut out = RgbImage::white(width, height).into_bytes();
        let (tw, th) = (i64::from(page.tile_width), i64::from(page.tile_height));
        let across = (page.width as i64 + tw - 1) / tw;
        let (x_end, y_end) = (
            x.saturating_add(i64::from(width)).min(page.width as i64),
            y.saturating_add(i64::from(height)).min(page.height as i64),
        );
        let (x_start, y_start) = (x.max(0), y.max(0));
        if x_start >= x_end || y_start >= y_end {
            return RgbImage::new(width, height, out);
        }
        let page_id = self.pages.iter().position(|p| std::ptr::eq(p, page)).unwrap_or(usize::MAX);
        for row in y_start / th..=(y_end - 1) / th {
            for column in x_start / tw..=(x_end - 1) / tw {
                let index = (row * across + column) as usize;
                let Some(tile) = self.decoded_tile(page_id, page, index)? else {
                    continue;
                };
                // The part of this tile inside the request, in page pixels.
                let (left, top) = (column * tw, row * th);
                let (from_x, to_x) = (left.max(x_start), (left + tw).min(x_end));
                let (from_y, to_y) = (top.max(y_start), (top + th).min(y_end));
                let run = ((to_x - from_x) * 3) as usize;
                for page_y in from_y..to_y {
                    let source = (((page_y - top) * tw + (from_x - left)) * 3) as usize;
                    let target = (((page_y - y) * i64::from(width) + (from_x - x)) * 3) as usize;
                    out[target..target + run].copy_from_slice(&tile[source..source + run]);
                }
            }
        }
        RgbImage::new(width, height, out)
    }

    /// Tile `index` of `page` (the `page_id`-th) decoded, from the cache of decoded tiles or
    /// decoded now; `None` for a missing tile.
    fn decoded_tile(&self, page_id: usize, page: &JpegTiles, index: usize) -> Result<Option<Arc<Vec<u8>>>> {
        if page.counts.get(index).is_none_or(|&count| count == 0) {
            return Ok(None);
        }
        let decode =
            || self.tile(page, index)?.ok_or_else(|| TesseraError::internal(format!("JPEG tile {index} vanished")));
        self.decoded.get_or_decode((page_id, index), decode).map(Some)
    }

    /// Decodes tile `index` to `tile_width × tile_height` RGB; `None` for a missing tile.
    fn tile(&self, page: &JpegTiles, index: usize) -> Result<Option<Vec<u8>>> {
        let (Some(&offset), Some(&count)) = (page.offsets.get(index), page.counts.get(index)) else {
            return Ok(None);
        };
        if count == 0 {
            return Ok(None);
        }
        let fail = |problem: String| TesseraError::invalid(format!("JPEG tile {index}: {problem}"));
        if offset.checked_add(count).is_none_or(|end| end > self.length) {
            return Err(fail(format!("{count} bytes at {offset} lie beyond the file's {} bytes", self.length)));
        }
        let mut raw = vec![0; count as usize];
        self.storage.read_exact_at(&mut raw, offset).map_err(|error| fail(error.to_string()))?;
        // Abbreviated tile streams get the shared tables: tables without their EOI, tile without its SOI.
        let stream = if page.tables.len() > 4 && raw.len() > 2 {
            let mut merged = Vec::with_capacity(page.tables.len() + raw.len());
            merged.extend_from_slice(&page.tables[..page.tables.len() - 2]);
            merged.extend_from_slice(&raw[2..]);
            merged
        } else {
            raw
        };
        use zune_jpeg::zune_core::colorspace::ColorSpace;
        use zune_jpeg::zune_core::options::DecoderOptions;
        // With Photometric RGB the components are already R, G, B: ask for no conversion.
        let out_colorspace = if page.rgb_components { ColorSpace::YCbCr } else { ColorSpace::RGB };
        // A tile stream claiming a larger picture is refused before the decoder allocates it.
        let options = DecoderOptions::default()
            .jpeg_set_out_colorspace(out_colorspace)
            .set_max_width(page.tile_width as usize)
            .set_max_height(page.tile_height as usize);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(stream.as_slice(), options);
        let pixels = decoder.decode().map_err(|error| fail(format!("{error:?}")))?;
        let info = decoder.info().ok_or_else(|| fail("no image information".into()))?;
        if u32::from(info.width) != page.tile_width
            || u32::from(info.height) != page.tile_height
            || pixels.len() != page.tile_width as usize * page.tile_height as usize * 3
        {
            return Err(fail(format!(
                "decoded {}×{} px, the TIFF says {}×{}",
                info.width, info.height, page.tile_width, page.tile_height
            )));
        }
        Ok(Some(pixels))
    }
}

/// Where the bytes of a TIFF are: a file, read at positions (thread-safe, no lock), or memory.
#[derive(Debug)]
enum Storage {
    File(File),
    Memory(Vec<u8>),
}

impl Storage {
    fn length(&self) -> std::io::Result<u64> {
        match self {
            Storage::File(file) => Ok(file.metadata()?.len()),
            Storage::Memory(bytes) => Ok(bytes.len() as u64),
        }
    }

    fn read_exact_at(&self, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
        match self {
            Storage::File(file) => read_exact_at(file, buffer, offset),
            Storage::Memory(bytes) => {
                let part = usize::try_from(offset)
                    .ok()
                    .and_then(|start| bytes.get(start..start.checked_add(buffer.len())?))
                    .ok_or(std::io::ErrorKind::UnexpectedEof)?;
                buffer.copy_from_slice(part);
                Ok(())
            }
        }
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Reads TIFF structures (classic or BigTIFF, either byte order) with bounds checks.
struct Reader<'a> {
    storage: &'a Storage,
    length: u64,
    little: bool,
    big: bool,
}

/// One directory entry: tag, type, count and where its values are.
struct Entry {
    tag: u16,
    kind: u16,
    count: u64,
    /// The offset of the values (inline values are read from the entry itself).
    at: u64,
}

impl Reader<'_> {
    fn bytes(&self, offset: u64, length: u64) -> Option<Vec<u8>> {
        if offset.checked_add(length)? > self.length || length > 1 << 30 {
            return None;
        }
        let mut buffer = vec![0; length as usize];
        self.storage.read_exact_at(&mut buffer, offset).ok()?;
        Some(buffer)
    }

    fn unsigned(&self, bytes: &[u8]) -> u64 {
        let mut value = 0u64;
        for i in 0..bytes.len() {
            let byte = if self.little { bytes[bytes.len() - 1 - i] } else { bytes[i] };
            value = value << 8 | u64::from(byte);
        }
        value
    }

    fn pages(mut self) -> Option<Vec<JpegTiles>> {
        let header = self.bytes(0, 16).or_else(|| self.bytes(0, 8))?;
        self.little = match &header[..2] {
            b"II" => true,
            b"MM" => false,
            _ => return None,
        };
        self.big = match self.unsigned(&header[2..4]) {
            42 => false,
            43 => true,
            _ => return None,
        };
        let mut next = if self.big { self.unsigned(header.get(8..16)?) } else { self.unsigned(&header[4..8]) };
        let mut pages = Vec::new();
        let mut seen = 0;
        while next != 0 && seen < MAX_PAGES {
            seen += 1;
            let (entries, following) = self.directory(next)?;
            next = following;
            if let Some(page) = self.jpeg_tiles(&entries) {
                pages.push(page);
            }
        }
        Some(pages)
    }

    fn directory(&self, offset: u64) -> Option<(Vec<Entry>, u64)> {
        let (count_size, entry_size, value_size) = if self.big { (8, 20, 8) } else { (2, 12, 4) };
        let count = self.unsigned(&self.bytes(offset, count_size)?);
        if count > 4096 {
            return None;
        }
        let table = self.bytes(offset + count_size, count * entry_size + value_size)?;
        let mut entries = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            let raw = &table[i * entry_size as usize..(i + 1) * entry_size as usize];
            let tag = self.unsigned(&raw[0..2]) as u16;
            let kind = self.unsigned(&raw[2..4]) as u16;
            let (count, value) =
                if self.big { (self.unsigned(&raw[4..12]), 12) } else { (self.unsigned(&raw[4..8]), 8) };
            let size = count.checked_mul(type_size(kind)?)?;
            let at = if size <= value_size {
                offset + count_size + (i as u64) * entry_size + value
            } else {
                self.unsigned(&raw[value as usize..])
            };
            entries.push(Entry { tag, kind, count, at });
        }
        let next = self.unsigned(&table[(count * entry_size) as usize..]);
        Some((entries, next))
    }

    fn values(&self, entries: &[Entry], tag: u16) -> Option<Vec<u64>> {
        let entry = entries.iter().find(|e| e.tag == tag)?;
        let size = type_size(entry.kind)?;
        let bytes = self.bytes(entry.at, entry.count.checked_mul(size)?)?;
        Some(bytes.chunks_exact(size as usize).map(|chunk| self.unsigned(chunk)).collect())
    }

    fn value(&self, entries: &[Entry], tag: u16) -> Option<u64> {
        self.values(entries, tag)?.first().copied()
    }

    /// The page as JPEG tiles, when it is tiled, JPEG-compressed, chunky 8-bit RGB.
    fn jpeg_tiles(&self, entries: &[Entry]) -> Option<JpegTiles> {
        const JPEG: u64 = 7;
        let photometric = self.value(entries, 262)?;
        let bits = self.values(entries, 258).unwrap_or_else(|| vec![8]);
        let fits = self.value(entries, 259)? == JPEG
            && self.value(entries, 277).unwrap_or(1) == 3
            && bits.iter().all(|&b| b == 8)
            && self.value(entries, 284).unwrap_or(1) == 1
            && (photometric == 2 || photometric == 6);
        if !fits {
            return None;
        }
        let (width, height) = (self.value(entries, 256)?, self.value(entries, 257)?);
        let (tile_width, tile_height) =
            (u32::try_from(self.value(entries, 322)?).ok()?, u32::try_from(self.value(entries, 323)?).ok()?);
        if tile_width == 0
            || tile_height == 0
            || tile_width % 8 != 0
            || tile_height % 8 != 0
            || tile_width > 4096
            || tile_height > 4096
        {
            return None;
        }
        let offsets = self.values(entries, 324)?;
        let counts = self.values(entries, 325)?;
        let tiles = width.div_ceil(u64::from(tile_width)).checked_mul(height.div_ceil(u64::from(tile_height)))?;
        if offsets.len() as u64 != tiles || counts.len() != offsets.len() {
            return None;
        }
        let tables = match entries.iter().find(|e| e.tag == 347) {
            Some(entry) => self.bytes(entry.at, entry.count)?,
            None => Vec::new(),
        };
        Some(JpegTiles {
            width,
            height,
            tile_width,
            tile_height,
            offsets,
            counts,
            tables,
            rgb_components: photometric == 2,
        })
    }
}

/// Bytes per value of a TIFF field type; `None` for types this reader has no use for.
fn type_size(kind: u16) -> Option<u64> {
    match kind {
        1 | 2 | 6 | 7 => Some(1),
        3 | 8 => Some(2),
        4 | 9 | 11 | 13 => Some(4),
        5 | 10 | 12 | 16 | 17 | 18 => Some(8),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slide in the repository's `data/` folder (`demo/…` or `fixtures/…`).
    fn slide(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data").join(name)
    }

    #[test]
    fn finds_the_jpeg_tiles_of_the_aperio_slide_only() {
        let tiff = TiffJpeg::open(&slide("demo/CMU-1-Small-Region.svs")).unwrap();
        // Level 0 is JPEG-tiled; the thumbnail is stripped and the label LZW, so they are left out.
        let page = tiff.page(2220, 2967).unwrap();
        assert_eq!((page.tile_width, page.tile_height, page.rgb_components), (240, 240, true));
        assert_eq!(tiff.pages.len(), 1);
        // Deflate-compressed TIFF: nothing for this reader.
        assert!(TiffJpeg::open(&slide("fixtures/tiled-levels.tiff")).unwrap().pages.is_empty());
        assert!(TiffJpeg::open(&slide("fixtures/broken.svs")).is_none());
    }

    #[test]
    fn reads_across_tile_borders_and_pads_outside_with_white() {
        let tiff = TiffJpeg::open(&slide("demo/CMU-1-Small-Region.svs")).unwrap();
        let page = tiff.page(2220, 2967).unwrap();
        let whole = tiff.read(page, 200, 200, 100, 100).unwrap();
        let part = tiff.read(page, 250, 230, 20, 20).unwrap();
        assert_eq!(part.pixel(0, 0), whole.pixel(50, 30));
        assert_eq!(part.pixel(19, 19), whole.pixel(69, 49));
        let edge = tiff.read(page, 2210, 2960, 20, 20).unwrap();
        assert_eq!(edge.pixel(15, 15), [255, 255, 255]);
        assert_ne!(edge.pixel(0, 0), [255, 255, 255]);
    }
}
