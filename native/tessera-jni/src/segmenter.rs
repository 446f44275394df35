//! Natives serving `Segmenter.java`: a segmentation package applied to tiles QuPath reads, fed in
//! the core's order and traced into region polygons (`infer::given::GivenSegmentation`).

use std::collections::HashMap;
use std::fmt::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use jni::objects::{JByteBuffer, JClass, JIntArray, JLongArray, JString};
use jni::sys::{jdouble, jint, jlong};
use jni::{Env, NativeMethod};
use serde::Deserialize;
use serde_json::json;
use tessera_core::geometry::{wkb, ObjectType, Shape};
use tessera_core::infer::given::GivenSegmentation;
use tessera_core::infer::{heatmap, OutputKind, Predictor, Tracing};
use tessera_core::tiling::{Tile, TilePlan};
use tessera_core::TesseraError;

use crate::convert::direct_bytes;
use crate::error::{BridgeResult, ThrowTessera};
use crate::{handles, worker};

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! {
        static fn segmenter_new(predictor: jlong, rectangles: jlong[], downsample: jdouble) -> jlong
    },
    crate::bridge_method! { static fn segmenter_order(segmenter: jlong) -> jint[] },
    crate::bridge_method! { static fn segmenter_add(segmenter: jlong, rgb: java.nio.ByteBuffer, count: jint) },
    crate::bridge_method! {
        static fn segmenter_finish(segmenter: jlong, tracing: JString, pixel_size_microns: jdouble, heatmaps: JString) -> JString
    },
    crate::bridge_method! { static fn segmenter_free(segmenter: jlong) },
];

/// Tiles per model call.
const BATCH: usize = 16;

/// A segmentation in progress, with what Java needs to feed and finish it.
struct Segmenter {
    /// The segmenter, shared with the `TilePredictor` handle it came from.
    predictor: Arc<RwLock<Predictor>>,
    /// The segmentation; `None` once finished.
    given: Mutex<Option<GivenSegmentation>>,
    /// For each tile in feeding order, its index among the rectangles Java gave.
    order: Vec<i32>,
    /// Level-0 pixels per mask pixel.
    mask_pixel: f64,
    /// Bytes of one packed RGB tile at the model's tile size.
    tile_bytes: usize,
}

/// How to trace the regions, as Java sends it: areas in µm² (converted to mask pixels here).
#[derive(Deserialize)]
struct TracingRequest {
    simplify: f64,
    min_area_um2: f64,
    min_hole_um2: f64,
    smooth: usize,
}

/// A segmentation by the segmenter behind `predictor` of the tiles `rectangles` (x, y, width,
/// height in level-0 pixels, four values a tile) of a plan at `downsample`.
fn segmenter_new<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    predictor: jlong,
    rectangles: JLongArray<'local>,
    downsample: jdouble,
) -> BridgeResult<jlong> {
    let shared = handles::get::<RwLock<Predictor>>(predictor)?;
    let predictor = shared.read().map_err(|_| TesseraError::internal("predictor poisoned"))?;
    let mut values = vec![0; rectangles.len(env)?];
    rectangles.get_region(env, 0, &mut values)?;
    if values.len() % 4 != 0 || values.is_empty() {
        return Err(TesseraError::invalid(format!("{} values are no list of tile rectangles", values.len())).into());
    }
    let tiles: Vec<Tile> = values
        .chunks_exact(4)
        .map(|r| Tile {
            x: r[0],
            y: r[1],
            w: r[2].max(1) as u64,
            h: r[3].max(1) as u64,
            label: String::new(),
            coverage: 1.0,
            polygon_id: String::new(),
            slide: String::new(),
        })
        .collect();
    let width = match predictor.output() {
        OutputKind::Segmentation { width, .. } => width,
        OutputKind::Classification => {
            return Err(TesseraError::IncompatibleModel("a tile classifier gives no regions to trace".into()).into())
        }
    };
    let mask_pixel = tiles[0].w as f64 / width as f64;
    let index: HashMap<(i64, i64), i32> = tiles.iter().enumerate().map(|(i, t)| ((t.x, t.y), i as i32)).collect();
    let tile_bytes = 3 * predictor.tile_size() * predictor.tile_size();
    let plan = TilePlan { slide: String::new(), downsample, tile_size: predictor.tile_size() as u32, tiles };
    let given = GivenSegmentation::new(&predictor, &plan)?;
    let order = given.order().iter().map(|t| index.get(&(t.x, t.y)).copied().unwrap_or(-1)).collect();
    drop(predictor);
    let segmenter = Segmenter { predictor: shared, given: Mutex::new(Some(given)), order, mask_pixel, tile_bytes };
    Ok(handles::into_handle(segmenter))
}

