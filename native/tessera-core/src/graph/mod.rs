//! Building ONNX models in Rust.
//!
//! [`proto`] holds the ONNX protobuf messages, [`builder`] a small typed builder over them, and
//! [`probe`] a tiny model used to check an ONNX Runtime installation end to end. For training,
//! [`ops`] adds operator shorthands, [`layers`] the layer set with forward nodes and backward
//! rules, [`optim`] the optimizer updates, [`network`] the training-step and inference graphs of
//! a whole network, [`cnn`] the default from-scratch model, [`unet`] the segmentation network, and [`compose`] appends a trained
//! head to a user's backbone model; [`weights`] reads a model's stored tensors back (to
//! fine-tune it).

pub mod builder;
pub mod cnn;
pub mod compose;
pub mod layers;
pub mod network;
pub mod ops;
pub mod optim;
pub mod probe;
pub mod proto;
pub mod signature;
pub mod unet;
pub mod weights;

pub use builder::{Dim, GraphBuilder, Value};

#[cfg(test)]
mod tests;
