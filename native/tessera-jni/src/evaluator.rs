//! Natives serving `Evaluator.java`: the metrics of a classifier's probabilities against labels.

use jni::objects::{JClass, JFloatArray, JIntArray, JObjectArray, JString};
use jni::{Env, NativeMethod};
use tessera_core::eval::report::Report;
use tessera_core::TesseraError;

use crate::convert::{floats, ints, strings};
use crate::error::{BridgeResult, ThrowTessera};

pub(crate) const METHODS: &[NativeMethod] = &[crate::bridge_method! {
    static fn evaluate(classes: JString[], truth: jint[], probabilities: jfloat[], seed: jlong) -> JString
}];

/// The evaluation report (accuracy, balanced accuracy, macro-F1 with bootstrap 95 % intervals,
/// per-class scores and ROC AUC, confusion matrix) as JSON.
fn evaluate<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    classes: JObjectArray<'local, JString<'local>>,
    truth: JIntArray<'local>,
    probabilities: JFloatArray<'local>,
    seed: jni::sys::jlong,
) -> BridgeResult<JString<'local>> {
    let names = strings(env, &classes)?;
    let truth = ints(env, &truth)?
        .into_iter()
        .map(|label| usize::try_from(label).map_err(|_| TesseraError::invalid(format!("label {label}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let probabilities = floats(env, &probabilities)?;
    let report = Report::new(&names, &truth, &probabilities, tessera_core::train::fit::RESAMPLES, seed as u64)?;
    let json = serde_json::to_string(&report).map_err(|e| TesseraError::internal(format!("metrics: {e}")))?;
    Ok(env.new_string(json)?)
}
