//! `tessera`: Tessera's core on slides and QuPath GeoJSON exports, headless.
//!
//! Each subcommand lives in its own module under `commands/`; this file parses the command line,
//! runs the command and turns its error into one clear line and a documented exit code.

mod commands;
mod exit;

use clap::{Parser, Subcommand};

/// Train deep-learning models on QuPath annotations and apply them to whole slides.
#[derive(Parser)]
#[command(name = "tessera", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Every command lets negative numbers reach its options, so that `--overlap -1` is refused with
// what the option takes rather than as an unexpected argument.
#[derive(Subcommand)]
enum Command {
    #[command(allow_negative_numbers = true)]
    Selftest(commands::selftest::Args),
    #[command(allow_negative_numbers = true)]
    Info(commands::info::Args),
    #[command(allow_negative_numbers = true)]
    Tiles(commands::tiles::Args),
    #[command(allow_negative_numbers = true)]
    Train(commands::train::Args),
    #[command(allow_negative_numbers = true)]
    Eval(commands::eval::Args),
    #[command(allow_negative_numbers = true)]
    Demo(commands::demo::Args),
    #[command(allow_negative_numbers = true)]
    Apply(commands::apply::Args),
    Quantize(commands::quantize::Args),
    Review(commands::review::Args),
}

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return exit::usage(&error),
    };
    let result = match cli.command {
        Command::Selftest(args) => commands::selftest::run(args),
        Command::Info(args) => commands::info::run(args),
        Command::Tiles(args) => commands::tiles::run(args),
        Command::Train(args) => commands::train::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Apply(args) => commands::apply::run(args),
        Command::Quantize(args) => commands::quantize::run(args),
        Command::Review(args) => commands::review::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => exit::report(&error),
    }
}
