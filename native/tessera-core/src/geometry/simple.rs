//! A fast proof that a polygon is valid, for the polygons annotations nearly always are: rings
//! that neither cross nor touch, holes inside their exterior and parts apart. A sweep over the
//! edges finds any two that meet in O(n log n) (geo's own validation compares every edge with
//! every other: an hour for a polygon of 10⁶ vertices); the rest is a point-in-ring test per hole
//! and part. When the proof fails the polygon may still be valid (rings may touch at a point), so
//! the caller falls back to the full validation.

use geo::line_intersection::LineIntersection;
use geo::sweep::{Cross, Intersections};
use geo::{Coord, Line, LineString, MultiPolygon};

/// One edge of one ring, for the sweep.
#[derive(Clone, Copy)]
struct Edge {
    line: Line<f64>,
    /// The ring's number among all rings of the polygon.
    ring: usize,
    /// The edge's number in its ring.
    index: usize,
    /// The number of edges of its ring.
    edges: usize,
}

impl Cross for Edge {
    type Scalar = f64;

    fn line(&self) -> Line<f64> {
        self.line
    }
}

impl Edge {
    /// Whether `self` and `other` follow each other in one ring and meet only at their shared end.
    fn neighbours_at(&self, other: &Edge, at: &LineIntersection<f64>) -> bool {
        let next = |a: &Edge, b: &Edge| (a.index + 1) % a.edges == b.index;
        let shared = if next(self, other) {
            self.line.end
        } else if next(other, self) {
            other.line.end
        } else {
            return false;
        };
        self.ring == other.ring
            && matches!(at, LineIntersection::SinglePoint { intersection, .. } if *intersection == shared)
    }
}

/// Whether `polygon` is certainly valid: every ring closed with at least 3 distinct corners, no
/// two edges meeting except neighbours at their shared corner, each hole inside its exterior and
/// outside its other holes, and each part outside the others. `false` means "not proven".
pub(super) fn certainly_valid(polygon: &MultiPolygon<f64>) -> bool {
    let rings: Vec<&LineString<f64>> =
        polygon.0.iter().flat_map(|part| std::iter::once(part.exterior()).chain(part.interiors())).collect();
    if rings.iter().any(|ring| ring.0.len() < 4 || !ring.is_closed()) {
        return false;
    }
    let edges = rings.iter().enumerate().flat_map(|(ring, line_string)| {
        let edges = line_string.0.len() - 1;
        line_string.lines().enumerate().map(move |(index, line)| Edge { line, ring, index, edges })
    });
    if Intersections::from_iter(edges).any(|(a, b, at)| !a.neighbours_at(&b, &at)) {
        return false;
    }
    // No two rings meet, so one corner tells whether a ring lies inside another.
    polygon.0.iter().all(|part| {
        let holes = part.interiors();
        holes.iter().enumerate().all(|(i, hole)| {
            inside(hole.0[0], part.exterior())
                && holes.iter().enumerate().all(|(j, other)| i == j || !inside(hole.0[0], other))
        })
    }) && polygon.0.iter().enumerate().all(|(i, part)| {
        polygon.0.iter().enumerate().all(|(j, other)| i == j || !inside(part.exterior().0[0], other.exterior()))
    })
}

/// Whether `point` lies inside the closed `ring` (even-odd rule; `point` is not on it).
fn inside(point: Coord<f64>, ring: &LineString<f64>) -> bool {
    ring.lines()
        .filter(|line| (line.start.y > point.y) != (line.end.y > point.y))
        .filter(|line| {
            let x = line.start.x + (point.y - line.start.y) * (line.end.x - line.start.x) / (line.end.y - line.start.y);
            point.x < x
        })
        .count()
        % 2
        == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{wkt, Polygon, Validation};

    fn multi(polygons: Vec<Polygon<f64>>) -> MultiPolygon<f64> {
        MultiPolygon::new(polygons)
    }

    #[test]
    fn simple_rings_holes_and_parts_are_proven_and_faults_are_not() {
        let square = wkt!(POLYGON((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.)));
        let with_hole = wkt!(POLYGON((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (2. 2., 4. 2., 4. 4., 2. 2.)));
        let far = wkt!(POLYGON((20. 0., 30. 0., 30. 10., 20. 0.)));
        let island_in_hole = wkt!(POLYGON((2.5 2.2, 3.5 2.2, 3.5 3., 2.5 2.2)));
        for valid in [multi(vec![square.clone()]), multi(vec![with_hole.clone(), far.clone()])] {
            assert!(certainly_valid(&valid) && valid.is_valid());
        }
        let faults = [
            multi(vec![wkt!(POLYGON((0. 0., 10. 10., 10. 0., 0. 10., 0. 0.)))]),
            multi(vec![wkt!(POLYGON((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (20. 20., 24. 20., 24. 24., 20. 20.)))]),
            multi(vec![
                wkt!(POLYGON((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (2. 2., 4. 2., 4. 4., 2. 2.), (2.5 2.2, 3.5 2.2, 3.5 3., 2.5 2.2))),
            ]),
            multi(vec![square.clone(), wkt!(POLYGON((5. 5., 15. 5., 15. 15., 5. 5.)))]),
            multi(vec![square.clone(), wkt!(POLYGON((2. 2., 4. 2., 4. 4., 2. 2.)))]),
        ];
        for fault in faults {
            assert!(!certainly_valid(&fault), "{fault:?}");
            assert!(!fault.is_valid(), "geo agrees: {fault:?}");
        }
        let touching = multi(vec![square, wkt!(POLYGON((10. 0., 20. 0., 20. 10., 10. 0.)))]);
        assert!(!certainly_valid(&touching) && touching.is_valid(), "touching at a corner: left to the full check");
        assert!(!certainly_valid(&multi(vec![with_hole, island_in_hole])), "an island in a hole: left to it too");
    }
}
