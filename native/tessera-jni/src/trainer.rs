//! Natives serving `Trainer.java`: a model package trained on a `TileStore`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jni::objects::{JClass, JObject, JString};
use jni::sys::jlong;
use jni::{Env, NativeMethod};
use serde::Deserialize;
use tessera_core::model::Package;
use tessera_core::outputs::{check_outputs, Output};
use tessera_core::pipeline::parent::FINE_TUNING_LEARNING_RATE;
use tessera_core::pipeline::{Architecture, CnnOptions, DataRecord, TrainingRequest, TransferOptions, UNetOptions};
use tessera_core::runtime;
use tessera_core::tiling::TileSpec;
use tessera_core::train::fit::TrainConfig;
use tessera_core::TesseraError;

use crate::error::{BridgeResult, ThrowTessera};
use crate::handles;
use crate::jobs::run_job;
use crate::tile_store::SharedStore;

pub(crate) const METHODS: &[NativeMethod] = &[crate::bridge_method! {
    static fn train_package(
        store: jlong,
        request: JString,
        model_path: JString,
        listener: qupath.ext.tessera.bridge.ProgressListener,
        cancel_token: jlong,
    ) -> JString
}];

/// What Java asks for; fields left out take their defaults.
#[derive(Deserialize)]
struct Request {
    name: String,
    tiles: TileSpec,
    #[serde(default)]
    cnn: CnnOptions,
    #[serde(default)]
    config: TrainConfig,
    #[serde(default)]
    folds: usize,
    #[serde(default)]
    record: DataRecord,
    #[serde(default)]
    colours: BTreeMap<String, [u8; 3]>,
    /// An ONNX backbone to train a head on instead of the CNN.
    #[serde(default)]
    backbone: Option<PathBuf>,
    /// Width of the head's hidden layer (none: a linear head).
    #[serde(default)]
    head_hidden: Option<usize>,
    /// A model to fine-tune: training starts from its weights and the package records its
    /// lineage (as `tessera train --from`).
    #[serde(default)]
    parent: Option<PathBuf>,
    /// A U-Net (a pixel classifier, on a store of patches with label masks) instead of the CNN.
    #[serde(default)]
    unet: Option<UNetRequest>,
}

/// The U-Net asked for; its shape takes the core's defaults.
#[derive(Deserialize)]
struct UNetRequest {
    /// The loss as users write it: `cross-entropy`, `dice` or `cross-entropy+dice`.
    loss: String,
}

impl Request {
    /// The CNN, the U-Net when one is asked for, or a head on the backbone when one is named.
    fn architecture(&self) -> Result<Architecture, TesseraError> {
        Ok(match (&self.backbone, &self.unet) {
            (Some(path), _) => Architecture::Transfer(TransferOptions::from_file(path, self.head_hidden)?),
            (None, Some(unet)) => {
                Architecture::UNet(UNetOptions { loss: unet.loss.parse()?, ..UNetOptions::default() })
            }
            (None, None) => Architecture::Cnn(self.cnn),
        })
    }
}

/// Cross-validates (when `folds ≥ 2`), trains the final model on a worker thread and writes the
/// package atomically to `model_path`; returns the package's metrics as JSON.
fn train_package<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    store: jlong,
    request: JString<'local>,
    model_path: JString<'local>,
    listener: JObject<'local>,
    cancel_token: jlong,
) -> BridgeResult<JString<'local>> {
    let store = handles::get::<SharedStore>(store)?;
    let request: Request = serde_json::from_str(&request.try_to_string(env)?)
        .map_err(|e| TesseraError::invalid(format!("training request: {e}")))?;
    let model_path = PathBuf::from(model_path.try_to_string(env)?);
    let parent_input = request.parent.as_deref().map(|p| ("the parent model", p));
    check_outputs(&[Output::file("the model file", &model_path)], parent_input.as_slice())?;
    let parent = request.parent.as_deref().map(Package::read).transpose()?;
    // Java sets no learning rate: fine-tuning takes the smaller one `tessera train --from` takes.
    let config = TrainConfig {
        learning_rate: if parent.is_some() { FINE_TUNING_LEARNING_RATE } else { request.config.learning_rate },
        ..request.config.clone()
    };
    let metrics = run_job(env, &listener, cancel_token, |job| {
        let store = store.lock().map_err(|_| TesseraError::internal("tile store poisoned"))?;
        let architecture = request.architecture()?;
        let training = TrainingRequest {
            name: &request.name,
            tiles: &request.tiles,
            architecture: &architecture,
            config: &config,
            folds: request.folds,
            colours: &request.colours,
            parent: parent.as_ref(),
        };
        let package = training.run(runtime::get()?, &store, &request.record, job.token(), &mut job.sink())?;
        package.write(&model_path)?;
        serde_json::to_string(&package.metadata().metrics).map_err(|e| TesseraError::internal(format!("metrics: {e}")))
    })?;
    Ok(env.new_string(metrics)?)
}
