#!/usr/bin/env bash
# Runs every Tessera test on a fresh machine: installs prerequisites, then
#   1. Rust: cargo test for the whole workspace, clippy on the JNI crate (unwrap/expect
#      denied there, so that no panic can start in the boundary itself);
#   2. Java: the Maven build (cargo release build of the JNI library, jar, JUnit unit tests, then
#      the bridge tests against the packaged jar under -Xcheck:jni);
#   3. end-to-end: tests/ (pytest) driving the `tessera` command.
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
cargo test --workspace --locked
cargo clippy --locked -p tessera-jni --no-deps -- -D warnings

echo "== Java build and tests"
./mvnw --batch-mode --no-transfer-progress -f qupath-extension/pom.xml verify
if grep -rl "WARNING in native method" qupath-extension/target/failsafe-reports qupath-extension/target/surefire-reports 2>/dev/null; then
  echo "-Xcheck:jni reported warnings (files above)" >&2
  exit 1
fi

echo "== End-to-end tests"
cargo build --release --locked -p tessera-cli
python3 -m pytest -q tests
