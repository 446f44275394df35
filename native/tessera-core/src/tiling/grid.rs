//! The grid of a tile plan: square tiles of one side, a fixed stride from the slide's origin,
//! covering the whole slide — the last column and row reach past the right and bottom edges when
//! the slide is not a whole number of strides, so that tissue touching those edges is tiled too
//! (pixels beyond the slide read as white background).

use super::TileSpec;

/// The grid of one plan, in level-0 pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Grid {
    /// Tile side.
    pub(super) side: u64,
    /// Step between neighbouring tiles.
    pub(super) stride: u64,
    /// Tiles across.
    pub(super) columns: u64,
    /// Tiles down.
    pub(super) rows: u64,
    /// The slide's level-0 width and height.
    pub(super) slide: (u64, u64),
}

impl Grid {
    /// The grid of `spec` at `downsample` over a slide of level-0 `width × height`.
    pub(super) fn new(spec: &TileSpec, downsample: f64, (width, height): (u64, u64)) -> Self {
        let side = ((f64::from(spec.tile_size) * downsample).round() as u64).max(1);
        let stride = ((side as f64 * (1.0 - spec.overlap)).round() as u64).clamp(1, side);
        let count = |extent: u64| match extent {
            0 => 0,
            _ if extent <= side => 1,
            _ => (extent - side).div_ceil(stride) + 1,
        };
        Self { side, stride, columns: count(width), rows: count(height), slide: (width, height) }
    }

    /// The number of tiles.
    pub(super) fn tiles(&self) -> u128 {
        u128::from(self.columns) * u128::from(self.rows)
    }

    /// The indices, among `count`, of the tiles that overlap [`low`, `high`] along one axis.
    pub(super) fn span(&self, low: f64, high: f64, count: u64) -> std::ops::Range<u64> {
        let first = ((low - self.side as f64) / self.stride as f64).floor() + 1.0;
        let last = (high / self.stride as f64).ceil();
        let first = first.clamp(0.0, count as f64) as u64;
        let last = last.clamp(0.0, count as f64) as u64;
        first..last.max(first)
    }

    /// The level-0 position of the tile at `index` along one axis.
    pub(super) fn start(&self, index: u64) -> u64 {
        index * self.stride
    }

    /// Where the tile at `column` ends on the slide: its right edge, or the slide's.
    pub(super) fn column_end(&self, column: u64) -> u64 {
        (self.start(column) + self.side).min(self.slide.0)
    }

    /// Where the tile at `row` ends on the slide: its bottom edge, or the slide's.
    pub(super) fn row_end(&self, row: u64) -> u64 {
        (self.start(row) + self.side).min(self.slide.1)
    }

    /// The area of a tile in level-0 pixels.
    pub(super) fn tile_area(&self) -> f64 {
        (self.side as f64).powi(2)
    }

    /// The fraction of the tile at (`column`, `row`) that lies on the slide.
    pub(super) fn on_slide(&self, column: u64, row: u64) -> f64 {
        let width = (self.column_end(column) - self.start(column)) as f64;
        width * (self.row_end(row) - self.start(row)) as f64 / self.tile_area()
    }

    /// The level-0 rectangle of the tile at (`column`, `row`).
    #[cfg(test)]
    pub(super) fn rect(&self, column: u64, row: u64) -> geo::Rect<f64> {
        let (x, y) = (self.start(column) as f64, self.start(row) as f64);
        geo::Rect::new(geo::Coord { x, y }, geo::Coord { x: x + self.side as f64, y: y + self.side as f64 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slide::Resolution;

    fn grid(tile_size: u32, overlap: f64, dimensions: (u64, u64)) -> Grid {
        let spec = TileSpec { overlap, ..TileSpec::new(tile_size, Resolution::Downsample(1.0)) };
        Grid::new(&spec, 1.0, dimensions)
    }

    #[test]
    fn the_grid_reaches_every_pixel_of_the_slide() {
        assert_eq!(grid(100, 0.0, (1000, 1000)).columns, 10, "a whole number of tiles");
        let edge = grid(100, 0.0, (1001, 250));
        assert_eq!((edge.columns, edge.rows), (11, 3), "partial tiles at the right and bottom");
        assert_eq!(grid(100, 0.0, (40, 40)).tiles(), 1, "a slide smaller than one tile");
        assert_eq!(grid(100, 0.0, (0, 40)).tiles(), 0);
        let overlapping = grid(100, 0.5, (260, 100));
        assert_eq!((overlapping.columns, overlapping.start(overlapping.columns - 1)), (5, 200));
        assert_eq!((overlapping.column_end(4), overlapping.row_end(0)), (260, 100));
        assert_eq!((edge.on_slide(9, 1), edge.on_slide(10, 1), edge.on_slide(10, 2)), (1.0, 0.01, 0.01 * 0.5));
        for (width, g) in [(1001, edge), (260, overlapping), (1234, grid(7, 0.3, (1234, 5)))] {
            let last = g.start(g.columns - 1);
            assert!(last < width && last + g.side >= width, "the last tile reaches the edge: {g:?}");
            assert!(g.start(g.columns - 2) + g.side < width, "and is needed: {g:?}");
        }
    }
}
