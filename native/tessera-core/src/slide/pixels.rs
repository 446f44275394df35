//! RGB images and the pixel conversions between what sources give and what tiles need.

use std::borrow::Cow;
use std::convert::Infallible;

use super::resize::{box_resize, Block};
use crate::{Result, TesseraError};

/// An 8-bit RGB image, row-major, 3 bytes per pixel.
#[derive(Clone, Debug, PartialEq)]
pub struct RgbImage {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl RgbImage {
    /// Wraps `data` (`width × height × 3` bytes); fails if the length does not match.
    pub fn new(width: u32, height: u32, data: Vec<u8>) -> Result<Self> {
        let expected = width as usize * height as usize * 3;
        if data.len() != expected {
            return Err(TesseraError::invalid(format!(
                "an RGB image of {width}×{height} needs {expected} bytes, got {}",
                data.len()
            )));
        }
        Ok(Self { width, height, data })
    }

    /// A white image.
    pub fn white(width: u32, height: u32) -> Self {
        Self { width, height, data: vec![255; width as usize * height as usize * 3] }
    }

    /// Converts OpenSlide's premultiplied ARGB (one native-endian `u32` per pixel, i.e. bytes
    /// B, G, R, A on little-endian machines) to RGB composited over white, as QuPath shows it:
    /// transparent pixels (outside the scanned area) become white.
    pub fn from_premultiplied_argb(width: u32, height: u32, argb: &[u8]) -> Result<Self> {
        let expected = width as usize * height as usize * 4;
        if argb.len() != expected {
            return Err(TesseraError::invalid(format!(
                "an ARGB image of {width}×{height} needs {expected} bytes, got {}",
                argb.len()
            )));
        }
        let mut data = Vec::with_capacity(expected / 4 * 3);
        for pixel in argb.chunks_exact(4) {
            let value = u32::from_ne_bytes([pixel[0], pixel[1], pixel[2], pixel[3]]);
            let [alpha, red, green, blue] = value.to_be_bytes();
            // Premultiplied colour over white: c·a/255 + 255·(1 − a/255) = c_premultiplied + 255 − a.
            let background = 255 - alpha;
            data.extend([red, green, blue].map(|c| c.saturating_add(background)));
        }
        Ok(Self { width, height, data })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, row-major RGB.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// The pixels, giving up the image.
    pub fn into_bytes(self) -> Vec<u8> {
        self.data
    }

    /// The RGB value at (`x`, `y`); panics outside the image (callers iterate within bounds).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let at = (y as usize * self.width as usize + x as usize) * 3;
        [self.data[at], self.data[at + 1], self.data[at + 2]]
    }

    /// This image resized to `width × height` with a box filter (each output pixel averages the
    /// source pixels it covers); returns the image itself when the size already matches.
    pub fn resized(self, width: u32, height: u32) -> Self {
        if width == self.width && height == self.height {
            return self;
        }
        let whole = |_: Block| Ok::<_, Infallible>((Cow::Borrowed(&self), (0, 0)));
        let Ok(data) = box_resize((self.width, self.height), (width, height), usize::MAX, whole);
        Self { width, height, data }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argb(a: u8, r: u8, g: u8, b: u8) -> [u8; 4] {
        u32::from_be_bytes([a, r, g, b]).to_ne_bytes()
    }

    #[test]
    fn opaque_pixels_keep_their_colour_and_transparent_ones_turn_white() {
        let bytes: Vec<u8> = [argb(255, 10, 20, 30), argb(0, 0, 0, 0), argb(128, 64, 0, 128)].concat();
        let image = RgbImage::from_premultiplied_argb(3, 1, &bytes).unwrap();
        assert_eq!(image.pixel(0, 0), [10, 20, 30]);
        assert_eq!(image.pixel(1, 0), [255, 255, 255]);
        // Half-transparent premultiplied (64, 0, 128) over white.
        assert_eq!(image.pixel(2, 0), [191, 127, 255]);
    }

    #[test]
    fn wrong_buffer_lengths_are_refused() {
        assert!(RgbImage::new(2, 2, vec![0; 11]).is_err());
        assert!(RgbImage::from_premultiplied_argb(2, 2, &[0; 15]).is_err());
    }

    #[test]
    fn box_resize_averages_blocks() {
        // 4×2: left half black, right half white → 2×1: one black, one white pixel.
        let mut data = Vec::new();
        for _ in 0..2 {
            data.extend([0u8; 6]);
            data.extend([255u8; 6]);
        }
        let image = RgbImage::new(4, 2, data).unwrap().resized(2, 1);
        assert_eq!((image.width(), image.height()), (2, 1));
        assert_eq!(image.pixel(0, 0), [0, 0, 0]);
        assert_eq!(image.pixel(1, 0), [255, 255, 255]);
        let grown = image.resized(4, 1);
        assert_eq!(grown.pixel(1, 0), [0, 0, 0]);
        assert_eq!(grown.pixel(2, 0), [255, 255, 255]);
    }
}
