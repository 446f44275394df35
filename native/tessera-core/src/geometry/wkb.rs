//! Polygons as WKB, the form QuPath's geometry library (JTS) reads and writes.
//!
//! JTS `WKBWriter` writes two-dimensional big-endian WKB by default; [`to_wkb`] writes the same
//! bytes, and [`from_wkb`] reads either byte order.
//!
//! ```
//! use geo::{wkt, MultiPolygon};
//! use tessera_core::geometry::wkb::{from_wkb, to_wkb};
//! let square = MultiPolygon::new(vec![wkt!(POLYGON((0. 0., 4. 0., 4. 4., 0. 0.)))]);
//! let bytes = to_wkb(&square).unwrap();
//! assert_eq!(bytes[0], 0, "big-endian, like JTS");
//! assert_eq!(from_wkb(&bytes).unwrap(), square);
//! ```

use geo::{Geometry, MultiPolygon};
use geo_traits::to_geo::{ToGeoMultiPolygon, ToGeoPolygon};
use geo_traits::{GeometryCollectionTrait, GeometryTrait, GeometryType};
use wkb::writer::{write_geometry, WriteOptions};
use wkb::Endianness;

use crate::{Result, TesseraError};

/// Encodes `polygon` as big-endian WKB: a `MultiPolygon` when it has several parts (or none),
/// a `Polygon` when it has one, as JTS does for the geometry of a QuPath object.
pub fn to_wkb(polygon: &MultiPolygon<f64>) -> Result<Vec<u8>> {
    let geometry = match polygon.0.as_slice() {
        [single] => Geometry::Polygon(single.clone()),
        _ => Geometry::MultiPolygon(polygon.clone()),
    };
    let mut bytes = Vec::new();
    write_geometry(&mut bytes, &geometry, &WriteOptions { endianness: Endianness::BigEndian })
        .map_err(|error| TesseraError::invalid(format!("cannot encode the polygon as WKB: {error}")))?;
    Ok(bytes)
}

/// Decodes WKB (either byte order) to a multipolygon: a `Polygon`, a `MultiPolygon`, or a
/// `GeometryCollection` whose polygonal parts are kept. Other geometries are refused.
///
/// Only polygonal parts are converted: the `wkb` crate reads the points of a `MultiPoint`
/// lazily and panics on one that does not fit its buffer, so points are never touched.
pub fn from_wkb(bytes: &[u8]) -> Result<MultiPolygon<f64>> {
    let refuse = |problem: String| TesseraError::invalid(format!("WKB geometry ({} bytes): {problem}", bytes.len()));
    let parsed = wkb::reader::read_wkb(bytes).map_err(|error| refuse(format!("not valid WKB: {error}")))?;
    polygonal(&parsed).ok_or_else(|| refuse("not a polygon, multipolygon or collection of polygons".into()))
}

/// The polygonal content of `geometry`, or `None` when it has none.
fn polygonal(geometry: &impl GeometryTrait<T = f64>) -> Option<MultiPolygon<f64>> {
    match geometry.as_type() {
        GeometryType::Polygon(polygon) => Some(MultiPolygon::new(vec![polygon.to_polygon()])),
        GeometryType::MultiPolygon(multi) => Some(multi.to_multi_polygon()),
        GeometryType::GeometryCollection(collection) => {
            let parts: Vec<_> = collection.geometries().filter_map(|part| polygonal(&part)).flat_map(|m| m.0).collect();
            (!parts.is_empty()).then(|| MultiPolygon::new(parts))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    /// `new WKBWriter().write(new WKTReader().read("POLYGON ((0 0, 2 0, 0 1, 0 0))"))` in JTS.
    const JTS_TRIANGLE: &str = "00000000030000000100000004\
        00000000000000000000000000000000\
        40000000000000000000000000000000\
        00000000000000003FF0000000000000\
        00000000000000000000000000000000";

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn writes_the_bytes_jts_writes() {
        let triangle = MultiPolygon::new(vec![wkt!(POLYGON((0. 0., 2. 0., 0. 1., 0. 0.)))]);
        assert_eq!(to_wkb(&triangle).unwrap(), hex(JTS_TRIANGLE));
        assert_eq!(from_wkb(&hex(JTS_TRIANGLE)).unwrap(), triangle);
    }

    #[test]
    fn multipolygons_with_holes_round_trip_and_little_endian_reads() {
        let multi = MultiPolygon::new(vec![
            wkt!(POLYGON((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (2. 2., 4. 2., 4. 4., 2. 2.))),
            wkt!(POLYGON((20. 20., 21.5 20., 21. 21., 20. 20.))),
        ]);
        let bytes = to_wkb(&multi).unwrap();
        assert_eq!(&bytes[..5], &[0, 0, 0, 0, 6], "big-endian MultiPolygon");
        assert_eq!(from_wkb(&bytes).unwrap(), multi);
        let mut little = Vec::new();
        write_geometry(
            &mut little,
            &Geometry::MultiPolygon(multi.clone()),
            &WriteOptions { endianness: Endianness::LittleEndian },
        )
        .unwrap();
        assert_eq!(from_wkb(&little).unwrap(), multi);
    }

    #[test]
    fn a_multipoint_whose_point_overruns_it_is_refused_without_a_panic() {
        // A little-endian MultiPoint of one point whose own header says it carries an SRID (EWKB):
        // the point needs 4 bytes more than the MultiPoint left it (found by tests/fuzz_readers.rs;
        // the wkb crate panics when asked for that point).
        let mut bytes = vec![1, 4, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0x20];
        bytes.extend([0; 16]);
        let error = from_wkb(&bytes).unwrap_err().to_string();
        assert!(error.contains("not a polygon") || error.contains("not valid WKB"), "{error}");
    }

    #[test]
    fn garbage_and_points_are_refused() {
        assert!(from_wkb(&[1, 2, 3]).unwrap_err().to_string().contains("not valid WKB"));
        let mut point = Vec::new();
        write_geometry(&mut point, &Geometry::Point(geo::Point::new(1.0, 2.0)), &WriteOptions::default()).unwrap();
        assert!(from_wkb(&point).unwrap_err().to_string().contains("not a polygon"));
    }
}
