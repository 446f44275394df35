//! Natives serving `PatchLabels.java`: an image's classified annotations, from which the core
//! paints each training patch's label mask (`pipeline::collect::patch_mask`).

use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::sys::{jboolean, jlong};
use jni::{Env, NativeMethod};
use tessera_core::tiling::Selection;

use crate::error::{BridgeResult, ThrowTessera};
use crate::handles;
use crate::tile_planner::selection;

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! {
        static fn patch_labels_new(
            image: JString,
            geometries: jbyte[][],
            classes: JString[],
            ids: JString[],
            by_image: jboolean,
        ) -> jlong
    },
    crate::bridge_method! { static fn patch_labels_free(labels: jlong) },
];

/// The labelled regions of one image and how its patches are grouped.
pub(crate) struct PatchLabels {
    /// The classified regions, as the core chose them.
    pub(crate) selection: Selection,
    /// Whether patches are grouped by image (labelled by every region) rather than by polygon
    /// (labelled by their own polygon only).
    pub(crate) by_image: bool,
}

/// The classified annotations of `image`, as WKB polygons with class names (null: unclassified,
/// left out) and ids.
fn patch_labels_new<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    image: JString<'local>,
    geometries: JObjectArray<'local, JByteArray<'local>>,
    classes: JObjectArray<'local, JString<'local>>,
    ids: JObjectArray<'local, JString<'local>>,
    by_image: jboolean,
) -> BridgeResult<jlong> {
    let image = image.try_to_string(env)?;
    let selection = selection(env, &image, &geometries, &classes, &ids, None)?;
    Ok(handles::into_handle(PatchLabels { selection, by_image }))
}

fn patch_labels_free<'local>(_env: &mut Env<'local>, _class: JClass<'local>, labels: jlong) -> BridgeResult<()> {
    handles::free::<PatchLabels>(labels)
}
