//! Tiny real models whose output anyone can compute by hand.
//!
//! `probabilities = Softmax(x · W + b)`: a linear classifier that checks an ONNX Runtime
//! installation end to end, used by `tessera selftest`, by the QuPath extension's diagnostics and
//! by the tests of both sides of the JNI boundary; and a colour backbone (each channel's mean and
//! maximum) for the tests of transfer learning.

use super::builder::{attr_int, attr_ints, GraphBuilder};
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

/// A backbone from `[n, 3, side, side]` images to 6 features: each channel's mean and maximum.
pub fn colour_backbone(side: usize) -> Result<Vec<u8>> {
    if side == 0 {
        return Err(TesseraError::invalid("colour backbone: the tile side must be positive"));
    }
    let side = side as i64;
    let mut g = GraphBuilder::new("colour_backbone");
    let x = g.input("image", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(side), Dim::Fixed(side)]);
    let axes = || vec![attr_ints("axes", &[2, 3]), attr_int("keepdims", 0)];
    let mean = g.node("ReduceMean", &[&x], axes());
    let max = g.node("ReduceMax", &[&x], axes());
    let features = g.node("Concat", &[&mean, &max], vec![attr_int("axis", 1)]);
    g.output(&features, "features", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(6)]);
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
