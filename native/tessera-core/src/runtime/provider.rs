//! Where a model runs: ONNX Runtime's CPU provider by default, CUDA when asked and available.
//!
//! A session asked to run on CUDA registers ONNX Runtime's CUDA execution provider; when that
//! cannot work (no provider library beside the loaded ONNX Runtime, no GPU, missing CUDA
//! libraries) the session is built on the CPU instead and its [`Placement`] says why.

use std::path::Path;

use ort::ep::CUDA;
use ort::session::builder::SessionBuilder;
use ort::session::Session;

/// The library onnxruntime-gpu ships beside `libonnxruntime` with the CUDA provider.
pub const CUDA_PROVIDER_LIBRARY: &str = "libonnxruntime_providers_cuda.so";

/// The execution provider a user asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Device {
    /// ONNX Runtime's CPU provider (every ONNX Runtime library has it).
    #[default]
    Cpu,
    /// NVIDIA CUDA, on the GPU with this index; needs an `onnxruntime-gpu` library.
    Cuda(i32),
}

impl Device {
    /// Parses `cpu`, `cuda` or `cuda:<index>`.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "cpu" => Ok(Device::Cpu),
            "cuda" => Ok(Device::Cuda(0)),
            other => other
                .strip_prefix("cuda:")
                .and_then(|index| index.parse().ok())
                .map(Device::Cuda)
                .ok_or_else(|| format!("unknown device {text:?}: use cpu, cuda or cuda:<index>")),
        }
    }
}

impl std::fmt::Display for Device {
    /// The form [`Device::parse`] reads: `cpu` or `cuda:<index>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
            Device::Cuda(index) => write!(f, "cuda:{index}"),
        }
    }
}

/// Where a session runs, against where it was asked to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The device asked for.
    pub requested: Device,
    /// The device the session runs on.
    pub device: Device,
    /// Why the session runs on the CPU when CUDA was asked for.
    pub fallback: Option<String>,
}

impl Placement {
    /// A session that runs where it was asked to.
    pub(crate) fn as_requested(device: Device) -> Self {
        Self { requested: device, device, fallback: None }
    }

    /// A session asked for `requested` that runs on the CPU because of `reason`.
    pub(crate) fn on_cpu_instead(requested: Device, reason: String) -> Self {
        Self { requested, device: Device::Cpu, fallback: Some(reason) }
    }

    /// A one-line warning for users when the session fell back to the CPU.
    pub fn warning(&self) -> Option<String> {
        let reason = self.fallback.as_deref()?;
        Some(format!("warning: device {} requested but {reason}; running on the CPU", self.requested))
    }
}

/// Commits `builder` (already set up for the CPU) with the CUDA provider on GPU `index`
/// registered first, or says why CUDA cannot run the model. `library` is the loaded ONNX
/// Runtime library: the CUDA provider must sit beside it.
pub(crate) fn commit_on_cuda(
    library: &Path,
    builder: &SessionBuilder,
    index: i32,
    bytes: &[u8],
) -> Result<Session, String> {
    if let Some(reason) = missing_cuda_provider(library) {
        return Err(reason);
    }
    let cuda = CUDA::default().with_device_id(index).build().error_on_failure();
    let mut builder =
        builder.clone().with_execution_providers([cuda]).map_err(|e| failure("could not be registered", e))?;
    builder.commit_from_memory(bytes).map_err(|e| failure("could not start a session", e))
}

/// `the CUDA provider <what>: <ONNX Runtime's message>`, without the message's trailing period
/// and line break.
fn failure(what: &str, error: impl std::fmt::Display) -> String {
    let message = error.to_string();
    format!("the CUDA provider {what}: {}", message.trim_end_matches(['.', '\n', ' ']))
}

/// Why the ONNX Runtime library at `library` cannot have a CUDA provider: none beside it.
fn missing_cuda_provider(library: &Path) -> Option<String> {
    let provider = library.with_file_name(CUDA_PROVIDER_LIBRARY);
    (!provider.is_file()).then(|| {
        format!(
            "{} has no CUDA provider beside it (no {CUDA_PROVIDER_LIBRARY}; point TESSERA_ONNXRUNTIME at an onnxruntime-gpu library)",
            library.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_parse() {
        assert_eq!(Device::parse("CPU"), Ok(Device::Cpu));
        assert_eq!(Device::parse("cuda"), Ok(Device::Cuda(0)));
        assert_eq!(Device::parse("cuda:1"), Ok(Device::Cuda(1)));
        assert!(Device::parse("tpu").unwrap_err().contains("unknown device"));
        assert!(Device::parse("cuda:x").is_err());
        assert_eq!(Device::parse(&Device::Cuda(2).to_string()), Ok(Device::Cuda(2)));
    }

    #[test]
    fn a_library_without_the_cuda_provider_beside_it_is_named() {
        let dir = std::env::temp_dir().join(format!("tessera-provider-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let library = dir.join("libonnxruntime.so.1");
        let reason = missing_cuda_provider(&library).unwrap();
        assert!(reason.contains(CUDA_PROVIDER_LIBRARY) && reason.contains("onnxruntime-gpu"), "{reason}");
        assert!(reason.contains(&library.display().to_string()), "{reason}");
        std::fs::write(dir.join(CUDA_PROVIDER_LIBRARY), b"").unwrap();
        assert_eq!(missing_cuda_provider(&library), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn onnx_runtime_messages_end_cleanly() {
        let reason = failure("could not be registered", "CUDA execution provider is not enabled in this build.\n");
        assert_eq!(
            reason,
            "the CUDA provider could not be registered: CUDA execution provider is not enabled in this build"
        );
    }

    #[test]
    fn a_fallback_warns_with_its_reason() {
        assert_eq!(Placement::as_requested(Device::Cuda(0)).warning(), None);
        let placed = Placement::on_cpu_instead(Device::Cuda(1), "no GPU".into());
        assert_eq!(placed.device, Device::Cpu);
        assert_eq!(placed.warning().unwrap(), "warning: device cuda:1 requested but no GPU; running on the CPU");
    }
}
