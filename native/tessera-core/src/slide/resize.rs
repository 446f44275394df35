//! Box-filter resizing of an image read block by block.
//!
//! Each output pixel averages the source pixels it covers. The output is made part by part, and
//! each part's source pixels are read in blocks of bounded size, so resizing a region of any size
//! (a whole slide level without a pyramid, say) holds only one block and one part in memory.

use std::borrow::Cow;
use std::ops::Range;

use super::RgbImage;

/// The longest side, in source pixels, of one block read at a time (4096² RGB pixels: 48 MiB).
pub(super) const MAX_BLOCK_SIDE: usize = 4096;

/// The longest side, in output pixels, of one part of the output (its sums: 1024² × 24 bytes).
const MAX_PART_SIDE: usize = 1024;

/// Source pixels holding a requested block: an image, and the source position of its top-left
/// pixel (a block's own pixels, or a larger image that contains them).
pub(super) type Covering<'a> = (Cow<'a, RgbImage>, (usize, usize));

/// A rectangle of source pixels: (x, y, width, height).
pub(super) type Block = (usize, usize, usize, usize);

/// Resizes a `from` = (width, height) source to `to` pixels with a box filter, reading the source
/// through `read` in blocks of at most `block_side` pixels a side; returns the RGB bytes.
///
/// The result does not depend on `block_side`: every output pixel sums exactly its own source
/// pixels, whichever blocks they come in.
pub(super) fn box_resize<'a, E>(
    (from_width, from_height): (u32, u32),
    (to_width, to_height): (u32, u32),
    block_side: usize,
    mut read: impl FnMut(Block) -> Result<Covering<'a>, E>,
) -> Result<Vec<u8>, E> {
    let (width, height) = (to_width as usize, to_height as usize);
    if from_width == 0 || from_height == 0 || width == 0 || height == 0 {
        return Ok(RgbImage::white(to_width, to_height).into_bytes());
    }
    let (from_width, from_height) = (from_width as usize, from_height as usize);
    if (from_width, from_height) == (width, height) && width <= block_side && height <= block_side {
        let (image, _) = read((0, 0, width, height))?;
        return Ok(image.into_owned().into_bytes());
    }
    let (columns, rows) = (spans(from_width, width), spans(from_height, height));
    let mut data = vec![0; width * height * 3];
    for row_part in parts(&rows, block_side) {
        for column_part in parts(&columns, block_side) {
            let part = Part { columns: &columns[column_part.clone()], rows: &rows[row_part.clone()] };
            let pixels = part.average(block_side, &mut read)?;
            for (row, line) in row_part.clone().zip(pixels.chunks_exact(column_part.len() * 3)) {
                let at = (row * width + column_part.start) * 3;
                data[at..at + line.len()].copy_from_slice(line);
            }
        }
    }
    Ok(data)
}

/// Per output pixel along an axis of `from` source pixels resized to `to`, the source pixels it
/// averages (at least one).
fn spans(from: usize, to: usize) -> Vec<Range<usize>> {
    (0..to)
        .map(|i| {
            let start = i * from / to;
            let end = ((i + 1) * from).div_ceil(to);
            start..end.max(start + 1).min(from)
        })
        .collect()
}

/// Consecutive output pixels grouped into parts of at most [`MAX_PART_SIDE`] pixels that cover at
/// most `block_side` source pixels (a part holds at least one output pixel, however many source
/// pixels that one covers).
fn parts(spans: &[Range<usize>], block_side: usize) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut first = 0;
    while let Some(start) = spans.get(first).map(|span| span.start) {
        let mut end = first + 1;
        while end < spans.len() && end - first < MAX_PART_SIDE && spans[end].end - start <= block_side {
            end += 1;
        }
        parts.push(first..end);
        first = end;
    }
    parts
}

/// One part of the output: the source spans of its columns and rows.
struct Part<'s> {
    columns: &'s [Range<usize>],
    rows: &'s [Range<usize>],
}

