//! Model packages: the `.tessera` file a user copies, and models made elsewhere.
//!
//! A package is a zip holding `model.onnx`, optionally its int8 twin `model.int8.onnx`, and
//! `tessera.json` ([`Metadata`]): the task, the
//! classes and their colours, the input the model expects (tile size, µm/px, channels,
//! normalisation), and the record of how it was made (architecture, training configuration,
//! data provenance, metrics, software versions). [`Package::write`] writes to a temporary file
//! and renames it, so a reader never sees half a package; [`Package::read`] validates
//! everything and says exactly what does not fit. A bare ONNX file with a WSInfer-style
//! `config.json` beside it loads too ([`wsinfer`]).
//!
//! ```
//! use tessera_core::model::{ClassInfo, InputSpec, Metadata, Task};
//! let metadata = Metadata::new(
//!     "tumour-vs-stroma",
//!     Task::TileClassification,
//!     vec![ClassInfo::new("Tumor", [200, 0, 0]), ClassInfo::new("Stroma", [150, 200, 150])],
//!     InputSpec::imagenet(224, Some(0.5)),
//! );
//! assert!(metadata.validate().is_ok());
//! assert_eq!(metadata.class_names(), vec!["Tumor", "Stroma"]);
//! ```

mod metadata;
mod package;
mod record;
pub mod wsinfer;

pub use metadata::{ClassInfo, InputSpec, Metadata, Provenance, Task, FORMAT_VERSION};
pub use package::{Package, INT8_MODEL_ENTRY, METADATA_ENTRY, MODEL_ENTRY};
pub use record::{
    ArchitectureRecord, BuiltNetwork, CrossValidation, FoldResult, LineageRecord, MetricsRecord, QuantizationRecord,
    TrainingRecord,
};
