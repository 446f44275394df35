//! Exit codes and the one-line error report of the `tessera` command.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | a file could not be read or written |
//! | 2 | the command line is wrong (an unknown option, a missing value, a value of the wrong type) |
//! | 3 | invalid input: a parameter or an input file is wrong |
//! | 4 | an image or slide could not be read |
//! | 5 | a model does not fit (shape, channels, outputs, corrupt file) |
//! | 6 | ONNX Runtime is missing, too old, or failed |
//! | 70 | an internal fault in Tessera (a bug: please report it) |
//! | 130 | cancelled (Ctrl-C) |

use std::process::ExitCode;

use tessera_core::TesseraError;

/// The exit code for an error of this kind.
pub fn code(error: &TesseraError) -> u8 {
    match error {
        TesseraError::Io { .. } => 1,
        TesseraError::InvalidInput(_) | TesseraError::TooManyTiles { .. } => 3,
        TesseraError::UnreadableImage { .. } => 4,
        TesseraError::IncompatibleModel(_) => 5,
        TesseraError::Runtime(_) => 6,
        TesseraError::Internal(_) => 70,
        TesseraError::Cancelled => 130,
    }
}

/// A hint printed under the error, when one helps.
fn hint(error: &TesseraError) -> Option<String> {
    match error {
        TesseraError::Runtime(_) => Some(format!(
            "hint: Tessera needs {} (ONNX Runtime ≥ 1.22) beside the tessera program (release archives \
             carry it), from scripts/fetch-onnxruntime.sh in a build, or named by TESSERA_ONNXRUNTIME",
            tessera_core::runtime::LIBRARY_NAME
        )),
        TesseraError::UnreadableImage { .. } => {
            Some("hint: check the path and that OpenSlide can open the format".into())
        }
        TesseraError::TooManyTiles { .. } => Some("hint: pass --yes to make them all".into()),
        _ => None,
    }
}

/// Prints `error: …` (and a hint) on stderr and returns the matching exit code.
pub fn report(error: &TesseraError) -> ExitCode {
    eprintln!("error: {error}");
    if let Some(hint) = hint(error) {
        eprintln!("{hint}");
    }
    ExitCode::from(code(error))
}

/// Reports a command line the parser refused: help and version as the parser prints them (exit
/// 0; help for a missing command, exit 2), a mistake as one `error: …` line and a hint (exit 2),
/// without the parser's usage block.
pub fn usage(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // Printing can only fail when stdout is closed, and then there is no one to tell.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
        _ => {}
    }
    let text = error.render().to_string();
    let first = text.lines().find(|line| !line.trim().is_empty()).unwrap_or("error: invalid command line");
    eprintln!("{first}");
    eprintln!("hint: tessera --help lists the commands, tessera <command> --help their options");
    ExitCode::from(2)
}
