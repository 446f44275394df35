//! AdaBN (Li et al. 2016): the batch normalisations' running statistics re-estimated on the
//! target slide's tiles, so that each layer normalises the slide's activations as it normalised
//! the training tiles'.
//!
//! Layer by layer in graph order, each layer's input is measured with the layers before it
//! already adapted, and its stored mean and variance replaced by the measured ones.

use prost::Message;

use super::surgery::{batch_norms, decode, set_floats};
use super::Probe;
use crate::job::Job;
use crate::runtime::Runtime;
use crate::{Result, TesseraError};

/// A model adapted to a slide.
#[derive(Clone, Debug)]
pub struct Adapted {
    /// The serialised model.
    pub model: Vec<u8>,
    /// How many batch normalisations were re-estimated.
    pub layers: usize,
}

/// The float model `onnx` with every stored batch normalisation re-estimated on `inputs`
/// (preprocessed tiles of side `tile`, laid end to end). A model without any is refused, saying so.
pub fn adapt(
    runtime: &Runtime,
    onnx: &[u8],
    inputs: &[f32],
    tile: usize,
    threads: usize,
    job: &Job,
) -> Result<Adapted> {
    let mut model = decode(onnx)?;
    let sites = batch_norms(&model);
    if sites.is_empty() {
        return Err(TesseraError::IncompatibleModel(
            "the model has no batch normalisation with stored statistics: there is nothing to re-estimate".into(),
        ));
    }
    for site in &sites {
        let (values, row) =
            Probe::new(runtime, &model, std::slice::from_ref(&site.input), tile, threads)?.run(inputs, job)?;
        let channels = *row.first().ok_or_else(|| {
            TesseraError::IncompatibleModel(format!("batch normalisation input {} has no channel axis", site.input))
        })?;
        let per_channel: usize = row[1..].iter().product();
        let count = (values.len() / (channels * per_channel).max(1) * per_channel) as f64;
        let (mut mean, mut squares) = (vec![0f64; channels], vec![0f64; channels]);
        for (at, &v) in values.iter().enumerate() {
            let c = (at / per_channel) % channels;
            mean[c] += f64::from(v);
            squares[c] += f64::from(v) * f64::from(v);
        }
        let mean: Vec<f64> = mean.iter().map(|s| s / count).collect();
        let var: Vec<f32> = squares.iter().zip(&mean).map(|(s, m)| (s / count - m * m).max(0.0) as f32).collect();
        set_floats(&mut model, &site.mean, &mean.iter().map(|&m| m as f32).collect::<Vec<_>>())?;
        set_floats(&mut model, &site.var, &var)?;
    }
    Ok(Adapted { model: model.encode_to_vec(), layers: sites.len() })
}
