//! Which of a package's models runs: the float model or its int8 twin ([`crate::quant`]).

use crate::model::Package;
use crate::runtime::Device;
use crate::{Result, TesseraError};

/// The precision a user asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// The int8 model where the package has one that passed its accuracy guard and the model
    /// runs on the CPU; the float model otherwise.
    #[default]
    Auto,
    /// The float model.
    Fp32,
    /// The int8 model, even one the guard did not accept (the reason is given as a warning).
    Int8,
}

impl Precision {
    /// Parses `auto`, `fp32` or `int8`.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Ok(Precision::Auto),
            "fp32" | "float" => Ok(Precision::Fp32),
            "int8" => Ok(Precision::Int8),
            _ => Err(format!("unknown precision {text:?}: use auto, fp32 or int8")),
        }
    }
}

impl std::fmt::Display for Precision {
    /// The form [`Precision::parse`] reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::Auto => "auto",
            Precision::Fp32 => "fp32",
            Precision::Int8 => "int8",
        })
    }
}

/// The model that runs and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// Whether the int8 model runs.
    pub int8: bool,
    /// Why, in a sentence (shown by the command and QuPath).
    pub reason: String,
    /// Set when the choice goes against the accuracy guard: what the user should know.
    pub warning: Option<String>,
}

/// Chooses between `package`'s models for `asked` on `device`.
pub fn choose(package: &Package, asked: Precision, device: Device) -> Result<Chosen> {
    let record = package.metadata().quantization.as_ref();
    let why_not = || match (record, package.metadata().task) {
        (Some(r), _) => r.reason.clone(),
        (None, crate::model::Task::Segmentation) => "Tessera makes no int8 segmentation models yet".to_owned(),
        (None, _) => "the package has no int8 model: it was made elsewhere, or before Tessera made them".to_owned(),
    };
    let float = |reason: String| Chosen { int8: false, reason, warning: None };
    Ok(match asked {
        Precision::Fp32 => float("float model, as asked".into()),
        Precision::Auto if device != Device::Cpu => float(format!("float model: the model runs on {device}")),
        Precision::Auto => match record.filter(|r| r.accepted && package.int8().is_some()) {
            Some(record) => Chosen { int8: true, reason: format!("int8 model: {}", record.reason), warning: None },
            None => float(format!("float model: {}", why_not())),
        },
        Precision::Int8 if package.int8().is_none() => {
            return Err(TesseraError::invalid(format!(
                "cannot run model {:?} in int8: {}; use precision auto or fp32",
                package.metadata().name,
                why_not()
            )))
        }
        Precision::Int8 => {
            let accepted = record.is_some_and(|r| r.accepted);
            Chosen {
                int8: true,
                reason: format!("int8 model, as asked: {}", why_not()),
                warning: (!accepted).then(|| format!("the int8 model did not pass its accuracy guard: {}", why_not())),
            }
        }
    })
}
