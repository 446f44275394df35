//! The accuracy guard: an int8 model is used only where it answers as the float model does.

use serde::{Deserialize, Serialize};

use crate::dataset::samples::Samples;
use crate::eval::metrics::{argmax_rows, Confusion};
use crate::job::Job;
use crate::runtime::{Model, Runtime};
use crate::Result;

/// The most macro-F1 the int8 model may lose against the float model.
pub const MAX_MACRO_F1_LOSS: f64 = 0.005;
/// The least share of tiles on which both models must predict the same class.
pub const MIN_AGREEMENT: f64 = 0.99;
/// Tiles per run when comparing.
const BATCH: usize = 32;

/// How the int8 model compares with the float model on the same tiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Tiles compared.
    pub tiles: usize,
    /// Share of tiles given the same class by both models.
    pub agreement: f64,
    /// The float model's macro-F1 against the tiles' labels (`null` for unlabelled tiles).
    pub macro_f1_float: Option<f64>,
    /// The int8 model's macro-F1 against the same labels.
    pub macro_f1_int8: Option<f64>,
}

impl Agreement {
    /// Compares the models `float` and `int8` on `tiles` of `samples`, and on their labels when
    /// `labelled`.
    #[allow(clippy::too_many_arguments)] // Two models, the tiles, and how to run them.
    pub fn measure(
        runtime: &Runtime,
        float: &[u8],
        int8: &[u8],
        samples: &dyn Samples,
        tiles: &[usize],
        labelled: bool,
        threads: usize,
        job: &Job,
    ) -> Result<Self> {
        let classes = samples.classes().len();
        let predict = |bytes: &[u8]| predicted_classes(runtime, bytes, samples, tiles, threads, job);
        let (a, b) = (predict(float)?, predict(int8)?);
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        let truth: Vec<usize> = tiles.iter().map(|&i| samples.labels()[i]).collect();
        let f1 = |predicted: &[usize]| labelled.then(|| Confusion::new(classes, &truth, predicted).macro_f1());
        Ok(Self {
            tiles: tiles.len(),
            agreement: if tiles.is_empty() { 0.0 } else { same as f64 / tiles.len() as f64 },
            macro_f1_float: f1(&a),
            macro_f1_int8: f1(&b),
        })
    }

    /// Why the int8 model may not stand in for the float model, or `None` when it may.
    pub fn refusal(&self) -> Option<String> {
        if self.agreement < MIN_AGREEMENT {
            return Some(format!(
                "the int8 model agrees with the float model on {:.1} % of {} tiles, below the {:.0} % required",
                100.0 * self.agreement,
                self.tiles,
                100.0 * MIN_AGREEMENT
            ));
        }
        match (self.macro_f1_float, self.macro_f1_int8) {
            (Some(float), Some(int8)) if int8 < float - MAX_MACRO_F1_LOSS => Some(format!(
                "the int8 model's macro-F1 is {int8:.4} against the float model's {float:.4}, more than {MAX_MACRO_F1_LOSS} lower"
            )),
            _ => None,
        }
    }
}

/// The class the serialised model `bytes` predicts for each of `tiles` of `samples`.
pub fn predicted_classes(
    runtime: &Runtime,
    bytes: &[u8],
    samples: &dyn Samples,
    tiles: &[usize],
    threads: usize,
    job: &Job,
) -> Result<Vec<usize>> {
    let model = Model::from_bytes(runtime, bytes, threads)?;
    let mut predicted = Vec::with_capacity(tiles.len());
    for chunk in tiles.chunks(BATCH) {
        job.check()?;
        let (x, _) = samples.batch(chunk, None);
        let dims: Vec<usize> = std::iter::once(chunk.len()).chain(samples.shape()).collect();
        let output = model.run(&x, &dims)?;
        predicted.extend(argmax_rows(&output.data, output.data.len() / chunk.len()));
    }
    Ok(predicted)
}
