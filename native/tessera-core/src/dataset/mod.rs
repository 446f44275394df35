//! Training data: an in-memory store of labelled RGB tiles, filled once from a tile plan and
//! read many times per epoch, with grouped splits, class balancing, augmentation and batching.

pub mod augment;
pub mod balance;
pub mod batch;
pub mod photometric;
pub mod samples;
pub mod split;
pub mod stain;

use crate::{Result, TesseraError};

/// Labelled RGB tiles of one size, each with the group it came from (a slide, or a source
/// polygon when there is one slide): tiles of one group never sit on both sides of a split.
#[derive(Clone, Debug, Default)]
pub struct TileStore {
    side: usize,
    classes: Vec<String>,
    pixels: Vec<u8>,
    labels: Vec<usize>,
    groups: Vec<u64>,
}

impl TileStore {
    /// An empty store of `side × side` RGB tiles labelled with `classes`.
    pub fn new(side: usize, classes: Vec<String>) -> Result<Self> {
        if side == 0 || classes.is_empty() {
            return Err(TesseraError::invalid("a tile store needs a tile size ≥ 1 and at least one class"));
        }
        Ok(Self { side, classes, ..Default::default() })
    }

    /// Adds one tile: `side × side × 3` bytes, row-major RGB.
    pub fn push(&mut self, rgb: &[u8], label: usize, group: u64) -> Result<()> {
        if rgb.len() != self.tile_len() {
            return Err(TesseraError::invalid(format!(
                "a {0}×{0} RGB tile has {1} bytes, not {2}",
                self.side,
                self.tile_len(),
                rgb.len()
            )));
        }
        if label >= self.classes.len() {
            return Err(TesseraError::invalid(format!("label {label} but only {} classes", self.classes.len())));
        }
        self.pixels.extend_from_slice(rgb);
        self.labels.push(label);
        self.groups.push(group);
        Ok(())
    }

    /// The tile side in pixels.
    pub fn side(&self) -> usize {
        self.side
    }

    /// Bytes per tile.
    pub fn tile_len(&self) -> usize {
        self.side * self.side * 3
    }

    /// The class names, indexed by label.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The number of tiles.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the store holds no tile.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Tile `index`'s pixels.
    pub fn tile(&self, index: usize) -> &[u8] {
        &self.pixels[index * self.tile_len()..(index + 1) * self.tile_len()]
    }

    /// Tile `index`'s pixels, to change.
    pub fn tile_mut(&mut self, index: usize) -> &mut [u8] {
        let len = self.tile_len();
        &mut self.pixels[index * len..(index + 1) * len]
    }

    /// Every tile's label.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Every tile's group.
    pub fn groups(&self) -> &[u64] {
        &self.groups
    }

    /// The number of tiles of each class among `indices`.
    pub fn class_counts(&self, indices: &[usize]) -> Vec<usize> {
        samples::class_counts(&self.labels, self.classes.len(), indices)
    }
}
