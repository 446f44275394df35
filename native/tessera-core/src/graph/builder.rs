//! A small typed builder that emits ONNX models.
//!
//! Values are named automatically; the builder keeps the graph in topological order because a
//! node can only consume values that already exist.
//!
//! ```
//! use tessera_core::graph::{Dim, GraphBuilder};
//! use tessera_core::graph::proto::DataType;
//!
//! let mut g = GraphBuilder::new("double");
//! let x = g.input("x", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3)]);
//! let two = g.initializer_f32("two", &[], &[2.0]);
//! let y = g.node("Mul", &[&x, &two], vec![]);
//! g.output(&y, "y", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3)]);
//! let bytes = g.to_bytes("doc-test");
//! assert!(!bytes.is_empty());
//! ```

use prost::Message;

use super::proto::{
    AttributeProto, AttributeType, DataType, Dimension, DimensionValue, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, TensorProto, TensorShapeProto, TensorTypeProto, TypeProto, ValueInfoProto,
};

/// The ONNX IR version written (ONNX 1.13+; read by ONNX Runtime 1.14 and later).
pub const IR_VERSION: i64 = 8;
/// The default-domain opset written.
pub const OPSET: i64 = 17;

/// One dimension of a declared input or output shape.
#[derive(Clone, Copy, Debug)]
pub enum Dim<'a> {
    /// A fixed size.
    Fixed(i64),
    /// A size chosen at run time, named (e.g. the batch size `"n"`).
    Symbolic(&'a str),
}

/// A value in the graph under construction (an input, an initializer or a node output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value(String);

impl Value {
    /// An omitted optional operator input (ONNX marks it with an empty name).
    pub fn absent() -> Self {
        Value(String::new())
    }

    /// The value's name in the graph.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// Builds one ONNX graph and wraps it into a model.
pub struct GraphBuilder {
    graph: GraphProto,
    next_id: usize,
    /// Operator domains besides the default one that nodes use (each at version 1).
    domains: std::collections::BTreeSet<String>,
}

impl GraphBuilder {
    /// An empty graph called `name`.
    pub fn new(name: &str) -> Self {
        Self {
            graph: GraphProto { name: name.to_owned(), ..Default::default() },
            next_id: 0,
            domains: Default::default(),
        }
    }

    /// Declares a graph input.
    pub fn input(&mut self, name: &str, elem: DataType, dims: &[Dim]) -> Value {
        self.graph.input.push(value_info(name, elem, dims));
        Value(name.to_owned())
    }

    /// Adds a constant f32 tensor of shape `dims`, stored as raw little-endian bytes.
    ///
    /// # Panics
    /// If `data` does not hold exactly the product of `dims` elements (a builder bug).
    pub fn initializer_f32(&mut self, name: &str, dims: &[i64], data: &[f32]) -> Value {
        let raw = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.initializer(name, dims, data.len(), DataType::Float, raw)
    }

    /// Adds a constant i64 tensor of shape `dims`.
    ///
    /// # Panics
    /// If `data` does not hold exactly the product of `dims` elements (a builder bug).
    pub fn initializer_i64(&mut self, name: &str, dims: &[i64], data: &[i64]) -> Value {
        let raw = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.initializer(name, dims, data.len(), DataType::Int64, raw)
    }

    fn initializer(&mut self, name: &str, dims: &[i64], count: usize, elem: DataType, raw: Vec<u8>) -> Value {
        assert_eq!(
            dims.iter().product::<i64>() as usize,
            count,
            "initializer {name}: shape {dims:?} does not match data"
        );
        self.graph.initializer.push(TensorProto {
            name: name.to_owned(),
            dims: dims.to_vec(),
            data_type: elem as i32,
            raw_data: raw,
            ..Default::default()
        });
        Value(name.to_owned())
    }

    /// Applies operator `op` to `inputs` and returns its single output.
    pub fn node(&mut self, op: &str, inputs: &[&Value], attributes: Vec<AttributeProto>) -> Value {
        let [output] = self.node_with_outputs(op, inputs, attributes);
        output
    }

    /// Applies operator `op` of the operator set `domain` (version 1; e.g. ONNX Runtime's
    /// `com.microsoft.nchwc`) to `inputs` and returns its single output.
    pub fn node_in(&mut self, domain: &str, op: &str, inputs: &[&Value], attributes: Vec<AttributeProto>) -> Value {
        let output = self.node(op, inputs, attributes);
        if let Some(node) = self.graph.node.last_mut() {
            node.domain = domain.to_owned();
        }
        self.domains.insert(domain.to_owned());
        output
    }

