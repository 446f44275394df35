//! Batch normalisation folded into the convolution before it, as a quantised model needs: the
//! convolution's weights then carry the normalisation, and one int8 convolution does both.

use std::collections::HashMap;

use super::tensors::{f32_tensor, floats, initializer};
use crate::graph::proto::{GraphProto, NodeProto, TensorProto};

/// ONNX's default ε of `BatchNormalization`.
const DEFAULT_EPSILON: f32 = 1e-5;

/// Folds every inference-mode `BatchNormalization` whose input is the output of a `Conv` used by
/// nothing else, where both have constant weights, into that convolution:
/// `W' = W·k`, `b' = (b − μ)·k + β` per output channel, with `k = γ/√(σ² + ε)`. Returns how
/// many were folded; the others are left as they are.
pub(super) fn fold_batch_norms(graph: &mut GraphProto) -> usize {
    let mut uses: HashMap<String, usize> = HashMap::new();
    for input in graph.node.iter().flat_map(|n| &n.input) {
        *uses.entry(input.clone()).or_default() += 1;
    }
    for output in &graph.output {
        *uses.entry(output.name.clone()).or_default() += 1;
    }
    let mut folded = 0;
    let mut index = 0;
    while index < graph.node.len() {
        let node = &graph.node[index];
        let foldable = node.op_type == "BatchNormalization"
            && node.output.len() == 1
            && uses.get(&node.input[0]) == Some(&1)
            && attribute_int(node, "training_mode").is_none_or(|mode| mode == 0);
        let conv = foldable
            .then(|| graph.node.iter().position(|n| n.op_type == "Conv" && n.output.first() == Some(&node.input[0])))
            .flatten();
        match conv.and_then(|conv| fold_one(graph, conv, index).map(|tensors| (conv, tensors))) {
            Some((conv, (weights, bias))) => {
                let norm = graph.node.remove(index);
                let node = &mut graph.node[conv];
                node.input.truncate(1);
                node.input.push(weights.name.clone());
                node.input.push(bias.name.clone());
                node.output[0] = norm.output[0].clone();
                graph.initializer.push(weights);
                graph.initializer.push(bias);
                folded += 1;
            }
            None => index += 1,
        }
    }
    folded
}

/// The folded weights and bias of convolution `conv` followed by normalisation `norm`, or
/// `None` when a tensor is not constant or shapes do not fit.
fn fold_one(graph: &GraphProto, conv: usize, norm: usize) -> Option<(TensorProto, TensorProto)> {
    let (conv, norm) = (&graph.node[conv], &graph.node[norm]);
    let constant = |name: &String| initializer(graph, name).and_then(|t| floats(t).map(|v| (t.dims.clone(), v)));
    let (dims, weights) = constant(conv.input.get(1)?)?;
    let channels = *dims.first()? as usize;
    let bias = match conv.input.get(2).filter(|name| !name.is_empty()) {
        Some(name) => constant(name)?.1,
        None => vec![0.0; channels],
    };
    let per_channel: Vec<Vec<f32>> =
        norm.input[1..5].iter().map(|name| constant(name).map(|(_, v)| v)).collect::<Option<_>>()?;
    if bias.len() != channels || per_channel.iter().any(|v| v.len() != channels) || weights.len() % channels != 0 {
        return None;
    }
    let (gamma, beta, mean, variance) = (&per_channel[0], &per_channel[1], &per_channel[2], &per_channel[3]);
    let epsilon = norm.attribute.iter().find(|a| a.name == "epsilon").map_or(DEFAULT_EPSILON, |a| a.f);
    let k: Vec<f32> = (0..channels).map(|c| gamma[c] / (variance[c] + epsilon).sqrt()).collect();
    let per = weights.len() / channels;
    let folded: Vec<f32> = weights.iter().enumerate().map(|(i, w)| w * k[i / per]).collect();
    let shifted: Vec<f32> = (0..channels).map(|c| (bias[c] - mean[c]) * k[c] + beta[c]).collect();
    let name = &norm.output[0];
    Some((
        f32_tensor(&format!("{name}.folded_weight"), &dims, &folded),
        f32_tensor(&format!("{name}.folded_bias"), &[channels as i64], &shifted),
    ))
}

/// The integer attribute `name` of `node`, if set.
pub(super) fn attribute_int(node: &NodeProto, name: &str) -> Option<i64> {
    node.attribute.iter().find(|a| a.name == name).map(|a| a.i)
}
