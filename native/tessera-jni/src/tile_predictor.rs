//! Natives serving `TilePredictor.java`: a model package classifying tiles read by QuPath.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use jni::objects::{JByteBuffer, JClass, JFloatArray, JObject, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, NativeMethod};
use tessera_core::infer::{classify_tiles, Precision, Predictor};
use tessera_core::runtime::Device;
use tessera_core::shift::{prepare_tiles, Ood};
use tessera_core::{runtime, TesseraError};

use crate::convert::{direct_bytes, float_array};
use crate::error::{BridgeResult, ThrowTessera};
use crate::handles;
use crate::jobs::run_job;

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! {
        static fn predictor_load(path: JString, threads: jint, device: JString, precision: JString) -> jlong
    },
    crate::bridge_method! { static fn predictor_metadata(predictor: jlong) -> JString },
    crate::bridge_method! { static fn predictor_device_warning(predictor: jlong) -> JString },
    crate::bridge_method! { static fn predictor_precision(predictor: jlong) -> JString },
    crate::bridge_method! {
        static fn predictor_classify(
            predictor: jlong,
            rgb: java.nio.ByteBuffer,
            count: jint,
            listener: qupath.ext.tessera.bridge.ProgressListener,
            cancel_token: jlong,
        ) -> jfloat[]
    },
    crate::bridge_method! {
        static fn predictor_prepare(
            predictor: jlong,
            rgb: java.nio.ByteBuffer,
            count: jint,
            adapt: jboolean,
            over_tissue: jboolean,
            listener: qupath.ext.tessera.bridge.ProgressListener,
            cancel_token: jlong,
        ) -> JString
    },
    crate::bridge_method! { static fn predictor_free(predictor: jlong) },
];

/// Tiles per model call.
const BATCH: usize = 32;

/// Loads a package on `device` (`cpu`, `cuda`, `cuda:N`) in `precision` (`auto`, `fp32`,
/// `int8`); CUDA falls back to the CPU, and [`predictor_device_warning`] says why;
/// [`predictor_precision`] says which model runs.
fn predictor_load<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    path: JString<'local>,
    threads: jint,
    device: JString<'local>,
    precision: JString<'local>,
) -> BridgeResult<jlong> {
    let device = Device::parse(&device.try_to_string(env)?).map_err(TesseraError::invalid)?;
    let precision = Precision::parse(&precision.try_to_string(env)?).map_err(TesseraError::invalid)?;
    let path = PathBuf::from(path.try_to_string(env)?);
    let predictor = Predictor::load(runtime::get()?, &path, threads.max(1) as usize, device, precision)?;
    Ok(handles::into_handle(RwLock::new(predictor)))
}

/// The predictor behind a handle: read by every call but [`predictor_prepare`], which prepares
/// it for an image.
fn shared(handle: jlong) -> BridgeResult<Arc<RwLock<Predictor>>> {
    handles::get::<RwLock<Predictor>>(handle)
}

fn poisoned<T>(_: T) -> TesseraError {
    TesseraError::internal("the predictor's lock was poisoned by an earlier failure")
}

/// Prepares the predictor for an image of which `rgb` holds `count` tiles (a sample spread over
/// it): fits the package's stain normalisation, scores the image against the training features,
/// and with `adapt` re-estimates the batch normalisations (AdaBN). Returns what it found as
/// JSON: `{"tiles", "stain", "score", "threshold", "beyond", "unavailable", "adapted_layers",
/// "lines", "warning"}` (absent values null).
#[allow(clippy::too_many_arguments)] // One per Java parameter.
fn predictor_prepare<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    predictor: jlong,
    rgb: JByteBuffer<'local>,
    count: jint,
    adapt: jboolean,
    over_tissue: jboolean,
    listener: JObject<'local>,
    cancel_token: jlong,
) -> BridgeResult<JString<'local>> {
    let predictor = shared(predictor)?;
    let count = usize::try_from(count).map_err(|_| TesseraError::invalid(format!("tile count {count}")))?;
    let pixels = direct_bytes(env, &rgb)?;
    let found = run_job(env, &listener, cancel_token, |job| {
        let mut predictor = predictor.write().map_err(poisoned)?;
        let tile = 3 * predictor.tile_size() * predictor.tile_size();
        let tiles = pixels
            .get(..count * tile)
            .ok_or_else(|| TesseraError::invalid(format!("{} bytes hold fewer than {count} tiles", pixels.len())))?;
        prepare_tiles(runtime::get()?, &mut predictor, tiles, (adapt, over_tissue), job)
    })?;
    let (score, threshold, unavailable) = match &found.ood {
        Ood::Scored { score, threshold, .. } => (Some(*score), Some(*threshold), None),
        Ood::Unavailable(why) => (None, None, Some(why.clone())),
    };
    let json = serde_json::json!({
        "tiles": found.tiles,
        "stain": found.stain.map(|method| format!("{method:?}")),
        "score": score,
        "threshold": threshold,
        "beyond": found.ood.beyond(),
        "unavailable": unavailable,
        "adapted_layers": found.adapted_layers,
        "lines": found.lines(),
        "warning": found.warning(),
    });
    Ok(env.new_string(json.to_string())?)
}

/// Which of the package's models runs, as JSON: `{"int8": bool, "reason": "…", "warning": "…"
/// or null}`.
fn predictor_precision<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    predictor: jlong,
) -> BridgeResult<JString<'local>> {
    let predictor = shared(predictor)?;
    let predictor = predictor.read().map_err(poisoned)?;
    let chosen = predictor.chosen();
    let json = serde_json::json!({ "int8": chosen.int8, "reason": chosen.reason, "warning": chosen.warning });
    Ok(env.new_string(json.to_string())?)
}

/// Why the model runs on the CPU rather than the device asked for, or an empty string.
fn predictor_device_warning<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    predictor: jlong,
) -> BridgeResult<JString<'local>> {
    let predictor = shared(predictor)?;
    let predictor = predictor.read().map_err(poisoned)?;
    Ok(env.new_string(predictor.placement().warning().unwrap_or_default())?)
}

/// The package's `tessera.json` (classes, colours, input).
fn predictor_metadata<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    predictor: jlong,
) -> BridgeResult<JString<'local>> {
    let predictor = shared(predictor)?;
    let predictor = predictor.read().map_err(poisoned)?;
    let json =
        serde_json::to_string(predictor.package().metadata()).map_err(|e| TesseraError::invalid(e.to_string()))?;
    Ok(env.new_string(json)?)
}

fn predictor_classify<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    predictor: jlong,
    rgb: JByteBuffer<'local>,
    count: jint,
    listener: JObject<'local>,
    cancel_token: jlong,
) -> BridgeResult<JFloatArray<'local>> {
    let predictor = shared(predictor)?;
    let count = usize::try_from(count).map_err(|_| TesseraError::invalid(format!("tile count {count}")))?;
    let pixels = direct_bytes(env, &rgb)?;
    let probabilities = run_job(env, &listener, cancel_token, |job| {
        let predictor = predictor.read().map_err(poisoned)?;
        classify_tiles(&predictor, pixels, count, BATCH, job)
    })?;
    float_array(env, &probabilities)
}

fn predictor_free<'local>(_env: &mut Env<'local>, _class: JClass<'local>, predictor: jlong) -> BridgeResult<()> {
    handles::free::<RwLock<Predictor>>(predictor)
}
