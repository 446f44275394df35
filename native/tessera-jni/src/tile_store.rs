//! Natives serving `TileStore.java`: training tiles pushed from Java (pixels QuPath read).

use std::sync::Mutex;

use jni::objects::{JByteBuffer, JClass, JIntArray, JLongArray, JObjectArray, JString};
use jni::sys::{jdouble, jint, jlong};
use jni::{Env, NativeMethod};
use tessera_core::dataset::{TileStore, UNLABELLED};
use tessera_core::pipeline::collect::patch_mask;
use tessera_core::tiling::Tile;
use tessera_core::TesseraError;

use crate::convert::direct_bytes;
use crate::convert::{ints, strings};
use crate::error::{BridgeResult, ThrowTessera};
use crate::handles;
use crate::patch_labels::PatchLabels;

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn tile_store_new(side: jint, classes: JString[]) -> jlong },
    crate::bridge_method! {
        static fn tile_store_add(store: jlong, rgb: java.nio.ByteBuffer, count: jint, labels: jint[], groups: jlong[])
    },
    crate::bridge_method! {
        static fn tile_store_add_patches(
            store: jlong,
            rgb: java.nio.ByteBuffer,
            positions: jlong[],
            polygon_ids: JString[],
            downsample: jdouble,
            groups: jlong[],
            labels: jlong,
        ) -> jint
    },
    crate::bridge_method! { static fn tile_store_size(store: jlong) -> jint },
    crate::bridge_method! { static fn tile_store_free(store: jlong) },
];

/// The store behind a handle; Java adds tiles while nothing trains on it.
pub(crate) type SharedStore = Mutex<TileStore>;

fn tile_store_new<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    side: jint,
    classes: JObjectArray<'local, JString<'local>>,
) -> BridgeResult<jlong> {
    let names = strings(env, &classes)?;
    let side = usize::try_from(side).map_err(|_| TesseraError::invalid(format!("tile side {side}")))?;
    Ok(handles::into_handle::<SharedStore>(Mutex::new(TileStore::new(side, names)?)))
}

/// Adds `count` tiles: packed RGB bytes (one tile after the other) with a label and group each.
fn tile_store_add<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    store: jlong,
    rgb: JByteBuffer<'local>,
    count: jint,
    labels: JIntArray<'local>,
    groups: JLongArray<'local>,
) -> BridgeResult<()> {
    let store = handles::get::<SharedStore>(store)?;
    let mut store = store.lock().map_err(|_| TesseraError::internal("tile store poisoned"))?;
    let count = usize::try_from(count).map_err(|_| TesseraError::invalid(format!("tile count {count}")))?;
    if labels.len(env)? != count || groups.len(env)? != count {
        return Err(TesseraError::invalid(format!("{count} tiles need {count} labels and groups")).into());
    }
    let label_values = ints(env, &labels)?;
    let mut group_values = vec![0; count];
    groups.get_region(env, 0, &mut group_values)?;
    let tile_len = store.tile_len();
    let pixels = direct_bytes(env, &rgb)?;
    if pixels.len() < count * tile_len {
        return Err(
            TesseraError::invalid(format!("{} bytes cannot hold {count} tiles of {tile_len}", pixels.len())).into()
        );
    }
    for ((tile, &label), &group) in pixels.chunks_exact(tile_len).zip(&label_values).zip(&group_values) {
        let label = usize::try_from(label).map_err(|_| TesseraError::invalid(format!("label {label}")))?;
        store.push(tile, label, group as u64)?;
    }
    Ok(())
}

/// Adds patches of a plan at `downsample`: packed RGB bytes (one patch after the other), each
/// placed at its level-0 `(x, y)` in `positions`, with the id of the polygon it was planned in
/// and its group. The core paints each patch's label mask from `labels` (a `PatchLabels`
/// handle); a patch without a labelled pixel is skipped. Returns how many were added.
#[allow(clippy::too_many_arguments)] // One per Java parameter.
fn tile_store_add_patches<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    store: jlong,
    rgb: JByteBuffer<'local>,
    positions: JLongArray<'local>,
    polygon_ids: JObjectArray<'local, JString<'local>>,
    downsample: jdouble,
    groups: JLongArray<'local>,
    labels: jlong,
) -> BridgeResult<jint> {
    let store = handles::get::<SharedStore>(store)?;
    let labels = handles::get::<PatchLabels>(labels)?;
    let ids = strings(env, &polygon_ids)?;
    let count = ids.len();
    if positions.len(env)? != 2 * count || groups.len(env)? != count {
        return Err(TesseraError::invalid(format!("{count} patches need {count} positions and groups")).into());
    }
    let mut xy = vec![0; 2 * count];
    positions.get_region(env, 0, &mut xy)?;
    let mut group_values = vec![0; count];
    groups.get_region(env, 0, &mut group_values)?;
    let mut store = store.lock().map_err(|_| TesseraError::internal("tile store poisoned"))?;
    let (side, tile_len) = (store.side(), store.tile_len());
    let pixels = direct_bytes(env, &rgb)?;
    if pixels.len() < count * tile_len {
        return Err(
            TesseraError::invalid(format!("{} bytes cannot hold {count} patches of {tile_len}", pixels.len())).into()
        );
    }
    let classes = store.classes().to_vec();
    let extent = (side as f64 * downsample).round() as u64;
    let mut added = 0;
    for (((patch, position), polygon_id), &group) in
        pixels.chunks_exact(tile_len).zip(xy.chunks_exact(2)).zip(ids).zip(&group_values)
    {
        let tile = Tile {
            x: position[0],
            y: position[1],
            w: extent,
            h: extent,
            label: String::new(),
            coverage: 0.0,
            polygon_id,
            slide: String::new(),
        };
        let mask = patch_mask(&labels.selection, &tile, labels.by_image, &classes, side);
        if mask.iter().any(|&m| m != UNLABELLED) {
            store.push_masked(patch, &mask, group as u64)?;
            added += 1;
        }
    }
    Ok(added)
}

fn tile_store_size<'local>(_env: &mut Env<'local>, _class: JClass<'local>, store: jlong) -> BridgeResult<jint> {
    let store = handles::get::<SharedStore>(store)?;
    let len = store.lock().map_err(|_| TesseraError::internal("tile store poisoned"))?.len();
    Ok(jint::try_from(len).unwrap_or(jint::MAX))
}

fn tile_store_free<'local>(_env: &mut Env<'local>, _class: JClass<'local>, store: jlong) -> BridgeResult<()> {
    handles::free::<SharedStore>(store)
}
