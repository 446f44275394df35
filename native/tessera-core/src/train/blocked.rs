//! Whether this ONNX Runtime can run convolutions in its blocked channel layout ("NCHWc"), and
//! in blocks of how many channels.
//!
//! ONNX Runtime's CPU provider registers the operators of that layout (`com.microsoft.nchwc`)
//! only where its kernels exist (x86-64 with AVX2: blocks of 8 channels; AVX-512: 16), so the
//! training graphs ask before using them: a probe graph reorders 4 channels into the layout and
//! the padded channel count is the block. Where the probe fails, training graphs stay in NCHW.

use std::sync::OnceLock;

use super::session::{Feed, GraphSession};
use crate::graph::proto::DataType;
use crate::graph::{Dim, GraphBuilder};
use crate::runtime::Runtime;

/// The channel block of the blocked layout, or `None` where this ONNX Runtime has none. Probed
/// once per process (there is one runtime per process).
pub fn block_size(runtime: &Runtime) -> Option<usize> {
    static BLOCK: OnceLock<Option<usize>> = OnceLock::new();
    *BLOCK.get_or_init(|| probe(runtime))
}

/// Reorders `[1, 4, 1, 1]` into the blocked layout: the output has one block of channels.
fn probe(runtime: &Runtime) -> Option<usize> {
    let mut g = GraphBuilder::new("tessera_nchwc_probe");
    let x = g.input("x", DataType::Float, &[Dim::Fixed(1), Dim::Fixed(4), Dim::Fixed(1), Dim::Fixed(1)]);
    let y = g.node_in("com.microsoft.nchwc", "ReorderInput", &[&x], vec![]);
    g.output(&y, "y", DataType::Float, &[Dim::Fixed(1), Dim::Symbolic("block"), Dim::Fixed(1), Dim::Fixed(1)]);
    let mut session = GraphSession::new(runtime, &g.to_bytes("tessera-probe"), 1).ok()?;
    let outputs = session.run(&[Feed::f32("x", &[1, 4, 1, 1], &[0.0; 4])]).ok()?;
    let block = *outputs.first()?.shape.get(1)?;
    (block >= 4 && block.is_power_of_two()).then_some(block)
}
