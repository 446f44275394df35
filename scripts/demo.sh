#!/usr/bin/env bash
# Runs Tessera's main job on the embedded demo slide, on a fresh machine: installs prerequisites,
# builds the `tessera` command and runs `tessera demo` (tiles, grouped cross-validation, final
# model, whole-slide detections, overlay) into tessera-demo/.
#
# usage: scripts/demo.sh [ARGS…]   (ARGS are passed to `tessera demo`, e.g. --out DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --release --locked -p tessera-cli
exec target/release/tessera demo "$@"
