//! How a job writes its outputs: never over one of its own inputs (checked before it starts, so
//! that a slip on the command line — `--out` naming the slide — cannot destroy what it reads),
//! and each file atomically, so that a full disk or a crash leaves no truncated output.

use std::path::{Path, PathBuf};

use crate::{Result, TesseraError};

/// The absolute, resolved form of `path` whether or not it exists yet (its folder resolved, its
/// file name kept), for comparing paths that name the same file differently.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent.canonicalize().map_or_else(|_| absolute.clone(), |real| real.join(name)),
        _ => absolute,
    }
}

/// Refuses the output `output` (named `what` in the error, e.g. `--out`) when it is one of
/// `inputs` (each with what names it, e.g. `the slide given with --slide`), however either is
/// spelled. Call before any work.
pub fn check_output(what: &str, output: &Path, inputs: &[(&str, &Path)]) -> Result<()> {
    let out = resolved(output);
    for (name, input) in inputs {
        if resolved(input) == out {
            return Err(TesseraError::invalid(format!(
                "{what} {} is {name}: writing there would destroy it; choose another path",
                output.display()
            )));
        }
    }
    Ok(())
}

/// Writes `path` through a temporary file beside it (`.name.tmp-<pid>`) that `write` fills and
/// closes, then renames into place: `path` holds its old content or the new, never a part, so a
/// full disk or a crash leaves no truncated output. The temporary file is removed on failure.
pub fn write_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let name = path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temporary = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = write(&temporary)
        .and_then(|()| std::fs::rename(&temporary, path).map_err(|source| TesseraError::io(path, source)));
    if written.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Writes `bytes` to `path` atomically (see [`write_atomically`]).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(path, |temporary| {
        let io = |source| TesseraError::io(temporary, source);
        let mut file = std::fs::File::create(temporary).map_err(io)?;
        std::io::Write::write_all(&mut file, bytes).map_err(io)?;
        file.sync_all().map_err(io)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_that_names_an_input_however_spelled_is_refused() {
        let dir = std::env::temp_dir().join(format!("tessera-outputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let slide = dir.join("slide.svs");
        std::fs::write(&slide, b"pixels").unwrap();
        let inputs = [("the slide given with --slide", slide.as_path())];
        let error = check_output("--out", &slide, &inputs).unwrap_err().to_string();
        assert!(error.contains("--out") && error.contains("is the slide given with --slide"), "{error}");
        assert!(
            check_output("--out", &dir.join("sub/../slide.svs"), &inputs).is_err(),
            "the same file spelled otherwise"
        );
        assert!(check_output("--out", &dir.join("detections.geojson"), &inputs).is_ok());
        assert!(check_output("--out", &dir.join("missing/out.geojson"), &inputs).is_ok());
        assert_eq!(std::fs::read(&slide).unwrap(), b"pixels", "nothing written");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = std::env::temp_dir().join(format!("tessera-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("out.geojson");
        write_file(&out, b"old").unwrap();
        let failed = write_atomically(&out, |temporary| {
            std::fs::write(temporary, b"half").unwrap();
            Err(TesseraError::invalid("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&out).unwrap(), b"old", "the old content stays whole");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        write_file(&out, b"new").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
