#!/usr/bin/env bash
# The release build (#16): one QuPath extension jar for Linux x86-64, Windows x86-64 and macOS
# (Apple silicon and Intel), and the `tessera` command as an archive for each platform, in
# target/release-artifacts/:
#   qupath-extension-tessera-VERSION.jar        natives/<os>-<arch>/ for the four platforms
#   tessera-VERSION-linux-x86_64.tar.gz         tessera, libonnxruntime.so.1, libopenslide.so.1,
#                                               README.txt
#   tessera-VERSION-windows-x86_64.zip          tessera.exe, onnxruntime.dll, libopenslide-1.dll,
#                                               the Visual C++ runtime DLLs, README.txt
#   tessera-VERSION-macos-aarch64.tar.gz        tessera, libonnxruntime.dylib, libopenslide.1.dylib,
#   tessera-VERSION-macos-x86_64.tar.gz         README.txt
#   SHA256SUMS
# Each archive also has licenses/: the licence texts the bundled libraries' wheels carry (ONNX
# Runtime's licence and third-party notices, OpenSlide's and its dependencies', the VC++ runtime's).
# and prints the jar's size per platform and in total.
#
# Windows and macOS are cross-built here (scripts/cross/windows.sh and macos.sh, which check
# every file's structure); --run then runs the Windows build under Wine with the finished jar
# (scripts/cross/windows.sh --jar: the CLI's selftest, info and demo, and in a Windows Java the
# jar's installation check and a train/apply round, compared with Linux).
# Only package registries are used (Debian's packages, PyPI wheels with pinned sha256, crates,
# Maven Central). Takes about 15 minutes on 2 cores from a warm cargo cache; not part of CI,
# which checks the packaging through tests/test_packaging.py instead.
#
# Needs what scripts/setup.sh installs, plus: rustup targets x86_64-pc-windows-gnu,
# aarch64-apple-darwin and x86_64-apple-darwin; Debian's gcc-mingw-w64-x86-64 (and wine for
# --run).
#
# usage: scripts/release.sh [--run]
set -euo pipefail
run=false
if [ "${1:-}" = "--run" ]; then
  run=true
fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || { echo "release: no version in Cargo.toml" >&2; exit 1; }
out=target/release-artifacts
natives=target/release/jar-natives
stage=target/release/stage
rm -rf "$out" "$natives" "$stage"
mkdir -p "$out" "$natives" "$stage"

echo "== Linux x86-64"
scripts/build-natives.sh "$stage/linux-jni"
python3 scripts/cross/check-elf.py "$stage/linux-jni"
# The release archive's tessera, with OpenSlide from its wheel beside it (scripts/cross/linux.sh).
scripts/cross/linux.sh

echo "== Windows x86-64"
scripts/cross/windows.sh
echo "== macOS"
scripts/cross/macos.sh

# jar_natives PLATFORM SOURCE FILE...: the jar's natives/PLATFORM/ folder, with its listing.
jar_natives() {
  local platform=$1 source=$2
  shift 2
  mkdir -p "$natives/$platform"
  for file in "$@"; do cp "$source/$file" "$natives/$platform/"; done
  (cd "$natives/$platform" && sha256sum "$@" > natives.sha256)
}
jar_natives windows-x86_64 target/cross/windows-x86_64 tessera_jni.dll onnxruntime.dll \
  vcruntime140.dll vcruntime140_1.dll msvcp140.dll msvcp140_1.dll
for platform in macos-aarch64 macos-x86_64; do
  jar_natives "$platform" "target/cross/$platform" libtessera_jni.dylib libonnxruntime.dylib
done
# Their licence texts for the jar's META-INF/licenses (ONNX Runtime 1.31.1's come with the Linux
# natives): the Intel Macs' ONNX Runtime 1.23.2 and the Visual C++ runtime.
licenses=target/release/jar-licenses
rm -rf "$licenses"
python3 - "$licenses" target/cross/wheels/onnxruntime-1.23.2-*x86_64.whl target/cross/wheels/msvc_runtime-*win_amd64.whl <<'PY'
import os, sys, zipfile
out, wheels = sys.argv[1], sys.argv[2:]
for wheel in wheels:
    name, version = os.path.basename(wheel).split("-")[:2]
    folder = os.path.join(out, f"{name}-{version}" if name == "onnxruntime" else name)
    os.makedirs(folder, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for member in z.namelist():
            if member in ("onnxruntime/LICENSE", "onnxruntime/ThirdPartyNotices.txt") or \
                    member.endswith(".dist-info/licenses/LICENSE"):
                with open(os.path.join(folder, os.path.basename(member)), "wb") as f:
                    f.write(z.read(member))
PY

echo "== the jar"
./mvnw --batch-mode --no-transfer-progress -q -f qupath-extension/pom.xml clean package \
  -Dtessera.extra.natives="$root/$natives" -Dtessera.extra.licenses="$root/$licenses"
jar=qupath-extension/target/qupath-extension-tessera-$version.jar
cp "$jar" "$out/"
# Maven never deletes stale resources: the everyday build after this one must not pick the other
# platforms' natives up from target/classes.
for platform in windows-x86_64 macos-aarch64 macos-x86_64; do
  rm -rf "qupath-extension/target/classes/natives/$platform"
done
rm -rf qupath-extension/target/classes/META-INF/licenses/{onnxruntime-1.23.2,msvc_runtime}
if $run; then
  # windows.sh compares with the everyday Linux build's demo (target/release/tessera); the test
  # classes (DemoRound) are those the package phase compiled.
  cargo build --release --locked -p tessera-cli
  scripts/cross/windows.sh --jar "$out/$(basename "$jar")"
fi

# The wheels whose libraries each archive carries, for their licence texts. ONNX Runtime's texts
# are the same in every wheel of a version: the Linux archive takes 1.31.1's from the Windows one.
wheels=target/cross/wheels
licence_wheels() {
  case "$1" in
    linux-x86_64) ls "$wheels"/onnxruntime-1.31.1-*win_amd64.whl "$wheels"/openslide_bin-*manylinux_2_28_x86_64.whl ;;
    windows-x86_64) ls "$wheels"/onnxruntime-1.31.1-*win_amd64.whl "$wheels"/openslide_bin-*win_amd64.whl "$wheels"/msvc_runtime-*win_amd64.whl ;;
    macos-aarch64) ls "$wheels"/onnxruntime-1.31.1-*arm64.whl "$wheels"/openslide_bin-*universal2.whl ;;
    macos-x86_64) ls "$wheels"/onnxruntime-1.23.2-*x86_64.whl "$wheels"/openslide_bin-*universal2.whl ;;
  esac
}

