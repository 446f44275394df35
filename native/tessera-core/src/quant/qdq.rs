//! The rewrite into ONNX's quantise–dequantise (QDQ) form, which ONNX Runtime fuses into int8
//! kernels (`QLinearConv`, `QGemm`, int8 max pooling and additions).
//!
//! Weights: int8, symmetric, one scale per output channel, in 7 bits (±63): the product of a
//! uint8 activation and a weight then cannot saturate the 16-bit sums of CPUs without VNNI, so
//! the model gives the same answers on every x86 machine. Biases: int32 at the scale of input ×
//! weight. Activations: uint8, one scale and zero point per tensor, from the calibrated range
//! (stretched to hold 0, which must be exact).

use std::collections::BTreeMap;

use super::calibrate::Range;
use super::plan::{Plan, Weighted};
use super::tensors::{f32_tensor, floats, i32_tensor, i8_tensor, initializer, u8_tensor};
use crate::graph::builder::attr_int;
use crate::graph::proto::{GraphProto, NodeProto, TensorProto};
use crate::{Result, TesseraError};

/// The largest weight magnitude in 7-bit quantisation.
const WEIGHT_LEVELS: f32 = 63.0;
/// The uint8 steps of an activation's range.
const ACTIVATION_LEVELS: f32 = 255.0;

/// An activation's uint8 scale and zero point.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Affine {
    scale: f32,
    zero_point: u8,
}

impl Affine {
    /// The parameters of `range`, made to hold 0 and starting at 0 when `non_negative`.
    fn of(range: Range, non_negative: bool) -> Self {
        let min = if non_negative { 0.0 } else { range.min.min(0.0) };
        let max = range.max.max(0.0);
        if max - min <= f32::EPSILON {
            return Self { scale: 1.0, zero_point: 0 };
        }
        let scale = (max - min) / ACTIVATION_LEVELS;
        Self { scale, zero_point: (-min / scale).round().clamp(0.0, ACTIVATION_LEVELS) as u8 }
    }
}

/// Rewrites `graph` as `plan` says, with the activation ranges `ranges` (of the plan's measured
/// tensors).
pub(super) fn rewrite(graph: &mut GraphProto, plan: &Plan, ranges: &BTreeMap<String, Range>) -> Result<()> {
    let mut affine = BTreeMap::new();
    for root in plan.measured() {
        let range = ranges
            .get(&root)
            .ok_or_else(|| TesseraError::internal(format!("no calibrated range for tensor {root}")))?;
        affine.insert(root.clone(), Affine::of(*range, plan.non_negative.contains(&root)));
        let params = &affine[&root];
        graph.initializer.push(f32_tensor(&format!("{root}/scale"), &[], &[params.scale]));
        graph.initializer.push(u8_tensor(&format!("{root}/zero_point"), &[], &[params.zero_point]));
    }
    let mut head = Vec::new();
    for weighted in &plan.weighted {
        let x = &graph.node[weighted.node].input[0];
        let input_scale = affine[&plan.activations[x]].scale;
        let (nodes, tensors) = weights(graph, weighted, input_scale)?;
        head.extend(nodes);
        graph.initializer.extend(tensors);
        let node = &mut graph.node[weighted.node];
        node.input[1] = dequantized(&node.input[1]);
        if weighted.bias {
            node.input[2] = dequantized(&node.input[2]);
        }
    }
    let pair = |tensor: &String| -> [NodeProto; 2] {
        let root = &plan.activations[tensor];
        let (scale, zero_point) = (format!("{root}/scale"), format!("{root}/zero_point"));
        let quantized = format!("{tensor}/quantized");
        [
            node("QuantizeLinear", vec![tensor.clone(), scale.clone(), zero_point.clone()], &quantized, None),
            node("DequantizeLinear", vec![quantized, scale, zero_point], &dequantized(tensor), None),
        ]
    };
    let inputs: Vec<String> = graph.input.iter().map(|i| i.name.clone()).collect();
    head.extend(inputs.iter().filter(|i| plan.activations.contains_key(*i)).flat_map(pair));
    let mut nodes = head;
    for mut original in std::mem::take(&mut graph.node) {
        for input in original.input.iter_mut().filter(|i| plan.activations.contains_key(*i)) {
            *input = dequantized(input);
        }
        let outputs: Vec<String> =
            original.output.iter().filter(|o| plan.activations.contains_key(*o)).cloned().collect();
        nodes.push(original);
        nodes.extend(outputs.iter().flat_map(pair));
    }
    graph.node = nodes;
    Ok(())
}

