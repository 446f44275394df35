//! Java values as Rust values, in one place: arrays copied, direct buffers borrowed, JSON
//! specifications parsed, sizes checked.

use jni::objects::{JByteBuffer, JFloatArray, JIntArray, JObjectArray, JPrimitiveArray, JString, TypeArray};
use jni::sys::jlong;
use jni::Env;
use tessera_core::tiling::TileSpec;
use tessera_core::TesseraError;

use crate::error::BridgeResult;

/// The strings of a `String[]` (a null element is an error).
pub(crate) fn strings(env: &mut Env, array: &JObjectArray<JString>) -> BridgeResult<Vec<String>> {
    let mut values = Vec::new();
    for index in 0..array.len(env)? {
        values.push(array.get_element(env, index)?.try_to_string(env)?);
    }
    Ok(values)
}

/// The values of a primitive array (`float[]`, `double[]`, `int[]`, …).
pub(crate) fn values<T: TypeArray + Default + Clone>(env: &Env, array: &JPrimitiveArray<T>) -> BridgeResult<Vec<T>> {
    let mut values = vec![T::default(); array.len(env)?];
    array.get_region(env, 0, &mut values)?;
    Ok(values)
}

/// The values of a `float[]`.
pub(crate) fn floats(env: &Env, array: &JFloatArray) -> BridgeResult<Vec<f32>> {
    values(env, array)
}

/// A new Java `float[]` holding `values`.
pub(crate) fn float_array<'local>(env: &mut Env<'local>, values: &[f32]) -> BridgeResult<JFloatArray<'local>> {
    let array = env.new_float_array(values.len())?;
    array.set_region(env, 0, values)?;
    Ok(array)
}

/// The values of an `int[]`.
pub(crate) fn ints(env: &Env, array: &JIntArray) -> BridgeResult<Vec<i32>> {
    values(env, array)
}

/// The whole content of a direct buffer, without copying.
///
/// The slice borrows the buffer: Java keeps it alive and unmodified while the calling thread
/// waits in the native method, which is as long as the slice may live.
pub(crate) fn direct_bytes<'a>(env: &Env, buffer: &'a JByteBuffer) -> BridgeResult<&'a [u8]> {
    let capacity = env.get_direct_buffer_capacity(buffer)?;
    let address = env.get_direct_buffer_address(buffer)?;
    // SAFETY: a direct buffer's address is valid for `capacity` bytes while the buffer lives,
    // and the Java caller holds it for the duration of the native call.
    Ok(unsafe { std::slice::from_raw_parts(address as *const u8, capacity) })
}

/// The whole content of a direct buffer, to write into, without copying.
///
/// The same lifetime rule as [`direct_bytes`]; Java must not read or write the buffer while the
/// native call runs (it waits in it).
pub(crate) fn direct_bytes_mut<'a>(env: &Env, buffer: &'a mut JByteBuffer) -> BridgeResult<&'a mut [u8]> {
    let capacity = env.get_direct_buffer_capacity(buffer)?;
    let address = env.get_direct_buffer_address(buffer)?;
    // SAFETY: as in `direct_bytes`; the buffer is only written through this slice meanwhile.
    Ok(unsafe { std::slice::from_raw_parts_mut(address, capacity) })
}

/// The tile specification Java sends as JSON.
pub(crate) fn tile_spec(env: &mut Env, spec: &JString) -> BridgeResult<TileSpec> {
    Ok(serde_json::from_str(&spec.try_to_string(env)?)
        .map_err(|e| TesseraError::invalid(format!("tile specification: {e}")))?)
}

/// Element `index` of a `String[]`, `None` when it is null.
pub(crate) fn optional_string(
    env: &mut Env,
    array: &JObjectArray<JString>,
    index: usize,
) -> BridgeResult<Option<String>> {
    let value = array.get_element(env, index)?;
    Ok(if value.is_null() { None } else { Some(value.try_to_string(env)?) })
}

/// An image dimension: positive, named `what` in the error.
pub(crate) fn dimension(value: jlong, what: &str) -> BridgeResult<u64> {
    u64::try_from(value)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| TesseraError::invalid(format!("the image {what} must be positive, got {value}")).into())
}
