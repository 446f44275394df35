//! The int8 model of a freshly trained package: calibrated on its training tiles, checked
//! against the float model on its validation tiles.

use crate::dataset::split::Split;
use crate::dataset::TileStore;
use crate::job::Job;
use crate::model::QuantizationRecord;
use crate::quant::{self, Agreement, Calibration};
use crate::runtime::Runtime;
use crate::{Result, TesseraError};

/// The int8 model of `float` (trained on `store` split as `split`) with its record. Each
/// calibration method is tried in turn ([`Calibration::ALL`]) until one passes the guard; when
/// none does, the closest is kept, not accepted, with the reason. A model that cannot be
/// quantised, or too few tiles, gives no int8 model and a record saying why; only cancellation
/// is an error.
pub fn int8_model(
    runtime: &Runtime,
    float: &[u8],
    store: &TileStore,
    split: &Split,
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
    let tiles = match quant::calibration_tiles(&split.train, "training tiles") {
        Ok(tiles) => tiles,
        Err(error) => return Ok((None, not_made(plain(error)))),
    };
    let mut best: Option<(Vec<u8>, QuantizationRecord)> = None;
    for method in Calibration::ALL {
        let attempt = quant::quantize(runtime, float, store, &tiles, method, threads, job).and_then(|int8| {
            let agreement = Agreement::measure(runtime, float, &int8, store, &split.validation, true, threads, job)?;
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
        "agrees with the float model on {:.1} % of {} validation tiles{f1}",
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
