//! int8 models made by the core from a float model and calibration tiles, without Python.
//!
//! [`quantize`] folds batch normalisation into the convolutions ([`fold`]), plans which weights
//! and activations to quantise ([`plan`]), measures the activations' ranges on the calibration
//! tiles ([`calibrate`]), and rewrites the graph in ONNX's quantise–dequantise form ([`qdq`]),
//! which ONNX Runtime runs with int8 kernels. [`guard`] compares the int8 model with the float
//! one, so that an int8 model is used only where it gives the same answers.

mod calibrate;
mod fold;
pub mod guard;
mod plan;
mod qdq;
mod tensors;

use prost::Message;

pub use calibrate::Calibration;
pub use guard::Agreement;

use crate::dataset::samples::Samples;
use crate::graph::proto::ModelProto;
use crate::job::Job;
use crate::runtime::Runtime;
use crate::{Result, TesseraError};

/// The fewest calibration tiles accepted: fewer cannot show the range of a network's values.
pub const MIN_CALIBRATION_TILES: usize = 32;
/// The most calibration tiles used (spread over those given); more change the ranges little.
pub const MAX_CALIBRATION_TILES: usize = 256;
/// The oldest default-domain opset that has per-channel `DequantizeLinear`.
const MIN_OPSET: i64 = 13;

/// What the int8 models are, in words (stored with them).
pub const SCHEME: &str = "QDQ: int8 weights per output channel (7-bit), uint8 activations per tensor, int32 biases";

/// Up to [`MAX_CALIBRATION_TILES`] of `tiles`, spread evenly over them; refuses fewer than
/// [`MIN_CALIBRATION_TILES`], saying where they came from (`what`).
pub fn calibration_tiles(tiles: &[usize], what: &str) -> Result<Vec<usize>> {
    if tiles.len() < MIN_CALIBRATION_TILES {
        return Err(TesseraError::invalid(format!(
            "{} {what} are too few to calibrate an int8 model: it needs at least {MIN_CALIBRATION_TILES}",
            tiles.len()
        )));
    }
    let count = tiles.len().min(MAX_CALIBRATION_TILES);
    Ok((0..count).map(|i| tiles[i * tiles.len() / count]).collect())
}

/// The int8 (QDQ) model of the float ONNX model `float`, its activation ranges calibrated by
/// `method` on `tiles` of `samples` (see [`calibration_tiles`]). Fails with
/// [`TesseraError::IncompatibleModel`] and a one-line reason when the model cannot be quantised.
#[allow(clippy::too_many_arguments)] // The model, the calibration data and how to run it.
pub fn quantize(
    runtime: &Runtime,
    float: &[u8],
    samples: &dyn Samples,
    tiles: &[usize],
    method: Calibration,
    threads: usize,
    job: &Job,
) -> Result<Vec<u8>> {
    let mut model = decode(float)?;
    let graph = model.graph.as_mut().ok_or_else(|| TesseraError::IncompatibleModel("it holds no graph".into()))?;
    fold::fold_batch_norms(graph);
    tensors::drop_unused(graph);
    let folded = model.clone();
    let graph = model.graph.as_mut().ok_or_else(|| TesseraError::internal("graph vanished"))?;
    let plan = plan::plan(graph)?;
    let ranges = calibrate::ranges(runtime, &folded, &plan.measured(), samples, tiles, method, threads, job)?;
    qdq::rewrite(graph, &plan, &ranges)?;
    tensors::drop_unused(graph);
    Ok(model.encode_to_vec())
}

/// Decodes `bytes` for rewriting; refuses a model that uses parts of ONNX Tessera's messages do
/// not carry (they would be lost on re-encoding) or an opset without per-channel quantisation.
fn decode(bytes: &[u8]) -> Result<ModelProto> {
    let model =
        ModelProto::decode(bytes).map_err(|e| TesseraError::IncompatibleModel(format!("not an ONNX model: {e}")))?;
    if model.encoded_len() != bytes.len() {
        return Err(TesseraError::IncompatibleModel(format!(
            "it uses ONNX features the quantiser does not rewrite ({} of its {} bytes would be lost)",
            bytes.len().abs_diff(model.encoded_len()),
            bytes.len()
        )));
    }
    let opset = model.opset_import.iter().find(|o| o.domain.is_empty() || o.domain == "ai.onnx").map(|o| o.version);
    match opset {
        Some(version) if version >= MIN_OPSET => Ok(model),
        other => Err(TesseraError::IncompatibleModel(format!(
            "its ONNX opset {} is older than {MIN_OPSET}, the first with per-channel quantisation",
            other.map_or("(none)".into(), |v| v.to_string())
        ))),
    }
}
