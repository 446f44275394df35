//! The one error type of the core.
//!
//! Each variant is a kind the user can act on; the JNI layer maps each kind to its own Java
//! exception class and the CLI to its own exit code, so keep variants few and meaningful.

use std::path::PathBuf;

/// A failure of a core operation, with a message that names the input and the problem.
#[derive(Debug, thiserror::Error)]
pub enum TesseraError {
    /// The caller's input is wrong: a bad parameter, a malformed file, an empty selection.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A model does not fit the request: wrong input shape, channels, unknown output form.
    #[error("incompatible model: {0}")]
    IncompatibleModel(String),
    /// An image or slide could not be opened or read.
    #[error("cannot read image {path}: {reason}")]
    UnreadableImage {
        /// The image that failed.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A plan would make more tiles than are made without the user's confirmation (see
    /// [`crate::tiling::TileSpec::max_tiles`]): usually a tile size, overlap or resolution typed
    /// wrong, and hours of work if not.
    #[error(
        "{slide}: this would make about {estimate} tiles, more than the {limit} made without confirmation; \
         check the tile size, the overlap or stride, and the resolution, or confirm to go on"
    )]
    TooManyTiles {
        /// The slide planned.
        slide: String,
        /// The estimated number of tiles.
        estimate: u64,
        /// The most made without confirmation.
        limit: u64,
    },
    /// The user cancelled the job; nothing was written.
    #[error("cancelled")]
    Cancelled,
    /// ONNX Runtime is missing, too old, or failed while running a model.
    #[error("ONNX Runtime: {0}")]
    Runtime(String),
    /// A fault inside Tessera itself, never the user's input: a poisoned lock, a thread that
    /// cannot start, a value that cannot be serialised.
    #[error("internal error: {0} (a fault in Tessera, please report it)")]
    Internal(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl TesseraError {
    /// Shorthand for [`TesseraError::InvalidInput`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidInput(message.into())
    }

    /// Shorthand for [`TesseraError::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into())
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

impl From<ort::Error> for TesseraError {
    fn from(error: ort::Error) -> Self {
        Self::Runtime(error.to_string())
    }
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, TesseraError>;
