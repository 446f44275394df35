//! Brightness, contrast and blur of RGB tiles.

/// `v ← (v − 128) · contrast + 128 + 255 · brightness`, clamped to `0..=255`.
pub fn brightness_contrast(pixels: &mut [u8], brightness: f32, contrast: f32) {
    for v in pixels.iter_mut() {
        *v = ((*v as f32 - 128.0) * contrast + 128.0 + 255.0 * brightness).round().clamp(0.0, 255.0) as u8;
    }
}

/// A 3×3 binomial blur (`[1 2 1] / 4` in each direction, edges repeated) of a `side × side` RGB tile.
pub fn blur(pixels: &mut [u8], side: usize) {
    let at = |p: &[u16], y: usize, x: usize, c: usize| p[3 * (y * side + x) + c];
    let clamp = |i: isize| i.clamp(0, side as isize - 1) as usize;
    let pass = |src: &[u16], vertical: bool| -> Vec<u16> {
        let mut out = vec![0u16; src.len()];
        for y in 0..side {
            for x in 0..side {
                for c in 0..3 {
                    let (a, b) = if vertical {
                        (at(src, clamp(y as isize - 1), x, c), at(src, clamp(y as isize + 1), x, c))
                    } else {
                        (at(src, y, clamp(x as isize - 1), c), at(src, y, clamp(x as isize + 1), c))
                    };
                    out[3 * (y * side + x) + c] = a + 2 * at(src, y, x, c) + b;
                }
            }
        }
        out
    };
    let wide: Vec<u16> = pixels.iter().map(|&v| v as u16).collect();
    let done = pass(&pass(&wide, false), true);
    for (v, s) in pixels.iter_mut().zip(done) {
        *v = ((s + 8) / 16) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brightness_and_contrast_act_around_the_middle() {
        let mut pixels = vec![128, 0, 255];
        brightness_contrast(&mut pixels, 0.0, 2.0);
        assert_eq!(pixels, vec![128, 0, 255]);
        let mut pixels = vec![100, 200];
        brightness_contrast(&mut pixels, 0.1, 1.0);
        assert_eq!(pixels, vec![126, 226]);
    }

    #[test]
    fn blur_keeps_flat_tiles_and_spreads_a_point() {
        let mut flat = vec![77u8; 4 * 4 * 3];
        blur(&mut flat, 4);
        assert!(flat.iter().all(|&v| v == 77));
        let mut point = vec![0u8; 3 * 3 * 3];
        point[3 * 4] = 160;
        blur(&mut point, 3);
        let red: Vec<u8> = point.iter().step_by(3).copied().collect();
        assert_eq!(red, vec![10, 20, 10, 20, 40, 20, 10, 20, 10]);
    }
}