/// The name of `tensor` dequantised.
fn dequantized(tensor: &str) -> String {
    format!("{tensor}/dequantized")
}

/// A node `op` of `inputs` writing `output`, with an `axis` attribute when given.
fn node(op: &str, inputs: Vec<String>, output: &str, axis: Option<usize>) -> NodeProto {
    NodeProto {
        op_type: op.to_owned(),
        name: output.to_owned(),
        input: inputs,
        output: vec![output.to_owned()],
        attribute: axis.map(|a| attr_int("axis", a as i64)).into_iter().collect(),
        ..Default::default()
    }
}

/// The dequantising nodes and int8/int32 tensors of `weighted`'s weights (and bias), for an
/// input of scale `input_scale`.
fn weights(graph: &GraphProto, weighted: &Weighted, input_scale: f32) -> Result<(Vec<NodeProto>, Vec<TensorProto>)> {
    let inputs = &graph.node[weighted.node].input;
    let name = &inputs[1];
    let tensor = initializer(graph, name).ok_or_else(|| TesseraError::internal(format!("no weights {name}")))?;
    let values = floats(tensor).ok_or_else(|| TesseraError::internal(format!("weights {name} are not f32")))?;
    let dims = &tensor.dims;
    let channels = dims[weighted.axis] as usize;
    // Index i of the row-major weights belongs to channel (i / inner) % channels.
    let inner: usize = dims[weighted.axis + 1..].iter().product::<i64>() as usize;
    let channel = |i: usize| (i / inner) % channels;
    let mut largest = vec![0.0f32; channels];
    for (i, v) in values.iter().enumerate() {
        largest[channel(i)] = largest[channel(i)].max(v.abs());
    }
    let scales: Vec<f32> = largest.iter().map(|&m| if m > 0.0 { m / WEIGHT_LEVELS } else { 1.0 }).collect();
    let quantized: Vec<i8> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (v / scales[channel(i)]).round().clamp(-WEIGHT_LEVELS, WEIGHT_LEVELS) as i8)
        .collect();
    let axis = Some(weighted.axis);
    let channel_dims = [channels as i64];
    let mut tensors = vec![
        i8_tensor(&format!("{name}/quantized"), dims, &quantized),
        f32_tensor(&format!("{name}/scale"), &channel_dims, &scales),
        i8_tensor(&format!("{name}/zero_point"), &channel_dims, &vec![0; channels]),
    ];
    let quantized_inputs =
        |name: &str| vec![format!("{name}/quantized"), format!("{name}/scale"), format!("{name}/zero_point")];
    let mut nodes = vec![node("DequantizeLinear", quantized_inputs(name), &dequantized(name), axis)];
    if weighted.bias {
        let bias = &inputs[2];
        let values = initializer(graph, bias)
            .and_then(floats)
            .ok_or_else(|| TesseraError::internal(format!("bias {bias} is not an f32 constant")))?;
        let bias_scales: Vec<f32> = scales.iter().map(|s| s * input_scale).collect();
        let quantized: Vec<i32> = values
            .iter()
            .zip(&bias_scales)
            .map(|(v, s)| {
                (f64::from(*v) / f64::from(*s)).round().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
            })
            .collect();
        tensors.extend([
            i32_tensor(&format!("{bias}/quantized"), &channel_dims, &quantized),
            f32_tensor(&format!("{bias}/scale"), &channel_dims, &bias_scales),
            i32_tensor(&format!("{bias}/zero_point"), &channel_dims, &vec![0; channels]),
        ]);
        nodes.push(node("DequantizeLinear", quantized_inputs(bias), &dequantized(bias), Some(0)));
    }
    Ok((nodes, tensors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_parameters_hold_zero_exactly() {
        let signed = Affine::of(Range { min: -1.0, max: 3.0 }, false);
        assert!((signed.scale - 4.0 / 255.0).abs() < 1e-7);
        // 0 is a whole number of steps above the minimum.
        assert_eq!(signed.zero_point, 64);
        let clipped = Affine::of(Range { min: -1.0, max: 3.0 }, true);
        assert_eq!(clipped.zero_point, 0);
        assert!((clipped.scale - 3.0 / 255.0).abs() < 1e-7);
        let positive = Affine::of(Range { min: 2.0, max: 4.0 }, false);
        assert_eq!((positive.zero_point, positive.scale), (0, 4.0 / 255.0));
        let constant = Affine::of(Range { min: 0.0, max: 0.0 }, false);
        assert_eq!((constant.zero_point, constant.scale), (0, 1.0));
    }
}
