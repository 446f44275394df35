//! Helping the user improve a model: which applied tiles to look at next.
//!
//! [`rank`] scores a model's tiles by how unsure it is or by how far it disagrees with the
//! user's annotations; [`spread`] picks the top ones spread out over the slides; [`review_objects`]
//! turns them into unclassified annotations the user steps through and classifies (a classified
//! one is then a training annotation like any other).

pub mod rank;
pub mod spread;
pub mod tables;

use serde_json::{json, Value};

use crate::geometry::{Document, Layout, ObjectType, PathObject};
pub use rank::{candidates, Ranking};
pub use spread::{spread_top, Candidate};
pub use tables::{pick_tables, Pick, TileTable};

/// The measurement each review object carries: the score it was picked by.
pub const SCORE: &str = "Tessera: review score";

/// One image's applied tiles (a document `apply` wrote), with the user's annotations where
/// ranking by loss; `source` names the tiles' file in errors.
pub struct Applied<'a> {
    /// The tiles and their measurements.
    pub tiles: &'a Document,
    /// The user's classified annotations of the same image.
    pub annotations: Option<&'a Document>,
    /// Where the tiles came from.
    pub source: &'a std::path::Path,
}

/// The review annotations for each image: the `count` tiles to look at first across all the
/// images, ranked by `ranking` and spread out ([`spread_top`]).
pub fn pick(images: &[Applied], ranking: Ranking, count: usize) -> crate::Result<Vec<Document>> {
    let picked = pick_indices(images, ranking, count)?;
    Ok(images.iter().zip(&picked).map(|(applied, picked)| review_objects(applied.tiles, picked)).collect())
}

/// For each image, the tiles [`pick`] picks there: indices into its `tiles.objects` with their
/// scores, in pick order.
pub fn pick_indices(images: &[Applied], ranking: Ranking, count: usize) -> crate::Result<Vec<Vec<(usize, f64)>>> {
    let mut all = Vec::new();
    for (image, applied) in images.iter().enumerate() {
        all.extend(candidates(image, applied.tiles, ranking, applied.annotations, applied.source)?);
    }
    let (places, objects): (Vec<Candidate>, Vec<usize>) = all.into_iter().unzip();
    let mut per_image: Vec<Vec<(usize, f64)>> = vec![Vec::new(); images.len()];
    for i in spread_top(&places, count) {
        per_image[places[i].image].push((objects[i], places[i].score));
    }
    Ok(per_image)
}

/// The name of the `n`-th (from 0) review object of an image, its tile predicted as `predicted`.
pub fn review_name(n: usize, predicted: &str) -> String {
    format!("Tessera review {}: {predicted}?", n + 1)
}

/// One review annotation per picked tile, in pick order: the tile's outline, unclassified (the
/// user gives it its class), named `Tessera review <n>: <predicted class>?` with the score.
/// `picked` holds indices into `tiles.objects`.
pub fn review_objects(tiles: &Document, picked: &[(usize, f64)]) -> Document {
    let objects = picked
        .iter()
        .enumerate()
        .map(|(n, &(index, score))| {
            let tile = &tiles.objects[index];
            let predicted = tile.classification.as_ref().map_or("unclassified", |c| c.name.as_str());
            let mut object = PathObject::new(tile.shape.clone());
            object.object_type = Some(ObjectType::Annotation);
            object.name = Some(review_name(n, predicted));
            object.measurements = Some(json!({ SCORE: score }));
            object.other_properties.insert("tesseraPrediction".into(), Value::from(predicted));
            object
        })
        .collect();
    Document { objects, layout: Layout::FeatureCollection(serde_json::Map::new()) }
}
