//! Natives serving `Diagnostics.java`: the probe models of the installation check.

use jni::objects::{JByteArray, JClass, JFloatArray};
use jni::sys::jint;
use jni::{Env, NativeMethod};
use tessera_core::graph::probe;
use tessera_core::TesseraError;

use crate::convert::floats;
use crate::error::{BridgeResult, ThrowTessera};

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn probe_model(weights: jfloat[], bias: jfloat[], features: jint) -> jbyte[] },
    crate::bridge_method! { static fn probe_backbone(side: jint) -> jbyte[] },
];

fn probe_model<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    weights: JFloatArray<'local>,
    bias: JFloatArray<'local>,
    features: jint,
) -> BridgeResult<JByteArray<'local>> {
    let weights = floats(env, &weights)?;
    let bias = floats(env, &bias)?;
    let features = usize::try_from(features).map_err(|_| TesseraError::invalid(format!("features {features}")))?;
    Ok(env.byte_array_from_slice(&probe::linear_softmax(&weights, &bias, features)?)?)
}

/// A colour backbone for `side`-pixel tiles (each channel's mean and maximum), for the tests of
/// transfer learning through the boundary.
fn probe_backbone<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    side: jint,
) -> BridgeResult<JByteArray<'local>> {
    let side = usize::try_from(side).map_err(|_| TesseraError::invalid(format!("side {side}")))?;
    Ok(env.byte_array_from_slice(&probe::colour_backbone(side)?)?)
}
