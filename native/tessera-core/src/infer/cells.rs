//! The grid of a sliding-window plan: one cell per stride, each owned by the tile it centres.
//!
//! With overlapping tiles a level-0 point lies in several tiles; a cell (a stride × stride
//! square) belongs to the one tile whose centre block it is, so cells partition the covered
//! area. Merged class polygons and classification heatmaps are drawn on this grid.

use crate::tiling::TilePlan;

/// The cells of a plan's tiles.
pub struct Cells {
    /// Level-0 position of cell (0, 0)'s corner.
    pub origin: (f64, f64),
    /// Level-0 side of a cell (the plan's stride).
    pub side: f64,
    /// Columns of the grid.
    pub columns: usize,
    /// Rows of the grid.
    pub rows: usize,
    /// Per tile of the plan, its cell's (column, row).
    pub cell_of_tile: Vec<(usize, usize)>,
}

impl Cells {
    /// The grid of `plan`'s tiles; `None` for an empty plan.
    pub fn of(plan: &TilePlan) -> Option<Self> {
        let first = plan.tiles.first()?;
        let side = stride(plan).unwrap_or(first.w as f64);
        let (min_x, min_y) = plan.tiles.iter().fold((i64::MAX, i64::MAX), |(x, y), t| (x.min(t.x), y.min(t.y)));
        let cell = |v: i64, min: i64| ((v - min) as f64 / side).round() as usize;
        let cell_of_tile: Vec<_> = plan.tiles.iter().map(|t| (cell(t.x, min_x), cell(t.y, min_y))).collect();
        let columns = cell_of_tile.iter().map(|c| c.0 + 1).max().unwrap_or(0);
        let rows = cell_of_tile.iter().map(|c| c.1 + 1).max().unwrap_or(0);
        let inset = (first.w as f64 - side) / 2.0;
        Some(Self { origin: (min_x as f64 + inset, min_y as f64 + inset), side, columns, rows, cell_of_tile })
    }

    /// Per cell (row-major), the index of the tile that owns it.
    pub fn owners(&self) -> Vec<Option<usize>> {
        let mut owners = vec![None; self.columns * self.rows];
        for (tile, &(column, row)) in self.cell_of_tile.iter().enumerate() {
            owners[row * self.columns + column] = Some(tile);
        }
        owners
    }
}

/// The plan's stride: the smallest positive step between tile positions.
fn stride(plan: &TilePlan) -> Option<f64> {
    let min_x = plan.tiles.iter().map(|t| t.x).min()?;
    let min_y = plan.tiles.iter().map(|t| t.y).min()?;
    plan.tiles
        .iter()
        .flat_map(|t| [t.x - min_x, t.y - min_y])
        .filter(|&d| d > 0)
        .fold(None, |g: Option<i64>, d| Some(g.map_or(d, |g| gcd(g, d))))
        .map(|g| g as f64)
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiling::Tile;

    #[test]
    fn overlapping_tiles_own_their_centre_cells() {
        let tile = |x, y| Tile {
            x,
            y,
            w: 20,
            h: 20,
            label: "A".into(),
            coverage: 1.0,
            polygon_id: "p".into(),
            slide: "s".into(),
        };
        let plan = TilePlan {
            slide: "s".into(),
            downsample: 1.0,
            tile_size: 20,
            tiles: vec![tile(100, 50), tile(110, 50), tile(120, 60)],
        };
        let cells = Cells::of(&plan).unwrap();
        assert_eq!(cells.side, 10.0);
        assert_eq!(cells.origin, (105.0, 55.0));
        assert_eq!((cells.columns, cells.rows), (3, 2));
        assert_eq!(cells.owners(), vec![Some(0), Some(1), None, None, None, Some(2)]);
    }
}