# archive PLATFORM SOURCE FILE...: the CLI's archive for PLATFORM (zip on Windows, else tar.gz),
# one folder tessera-VERSION-PLATFORM/ with the files, licenses/ and a README.txt.
archive() {
  local platform=$1 source=$2 name=tessera-$version-$1
  shift 2
  mkdir -p "$stage/$name"
  for file in "$@"; do cp -p "$source/$file" "$stage/$name/"; done
  # shellcheck disable=SC2046
  python3 - "$stage/$name/licenses" $(licence_wheels "$platform") <<'PY'
import os, sys, zipfile
out, wheels = sys.argv[1], sys.argv[2:]
for wheel in wheels:
    project = os.path.basename(wheel).split("-")[0]
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.endswith("/"):
                continue
            if ".dist-info/licenses/" in name:
                relative = name.split(".dist-info/licenses/", 1)[1]
            elif name in ("onnxruntime/LICENSE", "onnxruntime/ThirdPartyNotices.txt"):
                relative = os.path.basename(name)
            else:
                continue
            target = os.path.join(out, project, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(z.read(name))
PY
  python3 scripts/release-readme.py "$platform" "$version" "$@" > "$stage/$name/README.txt"
  if [ "$platform" = windows-x86_64 ]; then
    (cd "$stage" && rm -f "$name.zip" && python3 -m zipfile -c "$name.zip" "$name" && mv "$name.zip" "$root/$out/")
  else
    tar -C "$stage" --owner=0 --group=0 -czf "$out/$name.tar.gz" "$name"
  fi
}
archive linux-x86_64 target/cross/linux-x86_64 tessera libonnxruntime.so.1 libopenslide.so.1
archive windows-x86_64 target/cross/windows-x86_64 tessera.exe onnxruntime.dll libopenslide-1.dll \
  vcruntime140.dll vcruntime140_1.dll msvcp140.dll msvcp140_1.dll
for platform in macos-aarch64 macos-x86_64; do
  archive "$platform" "target/cross/$platform" tessera libonnxruntime.dylib libopenslide.1.dylib
done
(cd "$out" && sha256sum -- * > SHA256SUMS)

echo "== the archives as a user unpacks them: tessera selftest finds ONNX Runtime beside itself"
check=$stage/unpacked
rm -rf "$check" && mkdir -p "$check"
tar -C "$check" -xzf "$out/tessera-$version-linux-x86_64.tar.gz"
env -u TESSERA_ONNXRUNTIME "$check/tessera-$version-linux-x86_64/tessera" selftest
# OpenSlide 4 beside it (Debian's is libopenslide.so.0, a different soname): the demo slide opens.
"$check/tessera-$version-linux-x86_64/tessera" info data/demo/CMU-1-Small-Region.svs
if $run; then
  python3 -m zipfile -e "$out/tessera-$version-windows-x86_64.zip" "$check"
  # Wine's own Visual C++ runtime off: the archive's copies must do (see windows.sh).
  WINEPREFIX=${WINEPREFIX:-$root/target/cross/wineprefix} WINEDEBUG=-all \
    WINEDLLOVERRIDES="mscoree,mshtml=;msvcp140,msvcp140_1,vcruntime140,vcruntime140_1=n" \
    env -u TESSERA_ONNXRUNTIME wine "$check/tessera-$version-windows-x86_64/tessera.exe" selftest
fi

echo "== sizes"
python3 - "$out/$(basename "$jar")" <<'PY'
import sys, zipfile
from collections import defaultdict
jar = zipfile.ZipFile(sys.argv[1])
stored, raw = defaultdict(int), defaultdict(int)
for entry in jar.infolist():
    parts = entry.filename.split("/")
    key = parts[1] if parts[0] == "natives" and len(parts) > 2 and parts[1] else "(classes and resources)"
    stored[key] += entry.compress_size
    raw[key] += entry.file_size
mb = lambda n: f"{n / 1e6:6.1f} MB"
print(f"{sys.argv[1]}: per platform, compressed in the jar (uncompressed):")
for key in sorted(stored):
    print(f"  {key:24} {mb(stored[key])} ({mb(raw[key]).strip()})")
import os
print(f"  {'total (jar file)':24} {mb(os.path.getsize(sys.argv[1]))}")
PY
ls -l "$out"
