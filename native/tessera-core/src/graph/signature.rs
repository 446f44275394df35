//! What an ONNX model declares about its input and output, read without ONNX Runtime.

use prost::Message;

use super::proto::{DimensionValue, ModelProto, ValueInfoProto};
use crate::{Result, TesseraError};

/// A declared dimension: a fixed size, or `None` for a symbolic (run-time) size.
pub type DeclaredDim = Option<i64>;

/// The declared shapes of a model's single input and single output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The input's name and shape.
    pub input: (String, Vec<DeclaredDim>),
    /// The output's name and shape.
    pub output: (String, Vec<DeclaredDim>),
}

/// Reads the declared input and output of a serialised ONNX model; fails when the bytes are
/// not an ONNX model or the model does not have exactly one input and one output.
pub fn signature(bytes: &[u8]) -> Result<Signature> {
    let model = ModelProto::decode(bytes).map_err(|e| {
        TesseraError::IncompatibleModel(format!("not an ONNX model (the file is corrupt or of another kind: {e})"))
    })?;
    let graph =
        model.graph.ok_or_else(|| TesseraError::IncompatibleModel("not an ONNX model: it holds no graph".into()))?;
    let initializers: std::collections::HashSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    // Old exporters list initializers among the inputs too.
    let inputs: Vec<&ValueInfoProto> = graph.input.iter().filter(|i| !initializers.contains(i.name.as_str())).collect();
    match (inputs.as_slice(), graph.output.as_slice()) {
        ([input], [output]) => Ok(Signature { input: declared(input), output: declared(output) }),
        (inputs, outputs) => Err(TesseraError::IncompatibleModel(format!(
            "the model must have one input and one output (an image batch in, class probabilities out); it has {} and {}",
            inputs.len(),
            outputs.len()
        ))),
    }
}

fn declared(value: &ValueInfoProto) -> (String, Vec<DeclaredDim>) {
    let dims = value
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .and_then(|t| t.shape.as_ref())
        .map(|shape| {
            shape
                .dim
                .iter()
                .map(|d| match d.value {
                    Some(DimensionValue::DimValue(size)) if size > 0 => Some(size),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    (value.name.clone(), dims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::probe;

    #[test]
    fn the_probe_declares_a_symbolic_batch() {
        let bytes = probe::linear_softmax(&[0.0; 6], &[0.0; 2], 3).unwrap();
        let signature = signature(&bytes).unwrap();
        assert_eq!(signature.input, (probe::INPUT.to_string(), vec![None, Some(3)]));
        assert_eq!(signature.output, (probe::OUTPUT.to_string(), vec![None, Some(2)]));
        assert!(signature_error(b"\x08\x08garbage").contains("not an ONNX model"));
    }

    fn signature_error(bytes: &[u8]) -> String {
        super::signature(bytes).unwrap_err().to_string()
    }
}
