//! The segmentation network: a U-Net, width and depth configurable, small by default so that
//! training on a CPU is practical.

use serde::{Deserialize, Serialize};

use super::layers::{BatchNorm, Conv2d, MaxPool2, PixelLinear, PixelLoss, Relu, Sequential, Skip, Upsample2};
use super::network::Network;
use crate::{Result, TesseraError};

/// A U-Net (Ronneberger et al. 2015) with "same" padding: `depth` times an encoder block
/// (two 3×3 convolution–batch normalisation–ReLU units) then 2×2 max pooling, a bottleneck block,
/// and `depth` times 2× nearest upsampling, concatenation with the encoder block's output of the
/// same size (the skip connection) and a decoder block; a 1×1 convolution gives each pixel's
/// class logits. Level `l` has `width · 2^l` channels. Patches must be divisible by `2^depth`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UNetSpec {
    /// Input channels (3 for RGB).
    pub channels: usize,
    /// Patch side in pixels; must be divisible by `2^depth`.
    pub patch: usize,
    /// Number of classes.
    pub classes: usize,
    /// Channels of the first level.
    pub width: usize,
    /// Number of poolings (levels below the first).
    pub depth: usize,
    /// The loss trained with.
    #[serde(default)]
    pub loss: PixelLoss,
}

impl Default for UNetSpec {
    fn default() -> Self {
        Self { channels: 3, patch: 128, classes: 2, width: 16, depth: 3, loss: PixelLoss::default() }
    }
}

/// Two convolution–normalisation–ReLU units from `inputs` to `width` channels over `pixels`
/// pixels, named `name`.
fn block(layers: &mut Sequential, name: &str, inputs: usize, width: usize, pixels: usize) {
    for (unit, from) in [(1, inputs), (2, width)] {
        layers.push(Conv2d::new(&format!("{name}.conv{unit}"), from, width).for_pixels(pixels));
        layers.push(BatchNorm::new(&format!("{name}.bn{unit}"), width));
        layers.push(Relu);
    }
}

impl UNetSpec {
    /// Checks the description: at least one channel, width and level, and a patch side that
    /// halves evenly `depth` times. The error names the patch size and the depth.
    pub fn validate(&self) -> Result<()> {
        if self.depth == 0 || self.width == 0 || self.channels == 0 {
            return Err(TesseraError::invalid(
                "a U-Net needs at least one level below the first, one channel and width ≥ 1",
            ));
        }
        let side = self.patch >> self.depth;
        if side == 0 || side << self.depth != self.patch {
            return Err(TesseraError::invalid(format!(
                "patch size {} is not divisible by 2^{} = {} (one halving per U-Net level): choose a multiple of {}",
                self.patch,
                self.depth,
                1usize << self.depth,
                1usize << self.depth
            )));
        }
        Ok(())
    }

    /// Level `level` and the levels below it, from `inputs` channels: its encoder block, then
    /// (above the bottleneck) a skip connection around pooling, the deeper levels and upsampling,
    /// then its decoder block.
    fn level(&self, level: usize, inputs: usize) -> Sequential {
        let width = self.width << level;
        let side = self.patch >> level;
        let mut layers = Sequential::new();
        block(&mut layers, &format!("down{level}"), inputs, width, side * side);
        if level < self.depth {
            let mut below = Sequential::new();
            below.push(MaxPool2);
            below.extend(self.level(level + 1, width));
            below.push(Upsample2);
            layers.push(Skip::new(width, 2 * width, below));
            block(&mut layers, &format!("up{level}"), 3 * width, width, side * side);
        }
        layers
    }

    /// The network, or why this description cannot make one.
    pub fn network(&self) -> Result<Network> {
        self.validate()?;
        let mut layers = self.level(0, self.channels);
        layers.push(PixelLinear::new("head", self.width, self.classes));
        Network::segmenter(layers, &[self.channels, self.patch, self.patch], self.loss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_sizes_that_do_not_halve_are_refused_with_the_numbers() {
        let spec = UNetSpec { patch: 100, depth: 3, ..UNetSpec::default() };
        let err = spec.network().err().unwrap().to_string();
        assert!(err.contains("patch size 100 is not divisible by 2^3 = 8"), "{err}");
        assert!(UNetSpec { patch: 4, depth: 3, ..UNetSpec::default() }.network().is_err());
    }

    #[test]
    fn the_output_is_a_class_vector_per_input_pixel() {
        let network = UNetSpec { patch: 32, classes: 4, width: 4, depth: 2, ..UNetSpec::default() }.network().unwrap();
        assert_eq!(network.output(), vec![4, 32, 32]);
        assert_eq!(network.label_shape(), &[32, 32]);
    }
}
