//! Progress reports from native jobs to a Java `ProgressListener`.

use std::sync::Mutex;

use jni::objects::{Global, JObject, JThrowable, JValue};
use jni::strings::JNIString;
use jni::{jni_sig, jni_str, AttachConfig, Env, JavaVM};
use tessera_core::job::{CancelToken, ProgressSink};

/// Forwards progress to a Java listener, from whichever thread reports (attaching it if needed).
///
/// A listener that throws stops the job: its exception is kept, the job's token is cancelled,
/// and [`JavaProgress::take_failure`] hands the exception back for the native method to rethrow.
pub(crate) struct JavaProgress {
    listener: Global<JObject<'static>>,
    token: CancelToken,
    failure: Mutex<Option<Global<JThrowable<'static>>>>,
}

impl JavaProgress {
    /// Keeps a global reference to `listener` for the duration of the job that `token` stops.
    pub(crate) fn new(env: &Env, listener: &JObject, token: CancelToken) -> jni::errors::Result<Self> {
        Ok(Self { listener: env.new_global_ref(listener)?, token, failure: Mutex::new(None) })
    }

    /// The exception the listener threw, if it did (once).
    pub(crate) fn take_failure(&self) -> Option<Global<JThrowable<'static>>> {
        self.failure.lock().ok().and_then(|mut failure| failure.take())
    }

    fn call(&self, done: u64, total: u64, message: &str) -> jni::errors::Result<()> {
        // A native thread shows up in Java under its Rust name (e.g. `tessera-worker`).
        let name = JNIString::from(std::thread::current().name().unwrap_or("tessera-native"));
        let config = || AttachConfig::new().thread_name(&name);
        JavaVM::singleton()?.attach_current_thread_with_config(config, None, |env| {
            let message = env.new_string(message)?;
            let called = env.call_method(
                &self.listener,
                jni_str!("onProgress"),
                jni_sig!((done: jlong, total: jlong, message: java.lang.String) -> void),
                &[JValue::Long(done as i64), JValue::Long(total as i64), JValue::Object(&message)],
            );
            if let Some(thrown) = env.exception_occurred() {
                env.exception_clear();
                self.keep(env.new_global_ref(thrown)?);
            }
            called.map(|_| ())
        })
    }

    /// Keeps the first exception the listener threw and stops the job.
    fn keep(&self, thrown: Global<JThrowable<'static>>) {
        if let Ok(mut failure) = self.failure.lock() {
            failure.get_or_insert(thrown);
        }
        self.token.cancel();
    }
}

impl ProgressSink for JavaProgress {
    fn report(&self, done: u64, total: u64, message: &str) {
        if self.token.is_cancelled() {
            return;
        }
        // A listener that throws stops the job (see `keep`); any other JNI failure only loses
        // this report.
        let _ = self.call(done, total, message);
    }
}
