//! Natives that exist only for the boundary's own tests (cargo feature `test-hooks`, never in the
//! library the jar ships): a deliberate panic and each error kind, registered on the test class
//! `NativeTestHooks`.

use jni::objects::{JClass, JString};
use jni::strings::JNIString;
use jni::{Env, NativeMethod};
use tessera_core::TesseraError;

use crate::classes::{self, ExceptionKind};
use crate::error::{BridgeResult, ThrowTessera};

const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn debug_panic(message: JString) },
    crate::bridge_method! { static fn debug_fail(kind: JString, message: JString) },
];

/// The test class the hooks are registered on.
const CLASS: &str = "qupath/ext/tessera/bridge/NativeTestHooks";

/// Registers the hooks on `NativeTestHooks` (called by `registerNatives`).
pub fn register(env: &mut Env) -> BridgeResult<()> {
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
