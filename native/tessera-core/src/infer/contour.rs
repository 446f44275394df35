//! Masks to polygons: boundary tracing with holes, simplification and a minimum area.
//!
//! Every boundary edge between a pixel inside the mask and one outside is directed clockwise
//! around the inside pixel (on screen, y down); linking edges head to tail gives closed rings,
//! outer boundaries with a positive shoelace area and holes with a negative one. Where two
//! inside pixels touch only at a corner the walk turns right, so such pixels stay apart
//! (4-connectivity) and rings never cross. Each hole goes to the smallest outer ring around it.

use std::collections::HashMap;

use geo::{Area, BoundingRect, Contains, Coord, LineString, Point, Polygon, Simplify};

/// How to turn traced rings into polygons.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tracing {
    /// Douglas–Peucker tolerance in mask pixels (0 keeps every corner of the pixel staircase).
    pub simplify: f64,
    /// Polygons smaller than this many mask pixels are dropped.
    pub min_area: f64,
    /// Holes smaller than this many mask pixels are filled.
    pub min_hole: f64,
    /// Rounds of corner cutting after simplification (0: straight segments): each round
    /// replaces every edge by its middle part, cutting at most a quarter of the edge and at most
    /// one mask pixel from each end (Chaikin's scheme near corners, and long straight edges
    /// stay where they are).
    pub smooth: usize,
}

impl Tracing {
    /// Every corner of the pixel staircase, nothing dropped.
    pub const EXACT: Tracing = Tracing { simplify: 0.0, min_area: 0.0, min_hole: 0.0, smooth: 0 };
}

/// How far from a corner one round of corner cutting may cut, in mask pixels.
const CUT: f64 = 1.0;

/// `rounds` of corner cutting of the closed `ring` (see [`Tracing::smooth`]).
fn chaikin(ring: LineString<f64>, rounds: usize) -> LineString<f64> {
    let mut points: Vec<Coord<f64>> = ring.0;
    points.pop(); // the closing copy of the first point
    for _ in 0..rounds {
        let n = points.len();
        if n < 3 {
            break;
        }
        points = (0..n)
            .flat_map(|i| {
                let (p, q) = (points[i], points[(i + 1) % n]);
                let length = (q - p).x.hypot((q - p).y);
                let t = if length > 0.0 { (CUT / length).min(0.25) } else { 0.25 };
                [p + (q - p) * t, q - (q - p) * t]
            })
            .collect();
    }
    let mut ring = LineString::new(points);
    ring.close();
    ring
}

/// A vertex of the pixel-corner lattice.
type Vertex = (i64, i64);

/// The polygons (in mask pixel-corner coordinates: pixel (x, y) is the square [x, x+1]×[y, y+1])
/// of the `width × height` mask whose pixels satisfy `inside`.
pub fn trace(
    width: usize,
    height: usize,
    inside: impl Fn(usize, usize) -> bool,
    tracing: Tracing,
) -> Vec<Polygon<f64>> {
    let edges = boundary_edges(width, height, &inside);
    let (exteriors, holes): (Vec<_>, Vec<_>) = link_rings(&edges).into_iter().partition(|ring| ring.area > 0.0);
    let outlines: Vec<Polygon<f64>> = exteriors.iter().map(|ring| Polygon::new(ring.line.clone(), vec![])).collect();
    let bounds: Vec<_> = outlines.iter().map(BoundingRect::bounding_rect).collect();
    let mut holes_of: Vec<Vec<LineString<f64>>> = vec![Vec::new(); outlines.len()];
    for hole in holes {
        let probe = hole.probe;
        let owner = (0..outlines.len())
            .filter(|&i| bounds[i].is_some_and(|r| r.to_polygon().contains(&probe)) && outlines[i].contains(&probe))
            .min_by(|&a, &b| exteriors[a].area.total_cmp(&exteriors[b].area));
        if let Some(owner) = owner {
            holes_of[owner].push(hole.line);
        }
    }
    let polygons =
        outlines.into_iter().zip(holes_of).map(|(outline, holes)| Polygon::new(outline.into_inner().0, holes));
    polygons.filter_map(|polygon| finish(polygon, tracing)).collect()
}

