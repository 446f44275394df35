//! Tessera's pure-Rust core: everything the QuPath extension (`tessera-jni`) and the `tessera`
//! command (`tessera-cli`) share. The core knows nothing about JNI or the command line; those two
//! crates only convert their inputs and map errors.
//!
//! A job flows through the modules in this order:
//! - [`slide`]: where pixels come from — slide files (OpenSlide, behind the `openslide` feature;
//!   JPEG-tiled TIFF pyramids read directly), or pixels pushed from Java;
//! - [`geometry`]: QuPath's GeoJSON and JTS WKB, polygons with holes;
//! - [`tiling`]: tiles planned inside polygons or over tissue at a chosen resolution, and read
//!   in parallel with bounded memory;
//! - [`dataset`]: labelled tiles, grouped splits and folds, class balance, augmentation;
//! - [`graph`]: each training step (forward, backward, AdamW) and the inference model as ONNX
//!   graphs; [`train`] runs them; [`pipeline`] strings preparation, cross-validation and the
//!   final model together;
//! - [`model`]: the `.tessera` package (and WSInfer-style imports), written atomically;
//!   [`quant`]: its int8 model, calibrated on the training tiles and checked against the float
//!   model; [`review`]: the applied tiles a user should look at next;
//! - [`infer`]: whole-slide inference, blending and contours; [`eval`]: metrics with confidence
//!   intervals, ROC curves;
//! - [`names`]: names from user data made safe as file names; [`outputs`]: outputs that would
//!   overwrite an input, refused before work starts;
//! - [`runtime`]: ONNX Runtime, loaded at run time from a library file; [`job`]: progress and
//!   cancellation of long work; [`error`]: the one error type, whose kinds the CLI maps to exit
//!   codes and the JNI crate to Java exceptions.
#![warn(missing_docs)]
// What a library shows is what its users may use: the CLI and the JNI crate (core), Java (JNI).
#![warn(unreachable_pub)]

pub mod dataset;
pub mod error;
pub mod eval;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
pub mod geometry;
pub mod graph;
pub mod infer;
pub mod job;
pub mod model;
pub mod names;
pub mod outputs;
pub mod pipeline;
pub mod png_file;
pub mod quant;
pub mod review;
pub mod rng;
pub mod runtime;
pub mod shift;
pub mod slide;
pub mod tiling;
pub mod train;

pub use error::{Result, TesseraError};

/// The version of this core, shared by the JNI library and the `tessera` command.
///
/// The Java side refuses a native library whose version differs from the jar's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
