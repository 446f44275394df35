#!/usr/bin/env bash
# Peak memory of `tessera apply` over a slide without a pyramid (#17). Writes a single-level
# SIDE × SIDE RGB TIFF (deflate tiles, a pink disc on white), then applies MODEL over its tissue:
# tissue detection shrinks the whole level to a thumbnail, which is read in bounded blocks.
# Prints the peak resident memory and the time.
#
# usage: native/tessera-cli/benches/single_level_memory.sh MODEL [SIDE]     (SIDE: 20000)
# needs: target/release/tessera (cargo build --release -p tessera-cli), python3 with numpy and
#        tifffile, GNU time at /usr/bin/time. MODEL: any tile classifier, e.g. the
#        tessera-demo/demo.tessera that `tessera demo` writes.
# Measured (2 cores): SIDE 20000 (400 Mpx) took 2.8 GB and 17 s when the level was read at once,
# 0.22 GB and 13 s read in blocks; SIDE 40000 (1.6 Gpx) takes 0.24 GB and 58 s.
set -euo pipefail
model=${1:?usage: $0 MODEL [SIDE]}
side=${2:-20000}
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/single-level.tiff" "$side" <<'PY'
import sys
import numpy as np
import tifffile

out, side, T = sys.argv[1], int(sys.argv[2]), 256
yy, xx = np.mgrid[0:T, 0:T]

def tiles():
    centre, radius = side / 2, side * 0.35
    for ty in range(0, side, T):
        for tx in range(0, side, T):
            tile = np.empty((T, T, 3), np.uint8)
            tile[:] = (240, 240, 242)
            tile[(xx + tx - centre) ** 2 + (yy + ty - centre) ** 2 < radius ** 2] = (200, 90, 160)
            yield tile

tifffile.imwrite(out, tiles(), shape=(side, side, 3), dtype=np.uint8, tile=(T, T), photometric="rgb",
                 compression="zlib", compressionargs={"level": 1})
PY
/usr/bin/time -f "peak resident memory: %M KiB, %e s" "$root/target/release/tessera" apply --model "$model" \
  --slide "$work/single-level.tiff" --out "$work/detections.geojson" --downsample 32 --quiet