    /// Applies operator `op` to `inputs` and returns its first `N` outputs.
    pub fn node_with_outputs<const N: usize>(
        &mut self,
        op: &str,
        inputs: &[&Value],
        attributes: Vec<AttributeProto>,
    ) -> [Value; N] {
        self.next_id += 1;
        let name = format!("{}_{}", op.to_lowercase(), self.next_id);
        let outputs: [String; N] = std::array::from_fn(|i| if i == 0 { name.clone() } else { format!("{name}_{i}") });
        self.graph.node.push(NodeProto {
            name,
            op_type: op.to_owned(),
            input: inputs.iter().map(|v| v.0.clone()).collect(),
            output: outputs.to_vec(),
            attribute: attributes,
            ..Default::default()
        });
        outputs.map(Value)
    }

    /// Exposes `value` as a graph output called `name`.
    pub fn output(&mut self, value: &Value, name: &str, elem: DataType, dims: &[Dim]) {
        self.graph.node.push(NodeProto {
            name: format!("{name}_identity"),
            op_type: "Identity".to_owned(),
            input: vec![value.0.clone()],
            output: vec![name.to_owned()],
            ..Default::default()
        });
        self.graph.output.push(value_info(name, elem, dims));
    }

    /// Wraps the graph into a model proto, naming `producer` as its maker.
    pub fn build(self, producer: &str) -> ModelProto {
        ModelProto {
            ir_version: IR_VERSION,
            opset_import: std::iter::once(OperatorSetIdProto { domain: String::new(), version: OPSET })
                .chain(self.domains.into_iter().map(|domain| OperatorSetIdProto { domain, version: 1 }))
                .collect(),
            producer_name: producer.to_owned(),
            producer_version: crate::VERSION.to_owned(),
            graph: Some(self.graph),
            ..Default::default()
        }
    }

    /// The serialised model, ready for ONNX Runtime or a `.onnx` file.
    pub fn to_bytes(self, producer: &str) -> Vec<u8> {
        self.build(producer).encode_to_vec()
    }
}

/// An integer attribute.
pub fn attr_int(name: &str, value: i64) -> AttributeProto {
    AttributeProto { name: name.to_owned(), i: value, r#type: AttributeType::Int as i32, ..Default::default() }
}

/// A float attribute.
pub fn attr_float(name: &str, value: f32) -> AttributeProto {
    AttributeProto { name: name.to_owned(), f: value, r#type: AttributeType::Float as i32, ..Default::default() }
}

/// An integer-list attribute.
pub fn attr_ints(name: &str, values: &[i64]) -> AttributeProto {
    AttributeProto {
        name: name.to_owned(),
        ints: values.to_vec(),
        r#type: AttributeType::Ints as i32,
        ..Default::default()
    }
}

/// A tensor attribute holding one f32 (e.g. `ConstantOfShape`'s fill value).
pub fn attr_scalar_tensor(name: &str, value: f32) -> AttributeProto {
    AttributeProto {
        name: name.to_owned(),
        t: Some(TensorProto {
            dims: vec![1],
            data_type: DataType::Float as i32,
            float_data: vec![value],
            ..Default::default()
        }),
        r#type: AttributeType::Tensor as i32,
        ..Default::default()
    }
}

/// A string attribute.
pub fn attr_string(name: &str, value: &str) -> AttributeProto {
    AttributeProto {
        name: name.to_owned(),
        s: value.as_bytes().to_vec(),
        r#type: AttributeType::String as i32,
        ..Default::default()
    }
}

/// A graph output declaration of an f32 tensor of any shape.
pub(crate) fn float_output(name: &str) -> ValueInfoProto {
    ValueInfoProto {
        name: name.to_owned(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto { elem_type: DataType::Float as i32, shape: None }),
        }),
        ..Default::default()
    }
}

fn value_info(name: &str, elem: DataType, dims: &[Dim]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Dim::Fixed(n) => DimensionValue::DimValue(*n),
                Dim::Symbolic(s) => DimensionValue::DimParam((*s).to_owned()),
            }),
        })
        .collect();
    ValueInfoProto {
        name: name.to_owned(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto { elem_type: elem as i32, shape: Some(TensorShapeProto { dim }) }),
        }),
        ..Default::default()
    }
}
