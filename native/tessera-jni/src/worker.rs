//! Running native work off the Java thread.
//!
//! Long jobs run on a named native worker thread with a large stack (Java threads may have small
//! ones, and a stack overflow in native code would kill QuPath); the calling Java thread waits.
//! A panic on the worker is carried back and re-raised on the calling thread, where the native
//! method's `catch_unwind` turns it into `NativePanicException`.

use tessera_core::TesseraError;

use crate::error::BridgeResult;

/// Stack size of worker threads.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Runs `job` on a new worker thread and returns its result.
pub(crate) fn run<T: Send>(job: impl FnOnce() -> tessera_core::Result<T> + Send) -> BridgeResult<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("tessera-worker".to_owned())
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, job)
            .map_err(|e| TesseraError::internal(format!("cannot start a worker thread: {e}")))?;
        match handle.join() {
            Ok(result) => Ok(result?),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}
