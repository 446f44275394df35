//! Seeded augmentation of u8 RGB tiles: flips, 90° rotations, HED stain jitter, brightness and
//! contrast, blur.

use serde::{Deserialize, Serialize};

use super::photometric::{blur, brightness_contrast};
use super::stain;
use crate::rng::Rng;

/// Which augmentations training applies; each tile gets its own random draw per epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Augment {
    /// Mirror images.
    pub flips: bool,
    /// Rotations by multiples of 90°.
    pub rotations: bool,
    /// HED stain jitter σ: each stain's density scaled by `1 ± σ` and shifted by `± σ` (0: off).
    pub stain: f32,
    /// Brightness shift, up to this fraction of the range either way (0: off).
    pub brightness: f32,
    /// Contrast factor `1 ± contrast` (0: off).
    pub contrast: f32,
    /// Probability of a 3×3 blur.
    pub blur: f32,
}

impl Default for Augment {
    /// Flips and rotations (tissue has no preferred orientation) and mild stain, brightness,
    /// contrast and focus variation, as between slides and scanners.
    fn default() -> Self {
        Self { flips: true, rotations: true, stain: 0.03, brightness: 0.05, contrast: 0.1, blur: 0.1 }
    }
}

impl Augment {
    /// No augmentation at all.
    pub fn none() -> Self {
        Self { flips: false, rotations: false, stain: 0.0, brightness: 0.0, contrast: 0.0, blur: 0.0 }
    }

    /// Writes a random augmentation of a `side × side` RGB `tile` into `out`, and returns the
    /// flip and rotation drawn (see [`Augment::draw`]), to move a label mask the same way.
    pub fn apply(&self, tile: &[u8], side: usize, rng: &mut Rng, out: &mut [u8]) -> usize {
        let t = self.draw(rng);
        dihedral(tile, side, 3, t, out);
        if self.stain > 0.0 {
            let alpha = [0; 3].map(|_| 1.0 + rng.symmetric(self.stain));
            let beta = [0; 3].map(|_| rng.symmetric(self.stain));
            stain::jitter(out, alpha, beta);
        }
        if self.brightness > 0.0 || self.contrast > 0.0 {
            let (b, c) = (rng.symmetric(self.brightness), 1.0 + rng.symmetric(self.contrast));
            brightness_contrast(out, b, c);
        }
        if self.blur > 0.0 && rng.uniform() < self.blur as f64 {
            blur(out, side);
        }
        t
    }

    /// A random element of the dihedral group this augmentation allows: `0..4` rotations by
    /// 90°, `4..8` the same after a mirror.
    pub fn draw(&self, rng: &mut Rng) -> usize {
        let rotation = if self.rotations { rng.below(4) } else { 0 };
        let mirror = if self.flips { 4 * rng.below(2) } else { 0 };
        rotation + mirror
    }
}

/// Writes `dihedral(tile)` of a `side × side` tile of `channels` bytes per pixel (3 for RGB, 1
/// for a label mask) into `out`: transform `t` (see [`Augment::draw`]) maps output pixel
/// `(y, x)` from an input pixel. Transform 0 copies.
pub fn dihedral(tile: &[u8], side: usize, channels: usize, t: usize, out: &mut [u8]) {
    let last = side - 1;
    for y in 0..side {
        for x in 0..side {
            let (sy, sx) = if t >= 4 { (y, last - x) } else { (y, x) };
            let (sy, sx) = match t % 4 {
                0 => (sy, sx),
                1 => (sx, last - sy),
                2 => (last - sy, last - sx),
                _ => (last - sx, sy),
            };
            let (o, i) = (channels * (y * side + x), channels * (sy * side + sx));
            out[o..o + channels].copy_from_slice(&tile[i..i + channels]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×3 tile whose red channel numbers the pixels.
    fn numbered() -> Vec<u8> {
        (0..9u8).flat_map(|i| [i, 0, 0]).collect()
    }

    fn red(t: usize) -> Vec<u8> {
        let mut out = vec![0; 27];
        dihedral(&numbered(), 3, 3, t, &mut out);
        out.iter().step_by(3).copied().collect()
    }

    #[test]
    fn the_eight_transforms_are_the_dihedral_group() {
        assert_eq!(red(0), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(red(1), [2, 5, 8, 1, 4, 7, 0, 3, 6]);
        assert_eq!(red(2), [8, 7, 6, 5, 4, 3, 2, 1, 0]);
        assert_eq!(red(4), [2, 1, 0, 5, 4, 3, 8, 7, 6]);
        let mut all: Vec<Vec<u8>> = (0..8).map(red).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 8, "eight distinct images");
    }

    #[test]
    fn draws_respect_the_settings() {
        let mut rng = Rng::new(1);
        assert!((0..50).all(|_| Augment::none().draw(&mut rng) == 0));
        let flips = Augment { flips: true, ..Augment::none() };
        assert!((0..50).all(|_| matches!(flips.draw(&mut rng), 0 | 4)));
        let tile: Vec<u8> = (0..48).map(|v| 4 * v as u8).collect();
        let mut out = vec![0; 48];
        Augment::none().apply(&tile, 4, &mut rng, &mut out);
        assert_eq!(out, tile);
        let photometric = Augment { flips: false, rotations: false, ..Augment::default() };
        photometric.apply(&tile, 4, &mut rng, &mut out);
        assert_ne!(out, tile);
    }
}
