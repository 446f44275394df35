//! Transfer learning: a user-supplied ONNX backbone embeds every tile once, and a small head
//! (linear, or one hidden layer) trains on the embeddings with the same machinery as a CNN.

use super::session::{Feed, GraphSession};
use crate::dataset::augment::Augment;
use crate::dataset::samples::Samples;
use crate::dataset::TileStore;
use crate::graph::layers::{Linear, Relu, Sequential};
use crate::graph::network::Network;
use crate::job::Job;
use crate::rng::Rng;
use crate::runtime::Runtime;
use crate::{Result, TesseraError};

/// An ONNX model mapping `[n, 3, h, w]` images (normalised as tiles are for training) to
/// `[n, …]` features.
pub struct Backbone {
    session: GraphSession,
    input: String,
    side: usize,
}

impl Backbone {
    /// Loads a backbone; its one input must be declared `[batch, 3, side, side]`.
    pub fn new(runtime: &Runtime, model: &[u8], threads: usize) -> Result<Self> {
        let session = GraphSession::new(runtime, model, threads)?;
        let (input, side) = match (session.inputs().as_slice(), session.outputs().len()) {
            ([(name, shape)], 1) => match shape.as_slice() {
                [_, 3, h, w] if h == w && *h > 0 => (name.clone(), *h as usize),
                other => {
                    return Err(TesseraError::IncompatibleModel(format!(
                        "backbone input {name} has shape {other:?}; expected [batch, 3, side, side]"
                    )))
                }
            },
            (inputs, outputs) => {
                return Err(TesseraError::IncompatibleModel(format!(
                    "a backbone needs one input and one output, this one has {} and {outputs}",
                    inputs.len()
                )))
            }
        };
        Ok(Self { session, input, side })
    }

    /// The tile side the backbone takes.
    pub fn side(&self) -> usize {
        self.side
    }

    /// Embeds every tile of `store`, `batch` at a time, reporting progress to `job` and stopping
    /// between batches when it is cancelled.
    pub fn embed(&mut self, store: &TileStore, batch: usize, job: &Job) -> Result<Embeddings> {
        if store.side() != self.side {
            return Err(TesseraError::IncompatibleModel(format!(
                "the backbone takes {0}×{0} tiles, these are {1}×{1}",
                self.side,
                store.side()
            )));
        }
        let all: Vec<usize> = (0..store.len()).collect();
        let mut data = Vec::new();
        for chunk in all.chunks(batch.max(1)) {
            job.check()?;
            let (x, _) = store.batch(chunk, None);
            let shape = [chunk.len(), 3, self.side, self.side];
            let out = self.session.run(&[Feed::f32(&self.input, &shape, &x)])?.remove(0);
            data.extend(out.data);
            job.progress(data.len() as u64, store.len() as u64, "embedding tiles");
        }
        let features = data.len() / store.len().max(1);
        Ok(Embeddings { features, data, labels: store.labels().to_vec(), classes: store.classes().to_vec() })
    }
}

/// Feature vectors of labelled tiles.
pub struct Embeddings {
    features: usize,
    data: Vec<f32>,
    labels: Vec<usize>,
    classes: Vec<String>,
}

impl Embeddings {
    /// Features per tile.
    pub fn features(&self) -> usize {
        self.features
    }
}

impl Samples for Embeddings {
    fn shape(&self) -> Vec<usize> {
        vec![self.features]
    }

    fn classes(&self) -> &[String] {
        &self.classes
    }

    fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Embeddings are not augmented: the backbone saw each tile once.
    fn batch(&self, indices: &[usize], _augment: Option<(&Augment, &mut Rng)>) -> (Vec<f32>, Vec<i64>) {
        let x = indices.iter().flat_map(|&i| &self.data[i * self.features..(i + 1) * self.features]).copied().collect();
        (x, indices.iter().map(|&i| self.labels[i] as i64).collect())
    }
}

