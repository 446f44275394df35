//! Polygon validity: repair what can be repaired, refuse the rest clearly.

use geo::{Area, MakeValid, MultiPolygon, Validation};

use super::simple::certainly_valid;
use crate::{Result, TesseraError};

/// The largest coordinate, in pixels, of a polygon on any slide (the largest slides are about
/// 10⁶ pixels across): beyond it, a coordinate is a mistake, and areas computed from it overflow.
pub const MAX_COORDINATE: f64 = 1e9;

/// What [`make_valid`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum Repair {
    /// The polygon was valid already.
    Unchanged(MultiPolygon<f64>),
    /// The polygon had self-intersections (or similar faults) and was rebuilt, with the
    /// even-odd rule, as this valid polygon.
    Repaired(MultiPolygon<f64>),
}

impl Repair {
    /// The valid polygon, repaired or not.
    pub fn polygon(&self) -> &MultiPolygon<f64> {
        match self {
            Repair::Unchanged(polygon) | Repair::Repaired(polygon) => polygon,
        }
    }
}

/// Returns `polygon` when valid, else a repaired copy (like JTS `buffer(0)`, a bow-tie becomes
/// two triangles). `what` names the polygon in errors (file and feature).
///
/// Fails when coordinates are not finite or beyond any slide (see [`MAX_COORDINATE`]), when the
/// repair fails, or when nothing with an area is left.
pub fn make_valid(polygon: &MultiPolygon<f64>, what: &str) -> Result<Repair> {
    let mut coordinates =
        polygon.0.iter().flat_map(|p| p.exterior().0.iter().chain(p.interiors().iter().flat_map(|r| r.0.iter())));
    if let Some(bad) = coordinates.find(|c| !(c.x.abs() <= MAX_COORDINATE && c.y.abs() <= MAX_COORDINATE)) {
        let number = |v: f64| if v.abs() < 1e6 { v.to_string() } else { format!("{v:e}") };
        return Err(TesseraError::invalid(format!(
            "{what}: the polygon has a point at ({}, {}), {}",
            number(bad.x),
            number(bad.y),
            if bad.x.is_finite() && bad.y.is_finite() {
                format!("beyond any slide (coordinates are pixels, at most {MAX_COORDINATE:e} from the origin)")
            } else {
                "which is not a number".to_string()
            }
        )));
    }
    let repair = without_panic(what, || {
        Ok(if certainly_valid(polygon) || polygon.is_valid() {
            Repair::Unchanged(polygon.clone())
        } else {
            let repaired = polygon.make_valid().map_err(|error| {
                TesseraError::invalid(format!(
                    "{what}: self-intersecting or malformed polygon that cannot be repaired ({error})"
                ))
            })?;
            Repair::Repaired(repaired)
        })
    })?;
    let area = repair.polygon().unsigned_area();
    if area.is_nan() || area <= 0.0 {
        return Err(TesseraError::invalid(format!("{what}: the polygon has no area")));
    }
    Ok(repair)
}

/// Runs geo's validation or repair of the polygon `what`: they panic on some degenerate outlines
/// ("topology position conflict with coordinate", found by tests/fuzz_readers.rs), and such a
/// polygon is refused, not a crash.
fn without_panic(what: &str, work: impl FnOnce() -> Result<Repair>) -> Result<Repair> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
        Err(TesseraError::invalid(format!(
            "{what}: the polygon's outline is too degenerate to check or repair (rings that touch or overlap \
             in ways the geometry library cannot resolve)"
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn a_bowtie_is_repaired_into_two_triangles() {
        let bowtie = MultiPolygon::new(vec![wkt!(POLYGON((0. 0., 0. 10., 10. 0., 10. 10., 0. 0.)))]);
        let Repair::Repaired(fixed) = make_valid(&bowtie, "bowtie").unwrap() else { panic!("not repaired") };
        assert_eq!(fixed.0.len(), 2);
        assert!((fixed.unsigned_area() - 50.0).abs() < 1e-9);
        assert!(fixed.is_valid());
    }

    #[test]
    fn valid_polygons_pass_unchanged_and_empty_ones_are_refused() {
        let square = MultiPolygon::new(vec![wkt!(POLYGON((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.)))]);
        assert_eq!(make_valid(&square, "square").unwrap(), Repair::Unchanged(square.clone()));
        let flat = MultiPolygon::new(vec![wkt!(POLYGON((0. 0., 4. 0., 8. 0., 0. 0.)))]);
        let message = make_valid(&flat, "file.geojson feature 3").unwrap_err().to_string();
        assert!(message.contains("file.geojson feature 3"), "{message}");
    }

    #[test]
    fn points_beyond_any_slide_or_not_numbers_are_refused_with_the_point() {
        let far = MultiPolygon::new(vec![wkt!(POLYGON((0. 0., 1e308 0., 4. 4., 0. 0.)))]);
        let message = make_valid(&far, "a.geojson: feature 0").unwrap_err().to_string();
        assert!(
            message.contains("a.geojson: feature 0")
                && message.contains("(1e308, 0)")
                && message.contains("beyond any slide"),
            "{message}"
        );
        let nan = MultiPolygon::new(vec![wkt!(POLYGON((0. 0., 4. 0., 4. 4., 0. 0.)))]);
        let mut nan = nan;
        nan.0[0].exterior_mut(|ring| ring.0[1].x = f64::NAN);
        let message = make_valid(&nan, "b").unwrap_err().to_string();
        assert!(message.contains("(NaN, 0)") && message.contains("not a number"), "{message}");
    }
}
