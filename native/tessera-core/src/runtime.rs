//! ONNX Runtime, loaded at run time from a library file, and models run on it.
//!
//! ONNX Runtime is never linked: [`init`] loads it from a path (the QuPath extension passes the
//! copy it bundles, the CLI finds one with [`locate`]). Loading checks the library's API version
//! and turns every failure, including a panic inside `ort`, into [`TesseraError::Runtime`].
//! Models run on the CPU or, when asked and available, on CUDA ([`provider`]).

pub mod provider;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::environment::Environment;
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};
use ort::session::Session;
use ort::value::TensorRef;

use crate::job::Job;
use crate::{Result, TesseraError};
pub use provider::{Device, Placement};

/// The file name ONNX Runtime is looked up under on this platform, as the QuPath extension's jar
/// and the release archives name it: `onnxruntime.dll` on Windows (the wheel's own name),
/// `libonnxruntime.dylib` on macOS (the wheel's `libonnxruntime.<version>.dylib`, renamed), and
/// the soname `libonnxruntime.so.1` elsewhere.
pub const LIBRARY_NAME: &str = if cfg!(windows) {
    "onnxruntime.dll"
} else if cfg!(target_os = "macos") {
    "libonnxruntime.dylib"
} else {
    "libonnxruntime.so.1"
};
/// Environment variable that names the ONNX Runtime library to load.
pub const LIBRARY_ENV: &str = "TESSERA_ONNXRUNTIME";

/// How far ONNX Runtime rewrites a graph before running it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Optimisation {
    /// Every rewrite ONNX Runtime has (its ALL level), including convolutions laid out in NCHWc
    /// blocks: allowed where weights are constant, so the default for models that only predict
    /// (1.44× a ResNet-18-shaped model at EXTENDED on 2 cores, outputs equal to rounding).
    #[default]
    All,
    /// Fusions only (ONNX Runtime's EXTENDED level): what training steps use, because the layout
    /// reorders of ALL slow the training graphs down.
    Extended,
}

impl Optimisation {
    fn level(self) -> GraphOptimizationLevel {
        match self {
            Optimisation::All => GraphOptimizationLevel::Level3,
            Optimisation::Extended => GraphOptimizationLevel::Level2,
        }
    }
}

/// The loaded ONNX Runtime.
pub struct Runtime {
    environment: Environment,
    library: PathBuf,
    version: String,
}

impl Runtime {
    /// The library file it was loaded from.
    pub fn library(&self) -> &Path {
        &self.library
    }

    /// An ONNX Runtime session on the CPU for a training step, optimised at the EXTENDED level
    /// (the ALL level adds layout reorders that slow the training graphs down), on `threads`
    /// threads that spin between operators: a training step is one long run of small operators
    /// with nothing else to do on the cores meanwhile. Call inside [`guard`].
    pub(crate) fn session(&self, bytes: &[u8], threads: usize) -> Result<Session> {
        commit(self.cpu_builder(threads, true, Optimisation::Extended)?, bytes)
    }

    /// A session for a model that runs while tiles are read (inference, validation, backbone
    /// embeddings), on `device`: a session asked for CUDA that cannot have it runs on the CPU,
    /// and its [`Placement`] says why. Its threads do not spin, so that the readers preparing
    /// the next batch get the cores whenever an operator waits (on 2 cores, spinning made
    /// whole-slide inference 10 % slower than the model alone). It is optimised as
    /// `optimisation` says. Call inside [`guard`].
    pub(crate) fn session_on(
        &self,
        bytes: &[u8],
        threads: usize,
        device: Device,
        optimisation: Optimisation,
    ) -> Result<(Session, Placement)> {
        let cpu = self.cpu_builder(threads, false, optimisation)?;
        let placement = match device {
            Device::Cpu => Placement::as_requested(device),
            Device::Cuda(index) => match provider::commit_on_cuda(&self.library, &cpu, index, bytes) {
                Ok(session) => return Ok((session, Placement::as_requested(device))),
                Err(reason) => Placement::on_cpu_instead(device, reason),
            },
        };
        Ok((commit(cpu, bytes)?, placement))
    }

    /// Session options for the CPU: `optimisation`, `threads` intra-op threads that `spin`
    /// (busy-wait) between operators or not.
    fn cpu_builder(&self, threads: usize, spin: bool, optimisation: Optimisation) -> Result<SessionBuilder> {
        Ok(Session::builder(&self.environment)?
            .with_optimization_level(optimisation.level())
            .map_err(ort::Error::from)?
            .with_intra_threads(capped_threads(threads))
            .map_err(ort::Error::from)?
            .with_intra_op_spinning(spin)
            .map_err(ort::Error::from)?)
    }

