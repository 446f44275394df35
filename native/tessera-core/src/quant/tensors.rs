//! Constant tensors of a model: reading f32 initializers and writing the quantised ones.

use crate::graph::proto::{DataType, GraphProto, TensorProto};

/// The f32 values of `tensor`, stored as raw little-endian bytes or as `float_data`; `None` for
/// another element type or a malformed tensor.
pub(super) fn floats(tensor: &TensorProto) -> Option<Vec<f32>> {
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

/// The initializer called `name`, if `graph` has one.
pub(super) fn initializer<'a>(graph: &'a GraphProto, name: &str) -> Option<&'a TensorProto> {
    graph.initializer.iter().find(|t| t.name == name)
}

/// A constant tensor called `name` of shape `dims` from little-endian `raw` bytes.
fn tensor(name: &str, dims: &[i64], elem: DataType, raw: Vec<u8>) -> TensorProto {
    TensorProto {
        name: name.to_owned(),
        dims: dims.to_vec(),
        data_type: elem as i32,
        raw_data: raw,
        ..Default::default()
    }
}

/// An f32 constant.
pub(super) fn f32_tensor(name: &str, dims: &[i64], data: &[f32]) -> TensorProto {
    tensor(name, dims, DataType::Float, data.iter().flat_map(|v| v.to_le_bytes()).collect())
}

/// An int8 constant.
pub(super) fn i8_tensor(name: &str, dims: &[i64], data: &[i8]) -> TensorProto {
    tensor(name, dims, DataType::Int8, data.iter().map(|&v| v as u8).collect())
}

/// A uint8 constant.
pub(super) fn u8_tensor(name: &str, dims: &[i64], data: &[u8]) -> TensorProto {
    tensor(name, dims, DataType::Uint8, data.to_vec())
}

/// An int32 constant.
pub(super) fn i32_tensor(name: &str, dims: &[i64], data: &[i32]) -> TensorProto {
    tensor(name, dims, DataType::Int32, data.iter().flat_map(|v| v.to_le_bytes()).collect())
}

/// Drops the initializers no node uses any more (those replaced by folded or quantised ones).
pub(super) fn drop_unused(graph: &mut GraphProto) {
    let used: std::collections::HashSet<String> = graph
        .node
        .iter()
        .flat_map(|n| n.input.iter().cloned())
        .chain(graph.output.iter().map(|o| o.name.clone()))
        .collect();
    graph.initializer.retain(|t| used.contains(&t.name));
}
