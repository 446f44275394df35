//! Java arrays copied into Rust values.

use jni::objects::{JFloatArray, JIntArray, JObjectArray, JString};
use jni::Env;

use crate::error::BridgeResult;

/// The strings of a `String[]` (a null element is an error).
pub(crate) fn strings(env: &mut Env, array: &JObjectArray<JString>) -> BridgeResult<Vec<String>> {
    let mut values = Vec::new();
    for index in 0..array.len(env)? {
        values.push(array.get_element(env, index)?.try_to_string(env)?);
    }
    Ok(values)
}

/// The values of a `float[]`.
pub(crate) fn floats(env: &Env, array: &JFloatArray) -> BridgeResult<Vec<f32>> {
    let mut values = vec![0.0; array.len(env)?];
    array.get_region(env, 0, &mut values)?;
    Ok(values)
}

/// The values of an `int[]`.
pub(crate) fn ints(env: &Env, array: &JIntArray) -> BridgeResult<Vec<i32>> {
    let mut values = vec![0; array.len(env)?];
    array.get_region(env, 0, &mut values)?;
    Ok(values)
}
