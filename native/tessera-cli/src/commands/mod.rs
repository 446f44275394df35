//! One module per `tessera` subcommand.

pub mod apply;
pub mod info;
pub mod selftest;
pub mod tiles;
