//! Choosing the polygons to tile from a QuPath GeoJSON document.

use std::path::{Path, PathBuf};

use geo::{Area, BooleanOps, BoundingRect, Intersects, MultiPolygon};

use crate::geometry::validity::{make_valid, Repair};
use crate::geometry::Document;
use crate::{Result, TesseraError};

/// A valid polygon with its class and the group its tiles belong to.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledRegion {
    /// The polygon, valid, in level-0 pixels.
    pub polygon: MultiPolygon<f64>,
    /// The class name.
    pub label: String,
    /// The source polygon's id (its QuPath UUID, else `file#index`): tiles of one polygon
    /// share it, so that splits by it never leak a polygon across train and test.
    pub id: String,
}

/// The regions chosen from one annotation file, and what was left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// The annotation file.
    pub source: PathBuf,
    /// The regions to tile, in file order.
    pub regions: Vec<LabelledRegion>,
    /// Objects without a polygon (points, lines).
    pub not_polygons: usize,
    /// Unclassified polygons.
    pub unclassified: usize,
    /// Polygons of a class named `Ignore…`.
    pub ignored: usize,
    /// Polygons of a class not asked for.
    pub excluded: usize,
    /// Polygons that were self-intersecting and were repaired.
    pub repaired: usize,
    /// Polygons of different classes that overlap: a tile there goes to the class covering more
    /// of it, which the user should know about.
    pub overlaps: Vec<Overlap>,
}

/// Two polygons of different classes that overlap.
#[derive(Clone, Debug, PartialEq)]
pub struct Overlap {
    /// The two polygons' classes.
    pub classes: (String, String),
    /// The two polygons' ids.
    pub ids: (String, String),
    /// The area they share, in level-0 pixels².
    pub area: f64,
}

impl std::fmt::Display for Overlap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a {} polygon ({}) and a {} polygon ({}) overlap over {:.0} px²; tiles there go to the class covering more of each",
            self.classes.0, self.ids.0, self.classes.1, self.ids.1, self.area
        )
    }
}

/// The overlaps between polygons of different classes among `regions` (bounding boxes first, so
/// only polygons that may meet are intersected).
fn overlaps(regions: &[LabelledRegion]) -> Vec<Overlap> {
    let bounds: Vec<_> = regions.iter().map(|region| region.polygon.bounding_rect()).collect();
    let mut found = Vec::new();
    for (i, a) in regions.iter().enumerate() {
        for (j, b) in regions.iter().enumerate().skip(i + 1) {
            let meet = match (bounds[i], bounds[j]) {
                (Some(p), Some(q)) => p.intersects(&q),
                _ => false,
            };
            if a.label == b.label || !meet {
                continue;
            }
            let area = a.polygon.intersection(&b.polygon).unsigned_area();
            if area > 0.0 {
                let classes = (a.label.clone(), b.label.clone());
                found.push(Overlap { classes, ids: (a.id.clone(), b.id.clone()), area });
            }
        }
    }
    found
}

/// Whether a class is one QuPath users mark as "leave out" (`Ignore*`).
pub fn is_ignored_class(name: &str) -> bool {
    name.starts_with("Ignore")
}

