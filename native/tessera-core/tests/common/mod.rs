//! What the integration tests share: the ONNX Runtime they load and a job nobody cancels.
#![allow(dead_code)] // Each test file uses its own part.

use std::path::PathBuf;

use tessera_core::job::{CancelToken, Job, Silent};
use tessera_core::runtime::{self, Runtime};

/// ONNX Runtime from `$TESSERA_ONNXRUNTIME`, else the repository's `target/onnxruntime`.
pub fn runtime() -> &'static Runtime {
    let library = std::env::var_os(runtime::LIBRARY_ENV).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/onnxruntime").join(runtime::LIBRARY_NAME)
    });
    runtime::init(&library).unwrap_or_else(|e| panic!("{e} (run scripts/fetch-onnxruntime.sh first)"))
}

/// A job that is never cancelled and reports nowhere.
pub fn job() -> Job<'static> {
    Job::new(CancelToken::new(), &Silent)
}
