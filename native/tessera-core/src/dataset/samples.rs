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

    /// Samples `indices` as one f32 batch with their labels (one per sample, or one per pixel
    /// with −1 where unlabelled), augmented when `augment` is given and the samples allow it.
    fn batch(&self, indices: &[usize], augment: Option<(&Augment, &mut Rng)>) -> (Vec<f32>, Vec<i64>);

    /// The labels of each class among samples `indices`: samples, or labelled pixels for patches
    /// with label masks. Class weights balance these.
    fn label_counts(&self, indices: &[usize]) -> Vec<usize> {
        class_counts(self.labels(), self.classes().len(), indices)
    }

    /// Each sample's group (slide or polygon), where the samples know it: pixel metrics resample
    /// whole groups.
    fn groups(&self) -> Option<&[u64]> {
        None
    }
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

    fn label_counts(&self, indices: &[usize]) -> Vec<usize> {
        if self.has_masks() {
            self.pixel_counts(indices)
        } else {
            self.class_counts(indices)
        }
    }

    fn groups(&self) -> Option<&[u64]> {
        Some(TileStore::groups(self))
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

/// Unlabelled tiles already in a model's input form (its own normalisation): what an imported
/// model is calibrated on. Every label is 0.
pub struct ModelInputs {
    shape: Vec<usize>,
    classes: Vec<String>,
    values: Vec<f32>,
    labels: Vec<usize>,
}

impl ModelInputs {
    /// No tiles yet, for a model reading `shape` (`[3, side, side]`) and predicting `classes`.
    pub fn new(shape: Vec<usize>, classes: Vec<String>) -> Self {
        Self { shape, classes, values: Vec::new(), labels: Vec::new() }
    }

    /// Adds one tile's model input; ignored unless it has the shape's number of values.
    pub fn push(&mut self, values: &[f32]) {
        if values.len() == self.shape.iter().product::<usize>() {
            self.values.extend_from_slice(values);
            self.labels.push(0);
        }
    }

    /// The number of tiles.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no tiles.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

impl Samples for ModelInputs {
    fn shape(&self) -> Vec<usize> {
        self.shape.clone()
    }

    fn classes(&self) -> &[String] {
        &self.classes
    }

    fn labels(&self) -> &[usize] {
        &self.labels
    }

    fn batch(&self, indices: &[usize], _augment: Option<(&Augment, &mut Rng)>) -> (Vec<f32>, Vec<i64>) {
        let per = self.shape.iter().product::<usize>();
        let values = indices.iter().flat_map(|&i| &self.values[i * per..(i + 1) * per]).copied().collect();
        (values, vec![0; indices.len()])
    }
}
