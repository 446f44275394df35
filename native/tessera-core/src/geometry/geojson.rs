//! QuPath-flavoured GeoJSON, read and written faithfully.
//!
//! QuPath exports objects as a `FeatureCollection` (or a bare array of features, or one
//! feature): each feature has an `id` (a UUID), a geometry in level-0 pixels, and properties
//! `objectType` (`annotation`, `detection`, `tile`, `cell`), `classification` (`{name, color}`),
//! `name`, `measurements`, `isLocked` and more. Everything this module does not interpret is kept
//! as it came, so a file read and written back is the same JSON value; non-polygon features
//! (points, lines) are kept too, and reported by [`Document::skipped`].
//!
//! ```
//! use tessera_core::geometry::Document;
//! let text = r#"{"type": "Feature", "id": "a1", "geometry": {"type": "Polygon",
//!     "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 0]]]},
//!     "properties": {"objectType": "annotation", "classification": {"name": "Tumor", "color": [200, 0, 0]}}}"#;
//! let document = Document::parse(text, "example.geojson".as_ref()).unwrap();
//! assert_eq!(document.objects[0].class_name(), Some("Tumor"));
//! assert_eq!(document.to_value(), serde_json::from_str::<serde_json::Value>(text).unwrap());
//! ```

use std::path::Path;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

use crate::{Result, TesseraError};

/// The kind of a QuPath object (`properties.objectType`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectType {
    /// A drawn region (the usual source of training labels).
    Annotation,
    /// A detected object.
    Detection,
    /// A tile object.
    Tile,
    /// A cell (a detection with a nucleus).
    Cell,
    /// Any other value, kept as written.
    Other(String),
}

impl ObjectType {
    /// The name QuPath writes.
    pub fn as_str(&self) -> &str {
        match self {
            ObjectType::Annotation => "annotation",
            ObjectType::Detection => "detection",
            ObjectType::Tile => "tile",
            ObjectType::Cell => "cell",
            ObjectType::Other(other) => other,
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "annotation" => ObjectType::Annotation,
            "detection" => ObjectType::Detection,
            "tile" => ObjectType::Tile,
            "cell" => ObjectType::Cell,
            other => ObjectType::Other(other.to_string()),
        }
    }
}

/// A QuPath classification: a class name and its display colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    /// The class name (QuPath writes derived classes as `A: B`).
    pub name: String,
    /// The display colour, red, green, blue.
    pub color: Option<[u8; 3]>,
    /// Members of the classification this module does not interpret, kept as written.
    pub other: Map<String, Value>,
}

/// The geometry of an object.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A GeoJSON `Polygon` (exterior ring, then holes).
    Polygon(Polygon<f64>),
    /// A GeoJSON `MultiPolygon`.
    MultiPolygon(MultiPolygon<f64>),
    /// Any other geometry (points, lines, collections, none), kept as written but not used.
    Other(Value),
}

/// One QuPath object: a GeoJSON feature with QuPath's properties.
#[derive(Clone, Debug, PartialEq)]
pub struct PathObject {
    /// The feature's `id` (QuPath writes a UUID string), if any.
    pub id: Option<Value>,
    /// `properties.objectType`.
    pub object_type: Option<ObjectType>,
    /// `properties.name`.
    pub name: Option<String>,
    /// `properties.classification`; `None` for unclassified objects.
    pub classification: Option<Classification>,
    /// `properties.measurements`, as written (an object of name → value in QuPath ≥ 0.4).
    pub measurements: Option<Value>,
    /// `properties.isLocked`.
    pub is_locked: Option<bool>,
    /// The geometry.
    pub shape: Shape,
    /// Other members of a polygonal geometry (QuPath's `isEllipse`), kept as written.
    pub other_geometry_members: Map<String, Value>,
    /// Other properties, kept as written.
    pub other_properties: Map<String, Value>,
    /// Other members of the feature (such as a cell's `nucleusGeometry`), kept as written.
    pub other_members: Map<String, Value>,
}

impl PathObject {
    /// An object of `shape` with nothing else set: no id, type, name, class or measurements.
    pub fn new(shape: Shape) -> Self {
        Self {
            id: None,
            object_type: None,
            name: None,
            classification: None,
            measurements: None,
            is_locked: None,
            shape,
            other_geometry_members: Map::new(),
            other_properties: Map::new(),
            other_members: Map::new(),
        }
    }

    /// The class name, if the object is classified.
    pub fn class_name(&self) -> Option<&str> {
        self.classification.as_ref().map(|c| c.name.as_str())
    }

