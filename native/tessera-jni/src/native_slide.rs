//! Natives serving `NativeSlide.java`: a JPEG-tiled TIFF pyramid (SVS, tiled TIFF) read by the
//! core itself, exactly as the `tessera` command reads it: its tiles, and its tissue plan.

use jni::objects::{JByteBuffer, JClass, JLongArray, JString};
use jni::sys::{jdouble, jint, jlong};
use jni::{Env, NativeMethod};
use serde_json::json;
use tessera_core::infer::region::plan_tissue;
use tessera_core::slide::{RegionSource, TiffSource};
use tessera_core::tiling::read::read_packed;
use tessera_core::TesseraError;

use crate::convert::direct_bytes_mut;
use crate::convert::tile_spec;
use crate::error::{BridgeResult, ThrowTessera};
use crate::handles;
use crate::tile_planner::no_selection;

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn slide_open(path: JString, pixel_size_microns: jdouble) -> jlong },
    crate::bridge_method! { static fn slide_levels(slide: jlong) -> JString },
    crate::bridge_method! { static fn slide_read(slide: jlong, rectangles: jlong[], size: jint, rgb: java.nio.ByteBuffer) },
    crate::bridge_method! { static fn slide_plan_tissue(slide: jlong, image: JString, spec: JString) -> JString },
    crate::bridge_method! { static fn slide_free(slide: jlong) },
];

/// The label of the tiles planned over tissue.
const TISSUE_LABEL: &str = "Tissue";

/// Opens `path` (with its pixel size in µm, NaN when unknown); 0 when it is not a file the core
/// reads itself.
fn slide_open<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    path: JString<'local>,
    pixel_size_microns: jdouble,
) -> BridgeResult<jlong> {
    let mpp = (pixel_size_microns.is_finite() && pixel_size_microns > 0.0).then_some(pixel_size_microns);
    Ok(TiffSource::open(path.try_to_string(env)?, mpp).map_or(0, handles::into_handle))
}

/// The pyramid's levels as JSON: `[{"width", "height", "downsample"}, …]`, level 0 first.
fn slide_levels<'local>(env: &mut Env<'local>, _class: JClass<'local>, slide: jlong) -> BridgeResult<JString<'local>> {
    let slide = handles::get::<TiffSource>(slide)?;
    Ok(env.new_string(json!(slide.levels()).to_string())?)
}

/// Reads tiles given as level-0 rectangles (`x, y, width, height` after one another), each
/// scaled to `size × size`, into `rgb` as packed RGB tiles, in parallel.
fn slide_read<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    slide: jlong,
    rectangles: JLongArray<'local>,
    size: jint,
    mut rgb: JByteBuffer<'local>,
) -> BridgeResult<()> {
    let slide = handles::get::<TiffSource>(slide)?;
    let size = u32::try_from(size).map_err(|_| TesseraError::invalid(format!("tile size {size}")))?;
    let mut values = vec![0; rectangles.len(env)?];
    rectangles.get_region(env, 0, &mut values)?;
    let mut tiles = Vec::with_capacity(values.len() / 4);
    for rectangle in values.chunks_exact(4) {
        let extent =
            |value: i64| u64::try_from(value).map_err(|_| TesseraError::invalid(format!("tile extent {value}")));
        tiles.push((rectangle[0], rectangle[1], extent(rectangle[2])?, extent(rectangle[3])?));
    }
    Ok(read_packed(slide.as_ref(), &tiles, size, direct_bytes_mut(env, &mut rgb)?)?)
}

/// The tiles of `spec` over the slide's tissue, as `tessera apply` plans them; the result as
/// `TilePlanner` parses it.
fn slide_plan_tissue<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    slide: jlong,
    image: JString<'local>,
    spec: JString<'local>,
) -> BridgeResult<JString<'local>> {
    let slide = handles::get::<TiffSource>(slide)?;
    let spec = tile_spec(env, &spec)?;
    let plan = plan_tissue(slide.as_ref(), &image.try_to_string(env)?, &spec, TISSUE_LABEL)?;
    Ok(env.new_string(json!({ "plan": plan, "selection": no_selection() }).to_string())?)
}

fn slide_free<'local>(_env: &mut Env<'local>, _class: JClass<'local>, slide: jlong) -> BridgeResult<()> {
    handles::free::<TiffSource>(slide)
}
