//! Helpers for tests that run graphs on the real ONNX Runtime (fetched by
//! `scripts/fetch-onnxruntime.sh` into `target/onnxruntime`).

use std::path::PathBuf;

use super::session::{Feed, GraphSession};
use crate::runtime::{self, Runtime, Tensor};

/// The runtime, loaded from `TESSERA_ONNXRUNTIME` or the repository's `target/onnxruntime`.
pub(crate) fn runtime() -> &'static Runtime {
    let library = std::env::var_os(runtime::LIBRARY_ENV).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/onnxruntime").join(runtime::LIBRARY_NAME)
    });
    runtime::init(&library).unwrap_or_else(|e| panic!("{e} (run scripts/fetch-onnxruntime.sh first)"))
}

/// Runs `graph` once on one thread.
pub(crate) fn run(graph: &[u8], feeds: &[Feed]) -> Vec<Tensor> {
    let mut session = GraphSession::new(runtime(), graph, 1).unwrap();
    session.run(feeds).unwrap()
}
