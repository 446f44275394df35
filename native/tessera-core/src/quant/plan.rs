//! Which tensors of a float graph get int8 weights or uint8 activations, and which ReLUs the
//! quantisation makes redundant.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::fold::attribute_int;
use super::tensors::{floats, initializer};
use crate::graph::proto::GraphProto;
use crate::{Result, TesseraError};

/// Where a node's constant weights are quantised per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Weighted {
    /// The node's index in the graph.
    pub node: usize,
    /// The weight axis of the output channels (one scale each).
    pub axis: usize,
    /// Whether input 2 is a bias of one value per output channel, quantised to int32.
    pub bias: bool,
}

/// What the quantised graph quantises.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// The convolutions and matrix products with constant weights.
    pub weighted: Vec<Weighted>,
    /// Each activation given a quantise–dequantise pair → the tensor whose calibrated range it
    /// takes: itself, or for a max pooling's output, the pooling's input (pooling then runs on
    /// the integers).
    pub activations: BTreeMap<String, String>,
    /// Ranges that start at 0: only ReLUs read them (directly or after max pooling), so those
    /// ReLUs were removed — an unsigned value with zero point 0 is never negative.
    pub non_negative: BTreeSet<String>,
}

impl Plan {
    /// The tensors whose ranges calibration must measure.
    pub(super) fn measured(&self) -> BTreeSet<String> {
        self.activations.values().cloned().collect()
    }
}

/// Plans the quantisation of `graph` (after batch normalisation is folded) and removes the
/// ReLUs it makes redundant, rewiring their readers to the ReLU's input. Fails, with the reason,
/// when there is nothing to quantise.
pub(super) fn plan(graph: &mut GraphProto) -> Result<Plan> {
    if weighted_nodes(graph).is_empty() {
        return Err(TesseraError::IncompatibleModel(
            "it has no convolution or matrix product with constant float weights, so int8 has nothing to speed up"
                .into(),
        ));
    }
    let mut non_negative = BTreeSet::new();
    loop {
        let weighted = weighted_nodes(graph);
        let activations = activations(graph, &weighted);
        let readers = readers(graph);
        let outputs: HashSet<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
        let redundant: Vec<usize> = (0..graph.node.len())
            .filter(|&i| {
                let node = &graph.node[i];
                node.op_type == "Relu"
                    && !outputs.contains(node.output[0].as_str())
                    && activations
                        .get(&node.input[0])
                        .is_some_and(|root| only_relus_read(graph, &readers, &outputs, root))
            })
            .collect();
        if redundant.is_empty() {
            return Ok(Plan { weighted, activations, non_negative });
        }
        for &i in redundant.iter().rev() {
            let relu = graph.node.remove(i);
            non_negative.insert(activations[&relu.input[0]].clone());
            for input in graph.node.iter_mut().flat_map(|n| n.input.iter_mut()) {
                if *input == relu.output[0] {
                    input.clone_from(&relu.input[0]);
                }
            }
        }
    }
}

