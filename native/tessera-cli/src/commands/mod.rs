//! One module per `tessera` subcommand.

pub mod apply;
pub mod demo;
pub mod eval;
pub mod info;
pub mod inputs;
pub mod interrupt;
pub mod model;
pub mod plots;
pub mod progress;
pub mod quantize;
pub mod review;
pub mod selftest;
pub mod tiles;
pub mod train;
