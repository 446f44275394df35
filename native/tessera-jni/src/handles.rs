//! Native objects behind `long` handles owned by Java.
//!
//! A handle is a pointer to a boxed [`Slot`] holding an `Arc` of the object and the object's
//! type, so a handle of the wrong type is refused instead of misread. Java frees each handle once
//! (see `NativeObject.java`); calls borrow a clone of the `Arc`.

use std::any::TypeId;
use std::sync::Arc;

use jni::sys::jlong;
use tessera_core::TesseraError;

use crate::error::BridgeResult;

#[repr(C)]
struct Slot<T> {
    type_id: TypeId,
    value: Arc<T>,
}

/// Moves `value` behind a new handle.
pub(crate) fn into_handle<T: Send + Sync + 'static>(value: T) -> jlong {
    Box::into_raw(Box::new(Slot { type_id: TypeId::of::<T>(), value: Arc::new(value) })) as jlong
}

/// Reads the slot's type without assuming `T`.
fn type_of(handle: jlong) -> TypeId {
    // SAFETY: every handle comes from `into_handle` and is live until `free`; `Slot` is
    // `repr(C)` with `type_id` first, whatever `T` is.
    unsafe { *(handle as *const TypeId) }
}

fn check<T: 'static>(handle: jlong) -> BridgeResult<()> {
    if handle == 0 {
        return Err(TesseraError::invalid("the native object has been closed").into());
    }
    if type_of(handle) != TypeId::of::<T>() {
        return Err(TesseraError::invalid(format!("handle is not a {}", std::any::type_name::<T>())).into());
    }
    Ok(())
}

/// The object behind `handle`, shared with its owner.
pub(crate) fn get<T: 'static>(handle: jlong) -> BridgeResult<Arc<T>> {
    check::<T>(handle)?;
    // SAFETY: checked above that the handle is a live `Slot<T>`.
    Ok(unsafe { &*(handle as *const Slot<T>) }.value.clone())
}

/// Frees `handle`; the object itself lives on while calls in flight hold it.
pub(crate) fn free<T: 'static>(handle: jlong) -> BridgeResult<()> {
    check::<T>(handle)?;
    // SAFETY: checked above; Java frees each handle exactly once.
    drop(unsafe { Box::from_raw(handle as *mut Slot<T>) });
    Ok(())
}
