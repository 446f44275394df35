//! What training reads: labelled samples that come out as network-input batches.

use super::augment::Augment;
use super::batch::batch;
use super::TileStore;
use crate::rng::Rng;

/// Labelled samples a network trains on: tiles, or embeddings of tiles.
pub trait Samples {
    /// The per-sample network input shape (`[3, side, side]` for tiles, `[features]` for embeddings).
    fn shape(&self) -> Vec<usize>;

    /// The class names, indexed by label.
    fn classes(&self) -> &[String];

    /// Every sample's label.
    fn labels(&self) -> &[usize];

    /// Samples `indices` as one f32 batch with their labels, augmented when `augment` is given
    /// and the samples allow it.
    fn batch(&self, indices: &[usize], augment: Option<(&Augment, &mut Rng)>) -> (Vec<f32>, Vec<i64>);
}

impl Samples for TileStore {
    fn shape(&self) -> Vec<usize> {
        vec![3, self.side(), self.side()]
    }

    fn classes(&self) -> &[String] {
        TileStore::classes(self)
    }

    fn labels(&self) -> &[usize] {
        TileStore::labels(self)
    }

    fn batch(&self, indices: &[usize], augment: Option<(&Augment, &mut Rng)>) -> (Vec<f32>, Vec<i64>) {
        batch(self, indices, augment)
    }
}

/// The number of samples of each of `classes` classes among `indices`.
pub fn class_counts(labels: &[usize], classes: usize, indices: &[usize]) -> Vec<usize> {
    let mut counts = vec![0; classes];
    for &i in indices {
        counts[labels[i]] += 1;
    }
    counts
}
