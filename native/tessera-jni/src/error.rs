//! Errors crossing the boundary, and the policy that turns them into Java exceptions.

use std::any::Any;

use jni::errors::ErrorPolicy;
use jni::Env;
use tessera_core::TesseraError;

use crate::classes::{self, ExceptionKind};

/// A failed native method: a core error, or a JNI error (often a pending Java exception).
#[derive(Debug, thiserror::Error)]
pub(crate) enum BridgeError {
    /// The core refused or failed.
    #[error(transparent)]
    Core(#[from] TesseraError),
    /// A JNI call failed.
    #[error("JNI: {0}")]
    Jni(#[from] jni::errors::Error),
}

/// The result of a native method body.
pub(crate) type BridgeResult<T> = Result<T, BridgeError>;

impl BridgeError {
    fn kind(&self) -> ExceptionKind {
        match self {
            BridgeError::Core(TesseraError::InvalidInput(_)) => ExceptionKind::InvalidInput,
            BridgeError::Core(TesseraError::TooManyTiles { .. }) => ExceptionKind::TooManyTiles,
            BridgeError::Core(TesseraError::IncompatibleModel(_)) => ExceptionKind::IncompatibleModel,
            BridgeError::Core(TesseraError::UnreadableImage { .. }) => ExceptionKind::ImageRead,
            BridgeError::Core(TesseraError::Cancelled) => ExceptionKind::Cancelled,
            BridgeError::Core(TesseraError::Runtime(_)) => ExceptionKind::OnnxRuntime,
            BridgeError::Core(TesseraError::Internal(_)) => ExceptionKind::Internal,
            BridgeError::Core(TesseraError::Io { .. }) | BridgeError::Jni(_) => ExceptionKind::Base,
        }
    }
}

/// Throws the `TesseraException` subclass matching each error, and `NativePanicException` for a
/// panic; an exception already pending (thrown by Java during the call) is left to propagate.
pub(crate) struct ThrowTessera;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowTessera {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        error: BridgeError,
    ) -> jni::errors::Result<T> {
        if !env.exception_check() {
            classes::throw(env, error.kind(), &error.to_string());
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        payload: Box<dyn Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        if env.exception_check() {
            env.exception_clear();
        }
        classes::throw(env, ExceptionKind::NativePanic, &format!("native panic: {}", panic_message(payload.as_ref())));
        Ok(T::default())
    }
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_owned())
}
