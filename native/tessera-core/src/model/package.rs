//! The `.tessera` file: a zip of `model.onnx` and `tessera.json`, written atomically.

use std::io::{Read, Seek, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::{wsinfer, Metadata};
use crate::graph::signature as onnx;
use crate::{Result, TesseraError};

/// The zip entry holding the ONNX model.
pub const MODEL_ENTRY: &str = "model.onnx";
/// The zip entry holding the int8 model, when the package has one.
pub const INT8_MODEL_ENTRY: &str = "model.int8.onnx";
/// The zip entry holding the metadata.
pub const METADATA_ENTRY: &str = "tessera.json";

/// The largest metadata entry read, in bytes (a corrupt or hostile file cannot exhaust memory).
const MAX_METADATA_BYTES: u64 = 16 << 20;
/// The largest model entry read, in bytes.
const MAX_MODEL_BYTES: u64 = 4 << 30;

/// A model and its metadata, validated; optionally an int8 twin of the model.
#[derive(Clone, Debug)]
pub struct Package {
    metadata: Metadata,
    onnx: Vec<u8>,
    int8: Option<Vec<u8>>,
}

impl Package {
    /// A package of a serialised ONNX model and its metadata; fails when the metadata is
    /// invalid or the bytes are not an ONNX model.
    pub fn new(metadata: Metadata, onnx: Vec<u8>) -> Result<Self> {
        metadata.validate()?;
        onnx::signature(&onnx)?;
        Ok(Self { metadata, onnx, int8: None })
    }

    /// This package with `int8` as its int8 model (see [`crate::quant`]) and the record of how
    /// it was made; refused unless the int8 model takes and gives what the float model does.
    pub fn with_int8(mut self, int8: Option<Vec<u8>>, record: super::QuantizationRecord) -> Result<Self> {
        if let Some(bytes) = &int8 {
            let (float, quantized) = (onnx::signature(&self.onnx)?, onnx::signature(bytes)?);
            if float != quantized {
                return Err(TesseraError::IncompatibleModel(format!(
                    "{INT8_MODEL_ENTRY} takes {:?} and gives {:?}, where {MODEL_ENTRY} takes {:?} and gives {:?}",
                    quantized.input, quantized.output, float.input, float.output
                )));
            }
        }
        self.int8 = int8;
        self.metadata.quantization = Some(record);
        Ok(self)
    }

    /// This package recording that it was fine-tuned from a parent.
    pub fn with_lineage(mut self, lineage: super::LineageRecord) -> Self {
        self.metadata.lineage = Some(lineage);
        self
    }

    /// This package recording what its training tiles looked like.
    pub fn with_shift(mut self, shift: crate::shift::ShiftRecord) -> Self {
        self.metadata.shift = Some(shift);
        self
    }

    /// The serialised int8 model, if the package has one.
    pub fn int8(&self) -> Option<&[u8]> {
        self.int8.as_deref()
    }

    /// The metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The serialised ONNX model.
    pub fn onnx(&self) -> &[u8] {
        &self.onnx
    }

    /// Reads a model: a `.tessera` package, or a bare `.onnx` file with a WSInfer-style
    /// `config.json` beside it. Errors name the file and what does not fit.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| TesseraError::io(path, source))?;
        Self::from_bytes(bytes, path)
    }

    /// Reads a model from the bytes of the file `path` (named in errors), as [`Package::read`]
    /// reads the file: a bare ONNX model takes its `config.json` from beside `path`.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Self> {
        let in_file = |error: TesseraError| match error {
            TesseraError::IncompatibleModel(problem) => {
                TesseraError::IncompatibleModel(format!("{}: {problem}", path.display()))
            }
            other => other,
        };
        // Every zip, empty ones included, starts with a "PK" record.
        if bytes.starts_with(b"PK") {
            return Self::from_zip(&bytes).map_err(in_file);
        }
        if let Err(error) = onnx::signature(&bytes) {
            return Err(TesseraError::IncompatibleModel(format!(
                "{} is neither a .tessera package (a zip) nor a model: {}",
                path.display(),
                error.to_string().trim_start_matches("incompatible model: ")
            )));
        }
        let config = path.with_file_name(wsinfer::CONFIG_FILE);
        if !config.is_file() {
            return Err(TesseraError::IncompatibleModel(format!(
                "{} is a bare ONNX model: it needs a WSInfer-style {} beside it (its classes, tile size and \
                 resolution), and there is none",
                path.display(),
                wsinfer::CONFIG_FILE
            )));
        }
        let metadata = wsinfer::read_config(&config)?;
        Self::new(metadata, bytes).map_err(in_file)
    }

    fn from_zip(bytes: &[u8]) -> Result<Self> {
        let mut archive = ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| TesseraError::IncompatibleModel(format!("not a readable .tessera package: {e}")))?;
        let json = read_entry(&mut archive, METADATA_ENTRY, MAX_METADATA_BYTES, bytes.len() as u64)?;
        let metadata: Metadata = serde_json::from_slice(&json)
            .map_err(|e| TesseraError::IncompatibleModel(format!("{METADATA_ENTRY}: {e}")))?;
        let onnx = read_entry(&mut archive, MODEL_ENTRY, MAX_MODEL_BYTES, bytes.len() as u64)?;
        let package = Self::new(metadata, onnx)?;
        if archive.index_for_name(INT8_MODEL_ENTRY).is_none() {
            return Ok(package);
        }
        let int8 = read_entry(&mut archive, INT8_MODEL_ENTRY, MAX_MODEL_BYTES, bytes.len() as u64)?;
        let record = package.metadata.quantization.clone().ok_or_else(|| {
            TesseraError::IncompatibleModel(format!("{INT8_MODEL_ENTRY} is not described in {METADATA_ENTRY}"))
        })?;
        package.with_int8(Some(int8), record)
    }

    /// Writes the package to `path` through a temporary file in the same folder, renamed into
    /// place once complete: `path` holds the old package or the new one, never a partial one.
    /// The zip is made in memory first, so a full disk fails one plain write.
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::outputs::write_file(path, &self.to_bytes()?)
    }

    /// The package as the bytes of a `.tessera` file.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let written = self.zip_into(std::io::Cursor::new(Vec::new()));
        Ok(written.map_err(|e| TesseraError::internal(format!("cannot zip the package: {e}")))?.into_inner())
    }

    /// Writes the package's zip to `writer`, which it returns.
    fn zip_into<W: Write + Seek>(&self, writer: W) -> std::io::Result<W> {
        let mut zip = ZipWriter::new(writer);
        let json = serde_json::to_vec_pretty(&self.metadata).map_err(std::io::Error::other)?;
        let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        zip.start_file(METADATA_ENTRY, deflated).map_err(std::io::Error::other)?;
        zip.write_all(&json)?;
        let large = deflated.large_file(self.onnx.len() as u64 >= u64::from(u32::MAX));
        zip.start_file(MODEL_ENTRY, large).map_err(std::io::Error::other)?;
        zip.write_all(&self.onnx)?;
        if let Some(int8) = &self.int8 {
            zip.start_file(INT8_MODEL_ENTRY, deflated).map_err(std::io::Error::other)?;
            zip.write_all(int8)?;
        }
        zip.finish().map_err(std::io::Error::other)
    }
}

