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

/// What an output path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// A file, written whole; its folder must exist.
    File,
    /// A folder, created if missing, written into.
    Folder,
}

/// One output of a job, as the user named it.
#[derive(Clone, Copy, Debug)]
pub struct Output<'a> {
    /// What names it, for messages (e.g. `--out`).
    pub what: &'a str,
    /// The path given.
    pub path: &'a Path,
    /// A file or a folder.
    pub kind: OutputKind,
}

impl<'a> Output<'a> {
    /// A file output named `what`.
    pub fn file(what: &'a str, path: &'a Path) -> Self {
        Self { what, path, kind: OutputKind::File }
    }

    /// A folder output named `what`.
    pub fn folder(what: &'a str, path: &'a Path) -> Self {
        Self { what, path, kind: OutputKind::Folder }
    }
}

/// Checks, before any work, that every output can be written where the user named it: not over
/// one of `inputs` (each with what names it, e.g. `the slide given with --slide`) however either
/// is spelled; a file output not an existing folder and in a folder that exists and can be
/// written; a folder output not an existing file and creatable. So a slip on the command line
/// fails at once with the real problem, never after hours of work, and never destroys an input.
pub fn check_outputs(outputs: &[Output], inputs: &[(&str, &Path)]) -> Result<()> {
    for output in outputs {
        check_output(output, inputs)?;
    }
    Ok(())
}

/// [`check_outputs`] for one output.
fn check_output(output: &Output, inputs: &[(&str, &Path)]) -> Result<()> {
    let Output { what, path, kind } = *output;
    let refuse = |problem: String| Err(TesseraError::invalid(format!("{what} {}: {problem}", path.display())));
    let out = resolved(path);
    for (name, input) in inputs {
        if resolved(input) == out {
            return refuse(format!("this is {name}: writing there would destroy it; choose another path"));
        }
    }
    let existing = std::fs::metadata(path).ok();
    match (kind, existing.as_ref().map(std::fs::Metadata::is_dir)) {
        (OutputKind::File, Some(true)) => return refuse("is a folder; give a file name".into()),
        (OutputKind::Folder, Some(false)) => return refuse("is a file, not a folder; give a folder".into()),
        _ => {}
    }
    let folder = match kind {
        OutputKind::Folder if existing.is_some() => out.clone(),
        _ => out.parent().map_or_else(|| out.clone(), Path::to_path_buf),
    };
    let writable_in = match kind {
        OutputKind::File => match std::fs::metadata(&folder) {
            Ok(meta) if meta.is_dir() => folder,
            Ok(_) => return refuse(format!("{} is a file, not a folder", folder.display())),
            Err(_) => return refuse(format!("its folder {} does not exist; create it first", folder.display())),
        },
        OutputKind::Folder => match folder.ancestors().find(|a| a.exists()) {
            Some(ancestor) if ancestor.is_dir() => ancestor.to_path_buf(),
            Some(ancestor) => return refuse(format!("{} is a file, not a folder", ancestor.display())),
            None => return refuse("no part of it exists".into()),
        },
    };
    probe_writable(&writable_in).or_else(|error| refuse(format!("cannot write in {}: {error}", writable_in.display())))
}

/// Creates and removes a file in `folder`, proving that outputs can be written there.
fn probe_writable(folder: &Path) -> std::io::Result<()> {
    let probe = folder.join(format!(".tessera-probe-{}", std::process::id()));
    std::fs::File::create(&probe)?;
    std::fs::remove_file(&probe)
}

/// Writes `path` through a temporary file beside it (`.name.tmp-<pid>`) that `write` fills and
/// closes, then renames into place: `path` holds its old content or the new, never a part, so a
/// full disk or a crash leaves no truncated output. The temporary file is removed on failure.
pub fn write_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let name = path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temporary = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = write(&temporary)
        .and_then(|()| std::fs::rename(&temporary, path).map_err(|source| TesseraError::io(path, source)))
        .map_err(|error| match error {
            // The temporary file is ours: the user named `path`.
            TesseraError::Io { path: failed, source } if failed == temporary => TesseraError::io(path, source),
            other => other,
        });
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

/// Fills the folder `out` through a hidden temporary folder inside it that `write` fills; once
/// `write` succeeds, moves what it wrote into `out` (files replace same-named files, folders are
/// merged, nothing else in `out` is touched). On failure or cancellation the temporary folder is
/// removed, and so is `out` when this call created it: a run that did not finish leaves nothing.
pub fn write_folder(out: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let created = !out.exists();
    std::fs::create_dir_all(out).map_err(|source| TesseraError::io(out, source))?;
    let temporary = out.join(format!(".tessera-partial-{}", std::process::id()));
    let written = std::fs::create_dir(&temporary)
        .map_err(|source| TesseraError::io(&temporary, source))
        .and_then(|()| write(&temporary))
        .and_then(|()| move_into(&temporary, out))
        .map_err(|error| match error {
            // The temporary folder is ours: name the file where the user will look for it.
            TesseraError::Io { path, source } if path.starts_with(&temporary) => {
                TesseraError::io(out.join(path.strip_prefix(&temporary).unwrap_or(&path)), source)
            }
            other => other,
        });
    // Best effort: the error that matters is the one returned.
    let _ = std::fs::remove_dir_all(&temporary);
    if written.is_err() && created {
        let _ = std::fs::remove_dir(out);
    }
    written
}

