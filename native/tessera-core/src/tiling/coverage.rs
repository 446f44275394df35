//! The exact area of a polygon inside each tile of a grid, in one pass over the polygon's edges:
//! linear in the number of vertices, so a polygon of millions of vertices plans in seconds, where
//! intersecting it with every tile (or every row of tiles) took minutes.
//!
//! The method: cut the plane into horizontal bands at every tile top and bottom. Inside a band,
//! the length of a horizontal line's part that lies in the polygon and in the column
//! [x₀, x₀ + side] is Σₑ sₑ · clamp(xₑ(y) − x₀, 0, side) over the edges e crossing that line,
//! where sₑ is +1 where the boundary goes down the page and −1 where it goes up (for rings
//! oriented as below); integrating over the band turns each edge piece into the line integral
//! ∫ clamp(x − x₀, 0, side) dy along it. A piece adds `side · Δy` to every column entirely left of
//! it, nothing to columns entirely right of it, and an exact integral to the few it crosses; a
//! tile's area is the sum over the bands of its row. Bands and columns end at the slide's edge,
//! so only the part of a polygon on the slide counts.

use std::collections::BTreeMap;

use geo::{Coord, LineString, MultiPolygon, Rect};

use super::grid::Grid;

/// One edge piece inside one band: its ends, the boundary's direction folded into their order.
#[derive(Clone, Copy)]
struct Piece {
    band: usize,
    from: Coord<f64>,
    to: Coord<f64>,
}

/// The (row, column, covered level-0 area) of every grid tile whose area inside `polygon` and
/// on the slide is more than rounding, in row-major order. `bounds` is the polygon's bounding box.
pub(super) fn covered_tiles(polygon: &MultiPolygon<f64>, bounds: Rect<f64>, grid: &Grid) -> Vec<(u64, u64, f64)> {
    let rows = grid.span(bounds.min().y, bounds.max().y, grid.rows);
    let columns = grid.span(bounds.min().x, bounds.max().x, grid.columns);
    if rows.is_empty() || columns.is_empty() {
        return Vec::new();
    }
    let mut cuts: Vec<f64> =
        rows.clone().flat_map(|row| [grid.start(row), grid.row_end(row)]).map(|y| y as f64).collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let mut pieces = Vec::new();
    for part in polygon {
        let exterior = orientation(part.exterior());
        cut_ring(part.exterior(), exterior, &cuts, &mut pieces);
        for hole in part.interiors() {
            cut_ring(hole, -orientation(hole), &cuts, &mut pieces);
        }
    }
    pieces.sort_by_key(|piece| piece.band);
    let tile_area = grid.tile_area();
    let mut open: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    let mut covered = Vec::new();
    let mut next = 0;
    for band in 0..cuts.len() - 1 {
        let (top, bottom) = (cuts[band], cuts[band + 1]);
        let count = pieces[next..].iter().take_while(|piece| piece.band == band).count();
        let areas = band_areas(&pieces[next..next + count], grid, columns.clone());
        next += count;
        for row in rows.clone().filter(|&row| grid.start(row) as f64 <= top && bottom <= grid.row_end(row) as f64) {
            let sums = open.entry(row).or_insert_with(|| vec![0.0; areas.len()]);
            sums.iter_mut().zip(&areas).for_each(|(sum, area)| *sum += area);
        }
        while let Some(entry) = open.first_entry() {
            if grid.row_end(*entry.key()) as f64 > bottom {
                break;
            }
            let (row, sums) = entry.remove_entry();
            let tiles = columns.clone().zip(sums).filter(|&(_, area)| area > tile_area * 1e-9);
            covered.extend(tiles.map(|(column, area)| (row, column, area.min(tile_area))));
        }
    }
    covered
}

