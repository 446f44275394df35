//! 8-bit PNG images for tiles, heatmaps and overlays.

use std::path::Path;

use crate::outputs::write_file;
use crate::{Result, TesseraError};
use png::ColorType;

/// PNG bytes of a `width × height` image of `color` samples (fast compression); `name` is the
/// file named in errors.
pub fn encode(width: u32, height: u32, color: ColorType, data: &[u8], name: &Path) -> Result<Vec<u8>> {
    let failed = |error: png::EncodingError| TesseraError::io(name, std::io::Error::other(error));
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(data).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(bytes)
}

/// Writes the image to `path`.
pub fn write(path: &Path, width: u32, height: u32, color: ColorType, data: &[u8]) -> Result<()> {
    let bytes = encode(width, height, color, data, path)?;
    write_file(path, bytes.as_ref())
}
