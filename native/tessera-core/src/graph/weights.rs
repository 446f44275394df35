//! The constant tensors an ONNX model stores: its weights, read back as numbers.

use std::collections::HashMap;

use prost::Message;

use super::proto::{DataType, ModelProto, TensorProto};
use crate::runtime::Tensor;
use crate::{Result, TesseraError};

/// The f32 values of `tensor`, stored as raw little-endian bytes or as `float_data`; `None` for
/// another element type or a malformed tensor.
pub(crate) fn floats(tensor: &TensorProto) -> Option<Vec<f32>> {
    if tensor.data_type != DataType::Float as i32 {
        return None;
    }
    let values: Vec<f32> = if tensor.raw_data.is_empty() {
        tensor.float_data.clone()
    } else {
        if !tensor.raw_data.len().is_multiple_of(4) {
            return None;
        }
        tensor.raw_data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
    };
    let expected: i64 = tensor.dims.iter().product();
    (values.len() as i64 == expected).then_some(values)
}

/// Every f32 initializer of the serialised model `bytes`, by name.
pub fn float_initializers(bytes: &[u8]) -> Result<HashMap<String, Tensor>> {
    let model =
        ModelProto::decode(bytes).map_err(|e| TesseraError::IncompatibleModel(format!("not an ONNX model: {e}")))?;
    let graph = model.graph.unwrap_or_default();
    Ok(graph
        .initializer
        .iter()
        .filter_map(|t| {
            let shape = t.dims.iter().map(|&d| usize::try_from(d).ok()).collect::<Option<Vec<_>>>()?;
            Some((t.name.clone(), Tensor { shape, data: floats(t)? }))
        })
        .collect())
}
