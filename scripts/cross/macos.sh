#!/usr/bin/env bash
# macOS (Apple silicon and Intel), cross-built from this Linux machine and checked here (#16).
#
# Builds, for each ARCH (arm64, x86_64; both by default), with the Rust targets
# aarch64-apple-darwin / x86_64-apple-darwin and zig as the linker (through cargo-zigbuild; both
# from their PyPI wheels, pinned below, installed into target/cross/zig):
#   target/cross/macos-ARCH/libtessera_jni.dylib   the JNI library (tessera-jni, without OpenSlide)
#   target/cross/macos-ARCH/libonnxruntime.dylib   ONNX Runtime, from the `onnxruntime` PyPI wheel
#   target/cross/macos-ARCH/tessera                the `tessera` command, linked against OpenSlide
#   target/cross/macos-ARCH/libopenslide.1.dylib   OpenSlide 4, this architecture's slice of the
#                                                  `openslide-bin` universal2 wheel's library
#   target/cross/macos-ARCH/natives.sha256
# Every download is a pinned wheel from PyPI (version and sha256 below); nothing else is fetched.
# No Apple SDK is used: zig carries libSystem's link stubs and the C headers bindgen needs.
#
# ONNX Runtime: PyPI has onnxruntime 1.31.1 (Tessera's version) for arm64 (macosx_14_0, so
# macOS 14 or later), but its last Intel-Mac wheel is 1.23.2 (macosx_13_0): the x86_64 folder
# carries 1.23.2, which Tessera accepts (it needs ONNX Runtime's C API 22, 1.22 or later).
#
# Code signatures: Apple silicon runs no unsigned arm64 code. zig's linker signs what it links
# (an ad-hoc, "linker-signed" signature, as Apple's own linker does), the wheels' ONNX Runtime
# is signed the same way, and OpenSlide's arm64 slice too; nothing here changes a file after it
# was linked, which would break that signature. check-macho.py verifies each signature's page
# hashes against the file.
#
# Verifies with scripts/cross/check-macho.py (standard-library Python): architecture, file type,
# platform and minimum macOS, the JNI exports equal to the Linux library's, only macOS system
# libraries loaded (plus the bundled OpenSlide for tessera, found through @executable_path), and
# the code signatures. Nothing here runs the code: there is no macOS on this machine.
#
# Needs: rustup targets aarch64-apple-darwin and x86_64-apple-darwin; python3 with pip;
# libopenslide-dev and libclang-dev (bindgen generates OpenSlide's bindings from Debian's
# openslide.h, the OpenSlide 3.4 API; OpenSlide 4 exports a superset); the Linux library
# target/release/libtessera_jni.so for the export comparison (skipped without it).
# Not in scripts/test.sh or CI (a few minutes a target); scripts/release.sh runs it.
#
# usage: scripts/cross/macos.sh [--jni-only] [ARCH...]
set -euo pipefail

jni_only=false
if [ "${1:-}" = "--jni-only" ]; then
  jni_only=true
  shift
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(arm64 x86_64)
cross=target/cross
wheels=$cross/wheels

ziglang_version=0.17.1
ziglang_sha256=ea6cc5d87b033cf0aedfbc8f9549a908cae6c50ac31f1698188fa48a74524b54
zigbuild_version=0.24.1
zigbuild_sha256=238a1ab54a95053a4eadc34775c81f795a8ad75f80bfed63f3f445f518102375
openslide_version=4.0.1.2
openslide_sha256=230cdb1e2cfa88b9f28ca8f51a7b47065b20a855ad3e7ba141cd663e5a713e8c

[ -f /usr/include/openslide/openslide.h ] || { echo "macos.sh: openslide.h missing (apt-get install libopenslide-dev)" >&2; exit 2; }

