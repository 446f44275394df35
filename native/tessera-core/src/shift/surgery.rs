//! Small edits of a serialised ONNX model: exposing inner values as outputs, finding the pooled
//! features and the batch normalisations, replacing stored statistics.

use prost::Message;

use crate::graph::builder::float_output;
use crate::graph::proto::ModelProto;
use crate::graph::weights::floats;
use crate::{Result, TesseraError};

/// The model in `bytes`, decoded.
pub(crate) fn decode(bytes: &[u8]) -> Result<ModelProto> {
    ModelProto::decode(bytes).map_err(|e| TesseraError::IncompatibleModel(format!("not an ONNX model: {e}")))
}

/// The values that describe what a network sees in a tile: the input of every stored batch
/// normalisation (from the colours the first layer sees to the deepest features), then the
/// output of its last global pooling (`ReduceMean` or `GlobalAveragePool`); empty when it has
/// neither.
pub(crate) fn feature_values(model: &ModelProto) -> Vec<String> {
    let mut values: Vec<String> = batch_norms(model).into_iter().map(|site| site.input).collect();
    let pooled = model.graph.as_ref().and_then(|graph| {
        graph
            .node
            .iter()
            .rev()
            .find(|node| matches!(node.op_type.as_str(), "ReduceMean" | "GlobalAveragePool"))
            .and_then(|node| node.output.first().cloned())
    });
    values.extend(pooled);
    values
}

/// `model` serialised with the inner values `names` as its outputs (f32, shapes left to the
/// runtime).
pub(crate) fn with_outputs(model: &ModelProto, names: &[String]) -> Vec<u8> {
    let mut model = model.clone();
    model.graph.get_or_insert_with(Default::default).output = names.iter().map(|name| float_output(name)).collect();
    model.encode_to_vec()
}

/// A batch normalisation whose running statistics are stored in the model.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BatchNormSite {
    /// The value it normalises.
    pub input: String,
    /// The stored running mean's name.
    pub mean: String,
    /// The stored running variance's name.
    pub var: String,
}

/// Every `BatchNormalization` whose mean and variance are stored f32 tensors, in graph order.
pub(crate) fn batch_norms(model: &ModelProto) -> Vec<BatchNormSite> {
    let Some(graph) = model.graph.as_ref() else { return Vec::new() };
    let stored = |name: &str| graph.initializer.iter().any(|t| t.name == name && floats(t).is_some());
    graph
        .node
        .iter()
        .filter(|node| node.op_type == "BatchNormalization" && node.input.len() == 5)
        .filter(|node| stored(&node.input[3]) && stored(&node.input[4]))
        .map(|node| BatchNormSite {
            input: node.input[0].clone(),
            mean: node.input[3].clone(),
            var: node.input[4].clone(),
        })
        .collect()
}

/// Replaces the values of the stored f32 tensor `name`, which must have as many.
pub(crate) fn set_floats(model: &mut ModelProto, name: &str, values: &[f32]) -> Result<()> {
    let tensor = model
        .graph
        .as_mut()
        .and_then(|graph| graph.initializer.iter_mut().find(|t| t.name == name))
        .ok_or_else(|| TesseraError::IncompatibleModel(format!("the model stores no tensor {name}")))?;
    let expected: i64 = tensor.dims.iter().product();
    if expected != values.len() as i64 {
        return Err(TesseraError::IncompatibleModel(format!(
            "tensor {name} holds {expected} values, not {}",
            values.len()
        )));
    }
    tensor.float_data.clear();
    tensor.raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    Ok(())
}
