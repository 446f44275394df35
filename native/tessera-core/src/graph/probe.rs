//! A tiny real model that checks an ONNX Runtime installation end to end.
//!
//! `probabilities = Softmax(x · W + b)`: a linear classifier whose expected output anyone can
//! compute by hand, used by `tessera selftest`, by the QuPath extension's diagnostics and by the
//! tests of both sides of the JNI boundary.

use super::builder::{attr_int, GraphBuilder};
use super::proto::DataType;
use super::Dim;
use crate::{Result, TesseraError};

/// The probe model's input name: `[n, features]` f32.
pub const INPUT: &str = "features";
/// The probe model's output name: `[n, classes]` f32 probabilities.
pub const OUTPUT: &str = "probabilities";

/// Builds the probe model for a row-major `features × classes` weight matrix and a bias per
/// class, returning the serialised ONNX model.
pub fn linear_softmax(weights: &[f32], bias: &[f32], features: usize) -> Result<Vec<u8>> {
    let classes = bias.len();
    if features == 0 || classes == 0 || weights.len() != features * classes {
        return Err(TesseraError::invalid(format!(
            "probe model: {} weights do not make a {features} × {classes} matrix",
            weights.len()
        )));
    }
    let mut g = GraphBuilder::new("tessera_probe");
    let x = g.input(INPUT, DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(features as i64)]);
    let w = g.initializer_f32("weights", &[features as i64, classes as i64], weights);
    let b = g.initializer_f32("bias", &[classes as i64], bias);
    let logits = g.node("Gemm", &[&x, &w, &b], vec![]);
    let probabilities = g.node("Softmax", &[&logits], vec![attr_int("axis", 1)]);
    g.output(&probabilities, OUTPUT, DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(classes as i64)]);
    Ok(g.to_bytes("tessera-probe"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_weights_that_do_not_fit() {
        let err = linear_softmax(&[1.0; 5], &[0.0, 0.0], 3).unwrap_err();
        assert!(err.to_string().contains("5 weights"), "{err}");
    }
}
