//! What deserves a look among a model's applied tiles: where it is unsure, or where it disagrees
//! with the class the user annotated (label-noise suspects).

use geo::{BoundingRect, Contains, MultiPolygon, Point};

use super::spread::Candidate;
use crate::geometry::{Document, PathObject, Shape};
use crate::infer::objects::probability_name;
use crate::infer::uncertainty;
use crate::{Result, TesseraError};

/// How tiles are ranked for review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ranking {
    /// By the entropy of the prediction: where the model hesitates.
    Uncertainty,
    /// By the loss against the class of the annotation holding the tile (−ln of the
    /// probability the model gives that class): where the model and the user disagree.
    Loss,
}

/// The candidates among `tiles` (the objects `apply` wrote for image `image`), each with the
/// index of its object: every tile for [`Ranking::Uncertainty`]; for [`Ranking::Loss`], the
/// tiles whose centre lies in a classified polygon of `annotations`, of a class the model has.
/// `source` names the tiles' file in errors.
pub fn candidates(
    image: usize,
    tiles: &Document,
    ranking: Ranking,
    annotations: Option<&Document>,
    source: &std::path::Path,
) -> Result<Vec<(Candidate, usize)>> {
    let regions: Vec<(String, MultiPolygon<f64>)> = annotations
        .map(|document| {
            document
                .objects
                .iter()
                .filter_map(|o| Some((o.classification.as_ref()?.name.clone(), multipolygon(o)?)))
                .collect()
        })
        .unwrap_or_default();
    if ranking == Ranking::Loss && regions.is_empty() {
        return Err(TesseraError::invalid(format!(
            "{}: ranking by loss needs classified annotations to compare the predictions with, and there are none",
            source.display()
        )));
    }
    let mut found = Vec::new();
    for (index, object) in tiles.objects.iter().enumerate() {
        let (Some(bounds), Some(measurements)) =
            (multipolygon(object).and_then(|m| m.bounding_rect()), object.measurements.as_ref())
        else {
            continue;
        };
        let centre = bounds.center();
        let measure = |name: &str| measurements.get(name).and_then(serde_json::Value::as_f64);
        let score = match ranking {
            Ranking::Uncertainty => measure(uncertainty::ENTROPY).ok_or_else(|| {
                TesseraError::invalid(format!(
                    "{}: tile {index} has no {:?} measurement; apply the model again with this version of Tessera",
                    source.display(),
                    uncertainty::ENTROPY
                ))
            })?,
            Ranking::Loss => {
                let point = Point::from(centre);
                let Some((class, _)) = regions.iter().find(|(_, region)| region.contains(&point)) else { continue };
                let Some(p) = measure(&probability_name(class)) else { continue };
                -(p.max(1e-12)).ln()
            }
        };
        let side = bounds.width().max(bounds.height());
        found.push((Candidate { image, x: centre.x, y: centre.y, side, score }, index));
    }
    Ok(found)
}

/// An object's polygons, if it has any.
fn multipolygon(object: &PathObject) -> Option<MultiPolygon<f64>> {
    match &object.shape {
        Shape::Polygon(polygon) => Some(MultiPolygon::new(vec![polygon.clone()])),
        Shape::MultiPolygon(polygons) => Some(polygons.clone()),
        Shape::Other(_) => None,
    }
}