    /// ONNX Runtime's version, e.g. `1.31.1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// ONNX Runtime's version and build description (commit, flags).
    pub fn build_info(&self) -> String {
        let build = guard("reading the build information", || Ok(ort::info().to_owned())).unwrap_or_default();
        format!("ONNX Runtime {} ({build})", self.version)
    }
}

/// `threads` within 1 and the machine's cores: more threads than cores only compete (and a
/// typo such as 10000 would start that many).
pub fn capped_threads(threads: usize) -> usize {
    threads.clamp(1, std::thread::available_parallelism().map_or(1, usize::from))
}

/// A session for a serialised model from ready options; a model ONNX Runtime refuses is an
/// [`TesseraError::IncompatibleModel`].
fn commit(mut builder: SessionBuilder, bytes: &[u8]) -> Result<Session> {
    builder
        .commit_from_memory(bytes)
        .map_err(|e| TesseraError::IncompatibleModel(format!("not a usable ONNX model: {e}")))
}

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// Loads ONNX Runtime from `library`, once per process; later calls return the runtime already
/// loaded, whatever path they name.
pub fn init(library: &Path) -> Result<&'static Runtime> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    if !library.is_file() {
        return Err(TesseraError::Runtime(format!("no ONNX Runtime library at {}", library.display())));
    }
    let environment = guard("loading the library", || {
        let builder = ort::init_from(library).map_err(|e| TesseraError::Runtime(e.to_string()))?;
        Ok(builder.with_name("tessera").build()?)
    })?;
    let version = library_version(library)?;
    Ok(RUNTIME.get_or_init(|| Runtime { environment, library: library.to_owned(), version }))
}

/// Asks the library for its version string through the C API's entry point.
fn library_version(library: &Path) -> Result<String> {
    let failed = |reason: String| TesseraError::Runtime(format!("{}: {reason}", library.display()));
    // SAFETY: `init_from` has already loaded this file and checked that it is ONNX Runtime, so
    // `OrtGetApiBase` exists with the C API's signature and returns a valid, static struct whose
    // `GetVersionString` returns a static NUL-terminated string.
    unsafe {
        let lib = libloading::Library::new(library).map_err(|e| failed(e.to_string()))?;
        let get_api_base: libloading::Symbol<unsafe extern "C" fn() -> *const ort::sys::OrtApiBase> =
            lib.get(b"OrtGetApiBase").map_err(|e| failed(e.to_string()))?;
        let base = get_api_base();
        if base.is_null() {
            return Err(failed("OrtGetApiBase returned nothing".into()));
        }
        let version = ((*base).GetVersionString)();
        Ok(std::ffi::CStr::from_ptr(version).to_string_lossy().into_owned())
    }
}

/// The runtime loaded by [`init`], or an error saying it was not loaded.
pub fn get() -> Result<&'static Runtime> {
    RUNTIME.get().ok_or_else(|| TesseraError::Runtime("ONNX Runtime has not been loaded".into()))
}

/// Finds an ONNX Runtime library for a standalone program: the file named by
/// `TESSERA_ONNXRUNTIME`, else [`LIBRARY_NAME`] beside the executable, in `../lib` or in
/// `../onnxruntime` from it (where the repository's build puts it, beside `target/release/`), or
/// in `../../onnxruntime` (from the test and bench programs in `target/<profile>/deps/`).
pub fn locate() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(LIBRARY_ENV) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| TesseraError::Runtime(format!("cannot find this program: {e}")))?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let candidates = [dir.to_path_buf(), dir.join("../lib"), dir.join("../onnxruntime"), dir.join("../../onnxruntime")];
    candidates.iter().map(|d| d.join(LIBRARY_NAME)).find(|p| p.is_file()).ok_or_else(|| {
        TesseraError::Runtime(format!(
            "no {LIBRARY_NAME} found beside {} (looked in {}); set {LIBRARY_ENV} to its path",
            exe.display(),
            candidates.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// Runs `f`, turning a panic inside `ort` (it panics on some library problems) into an error.
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "unknown failure".to_owned());
        Err(TesseraError::Runtime(format!("{what} failed: {reason}")))
    })
}

/// A dense f32 tensor: shape and row-major data.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// The dimensions.
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<f32>,
}

/// An ONNX model ready to run, with one f32 input and one f32 output (or several, for
/// [`Model::observing`]).
///
/// `ort` sessions need exclusive access to run, so calls are serialised; ONNX Runtime itself
/// uses `threads` threads inside each call.
pub struct Model {
    session: Mutex<Session>,
    input: String,
    outputs: Vec<String>,
    placement: Placement,
}

impl Model {
    /// Loads a serialised ONNX model to run on the CPU.
    pub fn from_bytes(runtime: &Runtime, bytes: &[u8], threads: usize) -> Result<Self> {
        Self::from_bytes_on(runtime, bytes, threads, Device::Cpu)
    }

