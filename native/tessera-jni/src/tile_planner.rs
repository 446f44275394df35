//! Natives serving `TilePlanner.java`: annotations (JTS WKB), or a whole image's tissue, to a
//! tile plan (JSON).

use std::path::Path;

use jni::objects::{JByteArray, JByteBuffer, JClass, JObjectArray, JString};
use jni::sys::{jdouble, jint, jlong};
use jni::{Env, NativeMethod};
use serde_json::{json, Map, Value};
use tessera_core::geometry::{wkb, Classification, Document, Layout, ObjectType, PathObject, Shape};
use tessera_core::infer::region::plan_tissue_mask;
use tessera_core::slide::RgbImage;
use tessera_core::tiling::tissue::TissueMask;
use tessera_core::tiling::{plan_selection, select_regions, PlannedImage, Selection};
use tessera_core::TesseraError;

use crate::convert::{dimension, direct_bytes, optional_string, tile_spec};
use crate::error::{BridgeResult, ThrowTessera};

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! {
        static fn plan_tiles(
            image: JString,
            width: jlong,
            height: jlong,
            pixel_size_microns: jdouble,
            geometries: jbyte[][],
            classes: JString[],
            ids: JString[],
            spec: JString,
        ) -> JString
    },
    crate::bridge_method! {
        static fn plan_tissue_tiles(
            image: JString,
            width: jlong,
            height: jlong,
            pixel_size_microns: jdouble,
            thumbnail: java.nio.ByteBuffer,
            thumbnail_width: jint,
            thumbnail_height: jint,
            spec: JString,
        ) -> JString
    },
];

/// The label of the tiles planned over tissue.
const TISSUE_LABEL: &str = "Tissue";

/// Plans labelled tiles inside annotations given as WKB polygons with their class names (null
/// for unclassified) and ids; `pixel_size_microns` is NaN when the image has none. Returns
/// `{"plan": TilePlan, "selection": {counts of what was left out}}`.
#[allow(clippy::too_many_arguments)] // One per Java parameter.
fn plan_tiles<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    image: JString<'local>,
    width: jlong,
    height: jlong,
    pixel_size_microns: jdouble,
    geometries: JObjectArray<'local, JByteArray<'local>>,
    classes: JObjectArray<'local, JString<'local>>,
    ids: JObjectArray<'local, JString<'local>>,
    spec: JString<'local>,
) -> BridgeResult<JString<'local>> {
    let image = image.try_to_string(env)?;
    let spec = tile_spec(env, &spec)?;
    let source = Path::new(&image);
    let selection = selection(env, &image, &geometries, &classes, &ids, spec.classes.as_deref())?;
    let dimensions = (dimension(width, "width")?, dimension(height, "height")?);
    let mpp = pixel_size_microns.is_finite().then_some(pixel_size_microns);
    let plan = plan_selection(&selection, &PlannedImage { name: &image, path: source, dimensions, mpp }, &spec)?;
    let result = json!({
        "plan": plan,
        "selection": {
            "regions": selection.regions.len(),
            "unclassified": selection.unclassified,
            "ignored": selection.ignored,
            "excluded": selection.excluded,
            "repaired": selection.repaired,
        },
        "warnings": selection.overlaps.iter().map(|overlap| format!("{image}: {overlap}")).collect::<Vec<_>>(),
    });
    Ok(env.new_string(result.to_string())?)
}

/// The classified regions (of `wanted` classes, or all) of annotations given as WKB polygons
/// with their class names (null for unclassified) and ids, as the core chooses them for tiling.
pub(crate) fn selection<'local>(
    env: &mut Env<'local>,
    image: &str,
    geometries: &JObjectArray<'local, JByteArray<'local>>,
    classes: &JObjectArray<'local, JString<'local>>,
    ids: &JObjectArray<'local, JString<'local>>,
    wanted: Option<&[String]>,
) -> BridgeResult<Selection> {
    let count = geometries.len(env)?;
    if classes.len(env)? != count || ids.len(env)? != count {
        return Err(TesseraError::invalid("geometries, classes and ids differ in length").into());
    }
    let mut objects = Vec::with_capacity(count);
    for index in 0..count {
        let element = geometries.get_element(env, index)?;
        let bytes = env.convert_byte_array(element)?;
        let polygon =
            wkb::from_wkb(&bytes).map_err(|e| TesseraError::invalid(format!("{image}: annotation {index}: {e}")))?;
        objects.push(annotation(
            Shape::MultiPolygon(polygon),
            optional_string(env, classes, index)?,
            optional_string(env, ids, index)?,
        ));
    }
    let document = Document { objects, layout: Layout::Array };
    Ok(select_regions(&document, Path::new(image), wanted)?)
}

/// Plans tiles over the whole image where its tissue lies: the tissue is detected (Otsu on
/// saturation) on `thumbnail`, packed RGB of the whole image at `thumbnail_width` ×
/// `thumbnail_height`. Returns the same shape as [`plan_tiles`].
#[allow(clippy::too_many_arguments)] // One per Java parameter.
fn plan_tissue_tiles<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    image: JString<'local>,
    width: jlong,
    height: jlong,
    pixel_size_microns: jdouble,
    thumbnail: JByteBuffer<'local>,
    thumbnail_width: jint,
    thumbnail_height: jint,
    spec: JString<'local>,
) -> BridgeResult<JString<'local>> {
    let image = image.try_to_string(env)?;
    let spec = tile_spec(env, &spec)?;
    let dimensions = (dimension(width, "width")?, dimension(height, "height")?);
    let thumb = (
        dimension(thumbnail_width.into(), "thumbnail width")?,
        dimension(thumbnail_height.into(), "thumbnail height")?,
    );
    let bytes = direct_bytes(env, &thumbnail)?;
    let length = usize::try_from(thumb.0 * thumb.1 * 3).map_err(|_| TesseraError::invalid("thumbnail too large"))?;
    let pixels = bytes.get(..length).ok_or_else(|| {
        TesseraError::invalid(format!("{} bytes cannot hold a {}×{} RGB thumbnail", bytes.len(), thumb.0, thumb.1))
    })?;
    let rgb = RgbImage::new(thumb.0 as u32, thumb.1 as u32, pixels.to_vec())?;
    let mask = TissueMask::from_image(&rgb, dimensions.0 as f64 / thumb.0 as f64);
    let mpp = pixel_size_microns.is_finite().then_some(pixel_size_microns);
    let planned = PlannedImage { name: &image, path: Path::new(&image), dimensions, mpp };
    let plan = plan_tissue_mask(&planned, &mask, &spec, TISSUE_LABEL)?;
    Ok(env.new_string(json!({ "plan": plan, "selection": no_selection() }).to_string())?)
}

/// The selection counts of a plan made over tissue: no annotation was chosen or left out.
pub(crate) fn no_selection() -> Value {
    json!({ "regions": 0, "unclassified": 0, "ignored": 0, "excluded": 0, "repaired": 0 })
}

/// A QuPath annotation as the core's GeoJSON model holds it.
fn annotation(shape: Shape, class: Option<String>, id: Option<String>) -> PathObject {
    PathObject {
        id: id.map(Value::String),
        object_type: Some(ObjectType::Annotation),
        classification: class.map(|name| Classification { name, color: None, other: Map::new() }),
        ..PathObject::new(shape)
    }
}