/// The bytes of entry `name` of a package of `package_bytes` bytes, refused beyond `limit`.
fn read_entry(
    archive: &mut ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
    limit: u64,
    package_bytes: u64,
) -> Result<Vec<u8>> {
    let mut entry = archive
        .by_name(name)
        .map_err(|e| TesseraError::IncompatibleModel(format!("no {name} in the package ({e})")))?;
    if entry.size() > limit {
        return Err(TesseraError::IncompatibleModel(format!(
            "{name} is {} bytes, more than the {limit} allowed",
            entry.size()
        )));
    }
    // The declared size is only a claim: reserve no more than the package holds (inflating
    // beyond that grows the buffer as the bytes come, and zip stops at the declared size).
    let mut bytes = Vec::with_capacity(entry.size().min(package_bytes) as usize);
    entry
        .by_ref()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| TesseraError::IncompatibleModel(format!("{name} is corrupt: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::probe;
    use crate::model::{ClassInfo, InputSpec, Task};
    use std::path::PathBuf;

    fn package() -> Package {
        let metadata = Metadata::new(
            "probe",
            Task::TileClassification,
            vec![ClassInfo::new("A", [255, 0, 0]), ClassInfo::new("B", [0, 0, 255])],
            InputSpec::imagenet(8, Some(1.0)),
        );
        let onnx = probe::linear_softmax(&[1.0, -1.0, 0.5, 0.5], &[0.0, 0.0], 2).unwrap();
        Package::new(metadata, onnx).unwrap()
    }

    #[test]
    fn written_packages_read_back_identically_and_leave_no_temporary() {
        let dir = tempdir();
        let path = dir.join("m.tessera");
        let original = package();
        original.write(&path).unwrap();
        let read = Package::read(&path).unwrap();
        assert_eq!(read.metadata(), original.metadata());
        assert_eq!(read.onnx(), original.onnx());
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("m.tessera")]);
    }

    #[test]
    fn lineage_and_int8_round_trip_through_the_file() {
        let dir = tempdir();
        let path = dir.join("child.tessera");
        let lineage = super::super::LineageRecord {
            parent: "parent".into(),
            parent_images: vec!["a.svs".into()],
            added_images: vec!["b.svs".into()],
            added_tiles_per_class: [("A".to_string(), 12), ("B".to_string(), -1)].into(),
            parent_macro_f1_on_folds: Some(0.8),
            child_macro_f1_on_folds: Some(0.9),
        };
        let record = super::super::QuantizationRecord {
            accepted: false,
            reason: "test".into(),
            scheme: None,
            calibration: None,
            calibration_tiles: 0,
            agreement: None,
        };
        let int8 = probe::linear_softmax(&[1.0, -1.0, 0.5, 0.5], &[0.0, 0.0], 2).unwrap();
        let original = package().with_lineage(lineage).with_int8(Some(int8), record).unwrap();
        original.write(&path).unwrap();
        let read = Package::read(&path).unwrap();
        assert_eq!(read.metadata(), original.metadata());
        assert_eq!(read.int8(), original.int8());
        // An int8 model that takes another input than the float model is refused.
        let other = probe::linear_softmax(&[1.0; 6], &[0.0, 0.0], 3).unwrap();
        let refused = package().with_int8(Some(other), read.metadata().quantization.clone().unwrap()).unwrap_err();
        assert!(refused.to_string().contains("model.int8.onnx takes"), "{refused}");
    }

    #[test]
    fn damaged_packages_are_refused_with_the_reason() {
        let dir = tempdir();
        let path = dir.join("m.tessera");
        package().write(&path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&path, &bytes).unwrap();
        let message = Package::read(&path).unwrap_err().to_string();
        assert!(message.contains("m.tessera") && message.contains("not a readable .tessera package"), "{message}");
        let bad = Package::new(package().metadata().clone(), b"not onnx".to_vec()).unwrap_err();
        assert!(bad.to_string().contains("not an ONNX model"), "{bad}");
    }

    #[test]
    fn files_that_are_no_model_are_named_as_such() {
        let dir = tempdir();
        let refused = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            let error = Package::read(&path).unwrap_err();
            assert!(matches!(error, TesseraError::IncompatibleModel(_)), "{name}: {error}");
            error.to_string()
        };
        // An empty zip, a slide, plain text: no model, whatever the file is called.
        let empty_zip = refused("empty.tessera", b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
        assert!(empty_zip.contains("empty.tessera") && empty_zip.contains("no tessera.json"), "{empty_zip}");
        let slide = refused("slide.tessera", b"II*\0\x08\0\0\0 a TIFF");
        assert!(slide.contains("neither a .tessera package (a zip) nor a model: not an ONNX model"), "{slide}");
        let bare =
            refused("bare.onnx", &crate::graph::probe::linear_softmax(&[1.0, 0.0, 0.0, 1.0], &[0.0, 0.0], 2).unwrap());
        assert!(bare.contains("bare ONNX model") && bare.contains("config.json"), "{bare}");
    }

    fn tempdir() -> PathBuf {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("tessera-package-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
