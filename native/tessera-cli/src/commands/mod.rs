//! One module per `tessera` subcommand.

pub mod selftest;
