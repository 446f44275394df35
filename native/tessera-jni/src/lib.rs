//! The JNI boundary between the Tessera QuPath extension and `tessera-core`.
//!
//! Conversion and error mapping only: every native method is a thin shell around a core function
//! returning `Result`. One Rust file per Java class the methods serve; all methods are declared on
//! the Java class `qupath.ext.tessera.bridge.NativeBridge` and registered explicitly by
//! [`native_library`]'s `registerNatives`, which Java then checks against its declarations.
//!
//! Nothing here may abort the JVM: every method runs inside `catch_unwind` (via
//! `jni::native_method!`), errors become `TesseraException` subclasses (see [`error`]), and
//! `unwrap`/`expect` are denied by clippy in this crate.
// What a library shows is what its users may use: the CLI and the JNI crate (core), Java (JNI).
#![warn(unreachable_pub)]

mod cancellation_token;
mod classes;
mod convert;
mod diagnostics;
mod error;
mod evaluator;
mod file_names;
mod handles;
mod jobs;
mod native_library;
mod native_slide;
mod onnx_model;
mod patch_labels;
mod progress;
mod review;
mod segmenter;
#[cfg(feature = "test-hooks")]
mod test_hooks;
mod tile_planner;
mod tile_predictor;
mod tile_store;
mod trainer;
mod uncertainty;
mod worker;

/// Declares one native method of `NativeBridge` with Tessera's error policy (the calling module
/// imports `ThrowTessera`: the macro takes a plain name).
macro_rules! bridge_method {
    ($($tt:tt)*) => {
        ::jni::native_method! {
            error_policy = ThrowTessera,
            $($tt)*
        }
    };
}
pub(crate) use bridge_method;

/// Every registered method, gathered from the per-class modules.
pub(crate) fn methods() -> Vec<jni::NativeMethod<'static>> {
    [
        native_library::METHODS,
        native_slide::METHODS,
        cancellation_token::METHODS,
        onnx_model::METHODS,
        patch_labels::METHODS,
        segmenter::METHODS,
        diagnostics::METHODS,
        evaluator::METHODS,
        file_names::METHODS,
        review::METHODS,
        tile_planner::METHODS,
        tile_predictor::METHODS,
        tile_store::METHODS,
        trainer::METHODS,
        uncertainty::METHODS,
    ]
    .concat()
}
