//! One inference model from two: a backbone (any ONNX model, kept byte for byte) followed by a
//! head graph of ours that reads the backbone's output.
//!
//! The backbone is not decoded into [`proto`](super::proto) messages, which hold only the subset
//! of ONNX that Tessera writes: its protobuf fields are copied as they are, except the graph's
//! outputs, which are replaced by the head's. The head's nodes and initializers are appended to
//! the backbone's graph with their names prefixed, so that they cannot clash with the backbone's.

use prost::Message;

use super::proto::{GraphProto, ModelProto};
use super::signature::signature;
use crate::{Result, TesseraError};

/// The prefix of every name the head brings into the composed graph.
pub const HEAD_PREFIX: &str = "tessera.head/";

/// `ModelProto.graph`.
const MODEL_GRAPH: u64 = 7;
/// `GraphProto.output`.
const GRAPH_OUTPUT: u64 = 12;
/// The length-delimited wire type.
const LENGTH_DELIMITED: u64 = 2;

/// One protobuf field of a serialised message.
struct Field<'a> {
    number: u64,
    /// The whole field: key, length (if any) and value.
    raw: &'a [u8],
    /// The value of a length-delimited field.
    payload: Option<&'a [u8]>,
}

fn corrupt() -> TesseraError {
    TesseraError::IncompatibleModel("the backbone is not a readable ONNX model (bad protobuf)".into())
}

fn varint(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).ok_or_else(corrupt)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(corrupt())
}

/// The top-level fields of a serialised message, in order.
fn fields(bytes: &[u8]) -> Result<Vec<Field<'_>>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let key = varint(bytes, &mut at)?;
        let payload = match key & 7 {
            0 => {
                varint(bytes, &mut at)?;
                None
            }
            1 => {
                at += 8;
                None
            }
            LENGTH_DELIMITED => {
                let length = usize::try_from(varint(bytes, &mut at)?).map_err(|_| corrupt())?;
                let begin = at;
                at = at.checked_add(length).ok_or_else(corrupt)?;
                Some(bytes.get(begin..at).ok_or_else(corrupt)?)
            }
            5 => {
                at += 4;
                None
            }
            _ => return Err(corrupt()),
        };
        let raw = bytes.get(start..at).ok_or_else(corrupt)?;
        out.push(Field { number: key >> 3, raw, payload });
    }
    Ok(out)
}

/// The head graph renamed into the composed graph: its input becomes `features`, every other
/// name gets [`HEAD_PREFIX`]; only its nodes, initializers and outputs are kept.
fn renamed_head(head: &[u8], input: &str, features: &str) -> Result<GraphProto> {
    let model = ModelProto::decode(head).map_err(|e| TesseraError::invalid(format!("head graph: {e}")))?;
    let graph = model.graph.ok_or_else(|| TesseraError::invalid("the head model holds no graph"))?;
    let rename = |name: &str| match name {
        "" => String::new(),
        n if n == input => features.to_owned(),
        n => format!("{HEAD_PREFIX}{n}"),
    };
    let mut out =
        GraphProto { node: graph.node, initializer: graph.initializer, output: graph.output, ..Default::default() };
    for node in &mut out.node {
        node.name = rename(&node.name);
        node.input.iter_mut().chain(node.output.iter_mut()).for_each(|n| *n = rename(n));
    }
    out.initializer.iter_mut().for_each(|t| t.name = rename(&t.name));
    out.output.iter_mut().for_each(|o| o.name = rename(&o.name));
    Ok(out)
}

/// The model `backbone` → `head`: the head's input named `head_input` reads the backbone's
/// single output, and the head's outputs are the model's outputs. The backbone's opsets and IR
/// version are kept, so the head must use operators they define (ours — `MatMul`, `Add`,
/// `Relu`, `Softmax` over 2-D features — mean the same in every opset since 13).
pub fn append_head(backbone: &[u8], head: &[u8], head_input: &str) -> Result<Vec<u8>> {
    let features = signature(backbone)?.output.0;
    let head = renamed_head(head, head_input, &features)?.encode_to_vec();
    let top = fields(backbone)?;
    if top.iter().filter(|f| f.number == MODEL_GRAPH).count() != 1 {
        return Err(TesseraError::IncompatibleModel("the backbone must hold exactly one graph".into()));
    }
    let mut out = Vec::with_capacity(backbone.len() + head.len() + 16);
    for field in top {
        match (field.number, field.payload) {
            (MODEL_GRAPH, Some(graph)) => {
                let mut merged = Vec::with_capacity(graph.len() + head.len());
                for part in fields(graph)?.into_iter().filter(|f| f.number != GRAPH_OUTPUT) {
                    merged.extend_from_slice(part.raw);
                }
                merged.extend_from_slice(&head);
                prost::encoding::encode_varint(MODEL_GRAPH << 3 | LENGTH_DELIMITED, &mut out);
                prost::encoding::encode_varint(merged.len() as u64, &mut out);
                out.extend_from_slice(&merged);
            }
            _ => out.extend_from_slice(field.raw),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::builder::{attr_int, attr_ints, Dim, GraphBuilder};
    use crate::graph::proto::DataType;
    use crate::train::session::{Feed, GraphSession};
    use crate::train::testing::{run, runtime};

    /// Each channel's mean over a 4×4 tile.
    fn backbone() -> Vec<u8> {
        let mut g = GraphBuilder::new("backbone");
        let x = g.input("image", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(4), Dim::Fixed(4)]);
        let mean = g.node("ReduceMean", &[&x], vec![attr_ints("axes", &[2, 3]), attr_int("keepdims", 0)]);
        g.output(&mean, "features", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3)]);
        g.to_bytes("test")
    }

    /// `softmax(x W)` of 3 features into 2 classes, with names the backbone also uses.
    fn head() -> Vec<u8> {
        let mut g = GraphBuilder::new("head");
        let x = g.input("input", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3)]);
        let w = g.initializer_f32("image", &[3, 2], &[1.0, 0.0, 0.0, 1.0, 2.0, -1.0]);
        let logits = g.node("MatMul", &[&x, &w], vec![]);
        let p = g.node("Softmax", &[&logits], vec![attr_int("axis", 1)]);
        g.output(&p, "features", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(2)]);
        g.to_bytes("test")
    }

    #[test]
    fn the_composed_model_runs_the_head_on_the_backbones_output() {
        let composed = append_head(&backbone(), &head(), "input").unwrap();
        let declared = signature(&composed).unwrap();
        assert_eq!(declared.input.0, "image");
        assert_eq!(declared.output, (format!("{HEAD_PREFIX}features"), vec![None, Some(2)]));
        let pixels: Vec<f32> = (0..96).map(|i| (i % 7) as f32 / 7.0).collect();
        let features = run(&backbone(), &[Feed::f32("image", &[2, 3, 4, 4], &pixels)]).remove(0);
        let mut session = GraphSession::new(runtime(), &composed, 1).unwrap();
        let p = session.run(&[Feed::f32("image", &[2, 3, 4, 4], &pixels)]).unwrap().remove(0);
        let expected = run(&head(), &[Feed::f32("input", &[2, 3], &features.data)]).remove(0);
        assert_eq!(p.shape, vec![2, 2]);
        assert!(p.data.iter().zip(&expected.data).all(|(a, b)| (a - b).abs() < 1e-6), "{p:?} vs {expected:?}");
    }

    #[test]
    fn a_corrupt_backbone_is_refused() {
        let mut broken = backbone();
        broken.truncate(broken.len() / 2);
        assert!(matches!(append_head(&broken, &head(), "input"), Err(TesseraError::IncompatibleModel(_))));
    }
}