/// A head from `features` to `classes` logits: linear, or with one ReLU hidden layer.
pub fn head(features: usize, hidden: Option<usize>, classes: usize) -> Result<Network> {
    let mut layers = Sequential::new();
    let last = match hidden {
        Some(width) => {
            layers.push(Linear::new("head.hidden", features, width));
            layers.push(Relu);
            width
        }
        None => features,
    };
    layers.push(Linear::new("head.out", last, classes));
    Network::new(layers, &[features])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::split::grouped_split;
    use crate::graph::builder::{attr_int, attr_ints, Dim, GraphBuilder};
    use crate::graph::proto::DataType;
    use crate::job::{CancelToken, Silent};
    use crate::train::fit::{fit, TrainConfig};
    use crate::train::testing::runtime;

    /// A backbone giving each channel's mean and maximum over the tile.
    fn backbone(side: i64) -> Vec<u8> {
        let mut g = GraphBuilder::new("backbone");
        let x =
            g.input("image", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(3), Dim::Fixed(side), Dim::Fixed(side)]);
        let axes = || vec![attr_ints("axes", &[2, 3]), attr_int("keepdims", 0)];
        let mean = g.node("ReduceMean", &[&x], axes());
        let max = g.node("ReduceMax", &[&x], axes());
        let features = g.node("Concat", &[&mean, &max], vec![attr_int("axis", 1)]);
        g.output(&features, "features", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(6)]);
        g.to_bytes("test")
    }

    /// Tiles whose class is their dominant colour, under noise.
    fn store() -> TileStore {
        let mut store = TileStore::new(8, vec!["red".into(), "green".into(), "blue".into()]).unwrap();
        let mut rng = Rng::new(5);
        for class in 0..3 {
            for group in 0..10 {
                for _ in 0..6 {
                    let tile: Vec<u8> = (0..64 * 3)
                        .map(|i| (60.0 + 40.0 * (i % 3 == class) as u8 as f64 + 80.0 * rng.uniform()) as u8)
                        .collect();
                    store.push(&tile, class, (class * 100 + group) as u64).unwrap();
                }
            }
        }
        store
    }

    #[test]
    fn a_head_on_backbone_embeddings_learns() {
        let store = store();
        let job = Job::new(CancelToken::new(), &Silent);
        let mut backbone = Backbone::new(runtime(), &backbone(8), 1).unwrap();
        let embeddings = backbone.embed(&store, 16, &job).unwrap();
        assert_eq!(embeddings.features(), 6);
        let split = grouped_split(&store, 0.25, 1).unwrap();
        let network = head(6, Some(16), 3).unwrap();
        let config =
            TrainConfig { epochs: 15, batch_size: 16, learning_rate: 1e-2, patience: 0, ..TrainConfig::default() };
        let trained = fit(runtime(), &network, &embeddings, &split, &config, &job, &mut |_| {}).unwrap();
        let best = trained.history[trained.best_epoch - 1].validation_macro_f1;
        assert!(best >= 0.9, "validation macro-F1 {best:.3}");
    }

    #[test]
    fn a_backbone_for_another_tile_size_is_refused() {
        let job = Job::new(CancelToken::new(), &Silent);
        let mut backbone = Backbone::new(runtime(), &backbone(16), 1).unwrap();
        assert_eq!(backbone.side(), 16);
        let err = backbone.embed(&store(), 16, &job).err().unwrap();
        assert!(matches!(err, TesseraError::IncompatibleModel(_)), "{err}");
        assert!(err.to_string().contains("takes 16×16 tiles, these are 8×8"), "{err}");
    }

    #[test]
    fn a_backbone_with_an_image_input_of_another_form_is_refused() {
        let mut g = GraphBuilder::new("flat");
        let x = g.input("x", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(12)]);
        g.output(&x, "y", DataType::Float, &[Dim::Symbolic("n"), Dim::Fixed(12)]);
        let err = Backbone::new(runtime(), &g.to_bytes("test"), 1).err().unwrap();
        assert!(err.to_string().contains("expected [batch, 3, side, side]"), "{err}");
    }
}