impl Part<'_> {
    /// The part's RGB bytes, its source read in blocks of at most `block_side` pixels a side.
    fn average<'a, E>(
        &self,
        block_side: usize,
        read: &mut impl FnMut(Block) -> Result<Covering<'a>, E>,
    ) -> Result<Vec<u8>, E> {
        let extent = |spans: &[Range<usize>]| spans[0].start..spans[spans.len() - 1].end;
        let (xs, ys) = (extent(self.columns), extent(self.rows));
        let mut sums = vec![0u64; self.columns.len() * self.rows.len() * 3];
        for y in ys.clone().step_by(block_side) {
            for x in xs.clone().step_by(block_side) {
                let block = (x, y, block_side.min(xs.end - x), block_side.min(ys.end - y));
                let covering = read(block)?;
                self.add(&mut sums, block, &covering);
            }
        }
        let counts = self.rows.iter().flat_map(|row| self.columns.iter().map(move |column| row.len() * column.len()));
        Ok(sums
            .chunks_exact(3)
            .zip(counts)
            .flat_map(|(sum, count)| sum.iter().map(move |&total| rounded(total, count)))
            .collect())
    }

    /// Adds the pixels of `block` (held in `covering`) to the sums of the output pixels they fall in.
    fn add(&self, sums: &mut [u64], (x, y, width, height): Block, (image, (left, top)): &Covering<'_>) {
        let stride = image.width() as usize * 3;
        let bytes = image.as_bytes();
        let pixels = sums.chunks_exact_mut(3);
        let cells = self.rows.iter().flat_map(|row| self.columns.iter().map(move |column| (row, column)));
        for (sum, (row, column)) in pixels.zip(cells) {
            let (y0, y1) = (row.start.max(y), row.end.min(y + height));
            let (x0, x1) = (column.start.max(x), column.end.min(x + width));
            if y0 >= y1 || x0 >= x1 {
                continue;
            }
            for line in (y0..y1).map(|sy| &bytes[(sy - top) * stride..][(x0 - left) * 3..(x1 - left) * 3]) {
                for pixel in line.chunks_exact(3) {
                    for (total, &value) in sum.iter_mut().zip(pixel) {
                        *total += u64::from(value);
                    }
                }
            }
        }
    }
}

/// `total / count`, rounded to the nearest integer.
fn rounded(total: u64, count: usize) -> u8 {
    let count = count as u64;
    ((total + count / 2) / count) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `width × height` image of arbitrary, position-dependent colours.
    fn noise(width: u32, height: u32) -> RgbImage {
        let data = (0..height)
            .flat_map(|y| (0..width).flat_map(move |x| [(x * 7 + y * 13) as u8, (x * y) as u8, ((x ^ y) * 3) as u8]))
            .collect();
        RgbImage::new(width, height, data).unwrap()
    }

    fn in_blocks(image: &RgbImage, to: (u32, u32), block_side: usize) -> Vec<u8> {
        let from = (image.width(), image.height());
        let read = |_: Block| Ok::<_, ()>((Cow::Borrowed(image), (0, 0)));
        box_resize(from, to, block_side, read).unwrap()
    }

    #[test]
    fn the_result_does_not_depend_on_the_block_size() {
        let image = noise(301, 187);
        for to in [(30, 19), (301, 187), (3, 2), (1, 1), (200, 250)] {
            let whole = in_blocks(&image, to, usize::MAX);
            for block_side in [1, 7, 64] {
                assert_eq!(in_blocks(&image, to, block_side), whole, "{to:?} in blocks of {block_side}");
            }
        }
    }

    #[test]
    fn blocks_and_parts_stay_bounded() {
        let (from, to) = (5000, 9);
        let (columns, rows) = (spans(from, to), spans(from, to));
        assert!(parts(&rows, 64).iter().all(|part| part.len() == 1), "one output pixel covers 556 source pixels");
        let mut largest = 0;
        let data = box_resize((5000, 5000), (9, 9), 64, |(x, y, width, height)| {
            largest = largest.max(width.max(height));
            Ok::<_, ()>((Cow::Owned(RgbImage::white(width as u32, height as u32)), (x, y)))
        })
        .unwrap();
        assert_eq!(largest, 64);
        assert_eq!(data, vec![255; 9 * 9 * 3]);
        let wide = spans(4000, 4000);
        assert!(parts(&wide, usize::MAX).iter().all(|part| part.len() <= MAX_PART_SIDE));
        assert_eq!(parts(&columns, 10_000), vec![0..9]);
    }
}