/// Simplifies and smooths a traced polygon, drops it when smaller than the minimum area and
/// fills its holes smaller than the minimum hole.
fn finish(polygon: Polygon<f64>, tracing: Tracing) -> Option<Polygon<f64>> {
    let simplified = if tracing.simplify > 0.0 { polygon.simplify(tracing.simplify) } else { polygon };
    let keep = |ring: &LineString<f64>, least: f64| {
        ring.0.len() >= 4 && Polygon::new(ring.clone(), vec![]).unsigned_area() >= least.max(f64::MIN_POSITIVE)
    };
    let (exterior, interiors) = simplified.into_inner();
    if !keep(&exterior, tracing.min_area) {
        return None;
    }
    let holes = interiors.into_iter().filter(|hole| keep(hole, tracing.min_hole));
    let holes = holes.map(|hole| chaikin(hole, tracing.smooth)).collect();
    Some(Polygon::new(chaikin(exterior, tracing.smooth), holes))
}

fn boundary_edges(width: usize, height: usize, inside: &impl Fn(usize, usize) -> bool) -> Vec<(Vertex, Vertex)> {
    let at = |x: i64, y: i64| {
        x >= 0 && y >= 0 && (x as usize) < width && (y as usize) < height && inside(x as usize, y as usize)
    };
    let mut edges = Vec::new();
    for y in 0..height as i64 {
        for x in 0..width as i64 {
            if !at(x, y) {
                continue;
            }
            if !at(x, y - 1) {
                edges.push(((x, y), (x + 1, y)));
            }
            if !at(x + 1, y) {
                edges.push(((x + 1, y), (x + 1, y + 1)));
            }
            if !at(x, y + 1) {
                edges.push(((x + 1, y + 1), (x, y + 1)));
            }
            if !at(x - 1, y) {
                edges.push(((x, y + 1), (x, y)));
            }
        }
    }
    edges
}

/// A closed ring, its signed area, and a point strictly inside the region on its left (for a
/// hole: inside the hole).
struct Ring {
    line: LineString<f64>,
    area: f64,
    probe: Point<f64>,
}

