//! Test shapes for the tiling tests.

use geo::{Coord, LineString};

/// A star-shaped ring around (`cx`, `cy`) with the given radii at equal angles, counter-clockwise
/// (positive shoelace area) or clockwise.
pub(super) fn star(cx: f64, cy: f64, radii: &[f64], clockwise: bool) -> LineString<f64> {
    let n = radii.len() as f64;
    let mut points: Vec<Coord<f64>> = radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let angle = std::f64::consts::TAU * i as f64 / n * if clockwise { -1.0 } else { 1.0 };
            Coord { x: cx + r * angle.cos(), y: cy + r * angle.sin() }
        })
        .collect();
    points.push(points[0]);
    LineString::new(points)
}
