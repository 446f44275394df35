//! From annotated slides to an evaluated model package: the training job of `tessera train`,
//! `tessera demo` and the QuPath extension.
//!
//! - [`architecture`] says what is trained: the from-scratch CNN, the from-scratch U-Net (a
//!   pixel classifier), or a head on a backbone's embeddings whose package model is the backbone
//!   followed by the head.
//! - [`collect`] reads the planned tiles (or, for the U-Net, patches with label masks) of every slide into a [`TileStore`](crate::dataset::TileStore), grouped so that
//!   tiles of one slide (or, with a single slide, of one polygon) never fall on both sides of a
//!   split.
//! - [`crossval`] runs grouped k-fold cross-validation and reports each fold's metrics.
//! - [`assess`] scores a finished model on other annotated slides.
//! - [`export`] trains the final model and packs it, with its metrics and provenance, into a
//!   [`Package`](crate::model::Package).
//! - [`int8`] adds the package's int8 model, calibrated on the training tiles and checked
//!   against the float model on the validation tiles.
//! - [`parent`] starts training from a parent model's weights (fine-tuning) and records the
//!   lineage.
//! - [`request`] strings those together: the one training request every front end runs.

pub mod architecture;
pub mod assess;
pub mod collect;
pub mod crossval;
pub mod export;
pub mod int8;
pub mod parent;
pub mod request;

pub use crate::model::FoldResult;
pub use architecture::{Architecture, Prepared, TransferOptions, UNetOptions};
pub use assess::{evaluate_slides, model_tiles};
pub use collect::{collect, collect_patches, tiles_per_class, Collected, DataRecord, LabelledSlide};
pub use crossval::cross_validate;
pub use export::{train_package, CnnOptions};
pub use request::{Stage, Stages, TrainingRequest};
