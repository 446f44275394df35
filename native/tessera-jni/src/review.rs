//! Natives serving `ReviewPicker.java`: the applied tiles to review next, picked by the core
//! (`tessera_core::review::pick_tables`) from the tiles and annotations QuPath holds.

use jni::objects::{JByteArray, JClass, JDoubleArray, JIntArray, JObjectArray, JString};
use jni::sys::jint;
use jni::{Env, NativeMethod};
use tessera_core::geometry::wkb;
use tessera_core::review::{pick_tables, Ranking, TileTable};
use tessera_core::TesseraError;

use crate::convert::{ints, strings, values};
use crate::error::{BridgeResult, ThrowTessera};

pub(crate) const METHODS: &[NativeMethod] = &[crate::bridge_method! {
    static fn review_pick(
        ranking: JString,
        count: jint,
        classes: JString[],
        images: JString[],
        tiles: jint[],
        boxes: jdouble[],
        entropy: jdouble[],
        predicted: jint[],
        probabilities: jdouble[],
        annotations: jint[],
        geometries: jbyte[][],
        annotation_classes: JString[],
    ) -> JString
}];

/// Picks the `count` tiles to review across the images, ranked by `ranking` (`uncertainty` or
/// `loss`). The images' arrays are concatenated: image `i` has `tiles[i]` tiles (4 `boxes`
/// values, an `entropy`, a `predicted` class index and one `probabilities` value per class each)
/// and `annotations[i]` classified annotations (WKB `geometries` with their `annotation_classes`).
/// Returns the picks as JSON: `[{"image", "tile", "score", "name"}]`, tiles indexed within their
/// image.
#[allow(clippy::too_many_arguments)] // One per Java parameter.
fn review_pick<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    ranking: JString<'local>,
    count: jint,
    classes: JObjectArray<'local, JString<'local>>,
    images: JObjectArray<'local, JString<'local>>,
    tiles: JIntArray<'local>,
    boxes: JDoubleArray<'local>,
    entropy: JDoubleArray<'local>,
    predicted: JIntArray<'local>,
    probabilities: JDoubleArray<'local>,
    annotations: JIntArray<'local>,
    geometries: JObjectArray<'local, JByteArray<'local>>,
    annotation_classes: JObjectArray<'local, JString<'local>>,
) -> BridgeResult<JString<'local>> {
    let ranking = match ranking.try_to_string(env)?.as_str() {
        "uncertainty" => Ranking::Uncertainty,
        "loss" => Ranking::Loss,
        other => {
            return Err(TesseraError::invalid(format!("ranking {other:?}: expected \"uncertainty\" or \"loss\"")).into())
        }
    };
    let count = usize::try_from(count).ok().filter(|&n| n > 0).ok_or_else(|| {
        TesseraError::invalid(format!("count {count}: the number of tiles to review must be positive"))
    })?;
    let classes = strings(env, &classes)?;
    let images = strings(env, &images)?;
    let tiles = sizes(ints(env, &tiles)?, images.len(), "tiles")?;
    let annotations = sizes(ints(env, &annotations)?, images.len(), "annotations")?;
    let (boxes, entropy, predicted) = (values(env, &boxes)?, values(env, &entropy)?, values(env, &predicted)?);
    let probabilities = values(env, &probabilities)?;
    let geometry_classes = strings(env, &annotation_classes)?;
    let total_tiles: usize = tiles.iter().sum();
    let total_annotations: usize = annotations.iter().sum();
    let k = classes.len();
    if entropy.len() != total_tiles
        || boxes.len() != 4 * total_tiles
        || predicted.len() != total_tiles
        || probabilities.len() != k * total_tiles
        || geometries.len(env)? != total_annotations
        || geometry_classes.len() != total_annotations
    {
        return Err(TesseraError::invalid(format!(
            "review arrays: {total_tiles} tiles and {total_annotations} annotations, but {} boxes, {} entropies, \
             {} predictions, {} probabilities, {} geometries and {} annotation classes",
            boxes.len(),
            entropy.len(),
            predicted.len(),
            probabilities.len(),
            geometries.len(env)?,
            geometry_classes.len()
        ))
        .into());
    }
    let mut tables = Vec::with_capacity(images.len());
    let (mut tile, mut annotation) = (0, 0);
    for (i, image) in images.iter().enumerate() {
        let (n, m) = (tiles[i], annotations[i]);
        let mut regions = Vec::with_capacity(m);
        for (j, class) in geometry_classes[annotation..annotation + m].iter().enumerate() {
            let element = geometries.get_element(env, annotation + j)?;
            let bytes = env.convert_byte_array(element)?;
            let polygons =
                wkb::from_wkb(&bytes).map_err(|e| TesseraError::invalid(format!("{image}: annotation {j}: {e}")))?;
            regions.push((class.clone(), polygons));
        }
        tables.push(TileTable {
            image,
            boxes: &boxes[4 * tile..4 * (tile + n)],
            entropy: &entropy[tile..tile + n],
            predicted: &predicted[tile..tile + n],
            probabilities: &probabilities[k * tile..k * (tile + n)],
            annotations: regions,
        });
        (tile, annotation) = (tile + n, annotation + m);
    }
    let picks = pick_tables(&tables, &classes, ranking, count)?;
    let json = serde_json::to_string(&picks).map_err(|e| TesseraError::internal(format!("review picks: {e}")))?;
    Ok(env.new_string(json)?)
}

/// Per-image counts: one per image, none negative.
fn sizes(counts: Vec<i32>, images: usize, what: &str) -> BridgeResult<Vec<usize>> {
    if counts.len() != images {
        return Err(TesseraError::invalid(format!("{} counts of {what} for {images} images", counts.len())).into());
    }
    Ok(counts
        .into_iter()
        .map(|n| usize::try_from(n).map_err(|_| TesseraError::invalid(format!("a negative count of {what}: {n}"))))
        .collect::<Result<_, _>>()?)
}
