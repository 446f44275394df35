//! The default from-scratch model: a small CNN, width and depth configurable.

use serde::{Deserialize, Serialize};

use super::layers::{BatchNorm, Conv2d, GlobalAvgPool, Linear, MaxPool2, NormPoolRelu, Relu, Residual, Sequential};
use super::network::Network;
use crate::{Result, TesseraError};

/// A CNN of `depth` blocks — 3×3 convolution, batch normalisation, ReLU, optionally a residual
/// unit (conv–BN–ReLU–conv–BN added to its input, then ReLU), 2×2 max pooling — the first with
/// `width` channels and each next one twice as many, then global average pooling and a linear
/// classifier. Needs no downloaded weights. Without residual units, each block's normalisation,
/// pooling and ReLU are one [`NormPoolRelu`] layer: the same function, a cheaper backward pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CnnSpec {
    /// Input channels (3 for RGB).
    pub channels: usize,
    /// Tile side in pixels; must be divisible by `2^depth`.
    pub tile: usize,
    /// Number of classes.
    pub classes: usize,
    /// Channels of the first block.
    pub width: usize,
    /// Number of blocks.
    pub depth: usize,
    /// Whether each block has a residual unit.
    pub residual: bool,
}

impl Default for CnnSpec {
    fn default() -> Self {
        Self { channels: 3, tile: 64, classes: 2, width: 16, depth: 4, residual: false }
    }
}

/// A convolution keeping `width` channels, then batch normalisation.
fn conv_bn(layers: &mut Sequential, name: &str, width: usize) {
    layers.push(Conv2d::new(&format!("{name}.conv"), width, width));
    layers.push(BatchNorm::new(&format!("{name}.bn"), width));
}

impl CnnSpec {
    /// The network, or why this description cannot make one.
    pub fn network(&self) -> Result<Network> {
        if self.depth == 0 || self.width == 0 || self.channels == 0 {
            return Err(TesseraError::invalid("a CNN needs at least one block, one channel and width ≥ 1"));
        }
        let side = self.tile >> self.depth;
        if side == 0 || side << self.depth != self.tile {
            return Err(TesseraError::invalid(format!(
                "tile size {} is not divisible by 2^{} (one halving per block)",
                self.tile, self.depth
            )));
        }
        let mut layers = Sequential::new();
        let mut channels = self.channels;
        for block in 0..self.depth {
            let (name, width) = (format!("block{block}"), self.width << block);
            layers.push(Conv2d::new(&format!("{name}.conv"), channels, width));
            if self.residual {
                layers.push(BatchNorm::new(&format!("{name}.bn"), width));
                layers.push(Relu);
                let mut body = Sequential::new();
                conv_bn(&mut body, &format!("{name}.res1"), width);
                body.push(Relu);
                conv_bn(&mut body, &format!("{name}.res2"), width);
                layers.push(Residual::new(body));
                // ReLU and max pooling commute: pooling first runs the ReLU at a quarter of the size.
                layers.push(MaxPool2);
                layers.push(Relu);
            } else {
                layers.push(NormPoolRelu::new(&format!("{name}.bn"), width));
            }
            channels = width;
        }
        layers.push(GlobalAvgPool::new(side, side));
        layers.push(Linear::new("head", channels, self.classes));
        Network::new(layers, &[self.channels, self.tile, self.tile])
    }
}
