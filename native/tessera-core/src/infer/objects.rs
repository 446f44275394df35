//! Predictions as QuPath objects: classified tiles with probability measurements, merged class
//! regions, and traced segmentation polygons.

use geo::{AffineOps, AffineTransform, BooleanOps, BoundingRect, Coord, MultiPolygon, Polygon, Rect};
use serde_json::{Map, Value};

use super::cells::Cells;
use super::contour::{trace, Tracing};
use super::labels::LabelMap;
use super::uncertainty;
use crate::geometry::{Classification, ObjectType, PathObject, Shape};
use crate::model::ClassInfo;
use crate::tiling::TilePlan;

/// The measurement name of a class probability.
pub fn probability_name(class: &str) -> String {
    format!("Tessera: {class} probability")
}

/// One object per tile of `plan`, classified by its most probable class, with every class's
/// probability and the prediction's uncertainty ([`uncertainty`]) as measurements;
/// `probabilities` holds `classes.len()` values per tile.
pub fn tile_objects(
    plan: &TilePlan,
    probabilities: &[f32],
    classes: &[ClassInfo],
    object_type: &ObjectType,
) -> Vec<PathObject> {
    plan.tiles
        .iter()
        .zip(probabilities.chunks_exact(classes.len()))
        .map(|(tile, p)| {
            let rect = Rect::new(
                Coord { x: tile.x as f64, y: tile.y as f64 },
                Coord { x: (tile.x + tile.w as i64) as f64, y: (tile.y + tile.h as i64) as f64 },
            );
            let mut measurements: Map<String, Value> =
                classes.iter().zip(p).map(|(c, &v)| (probability_name(&c.name), Value::from(f64::from(v)))).collect();
            measurements.insert(uncertainty::ENTROPY.into(), Value::from(uncertainty::entropy(p)));
            measurements.insert(uncertainty::MARGIN.into(), Value::from(uncertainty::margin(p)));
            let mut object = classified(Shape::Polygon(rect.to_polygon()), &classes[argmax(p)], object_type.clone());
            object.measurements = Some(Value::Object(measurements));
            object
        })
        .collect()
}

/// `objects` with every polygon cut at the edges of a slide of level-0 `width × height`: tiles at
/// the right and bottom edges reach past the slide, their objects must not.
pub fn clip_to_slide(objects: &mut [PathObject], (width, height): (u64, u64)) {
    let slide = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: width as f64, y: height as f64 });
    let inside = |bounds: Option<Rect<f64>>| {
        bounds.is_none_or(|b| {
            b.min().x >= 0.0 && b.min().y >= 0.0 && b.max().x <= slide.max().x && b.max().y <= slide.max().y
        })
    };
    for object in objects {
        let clipped = match &object.shape {
            Shape::Polygon(polygon) if !inside(polygon.bounding_rect()) => {
                MultiPolygon::new(vec![polygon.clone()]).intersection(&slide.to_polygon())
            }
            Shape::MultiPolygon(polygons) if !inside(polygons.bounding_rect()) => {
                polygons.intersection(&slide.to_polygon())
            }
            _ => continue,
        };
        let mut parts = clipped.0;
        object.shape = if parts.len() == 1 {
            Shape::Polygon(parts.remove(0))
        } else {
            Shape::MultiPolygon(MultiPolygon::new(parts))
        };
    }
}

/// One annotation per class: the union of the cells of the tiles classified as that class.
pub fn merged_objects(cells: &Cells, probabilities: &[f32], classes: &[ClassInfo]) -> Vec<PathObject> {
    let owners = cells.owners();
    let label: Vec<Option<usize>> =
        owners.iter().map(|o| o.map(|tile| argmax(&probabilities[tile * classes.len()..][..classes.len()]))).collect();
    let exact = Tracing::EXACT;
    classes
        .iter()
        .enumerate()
        .filter_map(|(index, class)| {
            let polygons = trace(cells.columns, cells.rows, |x, y| label[y * cells.columns + x] == Some(index), exact);
            let polygons = place(polygons, cells.origin, cells.side);
            (!polygons.is_empty())
                .then(|| classified(Shape::MultiPolygon(MultiPolygon::new(polygons)), class, ObjectType::Annotation))
        })
        .collect()
}

/// One object per connected region of each class of a segmentation's label map (placed at
/// `origin`, `scale` level-0 pixels per map pixel), except classes named `Background` (any
/// case); `tracing` is in map pixels.
pub fn segmentation_objects(
    labels: &LabelMap,
    (origin, scale): ((f64, f64), f64),
    classes: &[ClassInfo],
    tracing: Tracing,
    object_type: &ObjectType,
) -> Vec<PathObject> {
    let (width, height) = labels.size();
    let mut objects = Vec::new();
    for (index, class) in classes.iter().enumerate() {
        if class.name.eq_ignore_ascii_case("background") {
            continue;
        }
        let polygons = trace(width, height, |x, y| labels.get(x, y) == Some(index as u16), tracing);
        objects.extend(
            place(polygons, origin, scale)
                .into_iter()
                .map(|p| classified(Shape::Polygon(p), class, object_type.clone())),
        );
    }
    objects
}

/// Grid polygons to level-0 coordinates: grid point (x, y) is at `origin + scale × (x, y)`.
fn place(polygons: Vec<Polygon<f64>>, origin: (f64, f64), scale: f64) -> Vec<Polygon<f64>> {
    let transform = AffineTransform::new(scale, 0.0, origin.0, 0.0, scale, origin.1);
    polygons.into_iter().map(|p| p.affine_transform(&transform)).collect()
}

fn classified(shape: Shape, class: &ClassInfo, object_type: ObjectType) -> PathObject {
    PathObject {
        object_type: Some(object_type),
        classification: Some(Classification { name: class.name.clone(), color: Some(class.color), other: Map::new() }),
        ..PathObject::new(shape)
    }
}

/// The index of the largest value (the first on a tie).
pub fn argmax(values: &[f32]) -> usize {
    values.iter().enumerate().fold(0, |best, (i, &v)| if v > values[best] { i } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    #[test]
    fn objects_past_the_slide_are_cut_at_its_edges_and_others_kept() {
        let square = |x0: f64, y0: f64, side: f64| {
            Rect::new(Coord { x: x0, y: y0 }, Coord { x: x0 + side, y: y0 + side }).to_polygon()
        };
        let two = MultiPolygon::new(vec![square(0.0, 0.0, 10.0), square(90.0, 40.0, 20.0)]);
        let mut objects = vec![
            PathObject::new(Shape::Polygon(square(90.0, 0.0, 20.0))),
            PathObject::new(Shape::Polygon(square(10.0, 10.0, 20.0))),
            PathObject::new(Shape::MultiPolygon(two)),
        ];
        let inside = objects[1].clone();
        clip_to_slide(&mut objects, (100, 50));
        let Shape::Polygon(edge) = &objects[0].shape else { panic!("a polygon: {:?}", objects[0].shape) };
        assert_eq!(edge.bounding_rect().unwrap().max(), Coord { x: 100.0, y: 20.0 });
        assert_eq!(objects[1], inside, "inside the slide: untouched");
        let Shape::MultiPolygon(parts) = &objects[2].shape else { panic!("still two parts") };
        assert_eq!(parts.unsigned_area(), 100.0 + 10.0 * 10.0);
    }
}