    /// The geometry as a multipolygon, when it is polygonal.
    pub fn polygon(&self) -> Option<MultiPolygon<f64>> {
        match &self.shape {
            Shape::Polygon(polygon) => Some(MultiPolygon::new(vec![polygon.clone()])),
            Shape::MultiPolygon(multi) => Some(multi.clone()),
            Shape::Other(_) => None,
        }
    }

    /// The id as text: a string id as is, another JSON value as JSON, `None` when absent.
    pub fn id_text(&self) -> Option<String> {
        match &self.id {
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => Some(other.to_string()),
            None => None,
        }
    }

    /// This object as a GeoJSON feature.
    pub fn to_value(&self) -> Value {
        let mut properties = self.other_properties.clone();
        if let Some(object_type) = &self.object_type {
            properties.insert("objectType".into(), object_type.as_str().into());
        }
        if let Some(name) = &self.name {
            properties.insert("name".into(), name.as_str().into());
        }
        if let Some(classification) = &self.classification {
            let mut class = classification.other.clone();
            class.insert("name".into(), classification.name.as_str().into());
            if let Some(color) = classification.color {
                class.insert("color".into(), color.iter().map(|&c| Value::from(c)).collect());
            }
            properties.insert("classification".into(), Value::Object(class));
        }
        if let Some(measurements) = &self.measurements {
            properties.insert("measurements".into(), measurements.clone());
        }
        if let Some(locked) = self.is_locked {
            properties.insert("isLocked".into(), locked.into());
        }
        let mut feature = self.other_members.clone();
        feature.insert("type".into(), "Feature".into());
        if let Some(id) = &self.id {
            feature.insert("id".into(), id.clone());
        }
        let (kind, coordinates) = match &self.shape {
            Shape::Polygon(polygon) => ("Polygon", Value::from(polygon_coordinates(polygon))),
            Shape::MultiPolygon(multi) => ("MultiPolygon", multi.0.iter().map(polygon_coordinates).collect()),
            Shape::Other(value) => ("", value.clone()),
        };
        let geometry = if kind.is_empty() {
            coordinates
        } else {
            let mut geometry = self.other_geometry_members.clone();
            geometry.insert("type".into(), kind.into());
            geometry.insert("coordinates".into(), coordinates);
            Value::Object(geometry)
        };
        feature.insert("geometry".into(), geometry);
        feature.insert("properties".into(), Value::Object(properties));
        Value::Object(feature)
    }
}

/// How the features were laid out in the file, so that writing gives the same form back.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// `{"type": "FeatureCollection", "features": [...]}`, with any other members.
    FeatureCollection(Map<String, Value>),
    /// A bare JSON array of features.
    Array,
    /// A single feature.
    Feature,
}

/// The objects of one GeoJSON file.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Every feature, polygonal or not, in file order.
    pub objects: Vec<PathObject>,
    /// The top-level form.
    pub layout: Layout,
}

