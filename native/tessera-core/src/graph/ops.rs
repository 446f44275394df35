//! Operator shorthands over [`GraphBuilder`] for the layers, the loss and the optimizers.
//!
//! [`Ops`] derefs to the builder, adds one method per operator form the training graphs use
//! (written for opset 17: `ReduceSum`, `Unsqueeze` and `Reshape` take their axes or shape as an
//! input tensor) and shares constants, so a scalar or an axis list used many times is stored once.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use super::builder::{attr_int, attr_ints, attr_scalar_tensor, GraphBuilder, Value};
use super::proto::DataType;

/// A [`GraphBuilder`] with operator shorthands and shared constants.
pub struct Ops {
    builder: GraphBuilder,
    constants: HashMap<String, Value>,
    blocked: Option<usize>,
}

impl Deref for Ops {
    type Target = GraphBuilder;
    fn deref(&self) -> &GraphBuilder {
        &self.builder
    }
}

impl DerefMut for Ops {
    fn deref_mut(&mut self) -> &mut GraphBuilder {
        &mut self.builder
    }
}

impl Ops {
    /// An empty graph called `name`.
    pub fn new(name: &str) -> Self {
        Self { builder: GraphBuilder::new(name), constants: HashMap::new(), blocked: None }
    }

    /// The same graph, whose training-mode convolutions may run in ONNX Runtime's blocked
    /// channel layout of `block` channels (see [`crate::train::blocked`]); `None` keeps NCHW.
    pub fn with_blocked_convolutions(self, block: Option<usize>) -> Self {
        Self { blocked: block, ..self }
    }

    /// The channel block of the blocked layout, when the graph may use it.
    pub fn blocked_convolutions(&self) -> Option<usize> {
        self.blocked
    }

    /// The builder, to declare outputs and serialise.
    pub fn into_builder(self) -> GraphBuilder {
        self.builder
    }

    /// A shared f32 scalar constant.
    pub fn scalar(&mut self, value: f32) -> Value {
        let key = format!("f{}", value.to_bits());
        self.shared(key, |b, name| b.initializer_f32(name, &[], &[value]))
    }

    /// A shared 1-D i64 constant (axes, shapes, permutations).
    pub fn ints(&mut self, values: &[i64]) -> Value {
        let key = format!("i{values:?}");
        self.shared(key, |b, name| b.initializer_i64(name, &[values.len() as i64], values))
    }

    /// A shared f32 constant tensor of shape `dims`, keyed by `key` (e.g. the one-hot im2col kernel).
    pub fn tensor(&mut self, key: &str, dims: &[i64], data: impl FnOnce() -> Vec<f32>) -> Value {
        self.shared(format!("t{key}"), |b, name| b.initializer_f32(name, dims, &data()))
    }

    fn shared(&mut self, key: String, make: impl FnOnce(&mut GraphBuilder, &str) -> Value) -> Value {
        if let Some(value) = self.constants.get(&key) {
            return value.clone();
        }
        let name = format!("const_{}", self.constants.len());
        let value = make(&mut self.builder, &name);
        self.constants.insert(key, value.clone());
        value
    }

    /// `a + b` (broadcasting).
    pub fn add(&mut self, a: &Value, b: &Value) -> Value {
        self.node("Add", &[a, b], vec![])
    }

    /// `a - b` (broadcasting).
    pub fn sub(&mut self, a: &Value, b: &Value) -> Value {
        self.node("Sub", &[a, b], vec![])
    }

    /// `a * b` (broadcasting).
    pub fn mul(&mut self, a: &Value, b: &Value) -> Value {
        self.node("Mul", &[a, b], vec![])
    }

    /// `a / b` (broadcasting).
    pub fn div(&mut self, a: &Value, b: &Value) -> Value {
        self.node("Div", &[a, b], vec![])
    }

    /// `x * s` for a scalar constant `s`.
    pub fn scale(&mut self, x: &Value, s: f32) -> Value {
        let s = self.scalar(s);
        self.mul(x, &s)
    }

    /// A one-input operator without attributes (`Relu`, `Sqrt`, `Exp`, `Neg`, `Shape`, …).
    pub fn unary(&mut self, op: &str, x: &Value) -> Value {
        self.node(op, &[x], vec![])
    }

    /// `ReduceSum` over `axes`.
    pub fn reduce_sum(&mut self, x: &Value, axes: &[i64], keep_dims: bool) -> Value {
        let axes = self.ints(axes);
        self.node("ReduceSum", &[x, &axes], vec![attr_int("keepdims", keep_dims as i64)])
    }

    /// The sum over the leading (batch) axis of `x` `[n, …]`, flattened: a product with a row of
    /// `n` ones, which ONNX Runtime runs much faster than `ReduceSum` over that axis.
    pub fn sum_over_batch(&mut self, x: &Value) -> Value {
        let rows = self.reshape(x, &[0, -1]);
        let shape = self.unary("Shape", &rows);
        let (start, end) = (self.ints(&[0]), self.ints(&[1]));
        let n = self.node("Slice", &[&shape, &start, &end], vec![]);
        let ones = self.node("ConstantOfShape", &[&n], vec![attr_scalar_tensor("value", 1.0)]);
        self.node("MatMul", &[&ones, &rows], vec![])
    }

    /// `ReduceMean` over `axes` (an attribute in opset 17).
    pub fn reduce_mean(&mut self, x: &Value, axes: &[i64], keep_dims: bool) -> Value {
        self.node("ReduceMean", &[x], vec![attr_ints("axes", axes), attr_int("keepdims", keep_dims as i64)])
    }

    /// `Reshape` to `shape` (`0` copies the input's size, `-1` infers one size).
    pub fn reshape(&mut self, x: &Value, shape: &[i64]) -> Value {
        let shape = self.ints(shape);
        self.node("Reshape", &[x, &shape], vec![])
    }

    /// `Transpose` by `perm`.
    pub fn transpose(&mut self, x: &Value, perm: &[i64]) -> Value {
        self.node("Transpose", &[x], vec![attr_ints("perm", perm)])
    }

    /// `Cast` to `to`.
    pub fn cast(&mut self, x: &Value, to: DataType) -> Value {
        self.node("Cast", &[x], vec![attr_int("to", to as i64)])
    }

    /// A float mask, 1 where `op(a, b)` holds (`Greater`, `Equal`, …), else 0.
    pub fn mask(&mut self, op: &str, a: &Value, b: &Value) -> Value {
        let test = self.node(op, &[a, b], vec![]);
        self.cast(&test, DataType::Float)
    }
}
