//! The review pick over plain arrays: how a host holding the applied tiles as objects of its own
//! (the QuPath extension) hands them over. The tiles become the objects `apply` writes, so they
//! are ranked and spread exactly as `tessera review` ranks and spreads them.

use geo::{MultiPolygon, Rect};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{pick_indices, review_name, Applied, Ranking};
use crate::geometry::{Classification, Document, Layout, ObjectType, PathObject, Shape};
use crate::infer::objects::probability_name;
use crate::infer::uncertainty;
use crate::{Result, TesseraError};

/// One image's applied tiles and the user's classified annotations, as plain arrays. Values
/// per class follow the `classes` given to [`pick_tables`].
pub struct TileTable<'a> {
    /// The image's name (errors name it).
    pub image: &'a str,
    /// Each tile's bounding box, four values per tile: x, y, width, height (level-0 pixels).
    pub boxes: &'a [f64],
    /// Each tile's normalised entropy ([`uncertainty::ENTROPY`]), NaN where it has none.
    pub entropy: &'a [f64],
    /// Each tile's predicted class (an index into the classes), −1 where it has none.
    pub predicted: &'a [i32],
    /// Each tile's probability of each class, one value per class per tile, NaN where it has none.
    pub probabilities: &'a [f64],
    /// The user's classified annotations of the image: class name and polygons.
    pub annotations: Vec<(String, MultiPolygon<f64>)>,
}

/// One tile picked for review.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pick {
    /// The image it lies in (an index into the tables).
    pub image: usize,
    /// The tile (an index into its table's tiles).
    pub tile: usize,
    /// The score it was picked by (entropy, or loss against the annotated class).
    pub score: f64,
    /// The review object's name, as [`super::review_objects`] names it.
    pub name: String,
}

/// The `count` tiles to review first across the images, ranked by `ranking` and spread out as
/// [`super::pick`] picks them; each image's picks in pick order, the images in the given order.
///
/// ```
/// use tessera_core::review::{pick_tables, Ranking, TileTable};
/// let classes = ["Tumor".to_string(), "Stroma".to_string()];
/// let table = TileTable {
///     image: "slide",
///     boxes: &[0.0, 0.0, 64.0, 64.0, 640.0, 0.0, 64.0, 64.0],
///     entropy: &[0.1, 0.9],
///     predicted: &[0, 1],
///     probabilities: &[0.9, 0.1, 0.4, 0.6],
///     annotations: Vec::new(),
/// };
/// let picks = pick_tables(&[table], &classes, Ranking::Uncertainty, 1).unwrap();
/// assert_eq!((picks[0].tile, picks[0].name.as_str()), (1, "Tessera review 1: Stroma?"));
/// ```
pub fn pick_tables(images: &[TileTable], classes: &[String], ranking: Ranking, count: usize) -> Result<Vec<Pick>> {
    let documents = images
        .iter()
        .map(|table| Ok((tiles(table, classes)?, annotations(&table.annotations))))
        .collect::<Result<Vec<_>>>()?;
    let sources: Vec<&std::path::Path> = images.iter().map(|t| std::path::Path::new(t.image)).collect();
    let applied: Vec<Applied> = documents
        .iter()
        .zip(&sources)
        .map(|((tiles, annotations), source)| Applied { tiles, annotations: Some(annotations), source })
        .collect();
    let mut picks = Vec::new();
    for (image, picked) in pick_indices(&applied, ranking, count)?.into_iter().enumerate() {
        for (n, (tile, score)) in picked.into_iter().enumerate() {
            let predicted = documents[image].0.objects[tile].class_name().unwrap_or("unclassified");
            picks.push(Pick { image, tile, score, name: review_name(n, predicted) });
        }
    }
    Ok(picks)
}

/// The table's tiles as the objects `apply` writes: each box a tile classified by its
/// prediction, with its entropy and class probabilities as measurements.
fn tiles(table: &TileTable, classes: &[String]) -> Result<Document> {
    let n = table.entropy.len();
    let k = classes.len();
    if table.boxes.len() != 4 * n || table.predicted.len() != n || table.probabilities.len() != n * k {
        return Err(TesseraError::invalid(format!(
            "{}: {} tiles' entropies, but {} box values (4 per tile), {} predicted classes and {} probabilities ({k} per tile)",
            table.image,
            n,
            table.boxes.len(),
            table.predicted.len(),
            table.probabilities.len()
        )));
    }
    let mut objects = Vec::with_capacity(n);
    for tile in 0..n {
        let b = &table.boxes[4 * tile..4 * tile + 4];
        if !b.iter().all(|v| v.is_finite()) || b[2] <= 0.0 || b[3] <= 0.0 {
            return Err(TesseraError::invalid(format!("{}: tile {tile} has no area: box {b:?}", table.image)));
        }
        let rect = Rect::new((b[0], b[1]), (b[0] + b[2], b[1] + b[3]));
        let mut object = PathObject::new(Shape::Polygon(rect.to_polygon()));
        object.object_type = Some(ObjectType::Tile);
        let predicted = table.predicted[tile];
        if predicted >= 0 {
            let name = usize::try_from(predicted).ok().and_then(|c| classes.get(c)).ok_or_else(|| {
                TesseraError::invalid(format!(
                    "{}: tile {tile} is predicted as class {predicted}, but there are {k} classes",
                    table.image
                ))
            })?;
            object.classification = Some(class(name));
        }
        let mut measurements = Map::new();
        let mut put = |name: String, value: f64| {
            if value.is_finite() {
                measurements.insert(name, Value::from(value));
            }
        };
        put(uncertainty::ENTROPY.to_string(), table.entropy[tile]);
        for (c, class) in classes.iter().enumerate() {
            put(probability_name(class), table.probabilities[tile * k + c]);
        }
        object.measurements = Some(Value::Object(measurements));
        objects.push(object);
    }
    Ok(Document { objects, layout: Layout::Array })
}

