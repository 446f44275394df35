//! Natives serving `TilePlanner.java`: annotations (JTS WKB) to a tile plan (JSON).

use std::path::Path;

use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::sys::{jdouble, jlong};
use jni::{Env, NativeMethod};
use serde_json::{json, Map, Value};
use tessera_core::geometry::{wkb, Classification, Document, Layout, ObjectType, PathObject, Shape};
use tessera_core::tiling::{plan_regions, select_regions, TileSpec};
use tessera_core::TesseraError;

use crate::error::{BridgeResult, ThrowTessera};

pub(crate) const METHODS: &[NativeMethod] = &[crate::bridge_method! {
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
}];

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
    let spec: TileSpec = serde_json::from_str(&spec.try_to_string(env)?)
        .map_err(|e| TesseraError::invalid(format!("tile specification: {e}")))?;
    let count = geometries.len(env)?;
    if classes.len(env)? != count || ids.len(env)? != count {
        return Err(TesseraError::invalid("geometries, classes and ids differ in length").into());
    }
    let mut objects = Vec::with_capacity(count);
    for index in 0..count {
        let element = geometries.get_element(env, index)?;
        let bytes = env.convert_byte_array(element)?;
        let polygon = wkb::from_wkb(&bytes)
            .map_err(|e| TesseraError::invalid(format!("{image}: annotation {index}: {e}")))?;
        objects.push(annotation(Shape::MultiPolygon(polygon), optional_string(env, &classes, index)?, optional_string(env, &ids, index)?));
    }
    let document = Document { objects, layout: Layout::Array };
    let source = Path::new(&image);
    let selection = select_regions(&document, source, spec.classes.as_deref())?;
    let image_mpp = pixel_size_microns.is_finite().then_some(pixel_size_microns);
    let downsample = spec.resolution.downsample_given(image_mpp, source)?;
    let dimensions = (dimension(width, "width")?, dimension(height, "height")?);
    let plan = plan_regions(&selection, &image, dimensions, downsample, &spec)?;
    let result = json!({
        "plan": plan,
        "selection": {
            "regions": selection.regions.len(),
            "unclassified": selection.unclassified,
            "ignored": selection.ignored,
            "excluded": selection.excluded,
            "repaired": selection.repaired,
        },
    });
    Ok(env.new_string(result.to_string())?)
}

fn optional_string(env: &mut Env, array: &JObjectArray<JString>, index: usize) -> BridgeResult<Option<String>> {
    let value = array.get_element(env, index)?;
    Ok(if value.is_null() { None } else { Some(value.try_to_string(env)?) })
}

fn dimension(value: jlong, what: &str) -> BridgeResult<u64> {
    u64::try_from(value)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| TesseraError::invalid(format!("the image {what} must be positive, got {value}")).into())
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