fn link_rings(edges: &[(Vertex, Vertex)]) -> Vec<Ring> {
    let mut outgoing: HashMap<Vertex, Vec<usize>> = HashMap::with_capacity(edges.len());
    for (index, (from, _)) in edges.iter().enumerate() {
        outgoing.entry(*from).or_default().push(index);
    }
    let direction = |index: usize| {
        let ((x0, y0), (x1, y1)) = edges[index];
        (x1 - x0, y1 - y0)
    };
    let mut used = vec![false; edges.len()];
    let mut rings = Vec::new();
    for start in 0..edges.len() {
        if used[start] {
            continue;
        }
        let mut corners: Vec<Vertex> = Vec::new();
        let mut current = start;
        loop {
            used[current] = true;
            let (dx, dy) = direction(current);
            let to = edges[current].1;
            let candidates = outgoing.get(&to).map(Vec::as_slice).unwrap_or_default();
            // Prefer a right turn (on screen), then straight on, then left.
            let preference = [(-dy, dx), (dx, dy), (dy, -dx)];
            let next = preference.iter().find_map(|&wanted| {
                candidates.iter().copied().find(|&c| (!used[c] || c == start) && direction(c) == wanted)
            });
            let Some(next) = next else { break };
            if direction(next) != (dx, dy) {
                corners.push(to);
            }
            if next == start {
                break;
            }
            current = next;
        }
        if corners.len() < 3 {
            continue;
        }
        let (dx, dy) = direction(start);
        let ((x0, y0), _) = edges[start];
        // The pixel left of the start edge (outside the traced region), at its centre.
        let probe =
            Point::new(x0 as f64 + 0.5 * dx as f64 + 0.5 * dy as f64, y0 as f64 + 0.5 * dy as f64 - 0.5 * dx as f64);
        let mut coords: Vec<Coord<f64>> = corners.iter().map(|&(x, y)| Coord { x: x as f64, y: y as f64 }).collect();
        coords.push(coords[0]);
        let area = coords.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum::<f64>() / 2.0;
        rings.push(Ring { line: LineString::new(coords), area, probe });
    }
    rings
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXACT: Tracing = Tracing::EXACT;

    fn mask<'a>(rows: &'a [&'a str]) -> (usize, usize, impl Fn(usize, usize) -> bool + 'a) {
        (rows[0].len(), rows.len(), move |x: usize, y: usize| rows[y].as_bytes()[x] == b'#')
    }

    #[test]
    fn a_ring_keeps_its_hole_and_an_island_inside_it_is_separate() {
        let rows = ["#######", "#.....#", "#.###.#", "#.###.#", "#.....#", "#######"];
        let (w, h, inside) = mask(&rows);
        let mut polygons = trace(w, h, inside, EXACT);
        polygons.sort_by(|a, b| b.unsigned_area().total_cmp(&a.unsigned_area()));
        assert_eq!(polygons.len(), 2);
        assert_eq!(polygons[0].interiors().len(), 1);
        assert_eq!(polygons[0].unsigned_area(), 42.0 - 20.0);
        assert_eq!(polygons[1].unsigned_area(), 6.0);
        assert_eq!(polygons[1].interiors().len(), 0);
    }

    #[test]
    fn diagonal_neighbours_stay_apart_and_small_parts_can_be_dropped() {
        let rows = ["##..", "##..", "..##", "..#."];
        let (w, h, inside) = mask(&rows);
        let polygons = trace(w, h, &inside, EXACT);
        assert_eq!(polygons.len(), 2);
        let areas: Vec<f64> = polygons.iter().map(|p| p.unsigned_area()).collect();
        assert!(areas.contains(&4.0) && areas.contains(&3.0), "{areas:?}");
        let big = trace(w, h, &inside, Tracing { min_area: 3.5, min_hole: 3.5, ..Tracing::EXACT });
        assert_eq!(big.len(), 1);
    }

    /// The 20-pixel hole of the ring survives a hole minimum of 20 and is filled by one of 21;
    /// the ring itself is kept either way.
    #[test]
    fn holes_below_their_own_minimum_are_filled() {
        let rows = ["#######", "#.....#", "#.....#", "#.....#", "#.....#", "#######"];
        let (w, h, inside) = mask(&rows);
        let with_hole = |min_hole| trace(w, h, &inside, Tracing { min_area: 1.0, min_hole, ..Tracing::EXACT });
        assert_eq!(with_hole(20.0)[0].interiors().len(), 1);
        let filled = with_hole(21.0);
        assert_eq!(filled[0].interiors().len(), 0);
        assert_eq!(filled[0].unsigned_area(), 42.0);
    }

    /// Corner cutting rounds a square's corners only: twice as many vertices per round, each
    /// corner of a large square losing less than one pixel of area over two rounds, the polygon
    /// still closed.
    #[test]
    fn smoothing_cuts_the_corners_only() {
        let rows = ["##########"; 10];
        let (w, h, inside) = mask(&rows);
        let square = trace(w, h, &inside, EXACT).remove(0);
        let smooth = trace(w, h, &inside, Tracing { smooth: 2, ..Tracing::EXACT }).remove(0);
        assert_eq!(smooth.exterior().0.len(), (square.exterior().0.len() - 1) * 4 + 1);
        assert!(smooth.exterior().is_closed());
        let area = smooth.unsigned_area();
        assert!(area < 100.0 && area > 100.0 - 4.0, "{area}");
    }
}
