#!/usr/bin/env bash
# Builds the JNI library in release mode, fetches ONNX Runtime, and lays both out for the jar:
#   DEST/libtessera_jni.so, DEST/libonnxruntime.so.1, DEST/natives.sha256
# Called by the Maven build (qupath-extension/tessera/pom.xml); runnable by hand too.
#
# usage: scripts/build-natives.sh DEST
set -euo pipefail

dest=${1:?usage: build-natives.sh DEST}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/fetch-onnxruntime.sh target/onnxruntime
cargo build --release --locked -p tessera-jni

# QuPath ships its own OpenSlide; the JNI library must not pull in another (cargo must build it
# alone: built together with tessera-cli, feature unification would enable OpenSlide).
if ldd target/release/libtessera_jni.so | grep -q openslide; then
  echo "build-natives: libtessera_jni.so links libopenslide; build tessera-jni on its own" >&2
  exit 1
fi
mkdir -p "$dest"
cp target/release/libtessera_jni.so "$dest/libtessera_jni.so"
# Copy the file the link points to, under the soname the loader asks for.
cp -L target/onnxruntime/libonnxruntime.so.1 "$dest/libonnxruntime.so.1"
(cd "$dest" && sha256sum libtessera_jni.so libonnxruntime.so.1 > natives.sha256)
echo "build-natives: $(cat "$dest/natives.sha256" | wc -l) libraries in $dest"
