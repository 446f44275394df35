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

/// The label of a mask pixel outside every annotation: it counts for nothing.
pub const UNLABELLED: u8 = u8::MAX;

/// Labelled RGB tiles of one size, each with the group it came from (a slide, or a source
/// polygon when there is one slide): tiles of one group never sit on both sides of a split.
/// For segmentation every tile (a patch) also has a label mask, one class index per pixel or
/// [`UNLABELLED`]; its label is then the class of most of its labelled pixels.
#[derive(Clone, Debug, Default)]
pub struct TileStore {
    side: usize,
    classes: Vec<String>,
    pixels: Vec<u8>,
    labels: Vec<usize>,
    groups: Vec<u64>,
    masks: Vec<u8>,
}

impl TileStore {
    /// An empty store of `side × side` RGB tiles labelled with `classes`.
    pub fn new(side: usize, classes: Vec<String>) -> Result<Self> {
        if side == 0 || classes.is_empty() {
            return Err(TesseraError::invalid("a tile store needs a tile size ≥ 1 and at least one class"));
        }
        Ok(Self { side, classes, ..Default::default() })
    }

    /// Adds one patch with its label `mask` (`side × side` bytes, a class index or
    /// [`UNLABELLED`] per pixel); its label is the class of most of its labelled pixels. A patch
    /// without a labelled pixel, or added to a store of tiles without masks, is refused.
    pub fn push_masked(&mut self, rgb: &[u8], mask: &[u8], group: u64) -> Result<()> {
        if self.masks.len() != self.labels.len() * self.side * self.side || mask.len() != self.side * self.side {
            return Err(TesseraError::invalid(format!(
                "a {0}×{0} label mask has {1} bytes, not {2}, and every tile of a store has one or none",
                self.side,
                self.side * self.side,
                mask.len()
            )));
        }
        let mut counts = vec![0usize; self.classes.len()];
        for &m in mask.iter().filter(|&&m| m != UNLABELLED) {
            *counts.get_mut(m as usize).ok_or_else(|| {
                TesseraError::invalid(format!("mask label {m} but only {} classes", self.classes.len()))
            })? += 1;
        }
        let label = (0..counts.len()).max_by_key(|&c| (counts[c], usize::MAX - c)).unwrap_or(0);
        if counts[label] == 0 {
            return Err(TesseraError::invalid("a patch without a labelled pixel teaches nothing"));
        }
        self.add(rgb, label, group)?;
        self.masks.extend_from_slice(mask);
        Ok(())
    }

    /// Tile `index`'s label mask, for a store of patches.
    pub fn mask(&self, index: usize) -> Option<&[u8]> {
        let plane = self.side * self.side;
        self.masks.get(index * plane..(index + 1) * plane)
    }

    /// Whether the tiles are patches with label masks (segmentation).
    pub fn has_masks(&self) -> bool {
        !self.masks.is_empty()
    }

    /// The labelled pixels of each class in the masks of tiles `indices`.
    pub fn pixel_counts(&self, indices: &[usize]) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for mask in indices.iter().filter_map(|&i| self.mask(i)) {
            for &m in mask.iter().filter(|&&m| m != UNLABELLED) {
                counts[m as usize] += 1;
            }
        }
        counts
    }

    /// Adds one tile: `side × side × 3` bytes, row-major RGB. A store of patches with masks
    /// takes only more of them ([`TileStore::push_masked`]).
    pub fn push(&mut self, rgb: &[u8], label: usize, group: u64) -> Result<()> {
        if self.has_masks() {
            return Err(TesseraError::invalid("a store of patches with label masks takes only patches with masks"));
        }
        self.add(rgb, label, group)
    }

    fn add(&mut self, rgb: &[u8], label: usize, group: u64) -> Result<()> {
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
