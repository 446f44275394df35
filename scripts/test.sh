#!/usr/bin/env bash
# Runs every Tessera test on a fresh machine: installs prerequisites, then
#   1. Rust: formatting (rustfmt.toml), clippy on the whole workspace with warnings denied
#      (unwrap/expect denied outside tests), cargo test for the whole workspace, the readers'
#      fuzz test included;
#   2. Java: the Maven build (cargo release build of the JNI library, jar, JUnit unit tests, then
#      the bridge tests against the packaged jar under -Xcheck:jni, and the test library's hooks:
#      error mapping, panics, the fuzz inputs through the readers' native methods);
#   3. end-to-end: tests/ (pytest) driving the `tessera` command, and the packaging checks
#      (tests/test_packaging.py: the jar's natives and their listing, the structural checkers of
#      scripts/cross on the Linux natives and on tiny Windows and macOS libraries).
#
# usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# ONNX Runtime 1.21.1 is too old for Tessera: the tests check that it is refused clearly.
scripts/fetch-onnxruntime.sh target/onnxruntime-1.21.1 1.21.1

echo "== Rust tests"
if [ -d ../shared/data ]; then
  echo "external corpus ../shared/data: present, so the tests over it run (tessera-core geojson_exports)"
else
  echo "external corpus ../shared/data: absent, so the tests over it are skipped (tessera-core geojson_exports)"
fi
cargo fmt --all -- --check
# Test-only code is linted and tested too: tessera-core's fuzz inputs (feature `fuzzing`, which
# tests/fuzz_readers.rs needs: 100 000 inputs for each reader of untrusted files) and the JNI
# library's test hooks.
test_features=tessera-core/fuzzing,tessera-jni/test-hooks
# unwrap/expect are denied in every crate's code (Cargo.toml's workspace lints); tests and
# benches may use them: a failed unwrap there is a failed test.
cargo clippy --workspace --lib --bins --locked --features "$test_features" -- -D warnings
cargo clippy --workspace --all-targets --locked --features "$test_features" -- -D warnings -A clippy::unwrap_used -A clippy::expect_used
cargo test --workspace --locked --features tessera-core/fuzzing

echo "== Java build and tests"
./mvnw --batch-mode --no-transfer-progress -f qupath-extension/pom.xml verify
if grep -rl "WARNING in native method" qupath-extension/target/failsafe-reports qupath-extension/target/surefire-reports 2>/dev/null; then
  echo "-Xcheck:jni reported warnings (files above)" >&2
  exit 1
fi

echo "== End-to-end tests"
cargo build --release --locked -p tessera-cli
python3 -m pytest -q tests
