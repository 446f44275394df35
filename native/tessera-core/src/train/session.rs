//! A session with many named inputs and outputs, as the training graphs need.

use std::borrow::Cow;

use ort::session::{Session, SessionInputValue};
use ort::value::TensorRef;

use crate::runtime::{guard, Runtime, Tensor};
use crate::{Result, TesseraError};

/// The data of one named graph input.
pub enum Data<'a> {
    /// f32 values.
    F32(&'a [f32]),
    /// i64 values (labels).
    I64(&'a [i64]),
}

/// One named graph input: shape and row-major data.
pub struct Feed<'a> {
    /// The graph input's name.
    pub name: &'a str,
    /// Its dimensions.
    pub shape: Vec<usize>,
    /// Its values.
    pub data: Data<'a>,
}

impl<'a> Feed<'a> {
    /// An f32 input.
    pub fn f32(name: &'a str, shape: &[usize], data: &'a [f32]) -> Self {
        Self { name, shape: shape.to_vec(), data: Data::F32(data) }
    }

    /// An i64 input.
    pub fn i64(name: &'a str, shape: &[usize], data: &'a [i64]) -> Self {
        Self { name, shape: shape.to_vec(), data: Data::I64(data) }
    }

    fn len(&self) -> usize {
        match self.data {
            Data::F32(d) => d.len(),
            Data::I64(d) => d.len(),
        }
    }

    fn value(&self) -> ort::Result<SessionInputValue<'a>> {
        let shape = self.shape.clone();
        Ok(match self.data {
            Data::F32(d) => TensorRef::from_array_view((shape, d))?.into(),
            Data::I64(d) => TensorRef::from_array_view((shape, d))?.into(),
        })
    }
}

fn declared(outlets: &[ort::value::Outlet]) -> Vec<(String, Vec<i64>)> {
    outlets
        .iter()
        .map(|o| (o.name().to_owned(), o.dtype().tensor_shape().map(|s| s.to_vec()).unwrap_or_default()))
        .collect()
}

/// An ONNX Runtime session whose outputs are all f32, returned in the graph's output order.
pub struct GraphSession {
    session: Session,
    outputs: Vec<String>,
}

impl GraphSession {
    /// Loads a serialised graph to run on `threads` threads.
    pub fn new(runtime: &Runtime, graph: &[u8], threads: usize) -> Result<Self> {
        guard("loading a training graph", || {
            let session = runtime.session(graph, threads)?;
            let outputs = session.outputs().iter().map(|o| o.name().to_owned()).collect();
            Ok(Self { session, outputs })
        })
    }

    /// Each input's name and declared shape (−1 for a size chosen at run time; empty for
    /// non-tensor inputs).
    pub fn inputs(&self) -> Vec<(String, Vec<i64>)> {
        declared(self.session.inputs())
    }

    /// Each output's name and declared shape, as for [`GraphSession::inputs`].
    pub fn outputs(&self) -> Vec<(String, Vec<i64>)> {
        declared(self.session.outputs())
    }

    /// Runs the graph on `feeds`; returns every output, in order.
    pub fn run(&mut self, feeds: &[Feed]) -> Result<Vec<Tensor>> {
        if let Some(bad) = feeds.iter().find(|f| f.shape.iter().product::<usize>() != f.len()) {
            return Err(TesseraError::invalid(format!(
                "input {}: {} values do not fill shape {:?}",
                bad.name,
                bad.len(),
                bad.shape
            )));
        }
        guard("running a training graph", || {
            let inputs =
                feeds.iter().map(|f| Ok((Cow::Borrowed(f.name), f.value()?))).collect::<ort::Result<Vec<_>>>()?;
            let outputs = self.session.run(inputs)?;
            self.outputs
                .iter()
                .map(|name| {
                    let (shape, data) = outputs[name.as_str()].try_extract_tensor::<f32>()?;
                    Ok(Tensor { shape: shape.iter().map(|&d| d.max(0) as usize).collect(), data: data.to_vec() })
                })
                .collect()
        })
    }
}
