//! A package's int8 model: for a freshly trained package, calibrated on its training tiles and
//! checked against the float model on its validation tiles; for a model made elsewhere,
//! calibrated and checked on tissue tiles of the user's slides.

use crate::dataset::samples::{ModelInputs, Samples};
use crate::dataset::split::Split;
use crate::dataset::TileStore;
use crate::infer::{region, Precision, Predictor, Sliding};
use crate::job::Job;
use crate::model::{Package, QuantizationRecord};
use crate::quant::{self, Agreement, Calibration};
use crate::runtime::{Device, Runtime};
use crate::shift::sample_tiles;
use crate::slide::{read_region, RegionSource};
use crate::{Result, TesseraError};

/// The int8 model of `float` (trained on `store` split as `split`) with its record: calibrated
/// on the training tiles, judged on the validation tiles and their labels (see [`int8_of`]).
pub fn int8_model(
    runtime: &Runtime,
    float: &[u8],
    store: &TileStore,
    split: &Split,
    threads: usize,
    job: &Job,
) -> Result<(Option<Vec<u8>>, QuantizationRecord)> {
    let data = Judged { samples: store, calibration: &split.train, check: &split.validation, labelled: true };
    int8_of(runtime, float, &data, "training tiles", threads, job)
}

/// The most tissue tiles read from the slides to calibrate and check an imported model: half
/// for each.
const SLIDE_TILES: usize = 2 * quant::MAX_CALIBRATION_TILES;

/// `package` with an int8 model calibrated on tissue tiles of `slides` (for a model made
/// elsewhere, whose training tiles Tessera never saw): up to [`SLIDE_TILES`] tiles at the
/// model's resolution, spread over the slides, alternately calibrating and checking (agreement
/// only: the tiles have no labels). A model that cannot be quantised is returned float only,
/// its record saying why; too few tissue tiles are refused.
pub fn int8_for_slides(
    runtime: &Runtime,
    package: Package,
    slides: &[&dyn RegionSource],
    threads: usize,
    job: &Job,
) -> Result<Package> {
    let predictor = Predictor::new_on(runtime, package.clone(), threads, Device::Cpu, Precision::Fp32)?;
    let metadata = package.metadata();
    let tile = predictor.tile_size() as u32;
    let (mut tiles, mut stains) = (Vec::new(), Vec::new());
    for (index, &source) in slides.iter().enumerate() {
        let plan = region::plan(source, metadata, None, &Sliding::default())?;
        // A model with stain normalisation sees each slide mapped from its own appearance.
        let stain = match predictor.stain_target() {
            Some(_) => predictor.stain_for(&sample_tiles(source, &plan, tile, job)?)?,
            None => None,
        };
        stains.push(stain);
        tiles.extend(plan.tiles.into_iter().map(|tile| (index, tile)));
    }
    let step = tiles.len().div_ceil(SLIDE_TILES).max(1);
    let mut inputs = ModelInputs::new(
        vec![3, tile as usize, tile as usize],
        metadata.class_names().into_iter().map(String::from).collect(),
    );
    for &(index, ref t) in tiles.iter().step_by(step) {
        job.check()?;
        let image = read_region(slides[index], (t.x, t.y, t.w, t.h), (tile, tile))?;
        inputs.push(&predictor.preprocess_with(&image, stains[index].as_ref())?);
    }
    let calibration: Vec<usize> = (0..inputs.len()).step_by(2).collect();
    let check: Vec<usize> = (1..inputs.len()).step_by(2).collect();
    quant::calibration_tiles(&calibration, "tissue tiles of the slides (every other one; the rest check it)")?;
    let data = Judged { samples: &inputs, calibration: &calibration, check: &check, labelled: false };
    let (int8, record) = int8_of(runtime, package.onnx(), &data, "tissue tiles", threads, job)?;
    package.with_int8(int8, record)
}

/// Tiles to calibrate on and tiles to check the int8 model on (against their labels when
/// `labelled`).
struct Judged<'a> {
    samples: &'a dyn Samples,
    calibration: &'a [usize],
    check: &'a [usize],
    labelled: bool,
}

/// The int8 model of `float` with its record. Each calibration method is tried in turn
/// ([`Calibration::ALL`]) until one passes the guard; when none does, the closest is kept, not
/// accepted, with the reason. A model that cannot be quantised, or too few tiles (`what`), gives
/// no int8 model and a record saying why; only cancellation is an error.
fn int8_of(
    runtime: &Runtime,
    float: &[u8],
    data: &Judged,
    what: &str,
    threads: usize,
    job: &Job,
) -> Result<(Option<Vec<u8>>, QuantizationRecord)> {
    let not_made = |reason: String| QuantizationRecord {
        accepted: false,
        reason,
        scheme: None,
        calibration: None,
        calibration_tiles: 0,
        agreement: None,
    };
    let tiles = match quant::calibration_tiles(data.calibration, what) {
        Ok(tiles) => tiles,
        Err(error) => return Ok((None, not_made(plain(error)))),
    };
    let mut best: Option<(Vec<u8>, QuantizationRecord)> = None;
    for method in Calibration::ALL {
        let attempt = quant::quantize(runtime, float, data.samples, &tiles, method, threads, job).and_then(|int8| {
            let agreement =
                Agreement::measure(runtime, float, &int8, data.samples, data.check, data.labelled, threads, job)?;
            Ok((int8, agreement))
        });
        let (int8, agreement) = match attempt {
            Ok(made) => made,
            Err(TesseraError::Cancelled) => return Err(TesseraError::Cancelled),
            Err(error) => return Ok((None, not_made(format!("the model cannot be quantised: {}", plain(error))))),
        };
        let refusal = agreement.refusal();
        let record = QuantizationRecord {
            accepted: refusal.is_none(),
            reason: refusal.unwrap_or_else(|| passed(&agreement)),
            scheme: Some(quant::SCHEME.to_owned()),
            calibration: Some(method),
            calibration_tiles: tiles.len(),
            agreement: Some(agreement),
        };
        let closer = best.as_ref().is_none_or(|(_, kept)| agreement_of(&record) > agreement_of(kept));
        if record.accepted || closer {
            best = Some((int8, record));
        }
        if best.as_ref().is_some_and(|(_, kept)| kept.accepted) {
            break;
        }
    }
    Ok(best.map_or_else(|| (None, not_made("no calibration method was tried".into())), |(int8, r)| (Some(int8), r)))
}

/// The guard's verdict on an int8 model that passed it.
fn passed(agreement: &Agreement) -> String {
    let f1 = match (agreement.macro_f1_float, agreement.macro_f1_int8) {
        (Some(float), Some(int8)) => format!(", macro-F1 {int8:.4} against {float:.4}"),
        _ => String::new(),
    };
    format!(
        "agrees with the float model on {:.1} % of {} held-out tiles{f1}",
        100.0 * agreement.agreement,
        agreement.tiles
    )
}

fn agreement_of(record: &QuantizationRecord) -> f64 {
    record.agreement.as_ref().map_or(0.0, |a| a.agreement)
}

/// An error's message without its kind's prefix, to sit inside a sentence.
fn plain(error: TesseraError) -> String {
    match error {
        TesseraError::InvalidInput(message) | TesseraError::IncompatibleModel(message) => message,
        other => other.to_string(),
    }
}
