//! Natives serving `NativeLibrary.java`: registration, version, ONNX Runtime start-up.

use std::ffi::CStr;
use std::path::PathBuf;

use jni::objects::{JClass, JObjectArray, JString};
use jni::{Env, NativeMethod};
use tessera_core::runtime;

use crate::classes;
use crate::error::{BridgeResult, ThrowTessera};

// `registerNatives` is the one method Java finds by its exported symbol (the `extern` below); it
// registers all the others.
const _: NativeMethod = crate::bridge_method! {
    java_type = "qupath.ext.tessera.bridge.NativeBridge",
    extern static fn register_natives() -> JString[],
};

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn version() -> JString },
    crate::bridge_method! { static fn init_runtime(library: JString) -> JString },
];

/// Caches the classes used later, registers every method on `NativeBridge`, and returns each
/// registered method as `name + descriptor` for Java to check against its declarations.
fn register_natives<'local>(
    env: &mut Env<'local>,
    class: JClass<'local>,
) -> BridgeResult<JObjectArray<'local, JString<'local>>> {
    classes::cache(env)?;
    #[cfg(feature = "test-hooks")]
    crate::test_hooks::register(env)?;
    let methods = crate::methods();
    // SAFETY: every entry comes from `native_method!`, which checks each function against its
    // signature; a name or signature Java does not declare makes registration fail cleanly.
    unsafe { env.register_native_methods(&class, &methods)? };
    let names = env.new_object_type_array::<JString>(methods.len(), JString::null())?;
    for (index, method) in methods.iter().enumerate() {
        let described = env.new_string(describe(method))?;
        names.set_element(env, index, &described)?;
    }
    Ok(names)
}

/// `name + descriptor` of a registered method.
fn describe(method: &NativeMethod) -> String {
    // SAFETY: `NativeMethod` is a `repr(transparent)` wrapper of `JNINativeMethod`, whose name
    // and signature are NUL-terminated strings that live as long as the constant.
    let raw = unsafe { &*(method as *const NativeMethod as *const jni::sys::JNINativeMethod) };
    let text = |ptr: *mut std::ffi::c_char| unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned();
    text(raw.name) + &text(raw.signature)
}

fn version<'local>(env: &mut Env<'local>, _class: JClass<'local>) -> BridgeResult<JString<'local>> {
    Ok(env.new_string(tessera_core::VERSION)?)
}

/// Loads ONNX Runtime from `library`; returns its build description.
fn init_runtime<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    library: JString<'local>,
) -> BridgeResult<JString<'local>> {
    let path = PathBuf::from(library.try_to_string(env)?);
    let runtime = runtime::init(&path)?;
    Ok(env.new_string(runtime.build_info())?)
}
