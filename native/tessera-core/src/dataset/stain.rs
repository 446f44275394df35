//! Haematoxylin–eosin–DAB colour deconvolution (Ruifrok & Johnston 2001), for stain jitter.
//!
//! A pixel's optical density `OD = −log₁₀(I / 255)` is a mix of the three stains' densities:
//! `OD = hed · M` with the stain vectors as the rows of `M` (scikit-image's `hed_from_rgb`).
//! Jitter scales and shifts each stain's density, then mixes back.

/// The stain vectors (rows: haematoxylin, eosin, DAB) in RGB optical density.
const STAINS: [[f32; 3]; 3] = [[0.65, 0.70, 0.29], [0.07, 0.99, 0.11], [0.27, 0.57, 0.78]];
/// The smallest intensity fraction (avoids `log 0`).
const FLOOR: f32 = 1.0 / 255.0;

/// `STAINS` with rows normalised to unit length.
pub(crate) fn stains() -> [[f32; 3]; 3] {
    STAINS.map(|row| {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        row.map(|v| v / norm)
    })
}

/// The inverse of a 3×3 matrix (cofactors over the determinant).
pub(crate) fn inverse(m: [[f32; 3]; 3]) -> [[f32; 3]; 3] {
    let cofactor = |r: usize, c: usize| {
        let (r1, r2, c1, c2) = ((r + 1) % 3, (r + 2) % 3, (c + 1) % 3, (c + 2) % 3);
        m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]
    };
    let det: f32 = (0..3).map(|c| m[0][c] * cofactor(0, c)).sum();
    let mut inv = [[0.0; 3]; 3];
    for (r, row) in inv.iter_mut().enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            *v = cofactor(c, r) / det;
        }
    }
    inv
}

/// The row vector `v` times the matrix `m`.
pub(crate) fn times(v: [f32; 3], m: &[[f32; 3]; 3]) -> [f32; 3] {
    [0, 1, 2].map(|c| v[0] * m[0][c] + v[1] * m[1][c] + v[2] * m[2][c])
}

/// A pixel's optical density per channel, `−log₁₀(I / 255)` (intensities floored above 0).
pub(crate) fn density(rgb: &[u8]) -> [f32; 3] {
    [0, 1, 2].map(|c| -(rgb[c] as f32 / 255.0).max(FLOOR).log10())
}

/// Writes the pixel of optical density `od` into `rgb` (the inverse of [`density`]).
pub(crate) fn intensity(od: [f32; 3], rgb: &mut [u8]) {
    for c in 0..3 {
        rgb[c] = (255.0 * 10f32.powf(-od[c])).round().clamp(0.0, 255.0) as u8;
    }
}

/// Per-stain density scale `alpha` and shift `beta` applied to every pixel of an RGB tile.
pub fn jitter(pixels: &mut [u8], alpha: [f32; 3], beta: [f32; 3]) {
    let scale = [0, 1, 2].map(|r| [0, 1, 2].map(|c| if r == c { alpha[r] } else { 0.0 }));
    mix(pixels, scale, beta);
}

/// Maps every pixel's stain densities `hed` (a row vector) to `hed · matrix + shift` and back to
/// RGB: a diagonal `matrix` scales each stain (see [`jitter`]), a rotation moves density from one
/// stain to another (a stain shift beyond what [`jitter`] draws).
pub fn mix(pixels: &mut [u8], matrix: [[f32; 3]; 3], shift: [f32; 3]) {
    let mix = stains();
    let unmix = inverse(mix);
    for rgb in pixels.chunks_exact_mut(3) {
        let hed = times(times(density(rgb), &unmix), &matrix);
        let hed = [0, 1, 2].map(|s| hed[s] + shift[s]);
        intensity(times(hed, &mix), rgb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_jitter_gives_the_pixels_back() {
        let original: Vec<u8> = vec![200, 120, 180, 90, 40, 150, 250, 250, 250, 30, 20, 60];
        let mut pixels = original.clone();
        jitter(&mut pixels, [1.0; 3], [0.0; 3]);
        for (a, b) in pixels.iter().zip(&original) {
            assert!(a.abs_diff(*b) <= 1, "{pixels:?} vs {original:?}");
        }
    }

    #[test]
    fn more_haematoxylin_darkens_and_blues() {
        let mut pixels = vec![200, 150, 200];
        jitter(&mut pixels, [1.5, 1.0, 1.0], [0.0; 3]);
        assert!(pixels[0] < 200 && pixels[1] < 150, "{pixels:?}");
        assert!(pixels[0] < pixels[2], "haematoxylin absorbs red most: {pixels:?}");
    }
}
