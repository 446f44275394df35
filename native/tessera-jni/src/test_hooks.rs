//! Natives that exist only for the boundary's own tests (cargo feature `test-hooks`, never in the
//! library the jar ships): a deliberate panic, each error kind, and the core's fuzz inputs (the
//! very bytes `tessera-core`'s tests/fuzz_readers.rs feeds its readers), registered on the test
//! class `NativeTestHooks`.

use jni::objects::{JByteArray, JClass, JString};
use jni::strings::JNIString;
use jni::sys::{jint, jlong};
use jni::{Env, NativeMethod};
use tessera_core::fuzz::Target;
use tessera_core::TesseraError;

use crate::classes::{self, ExceptionKind};
use crate::error::{BridgeResult, ThrowTessera};

const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn debug_panic(message: JString) },
    crate::bridge_method! { static fn debug_fail(kind: JString, message: JString) },
    crate::bridge_method! { static fn fuzz_seeds(target: JString) -> jint },
    crate::bridge_method! { static fn fuzz_input(target: JString, index: jlong) -> jbyte[] },
];

/// The test class the hooks are registered on.
const CLASS: &str = "qupath/ext/tessera/bridge/NativeTestHooks";

/// Registers the hooks on `NativeTestHooks` (called by `registerNatives`).
pub(crate) fn register(env: &mut Env) -> BridgeResult<()> {
    let class = env.find_class(JNIString::from(CLASS))?;
    // SAFETY: as in `registerNatives`: every entry comes from `native_method!`.
    unsafe { env.register_native_methods(&class, METHODS)? };
    Ok(())
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

/// How many of the first fuzz inputs of `target` (`geojson`, `wkb`, `package`, `tiff`) are valid.
fn fuzz_seeds<'local>(env: &mut Env<'local>, _class: JClass<'local>, target: JString<'local>) -> BridgeResult<jint> {
    Ok(jint::try_from(fuzz_target(env, &target)?.seeds()).unwrap_or(jint::MAX))
}

/// Fuzz input `index` of `target`.
fn fuzz_input<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    target: JString<'local>,
    index: jlong,
) -> BridgeResult<JByteArray<'local>> {
    let target = fuzz_target(env, &target)?;
    let index = u64::try_from(index).map_err(|_| TesseraError::invalid(format!("fuzz input {index}")))?;
    Ok(env.byte_array_from_slice(&target.input(index))?)
}

fn fuzz_target(env: &mut Env, name: &JString) -> BridgeResult<Target> {
    let name = name.try_to_string(env)?;
    Ok(Target::from_name(&name).ok_or_else(|| TesseraError::invalid(format!("unknown fuzz target {name:?}")))?)
}