impl Document {
    /// Reads a GeoJSON file; errors name the file and the problem.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| TesseraError::io(path, source))?;
        Self::from_bytes(&bytes, path)
    }

    /// Parses the bytes of a GeoJSON file read from `source` (named in errors): UTF-8 text, as
    /// [`Document::parse`] takes it.
    pub fn from_bytes(bytes: &[u8], source: &Path) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|error| {
            TesseraError::invalid(format!("{}: not UTF-8 text (GeoJSON is): {error}", source.display()))
        })?;
        Self::parse(text, source)
    }

    /// Parses GeoJSON text read from `source` (named in errors); a UTF-8 byte-order mark (some
    /// Windows editors write one) is skipped.
    pub fn parse(text: &str, source: &Path) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: Value = serde_json::from_str(text)
            .map_err(|error| TesseraError::invalid(format!("{}: not valid JSON: {error}", source.display())))?;
        Self::from_value(value, source)
    }

    /// Interprets a parsed GeoJSON value read from `source` (named in errors).
    pub fn from_value(value: Value, source: &Path) -> Result<Self> {
        let refuse = |problem: String| TesseraError::invalid(format!("{}: {problem}", source.display()));
        let (features, layout) = match value {
            Value::Array(features) => (features, Layout::Array),
            Value::Object(mut object) => match object.get("type").and_then(Value::as_str) {
                Some("FeatureCollection") => {
                    let Some(Value::Array(features)) = object.remove("features") else {
                        return Err(refuse("a FeatureCollection without a \"features\" array".into()));
                    };
                    object.remove("type");
                    (features, Layout::FeatureCollection(object))
                }
                Some("Feature") => (vec![Value::Object(object)], Layout::Feature),
                other => {
                    return Err(refuse(format!(
                        "expected a FeatureCollection, a Feature or an array of features, found type {}",
                        other.map_or("(none)".to_string(), |t| format!("{t:?}"))
                    )))
                }
            },
            other => return Err(refuse(format!("expected GeoJSON features, found {}", json_kind(&other)))),
        };
        let objects = features
            .into_iter()
            .enumerate()
            .map(|(index, feature)| {
                parse_feature(feature).map_err(|problem| refuse(format!("feature {index}: {problem}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { objects, layout })
    }

    /// The document as GeoJSON, in its original layout.
    pub fn to_value(&self) -> Value {
        let features: Vec<Value> = self.objects.iter().map(PathObject::to_value).collect();
        match &self.layout {
            Layout::FeatureCollection(other) => {
                let mut collection = other.clone();
                collection.insert("type".into(), "FeatureCollection".into());
                collection.insert("features".into(), Value::Array(features));
                Value::Object(collection)
            }
            Layout::Array => Value::Array(features),
            Layout::Feature => features.into_iter().next().unwrap_or(Value::Array(Vec::new())),
        }
    }

    /// Writes the document to `path` as pretty-printed GeoJSON.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.to_value())
            .map_err(|error| TesseraError::io(path, std::io::Error::other(error)))?;
        crate::outputs::write_file(path, text.as_bytes())
    }

    /// How many objects have no polygon (points, lines, empty geometry) and so are skipped.
    pub fn skipped(&self) -> usize {
        self.objects.iter().filter(|object| matches!(object.shape, Shape::Other(_))).count()
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One feature; the error is the problem, without the file (the caller adds it).
fn parse_feature(feature: Value) -> std::result::Result<PathObject, String> {
    let Value::Object(mut members) = feature else {
        return Err(format!("expected a Feature object, found {}", json_kind(&feature)));
    };
    match members.remove("type") {
        Some(Value::String(kind)) if kind == "Feature" => {}
        other => {
            return Err(format!(
                "expected \"type\": \"Feature\", found {}",
                other.map_or("nothing".into(), |v| v.to_string())
            ))
        }
    }
    let id = members.remove("id");
    let (shape, other_geometry_members) = match members.remove("geometry") {
        Some(geometry) => parse_geometry(geometry)?,
        None => return Err("the feature has no \"geometry\" member".into()),
    };
    let mut properties = match members.remove("properties") {
        Some(Value::Object(properties)) => properties,
        Some(Value::Null) | None => Map::new(),
        Some(other) => return Err(format!("\"properties\" must be an object, found {}", json_kind(&other))),
    };
    let object_type = take_if(&mut properties, "objectType", |v| v.as_str().map(ObjectType::parse));
    let name = take_if(&mut properties, "name", |v| v.as_str().map(str::to_string));
    let classification = take_if(&mut properties, "classification", parse_classification);
    let measurements = properties.remove("measurements");
    let is_locked = take_if(&mut properties, "isLocked", Value::as_bool);
    Ok(PathObject {
        id,
        object_type,
        name,
        classification,
        measurements,
        is_locked,
        shape,
        other_geometry_members,
        other_properties: properties,
        other_members: members,
    })
}

/// Removes `key` from `map` when `parse` understands its value; otherwise leaves it there.
fn take_if<T>(map: &mut Map<String, Value>, key: &str, parse: impl Fn(&Value) -> Option<T>) -> Option<T> {
    let parsed = map.get(key).and_then(parse)?;
    map.remove(key);
    Some(parsed)
}

fn parse_classification(value: &Value) -> Option<Classification> {
    let mut other = value.as_object()?.clone();
    let name = other.remove("name")?.as_str()?.to_string();
    let color = take_if(&mut other, "color", |v| {
        let channels = v.as_array()?;
        let rgb: Vec<u8> =
            channels.iter().map(|c| c.as_u64().and_then(|c| u8::try_from(c).ok())).collect::<Option<_>>()?;
        <[u8; 3]>::try_from(rgb).ok()
    });
    Some(Classification { name, color, other })
}

/// The shape, and the geometry's members other than `type` and `coordinates` when polygonal.
fn parse_geometry(geometry: Value) -> std::result::Result<(Shape, Map<String, Value>), String> {
    let Value::Object(mut members) = geometry else {
        return Ok((Shape::Other(geometry), Map::new()));
    };
    let shape = match (members.get("type").and_then(Value::as_str), members.get("coordinates")) {
        (Some("Polygon"), Some(coordinates)) => Shape::Polygon(parse_polygon(coordinates)?),
        (Some("MultiPolygon"), Some(Value::Array(polygons))) => Shape::MultiPolygon(MultiPolygon::new(
            polygons.iter().map(parse_polygon).collect::<std::result::Result<_, _>>()?,
        )),
        (Some("Polygon" | "MultiPolygon"), _) => return Err("a polygon without a valid \"coordinates\" array".into()),
        _ => return Ok((Shape::Other(Value::Object(members)), Map::new())),
    };
    members.remove("type");
    members.remove("coordinates");
    Ok((shape, members))
}

fn parse_polygon(rings: &Value) -> std::result::Result<Polygon<f64>, String> {
    let rings = rings.as_array().ok_or("polygon coordinates must be an array of rings")?;
    let mut rings = rings.iter().map(parse_ring);
    let exterior = rings.next().ok_or("a polygon with no rings")??;
    let interiors = rings.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn parse_ring(ring: &Value) -> std::result::Result<LineString<f64>, String> {
    let positions = ring.as_array().ok_or("a polygon ring must be an array of positions")?;
    if positions.len() < 4 {
        return Err(format!("a polygon ring needs at least 4 positions, found {}", positions.len()));
    }
    positions
        .iter()
        .map(|position| match position.as_array().map(Vec::as_slice) {
            Some([x, y]) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => Ok(Coord { x, y }),
                _ => Err(format!("a position must hold two numbers, found {position}")),
            },
            _ => Err(format!("a position must be [x, y], found {position}")),
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn polygon_coordinates(polygon: &Polygon<f64>) -> Vec<Vec<[Value; 2]>> {
    std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .map(|ring| ring.0.iter().map(|c| [number(c.x), number(c.y)]).collect())
        .collect()
}

/// A coordinate as QuPath writes it: whole numbers without a fraction.
fn number(value: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact in f64
    if value.fract() == 0.0 && value.abs() < EXACT {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Document> {
        Document::parse(text, Path::new("test.geojson"))
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let text = "\u{feff}{\"type\": \"FeatureCollection\", \"features\": []}";
        let document = Document::parse(text, Path::new("bom.geojson")).unwrap();
        assert!(document.objects.is_empty());
    }

    #[test]
    fn bare_arrays_single_features_holes_and_multipolygons_read_back() {
        let text = r#"[
          {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [
              [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[2, 2], [4, 2], [4, 4], [2, 2]]]},
           "properties": {"objectType": "detection", "measurements": {"Area": 3.5}, "extra": [1, 2]}},
          {"type": "Feature", "id": 7, "geometry": {"type": "MultiPolygon", "coordinates": [
              [[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6.25, 5], [6, 6], [5, 5]]]]},
           "properties": {"objectType": "cell", "isLocked": false}, "nucleusGeometry": {"type": "Point", "coordinates": [1, 1]}},
          {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "properties": {}}
        ]"#;
        let document = parse(text).unwrap();
        assert_eq!(document.layout, Layout::Array);
        assert_eq!(document.skipped(), 1);
        let Shape::Polygon(first) = &document.objects[0].shape else { panic!("not a polygon") };
        assert_eq!(first.interiors().len(), 1);
        assert_eq!(document.objects[1].object_type, Some(ObjectType::Cell));
        assert_eq!(document.objects[1].id_text().as_deref(), Some("7"));
        assert_eq!(document.objects[1].polygon().unwrap().0.len(), 2);
        assert_eq!(document.to_value(), serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn malformed_input_names_the_file_the_feature_and_the_problem() {
        let bad_json = parse("{\"type\": ").unwrap_err().to_string();
        assert!(bad_json.contains("test.geojson") && bad_json.contains("not valid JSON"), "{bad_json}");
        let not_geojson = parse("42").unwrap_err().to_string();
        assert!(not_geojson.contains("found a number"), "{not_geojson}");
        let short_ring = parse(
            r#"[{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}}]"#,
        )
        .unwrap_err()
        .to_string();
        assert!(short_ring.contains("feature 0") && short_ring.contains("at least 4 positions"), "{short_ring}");
        let bad_position = parse(r#"{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, "a"], [1, 1], [1, 0], [0, 0]]]}}"#)
            .unwrap_err()
            .to_string();
        assert!(bad_position.contains("two numbers"), "{bad_position}");
    }

    #[test]
    fn classification_colour_and_unknown_members_are_kept() {
        let text = r#"{"type": "FeatureCollection", "bbox": [0, 0, 1, 1], "features": [{"type": "Feature", "id": "u",
            "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
            "properties": {"classification": {"name": "Stroma", "color": [1, 2, 3], "colorRGB": -1}, "name": 5}}]}"#;
        let document = parse(text).unwrap();
        let object = &document.objects[0];
        let class = object.classification.as_ref().unwrap();
        assert_eq!((class.name.as_str(), class.color), ("Stroma", Some([1, 2, 3])));
        assert_eq!(object.name, None, "a non-string name stays an unknown property");
        assert_eq!(document.to_value(), serde_json::from_str::<Value>(text).unwrap());
    }
}