/// The user's annotations as classified annotation objects.
fn annotations(regions: &[(String, MultiPolygon<f64>)]) -> Document {
    let objects = regions
        .iter()
        .map(|(name, polygons)| {
            let mut object = PathObject::new(Shape::MultiPolygon(polygons.clone()));
            object.object_type = Some(ObjectType::Annotation);
            object.classification = Some(class(name));
            object
        })
        .collect();
    Document { objects, layout: Layout::Array }
}

/// A classification by name alone.
fn class(name: &str) -> Classification {
    Classification { name: name.to_string(), color: None, other: Map::new() }
}

#[cfg(test)]
mod tests {
    use geo::polygon;

    use super::*;

    fn classes() -> Vec<String> {
        vec!["Tumor".into(), "Stroma".into()]
    }

    #[test]
    fn loss_ranks_the_tiles_inside_annotations_by_disagreement_across_images() {
        let square = |x0: f64, x1: f64| {
            MultiPolygon::new(vec![polygon![(x: x0, y: 0.0), (x: x1, y: 0.0), (x: x1, y: 100.0), (x: x0, y: 100.0)]])
        };
        // Image 0: two tiles in a Tumor annotation, one far away outside it.
        let first = TileTable {
            image: "a",
            boxes: &[0.0, 0.0, 10.0, 10.0, 50.0, 50.0, 10.0, 10.0, 500.0, 500.0, 10.0, 10.0],
            entropy: &[0.2, 0.5, 1.0],
            predicted: &[0, 1, 1],
            probabilities: &[0.9, 0.1, 0.2, 0.8, 0.5, 0.5],
            annotations: vec![("Tumor".into(), square(0.0, 100.0))],
        };
        // Image 1: one tile in a Stroma annotation, the model fairly sure it is Tumor.
        let second = TileTable {
            image: "b",
            boxes: &[0.0, 0.0, 10.0, 10.0],
            entropy: &[0.7],
            predicted: &[0],
            probabilities: &[0.7, 0.3],
            annotations: vec![("Stroma".into(), square(0.0, 100.0))],
        };
        let picks = pick_tables(&[first, second], &classes(), Ranking::Loss, 5).unwrap();
        let found: Vec<(usize, usize)> = picks.iter().map(|p| (p.image, p.tile)).collect();
        assert_eq!(found, vec![(0, 1), (0, 0), (1, 0)], "the tile outside every annotation is no candidate");
        assert!((picks[0].score + 0.2f64.ln()).abs() < 1e-9, "the loss is −ln p(annotated class): {picks:?}");
        assert_eq!(picks[0].name, "Tessera review 1: Stroma?");
        assert_eq!(picks[2].name, "Tessera review 1: Tumor?", "each image numbers its own picks");
    }

    #[test]
    fn bad_tables_are_refused_naming_the_image() {
        let table = |boxes, entropy, predicted| TileTable {
            image: "slide 3",
            boxes,
            entropy,
            predicted,
            probabilities: &[0.5, 0.5],
            annotations: Vec::new(),
        };
        let error = |t| pick_tables(&[t], &classes(), Ranking::Uncertainty, 1).unwrap_err().to_string();
        assert!(error(table(&[0.0, 0.0, 10.0], &[0.1], &[0])).contains("slide 3: 1 tiles' entropies, but 3 box values"));
        assert!(error(table(&[0.0, 0.0, 0.0, 10.0], &[0.1], &[0])).contains("slide 3: tile 0 has no area"));
        assert!(error(table(&[0.0, 0.0, 10.0, 10.0], &[0.1], &[2])).contains("predicted as class 2, but there are 2"));
        let missing = error(table(&[0.0, 0.0, 10.0, 10.0], &[f64::NAN], &[0]));
        assert!(missing.contains("slide 3: tile 0 has no"), "{missing}");
        let loss = pick_tables(&[table(&[0.0, 0.0, 10.0, 10.0], &[0.1], &[0])], &classes(), Ranking::Loss, 1);
        assert!(loss.unwrap_err().to_string().contains("slide 3: ranking by loss needs classified annotations"));
    }
}