/// +1 for a ring whose shoelace area is positive, −1 otherwise: the factor that makes the ring
/// count as area inside (an exterior; holes take the opposite).
fn orientation(ring: &LineString<f64>) -> f64 {
    let twice_area: f64 = ring.lines().map(|line| line.start.x * line.end.y - line.end.x * line.start.y).sum();
    if twice_area >= 0.0 {
        1.0
    } else {
        -1.0
    }
}

/// Cuts each non-horizontal edge of `ring` at the band boundaries `cuts`, keeping the pieces
/// inside the bands, reversed when `sign` is negative.
fn cut_ring(ring: &LineString<f64>, sign: f64, cuts: &[f64], pieces: &mut Vec<Piece>) {
    let (first, last) = (cuts[0], cuts[cuts.len() - 1]);
    for line in ring.lines() {
        let (from, to) = if sign > 0.0 { (line.start, line.end) } else { (line.end, line.start) };
        let (low, high) = (from.y.min(to.y), from.y.max(to.y));
        if from.y == to.y || high <= first || low >= last || !(from.x.is_finite() && to.x.is_finite()) {
            continue;
        }
        let at = |y: f64| Coord { x: from.x + (to.x - from.x) * (y - from.y) / (to.y - from.y), y };
        let mut band = cuts.partition_point(|&cut| cut <= low).saturating_sub(1);
        while band + 1 < cuts.len() && cuts[band] < high {
            let (top, bottom) = (cuts[band].max(low), cuts[band + 1].min(high));
            if bottom > top {
                let (a, b) = (at(top), at(bottom));
                let (a, b) = if to.y > from.y { (a, b) } else { (b, a) };
                pieces.push(Piece { band, from: a, to: b });
            }
            band += 1;
        }
    }
}

/// The area inside the polygon and the slide of each tile column in `columns` within one band,
/// from the band's edge pieces.
fn band_areas(pieces: &[Piece], grid: &Grid, columns: std::ops::Range<u64>) -> Vec<f64> {
    let width = (columns.end - columns.start) as usize;
    // left[i]: Δy added (as width · Δy) to every column before index i.
    let mut left = vec![0.0; width + 1];
    let mut areas = vec![0.0; width];
    for piece in pieces {
        let dy = piece.to.y - piece.from.y;
        let (low, high) = (piece.from.x.min(piece.to.x), piece.from.x.max(piece.to.x));
        let crossed = grid.span(low, high, grid.columns);
        let before = crossed.start.clamp(columns.start, columns.end);
        left[0] += dy;
        left[(before - columns.start) as usize] -= dy;
        for column in crossed.start.max(columns.start)..crossed.end.min(columns.end) {
            let (x0, x1) = (grid.start(column) as f64, grid.column_end(column) as f64);
            areas[(column - columns.start) as usize] += dy * mean_clamped(piece.from.x - x0, piece.to.x - x0, x1 - x0);
        }
    }
    let mut running = 0.0;
    for ((area, step), column) in areas.iter_mut().zip(&left).zip(columns) {
        running += step;
        *area += (grid.column_end(column) - grid.start(column)) as f64 * running;
    }
    areas
}

