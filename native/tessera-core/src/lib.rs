//! Tessera's pure-Rust core.
//!
//! Everything the QuPath extension and the `tessera` command share lives here: errors, progress
//! and cancellation of long jobs, the ONNX graph builder, and the ONNX Runtime wrapper. The core
//! knows nothing about JNI or the command line; `tessera-jni` and `tessera-cli` only convert.
#![warn(missing_docs)]

pub mod dataset;
pub mod error;
pub mod eval;
pub mod geometry;
pub mod graph;
pub mod infer;
pub mod job;
pub mod model;
pub mod pipeline;
pub mod rng;
pub mod runtime;
pub mod slide;
pub mod tiling;
pub mod train;

pub use error::{Result, TesseraError};

/// The version of this core, shared by the JNI library and the `tessera` command.
///
/// The Java side refuses a native library whose version differs from the jar's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
