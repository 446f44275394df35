#!/usr/bin/env bash
# Linux x86-64 `tessera` command for the release archive (#16): linked against OpenSlide 4 from the
# `openslide-bin` manylinux_2_28 wheel (pinned below) shipped beside it and found through
# $ORIGIN, so the archive needs no OpenSlide from the distribution. (The everyday build,
# `cargo build -p tessera-cli`, links Debian's libopenslide0 3.4.1 instead.)
#
#   target/cross/linux-x86_64/tessera              built into target/cross (not target/release)
#   target/cross/linux-x86_64/libopenslide.so.1    OpenSlide 4.0.0 (openslide-bin 4.0.1.2)
#   target/cross/linux-x86_64/libonnxruntime.so.1  ONNX Runtime (scripts/fetch-onnxruntime.sh)
#   target/cross/linux-x86_64/libtessera_jni.so    the jar's JNI library, for the structural check
#   target/cross/linux-x86_64/natives.sha256
# Then scripts/cross/check-elf.py checks them and `tessera selftest` and `tessera info` on the
# demo slide run from the folder, with nothing set.
#
# usage: scripts/cross/linux.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cross=target/cross
wheels=$cross/wheels
dest=$cross/linux-x86_64
openslide_version=4.0.1.2
openslide_sha256=8ac4aa3a2277ed5e218ca0019db65bdd6e853f865eb4edd3da00e2f4acf0c923
[ -f /usr/include/openslide/openslide.h ] || { echo "linux.sh: openslide.h missing (apt-get install libopenslide-dev)" >&2; exit 2; }

mkdir -p "$wheels" "$dest"
wheel=$(ls "$wheels"/openslide_bin-$openslide_version-*manylinux_2_28_x86_64.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
    --python-version 3.11 -d "$wheels" "openslide-bin==$openslide_version"
  wheel=$(ls "$wheels"/openslide_bin-$openslide_version-*manylinux_2_28_x86_64.whl | head -n 1)
fi
echo "$openslide_sha256  $wheel" | sha256sum --check --quiet || {
  echo "linux.sh: $wheel does not match the pinned sha256 $openslide_sha256" >&2
  exit 1
}
python3 - "$wheel" "$dest" <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1:]
with open(f"{dest}/libopenslide.so.1", "wb") as out:
    out.write(zipfile.ZipFile(wheel).read("openslide_bin/libopenslide.so.1"))
PY

# What openslide-sys links against: this library under its link name, Debian's header.
sdk=$cross/openslide-linux
mkdir -p "$sdk/lib/pkgconfig" "$sdk/include/openslide"
cp -p /usr/include/openslide/openslide.h /usr/include/openslide/openslide-features.h "$sdk/include/openslide/"
ln -sf "$root/$dest/libopenslide.so.1" "$sdk/lib/libopenslide.so"
sdk_abs=$(cd "$sdk" && pwd)
cat > "$sdk/lib/pkgconfig/openslide.pc" <<PC
prefix=$sdk_abs
Name: openslide
Description: OpenSlide (openslide-bin $openslide_version, OpenSlide 3.4 header)
Version: $openslide_version
Libs: -L\${prefix}/lib -lopenslide
Cflags: -I\${prefix}/include/openslide
PC

# Its own target folder and explicit target, so the everyday build's target/release is untouched
# and these flags apply to it alone.
target=x86_64-unknown-linux-gnu
PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$sdk_abs/lib/pkgconfig" \
  CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=-Wl,-rpath,\$ORIGIN" \
  cargo build --release --locked -p tessera-cli --target "$target" --target-dir "$cross/linux"
cp "$cross/linux/$target/release/tessera" "$dest/"
scripts/fetch-onnxruntime.sh target/onnxruntime
cp -L target/onnxruntime/libonnxruntime.so.1 "$dest/"
if [ -f target/release/libtessera_jni.so ]; then
  cp target/release/libtessera_jni.so "$dest/"
fi
(cd "$dest" && sha256sum tessera libopenslide.so.1 libonnxruntime.so.1 > natives.sha256)
python3 scripts/cross/check-elf.py "$dest"
env -u TESSERA_ONNXRUNTIME "$dest/tessera" selftest
env -u LD_LIBRARY_PATH "$dest/tessera" info data/demo/CMU-1-Small-Region.svs
