//! Java classes the native side refers to, looked up once on a Java thread.
//!
//! QuPath loads extensions through its own class loader, which `FindClass` sees only from a
//! native method called by one of the extension's classes; worker threads attached later see the
//! system class loader only. So `registerNatives` (called by `NativeLibrary`) caches global
//! references to every class needed later.

use std::sync::OnceLock;

use jni::objects::{Global, JClass};
use jni::strings::JNIString;
use jni::Env;

/// The Java exception classes native errors map to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ExceptionKind {
    /// `TesseraException` itself (I/O failures).
    Base,
    /// `InvalidInputException`.
    InvalidInput,
    /// `TooManyTilesException` (an `InvalidInputException`): the user may confirm and go on.
    TooManyTiles,
    /// `IncompatibleModelException`.
    IncompatibleModel,
    /// `ImageReadException`.
    ImageRead,
    /// `CancelledException`.
    Cancelled,
    /// `NativePanicException`.
    NativePanic,
    /// `OnnxRuntimeException`.
    OnnxRuntime,
    /// `InternalException`.
    Internal,
}

impl ExceptionKind {
    const ALL: [ExceptionKind; 9] = [
        ExceptionKind::Base,
        ExceptionKind::InvalidInput,
        ExceptionKind::TooManyTiles,
        ExceptionKind::IncompatibleModel,
        ExceptionKind::ImageRead,
        ExceptionKind::Cancelled,
        ExceptionKind::NativePanic,
        ExceptionKind::OnnxRuntime,
        ExceptionKind::Internal,
    ];

    fn class_name(self) -> &'static str {
        match self {
            ExceptionKind::Base => "qupath/ext/tessera/bridge/TesseraException",
            ExceptionKind::InvalidInput => "qupath/ext/tessera/bridge/InvalidInputException",
            ExceptionKind::TooManyTiles => "qupath/ext/tessera/bridge/TooManyTilesException",
            ExceptionKind::IncompatibleModel => "qupath/ext/tessera/bridge/IncompatibleModelException",
            ExceptionKind::ImageRead => "qupath/ext/tessera/bridge/ImageReadException",
            ExceptionKind::Cancelled => "qupath/ext/tessera/bridge/CancelledException",
            ExceptionKind::NativePanic => "qupath/ext/tessera/bridge/NativePanicException",
            ExceptionKind::OnnxRuntime => "qupath/ext/tessera/bridge/OnnxRuntimeException",
            ExceptionKind::Internal => "qupath/ext/tessera/bridge/InternalException",
        }
    }

    /// Parses the names used by the test hook `debugFail` (`invalid-input`, …).
    #[cfg(feature = "test-hooks")]
    pub(crate) fn from_name(name: &str) -> Option<ExceptionKind> {
        Self::ALL.into_iter().find(|kind| kind.test_name() == name)
    }

    #[cfg(feature = "test-hooks")]
    fn test_name(self) -> &'static str {
        match self {
            ExceptionKind::Base => "base",
            ExceptionKind::InvalidInput => "invalid-input",
            ExceptionKind::TooManyTiles => "too-many-tiles",
            ExceptionKind::IncompatibleModel => "incompatible-model",
            ExceptionKind::ImageRead => "image-read",
            ExceptionKind::Cancelled => "cancelled",
            ExceptionKind::NativePanic => "native-panic",
            ExceptionKind::OnnxRuntime => "onnx-runtime",
            ExceptionKind::Internal => "internal",
        }
    }
}

static EXCEPTIONS: OnceLock<Vec<Global<JClass<'static>>>> = OnceLock::new();

/// Looks up and keeps every exception class; call from a native method of an extension class.
pub(crate) fn cache(env: &mut Env) -> jni::errors::Result<()> {
    if EXCEPTIONS.get().is_some() {
        return Ok(());
    }
    let mut classes = Vec::with_capacity(ExceptionKind::ALL.len());
    for kind in ExceptionKind::ALL {
        let class = env.find_class(JNIString::from(kind.class_name()))?;
        classes.push(env.new_global_ref(class)?);
    }
    let _ = EXCEPTIONS.set(classes);
    Ok(())
}

/// Throws an exception of `kind` with `message` (an `IllegalStateException` if the classes were
/// never cached, which means the library was loaded without `NativeLibrary`).
pub(crate) fn throw(env: &mut Env, kind: ExceptionKind, message: &str) {
    let thrown = match EXCEPTIONS.get().and_then(|classes| classes.get(kind as usize)) {
        Some(class) => env.throw_new(class, JNIString::from(message)),
        None => env.throw_new(
            JNIString::from("java/lang/IllegalStateException"),
            JNIString::from(format!("Tessera's native library was not initialised by NativeLibrary: {message}")),
        ),
    };
    // `throw_new` reports the now-pending exception as an error; that is the intended outcome.
    drop(thrown);
}