/// The convolutions, `Gemm`s (no transposed input, α = β = 1) and `MatMul`s whose weights are
/// constant float tensors of their own.
fn weighted_nodes(graph: &GraphProto) -> Vec<Weighted> {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for input in graph.node.iter().flat_map(|n| &n.input) {
        *uses.entry(input.as_str()).or_default() += 1;
    }
    // Weights shared between nodes are left float: each node's bias scale depends on its input.
    let constant = |name: Option<&String>, rank: usize| {
        name.filter(|n| uses.get(n.as_str()) == Some(&1))
            .and_then(|n| initializer(graph, n))
            .is_some_and(|t| t.dims.len() == rank && floats(t).is_some())
    };
    let mut found = Vec::new();
    for (index, node) in graph.node.iter().enumerate() {
        let float_attr = |name: &str| node.attribute.iter().find(|a| a.name == name).map_or(1.0, |a| a.f);
        let channels =
            |axis: usize| node.input.get(1).and_then(|n| initializer(graph, n)).and_then(|t| t.dims.get(axis).copied());
        let bias_fits = |axis: usize| match node.input.get(2).filter(|n| !n.is_empty()) {
            None => Some(false),
            Some(name) => {
                let bias =
                    initializer(graph, name).filter(|t| floats(t).is_some() && uses.get(name.as_str()) == Some(&1))?;
                Some(bias.dims.len() == 1 && Some(bias.dims[0]) == channels(axis))
            }
        };
        let entry = match node.op_type.as_str() {
            "Conv" if constant(node.input.get(1), 4) => bias_fits(0).map(|bias| (0, bias)),
            "Gemm"
                if constant(node.input.get(1), 2)
                    && attribute_int(node, "transA").unwrap_or(0) == 0
                    && float_attr("alpha") == 1.0
                    && float_attr("beta") == 1.0 =>
            {
                let axis = if attribute_int(node, "transB").unwrap_or(0) == 0 { 1 } else { 0 };
                Some((axis, bias_fits(axis).unwrap_or(false)))
            }
            "MatMul" if constant(node.input.get(1), 2) => Some((1, false)),
            _ => None,
        };
        let reads_activation = node.input.first().is_some_and(|x| initializer(graph, x).is_none());
        if let Some((axis, bias)) = entry.filter(|_| reads_activation) {
            found.push(Weighted { node: index, axis, bias });
        }
    }
    found
}

/// Every activation to quantise, mapped to the tensor whose range it takes: the inputs of the
/// weighted nodes, the convolutions' outputs (unless they are the model's output or go into a
/// softmax: class scores stay float), then in graph order max poolings' outputs (sharing their
/// input's range) and sums of two quantised tensors.
fn activations(graph: &GraphProto, weighted: &[Weighted]) -> BTreeMap<String, String> {
    let readers = readers(graph);
    let outputs: HashSet<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
    let mut roots = BTreeMap::new();
    for w in weighted {
        let node = &graph.node[w.node];
        roots.insert(node.input[0].clone(), node.input[0].clone());
        let output = &node.output[0];
        let into_softmax =
            readers.get(output.as_str()).is_some_and(|r| r.iter().any(|&i| graph.node[i].op_type.contains("Softmax")));
        if node.op_type == "Conv" && !outputs.contains(output.as_str()) && !into_softmax {
            roots.insert(output.clone(), output.clone());
        }
    }
    for node in &graph.node {
        let output = || node.output[0].clone();
        match node.op_type.as_str() {
            "MaxPool" if node.output.len() == 1 => {
                if let Some(root) = roots.get(&node.input[0]).cloned() {
                    roots.insert(output(), root);
                }
            }
            "Add" if node.input.iter().all(|i| roots.contains_key(i)) && !outputs.contains(node.output[0].as_str()) => {
                roots.insert(output(), output());
            }
            _ => {}
        }
    }
    roots
}

/// Whether only ReLUs read `tensor`, directly or through max poolings read only by ReLUs.
fn only_relus_read(
    graph: &GraphProto,
    readers: &HashMap<&str, Vec<usize>>,
    outputs: &HashSet<&str>,
    tensor: &str,
) -> bool {
    if outputs.contains(tensor) {
        return false;
    }
    let Some(reading) = readers.get(tensor) else { return false };
    reading.iter().all(|&i| {
        let node = &graph.node[i];
        match node.op_type.as_str() {
            "Relu" => true,
            "MaxPool" => node.output.len() == 1 && only_relus_read(graph, readers, outputs, &node.output[0]),
            _ => false,
        }
    })
}

/// Tensor → the nodes that read it.
fn readers(graph: &GraphProto) -> HashMap<&str, Vec<usize>> {
    let mut readers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, node) in graph.node.iter().enumerate() {
        for input in node.input.iter().filter(|i| !i.is_empty()) {
            readers.entry(input.as_str()).or_default().push(index);
        }
    }
    readers
}
