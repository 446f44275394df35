//! What the pipeline trains: the from-scratch CNN, or a head on a user's ONNX backbone (transfer
//! learning). Either way, training sees a [`Network`] and [`Samples`], and the package gets one
//! inference model from tile to class probabilities.

use super::export::CnnOptions;
use crate::dataset::samples::Samples;
use crate::dataset::TileStore;
use crate::graph::compose::append_head;
use crate::graph::layers::PixelLoss;
use crate::graph::network::{Network, State, INPUT};
use crate::graph::signature::signature;
use crate::graph::unet::UNetSpec;
use crate::job::Job;
use crate::model::{ArchitectureRecord, BuiltNetwork};
use crate::runtime::Runtime;
use crate::train::transfer::{head, Backbone, Embeddings};
use crate::{Result, TesseraError};

/// Tiles per batch when a backbone embeds them.
const EMBED_BATCH: usize = 32;

/// A head trained on a fixed backbone's embeddings of the tiles.
#[derive(Clone, Debug, PartialEq)]
pub struct TransferOptions {
    /// The backbone: a serialised ONNX model from `[n, 3, tile, tile]` images (normalised as
    /// `v / 127.5 − 1`) to `[n, features]`.
    pub backbone: Vec<u8>,
    /// The backbone's name in the package (its file name, say).
    pub name: String,
    /// Width of the head's one hidden ReLU layer; `None` for a linear head.
    pub hidden: Option<usize>,
}

impl TransferOptions {
    /// The backbone in the ONNX file `path`, named by its file name, with a head of `hidden`
    /// units (`None`: linear).
    pub fn from_file(path: &std::path::Path, hidden: Option<usize>) -> Result<Self> {
        Ok(Self {
            backbone: std::fs::read(path).map_err(|source| TesseraError::io(path, source))?,
            name: path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
            hidden,
        })
    }
}

/// Shape and loss of a from-scratch U-Net (segmentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct UNetOptions {
    /// Channels of the first level (doubled by each level below).
    pub width: usize,
    /// Levels below the first, each halving the patch side.
    pub depth: usize,
    /// The loss.
    pub loss: PixelLoss,
}

impl Default for UNetOptions {
    fn default() -> Self {
        let spec = UNetSpec::default();
        Self { width: spec.width, depth: spec.depth, loss: spec.loss }
    }
}

impl UNetOptions {
    /// The U-Net of these options for RGB patches of side `patch` and `classes` classes.
    pub fn spec(&self, patch: usize, classes: usize) -> UNetSpec {
        UNetSpec { channels: 3, patch, classes, width: self.width, depth: self.depth, loss: self.loss }
    }
}

/// What to train.
#[derive(Clone, Debug, PartialEq)]
pub enum Architecture {
    /// The from-scratch CNN.
    Cnn(CnnOptions),
    /// The from-scratch U-Net: a pixel classifier, trained on patches with label masks.
    UNet(UNetOptions),
    /// A head on a backbone; the package's model is the backbone followed by the head.
    Transfer(TransferOptions),
}

/// What training reads: the tiles themselves, or their embeddings.
enum Data<'a> {
    Tiles(&'a TileStore),
    Embeddings(Embeddings),
}

/// An architecture made ready for one tile store.
pub struct Prepared<'a> {
    architecture: &'a Architecture,
    network: Network,
    data: Data<'a>,
}

impl Architecture {
    /// Checks the architecture against the tile side before any pixel is read: the CNN must
    /// halve it evenly once per block, a backbone must take `[batch, 3, tile, tile]` images.
    pub fn check(&self, tile: u32) -> Result<()> {
        match self {
            Architecture::Cnn(cnn) => cnn.spec(tile as usize, 2).network().map(drop),
            Architecture::UNet(unet) => unet.spec(tile as usize, 2).validate(),
            Architecture::Transfer(transfer) => {
                let dims = signature(&transfer.backbone)?.input.1;
                match dims.as_slice() {
                    [_, Some(3), Some(h), Some(w)] if *h == i64::from(tile) && *w == i64::from(tile) => Ok(()),
                    _ => Err(TesseraError::invalid(format!(
                        "backbone {} takes images of shape {} but the tiles are [batch, 3, {tile}, {tile}]: \
                         choose --tile-size to match the backbone, or another backbone",
                        transfer.name,
                        show(&dims)
                    ))),
                }
            }
        }
    }

    /// Prepares training on `store`: the network for its classes and, for a transfer head, the
    /// backbone's embeddings of every tile (computed once, `threads` ONNX Runtime threads,
    /// progress and cancellation through `job`).
    pub fn prepare<'a>(
        &'a self,
        runtime: &Runtime,
        store: &'a TileStore,
        threads: usize,
        job: &Job,
    ) -> Result<Prepared<'a>> {
        self.check(store.side() as u32)?;
        let (network, data) = match self {
            Architecture::Cnn(cnn) => (cnn.network(store)?, Data::Tiles(store)),
            Architecture::UNet(unet) => {
                if !store.has_masks() {
                    return Err(TesseraError::invalid(
                        "a U-Net trains on patches with label masks, not on labelled tiles",
                    ));
                }
                (unet.spec(store.side(), store.classes().len()).network()?, Data::Tiles(store))
            }
            Architecture::Transfer(transfer) => {
                let embeddings = Backbone::new(runtime, &transfer.backbone, threads)?.embed(store, EMBED_BATCH, job)?;
                (head(embeddings.features(), transfer.hidden, store.classes().len())?, Data::Embeddings(embeddings))
            }
        };
        Ok(Prepared { architecture: self, network, data })
    }
}

fn show(dims: &[Option<i64>]) -> String {
    let dims: Vec<String> = dims.iter().map(|d| d.map_or("?".into(), |d| d.to_string())).collect();
    format!("[{}]", dims.join(", "))
}

impl Prepared<'_> {
    /// The network to train.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// This preparation with its network starting from `initializers` (a parent model's weights;
    /// see [`Network::starting_from`]).
    pub fn starting_from(
        self,
        initializers: &std::collections::HashMap<String, crate::runtime::Tensor>,
    ) -> Result<Self> {
        Ok(Self { network: self.network.starting_from(initializers)?, ..self })
    }

    /// The samples to train on, indexed like the tile store.
    pub fn samples(&self) -> &dyn Samples {
        match &self.data {
            Data::Tiles(store) => *store,
            Data::Embeddings(embeddings) => embeddings,
        }
    }

    /// The package's inference model for a trained `state`: tiles in, class probabilities out.
    pub fn model(&self, state: &State) -> Result<Vec<u8>> {
        let inference = self.network.inference_graph(state)?;
        match self.architecture {
            Architecture::Cnn(_) | Architecture::UNet(_) => Ok(inference),
            Architecture::Transfer(transfer) => append_head(&transfer.backbone, &inference, INPUT),
        }
    }

    /// How the package records the architecture.
    pub fn describe(&self, store: &TileStore) -> ArchitectureRecord {
        ArchitectureRecord::Built(match self.architecture {
            Architecture::Cnn(cnn) => BuiltNetwork::Cnn { cnn: cnn.spec(store.side(), store.classes().len()) },
            Architecture::UNet(unet) => BuiltNetwork::UNet { unet: unet.spec(store.side(), store.classes().len()) },
            Architecture::Transfer(transfer) => BuiltNetwork::Transfer {
                backbone: transfer.name.clone(),
                features: self.network.input().first().copied(),
                head_hidden: transfer.hidden,
            },
        })
    }
}