/// Picks the classified polygons of `document` (read from `source`) whose class is in `classes`
/// (all when `None`), skipping `Ignore*` classes, and makes them valid.
///
/// Fails, naming the file and counting what was skipped, when no polygon is left; fails on a
/// polygon that cannot be repaired.
pub fn select_regions(document: &Document, source: &Path, classes: Option<&[String]>) -> Result<Selection> {
    let mut selection = Selection { source: source.to_path_buf(), ..Selection::default() };
    let stem =
        source.file_name().map_or_else(|| source.display().to_string(), |name| name.to_string_lossy().into_owned());
    for (index, object) in document.objects.iter().enumerate() {
        let Some(polygon) = object.polygon() else {
            selection.not_polygons += 1;
            continue;
        };
        let Some(label) = object.class_name() else {
            selection.unclassified += 1;
            continue;
        };
        if is_ignored_class(label) {
            selection.ignored += 1;
            continue;
        }
        if classes.is_some_and(|classes| !classes.iter().any(|class| class == label)) {
            selection.excluded += 1;
            continue;
        }
        let id = object.id_text().unwrap_or_else(|| format!("{stem}#{index}"));
        let what = format!("{}: feature {index} (id {id}, class {label})", source.display());
        let polygon = match make_valid(&polygon, &what)? {
            Repair::Unchanged(polygon) => polygon,
            Repair::Repaired(polygon) => {
                selection.repaired += 1;
                polygon
            }
        };
        selection.regions.push(LabelledRegion { polygon, label: label.to_string(), id });
    }
    selection.overlaps = overlaps(&selection.regions);
    if selection.regions.is_empty() {
        return Err(TesseraError::invalid(format!(
            "{}: no usable polygons among {} objects ({} without a polygon, {} unclassified, {} of an Ignore* class, \
             {} of a class not asked for)",
            source.display(),
            document.objects.len(),
            selection.not_polygons,
            selection.unclassified,
            selection.ignored,
            selection.excluded
        )));
    }
    Ok(selection)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECTS: &str = r#"[
      {"type": "Feature", "id": "a", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 0]]]},
       "properties": {"classification": {"name": "Tumor"}}},
      {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [0, 10], [10, 0], [10, 10], [0, 0]]]},
       "properties": {"classification": {"name": "Stroma"}}},
      {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 0]]]},
       "properties": {"classification": {"name": "Ignore*"}}},
      {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 0]]]},
       "properties": {}},
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 1]}, "properties": {"classification": {"name": "Tumor"}}}
    ]"#;

    fn document() -> Document {
        Document::parse(OBJECTS, Path::new("objects.geojson")).unwrap()
    }

    #[test]
    fn classified_polygons_are_kept_and_the_rest_counted() {
        let selection = select_regions(&document(), Path::new("objects.geojson"), None).unwrap();
        let labels: Vec<_> = selection.regions.iter().map(|r| (r.label.as_str(), r.id.as_str())).collect();
        assert_eq!(labels, [("Tumor", "a"), ("Stroma", "objects.geojson#1")]);
        assert_eq!(
            (selection.not_polygons, selection.unclassified, selection.ignored, selection.repaired),
            (1, 1, 1, 1)
        );
    }

    #[test]
    fn polygons_of_different_classes_that_overlap_are_reported_and_neighbours_are_not() {
        let objects = r#"[
          {"type": "Feature", "id": "t", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]},
           "properties": {"classification": {"name": "Tumor"}}},
          {"type": "Feature", "id": "s", "geometry": {"type": "Polygon", "coordinates": [[[5, 5], [20, 5], [20, 20], [5, 20], [5, 5]]]},
           "properties": {"classification": {"name": "Stroma"}}},
          {"type": "Feature", "id": "n", "geometry": {"type": "Polygon", "coordinates": [[[10, 0], [20, 0], [20, 5], [10, 5], [10, 0]]]},
           "properties": {"classification": {"name": "Necrosis"}}},
          {"type": "Feature", "id": "t2", "geometry": {"type": "Polygon", "coordinates": [[[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]]},
           "properties": {"classification": {"name": "Tumor"}}}
        ]"#;
        let document = Document::parse(objects, Path::new("o.geojson")).unwrap();
        let selection = select_regions(&document, Path::new("o.geojson"), None).unwrap();
        let overlap = Overlap { classes: ("Tumor".into(), "Stroma".into()), ids: ("t".into(), "s".into()), area: 25.0 };
        assert_eq!(selection.overlaps, [overlap], "touching (Necrosis) and same-class (t2) polygons are no overlap");
        assert!(selection.overlaps[0]
            .to_string()
            .starts_with("a Tumor polygon (t) and a Stroma polygon (s) overlap over 25 px²"));
    }

    #[test]
    fn nothing_left_is_an_error_naming_the_file() {
        let classes = ["Necrosis".to_string()];
        let message =
            select_regions(&document(), Path::new("objects.geojson"), Some(&classes)).unwrap_err().to_string();
        assert!(
            message.contains("objects.geojson: no usable polygons") && message.contains("2 of a class not asked for"),
            "{message}"
        );
    }
}
