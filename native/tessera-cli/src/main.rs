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

#[derive(Subcommand)]
enum Command {
    Selftest(commands::selftest::Args),
    Info(commands::info::Args),
    Tiles(commands::tiles::Args),
    Train(commands::train::Args),
    Eval(commands::eval::Args),
    Demo(commands::demo::Args),
    Apply(commands::apply::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Selftest(args) => commands::selftest::run(args),
        Command::Info(args) => commands::info::run(args),
        Command::Tiles(args) => commands::tiles::run(args),
        Command::Train(args) => commands::train::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Apply(args) => commands::apply::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => exit::report(&error),
    }
}