# wheel NAME VERSION PLATFORM SHA256: the wheel in $wheels, checked; prints its path.
wheel() {
  local file pattern=$1-$2-*${3#*_*_*_}.whl
  file=$(ls "$wheels"/$pattern 2>/dev/null | head -n 1 || true)
  if [ -z "$file" ]; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "$3" \
      --python-version 3.11 -d "$wheels" "$1==$2" >&2
    file=$(ls "$wheels"/$pattern | head -n 1)
  fi
  echo "$4  $file" | sha256sum --check --quiet >&2 || {
    echo "macos.sh: $file does not match the pinned sha256 $4" >&2
    exit 1
  }
  echo "$file"
}

# thin WHEEL MEMBER ARCH OUT: one member of a wheel, as the slice of ARCH when it is a universal
# (fat) Mach-O file, untouched otherwise (a slice keeps its own code signature).
thin() {
  python3 - "$@" <<'PY'
import struct, sys, zipfile
wheel, member, arch, out = sys.argv[1:]
data = zipfile.ZipFile(wheel).read(member)
if struct.unpack_from(">I", data)[0] == 0xCAFEBABE:
    cpu = {"arm64": 0x0100000C, "x86_64": 0x01000007}[arch]
    slices = [struct.unpack_from(">iiIII", data, 8 + 20 * i) for i in range(struct.unpack_from(">I", data, 4)[0])]
    _, _, offset, size, _ = next(s for s in slices if s[0] == cpu)
    data = data[offset:offset + size]
with open(out, "wb") as f:
    f.write(data)
PY
}

mkdir -p "$wheels"
# The linker: zig and cargo-zigbuild from PyPI, into target/cross/zig.
tools=$cross/zig
if [ ! -x "$tools/bin/cargo-zigbuild" ] || [ ! -x "$tools/ziglang/zig" ] || \
   [ "$(cat "$tools/.versions" 2>/dev/null)" != "$ziglang_version $zigbuild_version" ]; then
  rm -rf "$tools"
  python3 -m pip install --quiet --no-deps --no-index --target "$tools" \
    "$(wheel ziglang "$ziglang_version" manylinux_2_12_x86_64 "$ziglang_sha256")" \
    "$(wheel cargo_zigbuild "$zigbuild_version" manylinux_2_5_x86_64 "$zigbuild_sha256")"
  echo "$ziglang_version $zigbuild_version" > "$tools/.versions"
fi
export PATH=$root/$tools/ziglang:$root/$tools/bin:$PATH

for arch in "${archs[@]}"; do
  case "$arch" in
    arm64)
      target=aarch64-apple-darwin
      # Rust's own minimum for Apple silicon; ONNX Runtime's wheel asks for 14.0 (printed below).
      deployment=11.0
      ort_version=1.31.1 ort_platform=macosx_14_0_arm64
      ort_sha256=60b6b69bfe580eab576cacc5d132a0e9cf2a37fcfd18d46dd191042b1d1ed0d7 ;;
    x86_64)
      target=x86_64-apple-darwin
      deployment=10.15
      ort_version=1.23.2 ort_platform=macosx_13_0_x86_64
      ort_sha256=87d8b6eaf0fbeb6835a60a4265fde7a3b60157cf1b2764773ac47237b4d48612 ;;
    *) echo "macos.sh: unknown architecture $arch (arm64 or x86_64)" >&2; exit 2 ;;
  esac
  dest=$cross/macos-${arch/arm64/aarch64}
  mkdir -p "$dest"
  echo "== macOS $arch ($target) into $dest"
  thin "$(wheel onnxruntime "$ort_version" "$ort_platform" "$ort_sha256")" \
    "onnxruntime/capi/libonnxruntime.$ort_version.dylib" "$arch" "$dest/libonnxruntime.dylib"

  export MACOSX_DEPLOYMENT_TARGET=$deployment
  # Built separately, as build-natives.sh does: built together, feature unification would link
  # OpenSlide into the JNI library too.
  cargo zigbuild --release --locked -p tessera-jni --target "$target" --target-dir "$cross"
  cp "$cross/$target/release/libtessera_jni.dylib" "$dest/"
  files=(libtessera_jni.dylib libonnxruntime.dylib)

  if ! $jni_only; then
    thin "$(wheel openslide_bin "$openslide_version" macosx_11_0_universal2 "$openslide_sha256")" \
      openslide_bin/libopenslide.1.dylib "$arch" "$dest/libopenslide.1.dylib"
    # What openslide-sys needs to link it: the library under its link name, and a pkg-config file
    # (for this target only) with Debian's header.
    sdk=$cross/openslide-macos-$arch
    mkdir -p "$sdk/lib/pkgconfig" "$sdk/include/openslide"
    cp -p /usr/include/openslide/openslide.h /usr/include/openslide/openslide-features.h "$sdk/include/openslide/"
    cp "$dest/libopenslide.1.dylib" "$sdk/lib/libopenslide.dylib"
    sdk_abs=$(cd "$sdk" && pwd)
    cat > "$sdk/lib/pkgconfig/openslide.pc" <<PC
prefix=$sdk_abs
Name: openslide
Description: OpenSlide for macOS (openslide-bin $openslide_version, OpenSlide 3.4 header)
Version: $openslide_version
Libs: -L\${prefix}/lib -lopenslide
Cflags: -I\${prefix}/include/openslide
PC
    t=${target//-/_}
    T=${t^^}
    export "PKG_CONFIG_ALLOW_CROSS_$t=1" "PKG_CONFIG_LIBDIR_$t=$sdk_abs/lib/pkgconfig" "PKG_CONFIG_PATH_$t="
    # zig carries the C library headers of macOS and clang's own (stdbool.h, stdint.h).
    zig_lib=$root/$tools/ziglang/lib
    # cargo-zigbuild sets BINDGEN_EXTRA_CLANG_ARGS_<target> itself, without clang's own headers:
    # ours, under the same name (with dashes, so only env can set it), replaces it.
    bindgen_args="--target=$target -isystem $zig_lib/include -isystem $zig_lib/libc/include/any-darwin-any"
    # libopenslide.1.dylib's install name is @rpath/libopenslide.1.dylib: look beside the program.
    # -lobjc and -framework Foundation (asked for by objc2, through ctrlc) resolve to the link-time
    # stand-ins in scripts/cross/macos-stubs (see there): no Apple SDK is needed.
    stubs=$root/scripts/cross/macos-stubs
    export "CARGO_TARGET_${T}_RUSTFLAGS=-C link-arg=-Wl,-rpath,@executable_path -L native=$stubs -L framework=$stubs"
    env "BINDGEN_EXTRA_CLANG_ARGS_$target=$bindgen_args" \
      cargo zigbuild --release --locked -p tessera-cli --target "$target" --target-dir "$cross"
    cp "$cross/$target/release/tessera" "$dest/"
    files+=(tessera libopenslide.1.dylib)
  fi
  (cd "$dest" && sha256sum "${files[@]}" > natives.sha256)

  linux=()
  [ -f target/release/libtessera_jni.so ] && linux=(--linux-jni target/release/libtessera_jni.so)
  python3 scripts/cross/check-macho.py "$dest" --arch "$arch" "${linux[@]}"
done
