//! Rasterising a [`Figure`] to RGB pixels with no system font: text is drawn from the 8×8
//! ASCII bitmap glyphs of the `font8x8` crate (MIT), so PNGs render the same on machines with
//! no fonts installed.

use font8x8::legacy::BASIC_LEGACY;

use super::figure::{Anchor, Figure, Mark, Rgb};

/// Pixels per figure unit of the rasterised figure.
pub const SCALE: f64 = 2.0;

/// An RGB canvas.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    /// Blends `colour` into pixel `(x, y)` with opacity `alpha` in [0, 1]; outside is ignored.
    fn blend(&mut self, x: i64, y: i64, colour: Rgb, alpha: f64) {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height || alpha <= 0.0 {
            return;
        }
        let i = 3 * (y as usize * self.width + x as usize);
        for (c, &value) in colour.iter().enumerate() {
            let old = f64::from(self.pixels[i + c]);
            self.pixels[i + c] = (old + (f64::from(value) - old) * alpha.min(1.0)).round() as u8;
        }
    }

    /// Fills the pixels whose centres lie in `[x0, x1) × [y0, y1)` (pixel units).
    fn fill(&mut self, [x0, y0, x1, y1]: [f64; 4], colour: Rgb) {
        for y in (y0.round() as i64)..(y1.round() as i64) {
            for x in (x0.round() as i64)..(x1.round() as i64) {
                self.blend(x, y, colour, 1.0);
            }
        }
    }

    /// A segment `width` pixels wide, anti-aliased by the distance of each pixel centre.
    fn segment(&mut self, a: [f64; 2], b: [f64; 2], colour: Rgb, width: f64) {
        let half = width / 2.0;
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let length2 = (dx * dx + dy * dy).max(1e-12);
        let (lo_x, hi_x) = (a[0].min(b[0]) - half - 1.0, a[0].max(b[0]) + half + 1.0);
        let (lo_y, hi_y) = (a[1].min(b[1]) - half - 1.0, a[1].max(b[1]) + half + 1.0);
        for y in (lo_y.floor() as i64)..=(hi_y.ceil() as i64) {
            for x in (lo_x.floor() as i64)..=(hi_x.ceil() as i64) {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let t = (((px - a[0]) * dx + (py - a[1]) * dy) / length2).clamp(0.0, 1.0);
                let distance = (px - a[0] - t * dx).hypot(py - a[1] - t * dy);
                self.blend(x, y, colour, half + 0.5 - distance);
            }
        }
    }

    /// Text in 8×8 glyphs magnified `zoom` times (sampled nearest), its baseline at `y`.
    fn text(&mut self, [x, y]: [f64; 2], text: &str, zoom: f64, anchor: Anchor, colour: Rgb) {
        let advance = 8.0 * zoom;
        let width = advance * text.chars().count() as f64;
        let left = x - match anchor {
            Anchor::Start => 0.0,
            Anchor::Middle => width / 2.0,
            Anchor::End => width,
        };
        // The glyphs' baseline is below their 7th row.
        let top = (y - 7.0 * zoom).round() as i64;
        let side = advance.ceil() as i64;
        for (n, ch) in text.chars().enumerate() {
            let glyph = BASIC_LEGACY.get(ascii(ch) as usize).unwrap_or(&BASIC_LEGACY[b'?' as usize]);
            let origin = (left + advance * n as f64).round() as i64;
            for py in 0..side {
                for px in 0..side {
                    let (row, column) = ((py as f64 / zoom) as usize, (px as f64 / zoom) as usize);
                    if row < 8 && column < 8 && glyph[row] & (1 << column) != 0 {
                        self.blend(origin + px, top + py, colour, 1.0);
                    }
                }
            }
        }
    }
}

/// The ASCII stand-in of a character the glyphs lack (others outside ASCII draw as `?`).
fn ascii(ch: char) -> char {
    match ch {
        '–' | '—' | '−' => '-',
        '×' => 'x',
        _ if ch.is_ascii() => ch,
        _ => '?',
    }
}

/// The figure as `(width, height, RGB pixels)`, [`SCALE`] pixels per figure unit.
pub fn rasterise(figure: &Figure) -> (u32, u32, Vec<u8>) {
    let (width, height) = ((f64::from(figure.width) * SCALE) as usize, (f64::from(figure.height) * SCALE) as usize);
    let mut canvas = Canvas { width, height, pixels: vec![255; width * height * 3] };
    let at = |[x, y]: [f64; 2]| [x * SCALE, y * SCALE];
    for mark in &figure.marks {
        match mark {
            Mark::Rect { bounds: [x, y, w, h], fill, stroke } => {
                if let Some(colour) = fill {
                    canvas.fill([x * SCALE, y * SCALE, (x + w) * SCALE, (y + h) * SCALE], *colour);
                }
                if let Some(colour) = stroke {
                    let corners = [[*x, *y], [x + w, *y], [x + w, y + h], [*x, y + h], [*x, *y]];
                    for pair in corners.windows(2) {
                        canvas.segment(at(pair[0]), at(pair[1]), *colour, SCALE);
                    }
                }
            }
            Mark::Line { points, colour, width, .. } => {
                for pair in points.windows(2) {
                    canvas.segment(at(pair[0]), at(pair[1]), *colour, width * SCALE);
                }
            }
            Mark::Text { at: point, text, size, anchor, colour } => {
                // Glyphs 8 pixels wide, magnified to about a sans-serif font's mean advance (0.57 em).
                canvas.text(at(*point), text, size * SCALE / 14.0, *anchor, *colour);
            }
        }
    }
    (width as u32, height as u32, canvas.pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_land_where_the_figure_puts_them() {
        let mut figure = Figure::new(20, 10);
        figure.rect([0.0, 0.0, 5.0, 5.0], Some([255, 0, 0]), None);
        figure.line(vec![[10.0, 8.0], [19.0, 8.0]], [0, 0, 255], 1.0, None);
        figure.text([0.0, 10.0], "A", 6.0, Anchor::Start);
        let (w, h, pixels) = rasterise(&figure);
        assert_eq!((w, h, pixels.len()), (40, 20, 40 * 20 * 3));
        let pixel = |x: usize, y: usize| &pixels[3 * (y * 40 + x)..3 * (y * 40 + x) + 3];
        assert_eq!(pixel(3, 3), [255, 0, 0]);
        assert_eq!(pixel(30, 16), [0, 0, 255]);
        assert_eq!(pixel(39, 0), [255, 255, 255]);
        assert!((6..20).any(|y| (0..8).any(|x| pixel(x, y) == [0, 0, 0])), "the glyph is drawn");
    }
}
