//! Label masks from polygons: which pixels of a tile lie inside a polygon (holes respected).

use geo::{BoundingRect, MultiPolygon};

/// Where a tile (or any raster) lies: its level-0 top-left corner, level-0 pixels per raster
/// pixel and its width and height in raster pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Level-0 position of the top-left corner.
    pub origin: (f64, f64),
    /// Level-0 pixels per raster pixel.
    pub downsample: f64,
    /// Width and height in pixels.
    pub size: (usize, usize),
}

/// Sets to `value` every pixel of the row-major `mask` placed `at` whose centre lies inside `polygon`
/// (level-0 coordinates): even–odd filling of each row's crossings with every ring, exteriors and
/// holes alike, so a hole's pixels stay as they were. Returns how many pixels it set.
pub fn fill(polygon: &MultiPolygon<f64>, at: Placement, value: u8, mask: &mut [u8]) -> usize {
    let Some(bounds) = polygon.bounding_rect() else { return 0 };
    let (x0, y0, d) = (at.origin.0, at.origin.1, at.downsample);
    let (width, height) = at.size;
    let (right, bottom) = (x0 + width as f64 * d, y0 + height as f64 * d);
    if bounds.max().x < x0 || bounds.max().y < y0 || bounds.min().x > right || bounds.min().y > bottom {
        return 0;
    }
    // The edges reaching the tile's rows, once.
    let edges: Vec<((f64, f64), (f64, f64))> = polygon
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines())
        .map(|l| ((l.start.x, l.start.y), (l.end.x, l.end.y)))
        .filter(|(a, b)| a.1.max(b.1) >= y0 && a.1.min(b.1) <= bottom)
        .collect();
    let mut set = 0;
    let mut crossings = Vec::new();
    for row in 0..height {
        let y = y0 + (row as f64 + 0.5) * d;
        crossings.clear();
        crossings.extend(
            edges
                .iter()
                .filter(|(a, b)| (a.1 <= y) != (b.1 <= y))
                .map(|(a, b)| a.0 + (y - a.1) / (b.1 - a.1) * (b.0 - a.0)),
        );
        crossings.sort_by(f64::total_cmp);
        for pair in crossings.chunks_exact(2) {
            // Pixels whose centre x0 + (j + ½) d lies in [pair[0], pair[1]).
            let first = ((pair[0] - x0) / d - 0.5).ceil().max(0.0) as usize;
            let end = (((pair[1] - x0) / d - 0.5).ceil().max(0.0) as usize).min(width);
            for pixel in &mut mask[row * width + first.min(end)..row * width + end] {
                *pixel = value;
                set += 1;
            }
        }
    }
    set
}

/// The label mask of a raster placed `at`: every pixel inside one of `regions` (a polygon and
/// its class index) gets that class, later regions painting over earlier ones, and every other
/// pixel is `unlabelled`.
pub fn label_mask<'a>(
    regions: impl IntoIterator<Item = (&'a MultiPolygon<f64>, u8)>,
    at: Placement,
    unlabelled: u8,
) -> Vec<u8> {
    let mut mask = vec![unlabelled; at.size.0 * at.size.1];
    for (polygon, class) in regions {
        fill(polygon, at, class, &mut mask);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area};

    #[test]
    fn a_square_with_a_hole_fills_its_ring_only() {
        // 8×8 level-0 square at (2, 2) with a 4×4 hole at (4, 4); tile at the origin, 1 px = 1.
        let shape = polygon!(
            exterior: [(x: 2.0, y: 2.0), (x: 10.0, y: 2.0), (x: 10.0, y: 10.0), (x: 2.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 8.0, y: 4.0), (x: 8.0, y: 8.0), (x: 4.0, y: 8.0)],],
        );
        let mut mask = vec![9u8; 144];
        let at = Placement { origin: (0.0, 0.0), downsample: 1.0, size: (12, 12) };
        let set = fill(&MultiPolygon(vec![shape.clone()]), at, 1, &mut mask);
        assert_eq!(set as f64, shape.unsigned_area(), "64 − 16 pixels");
        assert_eq!(mask[5 * 12 + 5], 9, "the hole keeps its value");
        assert_eq!(mask[2 * 12 + 2], 1);
        assert_eq!(mask[0], 9);
    }

    #[test]
    fn downsampled_tiles_sample_pixel_centres_and_far_polygons_set_nothing() {
        let square = polygon![(x: 0.0, y: 0.0), (x: 8.0, y: 0.0), (x: 8.0, y: 8.0), (x: 0.0, y: 8.0)];
        let multi = MultiPolygon(vec![square]);
        let mut mask = vec![0u8; 16];
        // Tile pixels of 4 level-0 pixels from (4, 4): centres at 6, 10, 14, 18.
        let at = Placement { origin: (4.0, 4.0), downsample: 4.0, size: (4, 4) };
        assert_eq!(fill(&multi, at, 3, &mut mask), 1);
        assert_eq!(mask[0], 3);
        let far = Placement { origin: (100.0, 0.0), ..at };
        assert_eq!(fill(&multi, far, 3, &mut [0; 16]), 0);
    }
}
