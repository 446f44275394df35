#!/usr/bin/env bash
# Runs Tessera's main job on the embedded demo, on a fresh machine: installs prerequisites, builds
# the `tessera` command and runs it. Until `tessera demo` lands this checks the installation end
# to end: the native core loads ONNX Runtime and runs a tiny real ONNX model.
#
# usage: scripts/demo.sh [ARGS…]   (ARGS are passed to `tessera selftest`)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --release --locked -p tessera-cli
exec target/release/tessera selftest "$@"
