//! Where the model runs: ONNX Runtime's CPU provider by default, CUDA when asked and available.

use crate::runtime::Runtime;

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

    /// The device models will actually run on with `runtime`, and a warning when that is not
    /// the one asked for. CUDA falls back to the CPU when the loaded library has no CUDA
    /// provider beside it, and, until sessions register it (the runtime builds CPU sessions
    /// only), when it has one too.
    pub fn resolve(self, runtime: &Runtime) -> (Device, Option<String>) {
        let Device::Cuda(index) = self else {
            return (Device::Cpu, None);
        };
        let available = runtime.library().with_file_name(CUDA_PROVIDER_LIBRARY).is_file();
        let reason = if available {
            "sessions on CUDA are not wired into the runtime yet"
        } else {
            "this ONNX Runtime library has no CUDA provider (point TESSERA_ONNXRUNTIME at an onnxruntime-gpu library)"
        };
        (Device::Cpu, Some(format!("warning: CUDA device {index} requested but {reason}; running on the CPU")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_parse() {
        assert_eq!(Device::parse("CPU"), Ok(Device::Cpu));
        assert_eq!(Device::parse("cuda:1"), Ok(Device::Cuda(1)));
        assert!(Device::parse("tpu").unwrap_err().contains("unknown device"));
    }
}
