//! Constant tensors of a model: reading f32 initializers and writing the quantised ones.

use crate::graph::proto::{DataType, GraphProto, TensorProto};
pub(super) use crate::graph::weights::floats;

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
