//! Natives serving `Uncertainty.java`: how unsure each tile's prediction is, measured by the core.

use jni::objects::{JClass, JFloatArray, JString};
use jni::sys::jint;
use jni::{Env, NativeMethod};
use tessera_core::infer::uncertainty;
use tessera_core::review;
use tessera_core::TesseraError;

use crate::convert::{float_array, floats};
use crate::error::{BridgeResult, ThrowTessera};

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn uncertainty(probabilities: jfloat[], classes: jint) -> jfloat[] },
    crate::bridge_method! { static fn uncertainty_names() -> JString },
];

/// The normalised entropy and top-2 margin of each `classes`-long row of `probabilities`,
/// interleaved (see [`uncertainty::measures`]).
fn uncertainty<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    probabilities: JFloatArray<'local>,
    classes: jint,
) -> BridgeResult<JFloatArray<'local>> {
    let probabilities = floats(env, &probabilities)?;
    let classes =
        usize::try_from(classes).ok().filter(|&k| k > 0 && probabilities.len() % k == 0).ok_or_else(|| {
            TesseraError::invalid(format!("{} probabilities are not rows of {classes} classes", probabilities.len()))
        })?;
    let measures = uncertainty::measures(&probabilities, classes);
    float_array(env, &measures)
}

/// The measurement names of the entropy, the margin and a review object's score, one per line.
fn uncertainty_names<'local>(env: &mut Env<'local>, _class: JClass<'local>) -> BridgeResult<JString<'local>> {
    Ok(env.new_string(format!("{}\n{}\n{}", uncertainty::ENTROPY, uncertainty::MARGIN, review::SCORE))?)
}