/// The mean over t ∈ [0, 1] of clamp(a + t·(b − a), 0, side) (`side`: the tile's width on the
/// slide).
fn mean_clamped(a: f64, b: f64, side: f64) -> f64 {
    let clamp = |x: f64| x.clamp(0.0, side);
    if a == b {
        return clamp(a);
    }
    // Break [0, 1] where the line crosses 0 and side: between breaks the clamp is linear.
    let mut breaks = [0.0, (0.0 - a) / (b - a), (side - a) / (b - a), 1.0];
    breaks[1..3].iter_mut().for_each(|t| *t = t.clamp(0.0, 1.0));
    breaks[1..3].sort_by(f64::total_cmp);
    breaks.windows(2).map(|w| (w[1] - w[0]) * (clamp(a + w[0] * (b - a)) + clamp(a + w[1] * (b - a))) / 2.0).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slide::Resolution;
    use crate::tiling::shapes::star;
    use crate::tiling::TileSpec;
    use geo::{Area, BooleanOps, BoundingRect, Polygon};
    use proptest::prelude::*;

    fn grid(tile_size: u32, overlap: f64) -> Grid {
        let spec = TileSpec { overlap, ..TileSpec::new(tile_size, Resolution::Downsample(1.0)) };
        Grid::new(&spec, 1.0, (1000, 1000))
    }

    #[test]
    fn a_clamped_line_averages_its_parts() {
        assert_eq!(mean_clamped(-10.0, -5.0, 4.0), 0.0);
        assert_eq!(mean_clamped(5.0, 9.0, 4.0), 4.0);
        assert_eq!(mean_clamped(1.0, 3.0, 4.0), 2.0);
        assert!((mean_clamped(-4.0, 8.0, 4.0) - (4.0 / 12.0 * 2.0 + 4.0 / 12.0 * 4.0)).abs() < 1e-12);
        assert!((mean_clamped(8.0, -4.0, 4.0) - mean_clamped(-4.0, 8.0, 4.0)).abs() < 1e-12, "either direction");
    }

    #[test]
    fn a_square_covers_its_tiles_whole_and_its_border_tiles_in_part() {
        let square =
            MultiPolygon::new(vec![Rect::new(Coord { x: 50.0, y: 0.0 }, Coord { x: 250.0, y: 150.0 }).to_polygon()]);
        let tiles = covered_tiles(&square, square.bounding_rect().unwrap(), &grid(100, 0.0));
        assert_eq!(
            tiles,
            [(0, 0, 5000.0), (0, 1, 10000.0), (0, 2, 5000.0), (1, 0, 2500.0), (1, 1, 5000.0), (1, 2, 2500.0)]
        );
        let edge = Grid::new(&TileSpec::new(100, Resolution::Downsample(1.0)), 1.0, (220, 120));
        let tiles = covered_tiles(&square, square.bounding_rect().unwrap(), &edge);
        let only_on_slide =
            [(0, 0, 5000.0), (0, 1, 10000.0), (0, 2, 2000.0), (1, 0, 1000.0), (1, 1, 2000.0), (1, 2, 400.0)];
        assert_eq!(tiles, only_on_slide, "the slide is 220 × 120: only the part on it counts");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Each tile's area equals the area of the polygon's intersection with the tile computed
        /// by geo's boolean operations, for rings of either orientation, holes and overlap.
        #[test]
        fn areas_match_boolean_intersections(
            outer in proptest::collection::vec(60.0f64..120.0, 5..40),
            hole in proptest::collection::vec(5.0f64..30.0, 3..12),
            clockwise in any::<bool>(),
            cx in 130.0f64..300.0,
            cy in 130.0f64..300.0,
            tile_size in 7u32..90,
            overlap in prop_oneof![Just(0.0), 0.0f64..0.9],
        ) {
            let polygon = MultiPolygon::new(vec![Polygon::new(star(cx, cy, &outer, clockwise), vec![star(cx, cy, &hole, !clockwise)])]);
            let grid = grid(tile_size, overlap);
            let tiles = covered_tiles(&polygon, polygon.bounding_rect().unwrap(), &grid);
            let tile_area = grid.tile_area();
            let mut expected = Vec::new();
            for row in 0..grid.rows {
                for column in 0..grid.columns {
                    let area = polygon.intersection(&grid.rect(column, row).to_polygon()).unsigned_area();
                    if area > tile_area * 1e-6 {
                        expected.push((row, column, area));
                    }
                }
            }
            let found: BTreeMap<_, _> = tiles.iter().map(|&(row, column, area)| ((row, column), area)).collect();
            for (row, column, area) in expected {
                let got = found.get(&(row, column)).copied().unwrap_or(0.0);
                prop_assert!((got - area).abs() <= tile_area * 1e-6, "tile ({row}, {column}): {got} vs {area}");
            }
            prop_assert!(tiles.iter().all(|&(_, _, area)| area > 0.0 && area <= tile_area));
        }
    }
}
