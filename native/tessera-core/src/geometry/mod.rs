//! Geometry: QuPath objects as polygons, in and out of GeoJSON and WKB.
//!
//! - [`geojson`] reads and writes QuPath-flavoured GeoJSON faithfully (unknown properties, ids
//!   and non-polygon features are kept so that a file reads back identically).
//! - [`wkb`] converts polygons to and from WKB as JTS (QuPath's geometry library) writes it.
//! - [`validity`] repairs self-intersecting rings or refuses them with a clear message (`simple`
//!   proves the usual polygon valid fast).
//!
//! Coordinates are level-0 pixels, as QuPath exports them.

pub mod geojson;
mod simple;
pub mod validity;
pub mod wkb;

pub use geojson::{Classification, Document, Layout, ObjectType, PathObject, Shape};
