//! The preamble every long native method shares: a job on a worker thread, reporting to a Java
//! listener and stopped by a Java cancellation token.

use jni::objects::JObject;
use jni::sys::jlong;
use jni::Env;
use tessera_core::job::{CancelToken, Job};

use crate::error::{BridgeError, BridgeResult};
use crate::progress::JavaProgress;
use crate::{handles, worker};

/// Runs `work` on a worker thread as a job that reports to `listener` and stops when the token
/// behind `cancel_token` is cancelled. An exception thrown by the listener stops the job and is
/// rethrown to the Java caller in place of the job's result.
pub(crate) fn run_job<T: Send>(
    env: &mut Env,
    listener: &JObject,
    cancel_token: jlong,
    work: impl FnOnce(&Job) -> tessera_core::Result<T> + Send,
) -> BridgeResult<T> {
    let token = (*handles::get::<CancelToken>(cancel_token)?).clone();
    let progress = JavaProgress::new(env, listener, token.clone())?;
    let result = worker::run(|| work(&Job::new(token, &progress)));
    if let Some(thrown) = progress.take_failure() {
        env.throw(&thrown)?;
        return Err(BridgeError::Jni(jni::errors::Error::JavaException));
    }
    result
}
