#!/usr/bin/env bash
# Builds the JNI library in release mode, fetches ONNX Runtime, and lays both out for the jar:
#   DEST/libtessera_jni.so, DEST/libonnxruntime.so.1, DEST/natives.sha256
# and, when LICENSES is given, ONNX Runtime's LICENSE and ThirdPartyNotices.txt (from its wheel)
# into LICENSES/onnxruntime/ (the jar's META-INF/licenses).
# With --test-hooks, builds instead the test library (debug, with the natives only the boundary's
# own tests call: a deliberate panic, each error kind) into its own target folder; it never goes
# into the jar. Called by the Maven build (qupath-extension/tessera/pom.xml); runnable by hand too.
#
# usage: scripts/build-natives.sh [--test-hooks] DEST [LICENSES]
set -euo pipefail

hooks=false
if [ "${1:-}" = "--test-hooks" ]; then
  hooks=true
  shift
fi
dest=${1:?usage: build-natives.sh [--test-hooks] DEST [LICENSES]}
licenses=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/fetch-onnxruntime.sh target/onnxruntime
if $hooks; then
  cargo build --locked -p tessera-jni --features test-hooks --target-dir target/test-hooks
  built=target/test-hooks/debug/libtessera_jni.so
else
  cargo build --release --locked -p tessera-jni
  built=target/release/libtessera_jni.so
fi

# QuPath ships its own OpenSlide; the JNI library must not pull in another (cargo must build it
# alone: built together with tessera-cli, feature unification would enable OpenSlide).
if ldd "$built" | grep -q openslide; then
  echo "build-natives: libtessera_jni.so links libopenslide; build tessera-jni on its own" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$built" "$dest/libtessera_jni.so"
# Copy the file the link points to, under the soname the loader asks for.
cp -L target/onnxruntime/libonnxruntime.so.1 "$dest/libonnxruntime.so.1"
(cd "$dest" && sha256sum libtessera_jni.so libonnxruntime.so.1 > natives.sha256)
if [ -n "$licenses" ]; then
  mkdir -p "$licenses/onnxruntime"
  cp target/onnxruntime/LICENSE target/onnxruntime/ThirdPartyNotices.txt "$licenses/onnxruntime/"
fi
echo "build-natives: $(cat "$dest/natives.sha256" | wc -l) libraries in $dest"
