//! Natives serving `Diagnostics.java` and the boundary's own tests.

use jni::objects::{JByteArray, JClass, JFloatArray, JString};
use jni::sys::jint;
use jni::{Env, NativeMethod};
use tessera_core::graph::probe;
use tessera_core::TesseraError;

use crate::arrays::floats;
use crate::classes::{self, ExceptionKind};
use crate::error::{BridgeResult, ThrowTessera};

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn probe_model(weights: jfloat[], bias: jfloat[], features: jint) -> jbyte[] },
    crate::bridge_method! { static fn probe_backbone(side: jint) -> jbyte[] },
    crate::bridge_method! { static fn debug_panic(message: JString) },
    crate::bridge_method! { static fn debug_fail(kind: JString, message: JString) },
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

/// Panics on purpose: proves a native panic becomes a Java exception and the JVM lives on.
fn debug_panic<'local>(env: &mut Env<'local>, _class: JClass<'local>, message: JString<'local>) -> BridgeResult<()> {
    let message = message.try_to_string(env)?;
    panic!("{message}");
}

/// Throws the exception class of `kind`, as the error mapping would.
fn debug_fail<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    kind: JString<'local>,
    message: JString<'local>,
) -> BridgeResult<()> {
    let name = kind.try_to_string(env)?;
    let message = message.try_to_string(env)?;
    let kind = ExceptionKind::from_name(&name)
        .ok_or_else(|| TesseraError::invalid(format!("unknown exception kind {name:?}")))?;
    classes::throw(env, kind, &message);
    Ok(())
}