    /// Loads a serialised ONNX model to run on `device`, or on the CPU when CUDA is asked for
    /// and cannot be had ([`Model::placement`] says why), fully optimised.
    pub fn from_bytes_on(runtime: &Runtime, bytes: &[u8], threads: usize, device: Device) -> Result<Self> {
        Self::from_bytes_with(runtime, bytes, threads, device, Optimisation::default())
    }

    /// Loads a serialised ONNX model as [`Model::from_bytes_on`] does, optimised as asked (the
    /// benchmarks compare the levels).
    pub fn from_bytes_with(
        runtime: &Runtime,
        bytes: &[u8],
        threads: usize,
        device: Device,
        optimisation: Optimisation,
    ) -> Result<Self> {
        Self::load(runtime, bytes, threads, device, optimisation, false)
    }

    /// Loads a model on the CPU that may have several f32 outputs, all returned by
    /// [`Model::run_all`]: to observe the values inside a network (calibration).
    pub fn observing(runtime: &Runtime, bytes: &[u8], threads: usize) -> Result<Self> {
        Self::load(runtime, bytes, threads, Device::Cpu, Optimisation::default(), true)
    }

    fn load(
        runtime: &Runtime,
        bytes: &[u8],
        threads: usize,
        device: Device,
        optimisation: Optimisation,
        several_outputs: bool,
    ) -> Result<Self> {
        guard("loading the model", || {
            let (session, placement) = runtime.session_on(bytes, threads, device, optimisation)?;
            let (input, outputs) = match (session.inputs(), session.outputs()) {
                ([input], [_, ..]) if several_outputs => {
                    (input.name().to_owned(), session.outputs().iter().map(|o| o.name().to_owned()).collect())
                }
                ([input], [output]) => (input.name().to_owned(), vec![output.name().to_owned()]),
                (inputs, outputs) => {
                    return Err(TesseraError::IncompatibleModel(format!(
                        "expected one input and one output, found {} and {}",
                        inputs.len(),
                        outputs.len()
                    )))
                }
            };
            Ok(Self { session: Mutex::new(session), input, outputs, placement })
        })
    }

    /// Where the model runs.
    pub fn placement(&self) -> &Placement {
        &self.placement
    }

    /// Runs the model on one tensor; its (first) output.
    pub fn run(&self, data: &[f32], shape: &[usize]) -> Result<Tensor> {
        let mut outputs = self.run_outputs(data, shape, 1)?;
        Ok(outputs.remove(0))
    }

    /// Runs the model on one tensor; every output, in the model's order.
    pub fn run_all(&self, data: &[f32], shape: &[usize]) -> Result<Vec<Tensor>> {
        self.run_outputs(data, shape, self.outputs.len())
    }

    /// The first `count` outputs of a run on one tensor.
    fn run_outputs(&self, data: &[f32], shape: &[usize], count: usize) -> Result<Vec<Tensor>> {
        if shape.iter().product::<usize>() != data.len() {
            return Err(TesseraError::invalid(format!(
                "{} values do not fill a tensor of shape {shape:?}",
                data.len()
            )));
        }
        guard("running the model", || {
            let mut session = self.session.lock().map_err(|_| TesseraError::internal("model session poisoned"))?;
            let input = TensorRef::from_array_view((shape.to_vec(), data))?;
            let outputs = session.run(ort::inputs![self.input.as_str() => input])?;
            let tensor = |name: &String| -> Result<Tensor> {
                let (shape, values) = outputs[name.as_str()].try_extract_tensor::<f32>()?;
                Ok(Tensor { shape: shape.iter().map(|&d| d.max(0) as usize).collect(), data: values.to_vec() })
            };
            self.outputs[..count].iter().map(tensor).collect()
        })
    }

    /// Runs the model over `rows` (each `row_len` values) in batches of `batch` rows, reporting
    /// progress and stopping between batches when the job is cancelled. Returns the outputs of
    /// all rows, concatenated.
    pub fn run_rows(&self, rows: &[f32], row_len: usize, batch: usize, job: &Job) -> Result<Tensor> {
        if row_len == 0 || batch == 0 || !rows.len().is_multiple_of(row_len) {
            return Err(TesseraError::invalid(format!(
                "{} values cannot be split into rows of {row_len} in batches of {batch}",
                rows.len()
            )));
        }
        let total = rows.len() / row_len;
        let mut data = Vec::new();
        let mut width = 0;
        for (index, chunk) in rows.chunks(batch * row_len).enumerate() {
            job.check()?;
            let out = self.run(chunk, &[chunk.len() / row_len, row_len])?;
            width = out.shape.get(1..).map_or(1, |d| d.iter().product());
            data.extend_from_slice(&out.data);
            let done = (index * batch + chunk.len() / row_len) as u64;
            job.progress(done, total as u64, "running the model");
        }
        Ok(Tensor { shape: vec![total, width], data })
    }
}