/// Moves every entry of `from` into `to`: files by renaming over same-named files, folders
/// merged entry by entry.
fn move_into(from: &Path, to: &Path) -> Result<()> {
    let entries = std::fs::read_dir(from).map_err(|source| TesseraError::io(from, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| TesseraError::io(from, source))?;
        let target = to.join(entry.file_name());
        let is_folder = entry.file_type().map_err(|source| TesseraError::io(entry.path(), source))?.is_dir();
        if is_folder && target.is_dir() {
            move_into(&entry.path(), &target)?;
        } else {
            std::fs::rename(entry.path(), &target).map_err(|source| TesseraError::io(&target, source))?;
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
        let check = |path: &Path| check_outputs(&[Output::file("--out", path)], &inputs);
        let error = check(&slide).unwrap_err().to_string();
        assert!(error.contains("--out") && error.contains("is the slide given with --slide"), "{error}");
        assert!(check(&dir.join("sub/../slide.svs")).is_err(), "the same file spelled otherwise");
        assert!(check(&dir.join("detections.geojson")).is_ok());
        assert_eq!(std::fs::read(&slide).unwrap(), b"pixels", "nothing written");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn outputs_in_a_missing_folder_or_of_the_wrong_kind_are_refused_before_work() {
        let dir = std::env::temp_dir().join(format!("tessera-output-kinds-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("folder")).unwrap();
        std::fs::write(dir.join("file"), b"kept").unwrap();
        let problem = |output: Output| check_outputs(&[output], &[]).err().map(|e| e.to_string());
        let missing = problem(Output::file("--model", &dir.join("missing/model.tessera"))).unwrap();
        assert!(missing.contains("--model") && missing.contains("missing") && missing.contains("does not exist"));
        let folder = problem(Output::file("--out", &dir.join("folder"))).unwrap();
        assert!(folder.contains("is a folder; give a file name"), "{folder}");
        let file = problem(Output::folder("--heatmap", &dir.join("file"))).unwrap();
        assert!(file.contains("--heatmap") && file.contains("is a file, not a folder"), "{file}");
        let under_file = problem(Output::folder("--report", &dir.join("file/report"))).unwrap();
        assert!(under_file.contains("is a file, not a folder"), "{under_file}");
        assert_eq!(problem(Output::folder("--report", &dir.join("new/report"))), None, "created when written");
        assert_eq!(problem(Output::file("--out", &dir.join("folder/out.geojson"))), None);
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no probe left, nothing created: {names:?}");
        assert_eq!(std::fs::read(dir.join("file")).unwrap(), b"kept");
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
            Err(TesseraError::io(temporary, std::io::Error::other("disk full")))
        });
        assert_eq!(failed.unwrap_err().to_string(), format!("{}: disk full", out.display()), "names the output");
        assert_eq!(std::fs::read(&out).unwrap(), b"old", "the old content stays whole");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        write_file(&out, b"new").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_folder_is_filled_whole_or_not_at_all_and_other_files_stay() {
        let dir = std::env::temp_dir().join(format!("tessera-folder-{}", std::process::id()));
        let out = dir.join("tiles");
        let fill = |folder: &Path, tile: &str| -> Result<()> {
            std::fs::create_dir_all(folder.join("Tumor")).unwrap();
            std::fs::write(folder.join("Tumor").join(tile), tile).unwrap();
            std::fs::write(folder.join("manifest.csv"), tile).unwrap();
            Ok(())
        };
        let failed = write_folder(&out, |folder| {
            fill(folder, "a.png").and(Err(TesseraError::io(folder.join("Tumor/a.png"), std::io::Error::other("full"))))
        });
        assert_eq!(failed.unwrap_err().to_string(), format!("{}: full", out.join("Tumor/a.png").display()));
        assert!(!out.exists(), "a cancelled first run leaves no folder");
        write_folder(&out, |folder| fill(folder, "a.png")).unwrap();
        std::fs::write(out.join("Tumor/mine.txt"), b"user's").unwrap();
        write_folder(&out, |folder| fill(folder, "b.png")).unwrap();
        assert!(write_folder(&out, |folder| fill(folder, "c.png").and(Err(TesseraError::Cancelled))).is_err());
        let mut names: Vec<_> = std::fs::read_dir(out.join("Tumor")).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["a.png", "b.png", "mine.txt"], "merged; the failed run left nothing");
        assert_eq!(std::fs::read(out.join("manifest.csv")).unwrap(), b"b.png", "replaced by the last whole run");
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2, "no temporary folder left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
