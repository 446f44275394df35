//! Natives serving `OnnxModel.java`.

use jni::objects::{JByteArray, JByteBuffer, JClass, JFloatArray, JObject};
use jni::sys::{jint, jlong};
use jni::{Env, NativeMethod};
use tessera_core::runtime::{self, Model};
use tessera_core::TesseraError;

use crate::convert::{direct_bytes, float_array};
use crate::error::{BridgeResult, ThrowTessera};
use crate::handles;
use crate::jobs::run_job;

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn model_load(onnx: jbyte[], threads: jint) -> jlong },
    crate::bridge_method! { static fn model_free(model: jlong) },
    crate::bridge_method! {
        static fn model_run_rows(
            model: jlong,
            rows: java.nio.ByteBuffer,
            values: jint,
            row_length: jint,
            batch: jint,
            listener: qupath.ext.tessera.bridge.ProgressListener,
            cancel_token: jlong,
        ) -> jfloat[]
    },
];

fn model_load<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    onnx: JByteArray<'local>,
    threads: jint,
) -> BridgeResult<jlong> {
    let bytes = env.convert_byte_array(&onnx)?;
    let model = Model::from_bytes(runtime::get()?, &bytes, threads.max(1) as usize)?;
    Ok(handles::into_handle(model))
}

fn model_free<'local>(_env: &mut Env<'local>, _class: JClass<'local>, model: jlong) -> BridgeResult<()> {
    handles::free::<Model>(model)
}

/// Runs the model over rows read straight from a direct buffer, on a worker thread.
#[allow(clippy::too_many_arguments)] // One per Java parameter.
fn model_run_rows<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    model: jlong,
    rows: JByteBuffer<'local>,
    values: jint,
    row_length: jint,
    batch: jint,
    listener: JObject<'local>,
    cancel_token: jlong,
) -> BridgeResult<JFloatArray<'local>> {
    let model = handles::get::<Model>(model)?;
    let rows = direct_floats(env, &rows, values)?;
    let out = run_job(env, &listener, cancel_token, |job| {
        model.run_rows(rows, positive(row_length, "row length")?, positive(batch, "batch")?, job)
    })?;
    float_array(env, &out.data)
}

/// The first `values` floats of a direct buffer, without copying.
fn direct_floats<'a>(env: &Env, buffer: &'a JByteBuffer, values: jint) -> BridgeResult<&'a [f32]> {
    let count = usize::try_from(values).map_err(|_| TesseraError::invalid(format!("negative value count {values}")))?;
    let bytes = direct_bytes(env, buffer)?;
    if bytes.len() < count * size_of::<f32>() {
        return Err(TesseraError::invalid(format!("buffer of {} bytes cannot hold {count} floats", bytes.len())).into());
    }
    if bytes.as_ptr().align_offset(align_of::<f32>()) != 0 {
        return Err(TesseraError::invalid("buffer is not aligned for floats").into());
    }
    // SAFETY: the bytes hold at least `count` aligned floats (checked above) and live as long as
    // the buffer does (see `direct_bytes`).
    Ok(unsafe { std::slice::from_raw_parts(bytes.as_ptr() as *const f32, count) })
}

fn positive(value: jint, what: &str) -> tessera_core::Result<usize> {
    usize::try_from(value)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| TesseraError::invalid(format!("{what} must be positive, got {value}")))
}
