#!/usr/bin/env python3
"""Baseline for benches/tile_read.rs: the same 256-px level-0 tile grid read with openslide-python
(one process, like a plain Python tiling script), and the JPEG-decode-only rate of the same tiles.

usage:  tile_read_baseline.py SLIDE TILE_SIZE ROUNDS   prints one JSON line of best rates
needs:  pip install openslide-python tifffile pillow   (tifffile comes with scikit-image)
"""
import io
import json
import sys
import time

import openslide
import tifffile
from PIL import Image


def read_grid(path: str, tile: int) -> tuple[int, float]:
    slide = openslide.OpenSlide(path)  # a fresh handle: no warm OpenSlide tile cache
    width, height = slide.dimensions
    count = 0
    start = time.perf_counter()
    for y in range(0, height - tile + 1, tile):
        for x in range(0, width - tile + 1, tile):
            slide.read_region((x, y), 0, (tile, tile)).convert("RGB")
            count += 1
    seconds = time.perf_counter() - start
    slide.close()
    return count, seconds


def decode_only(path: str) -> tuple[int, float]:
    """Decodes every level-0 JPEG tile of the TIFF straight from its bytes (tables merged in)."""
    with tifffile.TiffFile(path) as tiff:
        page = tiff.pages[0]
        tables = page.jpegtables or b""
        with open(path, "rb") as f:
            raw = []
            for offset, length in zip(page.dataoffsets, page.databytecounts):
                f.seek(offset)
                raw.append(f.read(length))
    # An abbreviated tile stream plus the shared tables: tables without EOI, tile without SOI.
    streams = [tables[:-2] + tile[2:] if tables else tile for tile in raw]
    start = time.perf_counter()
    for stream in streams:
        Image.open(io.BytesIO(stream)).load()
    return len(streams), time.perf_counter() - start


def main(path: str, tile: int, rounds: int) -> None:
    best = min((read_grid(path, tile) for _ in range(rounds)), key=lambda r: r[1])
    decode = min((decode_only(path) for _ in range(rounds)), key=lambda r: r[1])
    print(json.dumps({
        "openslide_python_tiles_per_s": best[0] / best[1],
        "decode_tiles_per_s": decode[0] / decode[1],
    }))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
