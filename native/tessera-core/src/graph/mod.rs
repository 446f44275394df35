//! Building ONNX models in Rust.
//!
//! [`proto`] holds the ONNX protobuf messages, [`builder`] a small typed builder over them, and
//! [`probe`] a tiny model used to check an ONNX Runtime installation end to end.

pub mod builder;
pub mod probe;
pub mod proto;

pub use builder::{Dim, GraphBuilder, Value};
