//! Natives serving `TilePredictor.java`: a model package classifying tiles read by QuPath.

use std::path::PathBuf;

use jni::objects::{JByteBuffer, JClass, JFloatArray, JObject, JString};
use jni::sys::{jint, jlong};
use jni::{Env, NativeMethod};
use tessera_core::infer::{classify_tiles, Precision, Predictor};
use tessera_core::runtime::Device;
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
    Ok(handles::into_handle(predictor))
}

/// Which of the package's models runs, as JSON: `{"int8": bool, "reason": "…", "warning": "…"
/// or null}`.
fn predictor_precision<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    predictor: jlong,
) -> BridgeResult<JString<'local>> {
    let predictor = handles::get::<Predictor>(predictor)?;
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
    let predictor = handles::get::<Predictor>(predictor)?;
    Ok(env.new_string(predictor.placement().warning().unwrap_or_default())?)
}

/// The package's `tessera.json` (classes, colours, input).
fn predictor_metadata<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    predictor: jlong,
) -> BridgeResult<JString<'local>> {
    let predictor = handles::get::<Predictor>(predictor)?;
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
    let predictor = handles::get::<Predictor>(predictor)?;
    let count = usize::try_from(count).map_err(|_| TesseraError::invalid(format!("tile count {count}")))?;
    let pixels = direct_bytes(env, &rgb)?;
    let probabilities =
        run_job(env, &listener, cancel_token, |job| classify_tiles(&predictor, pixels, count, BATCH, job))?;
    float_array(env, &probabilities)
}

fn predictor_free<'local>(_env: &mut Env<'local>, _class: JClass<'local>, predictor: jlong) -> BridgeResult<()> {
    handles::free::<Predictor>(predictor)
}