/// The order the tiles' pixels must be given in, as indices into the rectangles given.
fn segmenter_order<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    segmenter: jlong,
) -> BridgeResult<JIntArray<'local>> {
    let segmenter = handles::get::<Segmenter>(segmenter)?;
    let array = env.new_int_array(segmenter.order.len())?;
    array.set_region(env, 0, &segmenter.order)?;
    Ok(array)
}

/// Predicts and blends the next `count` tiles in [`segmenter_order`], packed RGB at the model's
/// tile size, on a worker thread.
fn segmenter_add<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    segmenter: jlong,
    rgb: JByteBuffer<'local>,
    count: jint,
) -> BridgeResult<()> {
    let segmenter = handles::get::<Segmenter>(segmenter)?;
    let count = usize::try_from(count).map_err(|_| TesseraError::invalid(format!("tile count {count}")))?;
    let pixels = direct_bytes(env, &rgb)?;
    let tile_bytes = segmenter.tile_bytes;
    if pixels.len() < count * tile_bytes {
        return Err(
            TesseraError::invalid(format!("{} bytes cannot hold {count} tiles of {tile_bytes}", pixels.len())).into()
        );
    }
    let mut guard = segmenter.given.lock().map_err(|_| TesseraError::internal("segmentation poisoned"))?;
    let given = guard.as_mut().ok_or_else(|| TesseraError::invalid("the segmentation is finished"))?;
    let predictor = segmenter.predictor.read().map_err(|_| TesseraError::internal("predictor poisoned"))?;
    worker::run(|| {
        for chunk in pixels[..count * tile_bytes].chunks(BATCH * tile_bytes) {
            given.add(&predictor, chunk, chunk.len() / tile_bytes)?;
        }
        Ok(())
    })
}

/// Finishes the segmentation: one region per connected area of each class but Background, traced
/// as `tracing` asks (`{"simplify", "min_area_um2", "min_hole_um2", "smooth"}`; areas need the
/// image's `pixel_size_microns`, NaN when it has none); when `heatmaps` names a folder (it may be
/// null), writes each class's heatmap there as `<class>.png` (`infer::heatmap::write_pngs`).
/// Returns `[{"class", "wkb" (hex)}]` in level-0 coordinates.
fn segmenter_finish<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    segmenter: jlong,
    tracing: JString<'local>,
    pixel_size_microns: jdouble,
    heatmaps: JString<'local>,
) -> BridgeResult<JString<'local>> {
    let segmenter = handles::get::<Segmenter>(segmenter)?;
    let request: TracingRequest = serde_json::from_str(&tracing.try_to_string(env)?)
        .map_err(|e| TesseraError::invalid(format!("tracing options: {e}")))?;
    let areas = request.min_area_um2 > 0.0 || request.min_hole_um2 > 0.0;
    if areas && !pixel_size_microns.is_finite() {
        return Err(TesseraError::invalid("the image has no pixel size, so no area in µm² can be measured").into());
    }
    let mask_area = (segmenter.mask_pixel * pixel_size_microns).powi(2);
    let tracing = Tracing {
        simplify: request.simplify,
        min_area: if areas { request.min_area_um2 / mask_area } else { 0.0 },
        min_hole: if areas { request.min_hole_um2 / mask_area } else { 0.0 },
        smooth: request.smooth,
    };
    let given = segmenter
        .given
        .lock()
        .map_err(|_| TesseraError::internal("segmentation poisoned"))?
        .take()
        .ok_or_else(|| TesseraError::invalid("the segmentation is finished"))?;
    let folder = if heatmaps.is_null() { None } else { Some(PathBuf::from(heatmaps.try_to_string(env)?)) };
    let objects = worker::run(|| {
        let (objects, maps) = given.finish(tracing, &ObjectType::Annotation)?;
        if let Some(folder) = &folder {
            heatmap::write_pngs(&maps, folder)?;
        }
        Ok(objects)
    })?;
    let mut regions = Vec::with_capacity(objects.len());
    for object in &objects {
        let bytes = match &object.shape {
            Shape::Polygon(p) => wkb::to_wkb(&p.clone().into())?,
            Shape::MultiPolygon(p) => wkb::to_wkb(p)?,
            Shape::Other(_) => continue,
        };
        regions.push(json!({ "class": object.class_name(), "wkb": hex(&bytes) }));
    }
    Ok(env.new_string(serde_json::Value::Array(regions).to_string())?)
}

/// Lower-case hexadecimal, as JTS's `WKBReader.hexToBytes` reads it.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

fn segmenter_free<'local>(_env: &mut Env<'local>, _class: JClass<'local>, segmenter: jlong) -> BridgeResult<()> {
    handles::free::<Segmenter>(segmenter)
}
