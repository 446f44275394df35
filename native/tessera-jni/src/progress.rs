//! Progress reports from native jobs to a Java `ProgressListener`.

use jni::objects::{Global, JObject, JValue};
use jni::strings::JNIString;
use jni::{jni_sig, jni_str, AttachConfig, Env, JavaVM};
use tessera_core::job::ProgressSink;

/// Forwards progress to a Java listener, from whichever thread reports (attaching it if needed).
pub struct JavaProgress {
    listener: Global<JObject<'static>>,
}

impl JavaProgress {
    /// Keeps a global reference to `listener` for the duration of the job.
    pub fn new(env: &Env, listener: &JObject) -> jni::errors::Result<Self> {
        Ok(Self { listener: env.new_global_ref(listener)? })
    }

    fn call(&self, done: u64, total: u64, message: &str) -> jni::errors::Result<()> {
        // A native thread shows up in Java under its Rust name (e.g. `tessera-worker`).
        let name = JNIString::from(std::thread::current().name().unwrap_or("tessera-native"));
        let config = || AttachConfig::new().thread_name(&name);
        JavaVM::singleton()?.attach_current_thread_with_config(config, None, |env| {
            let message = env.new_string(message)?;
            env.call_method(
                &self.listener,
                jni_str!("onProgress"),
                jni_sig!((done: jlong, total: jlong, message: java.lang.String) -> void),
                &[JValue::Long(done as i64), JValue::Long(total as i64), JValue::Object(&message)],
            )?;
            Ok(())
        })
    }
}

impl ProgressSink for JavaProgress {
    fn report(&self, done: u64, total: u64, message: &str) {
        // A listener that throws must not stop the job; the exception was cleared on detach.
        if let Err(error) = self.call(done, total, message) {
            eprintln!("tessera: progress listener failed: {error}");
        }
    }
}
