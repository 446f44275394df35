//! Where a job may write, checked before it starts: never over one of its own inputs, so that a
//! slip on the command line (`--out` naming the slide) cannot destroy what the job reads.

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
}
