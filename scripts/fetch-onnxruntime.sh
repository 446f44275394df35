#!/usr/bin/env bash
# Fetches the ONNX Runtime shared library from the PyPI `onnxruntime` wheel (the only place a
# registry ships it), checks the pinned sha256 and unpacks `libonnxruntime.so.<version>` with its
# `.so.1` link into DEST, with the wheel's LICENSE and ThirdPartyNotices.txt (which go into the
# jar beside the library). Idempotent: does nothing when DEST already holds the checked library.
#
# usage: scripts/fetch-onnxruntime.sh [DEST] [VERSION]
#   DEST     default: target/onnxruntime
#   VERSION  default: the version Tessera ships (1.31.1); 1.21.1 is pinned too, for the tests that
#            check how an ONNX Runtime too old for Tessera is refused.
set -euo pipefail

dest=${1:-target/onnxruntime}
version=${2:-1.31.1}
platform=manylinux_2_28_x86_64
case "$version" in
  1.31.1) sha256=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f ;;
  1.21.1) sha256=982dcc04a6688e1af9e3da1d4ef2bdeb11417cf3f8dde81f8f721043c1919a4f ;;
  *) echo "fetch-onnxruntime: no pinned sha256 for onnxruntime $version" >&2; exit 2 ;;
esac

lib="$dest/libonnxruntime.so.$version"
if [ -f "$lib" ] && [ -f "$dest/.sha256-$sha256" ] && [ -f "$dest/LICENSE" ]; then
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "$platform" \
  --python-version 3.11 -d "$work" "onnxruntime==$version"
wheel=$(ls "$work"/onnxruntime-"$version"-*.whl)
echo "$sha256  $wheel" | sha256sum --check --quiet || {
  echo "fetch-onnxruntime: $wheel does not match the pinned sha256 $sha256" >&2
  exit 1
}
mkdir -p "$dest"
python3 - "$wheel" "$dest" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if (name.startswith("onnxruntime/capi/libonnxruntime") and ".so" in base) or \
                name in ("onnxruntime/LICENSE", "onnxruntime/ThirdPartyNotices.txt"):
            with z.open(name) as src, open(os.path.join(dest, base), "wb") as out:
                out.write(src.read())
PY
ln -sf "libonnxruntime.so.$version" "$dest/libonnxruntime.so.1"
rm -f "$dest"/.sha256-*
touch "$dest/.sha256-$sha256"
echo "fetch-onnxruntime: ONNX Runtime $version in $dest"
