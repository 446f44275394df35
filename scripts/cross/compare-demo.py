#!/usr/bin/env python3
"""Compares two `tessera demo` outputs (e.g. Linux and Windows under Wine): report/metrics.json and
detections.geojson must hold the same keys, strings, tiles, classes and counts, and numbers equal
within a tolerance (default 1e-3, absolute or relative: ONNX Runtime's Linux and Windows builds
round differently, and training compounds it). A tile's top-2 margin is the difference of two
probabilities, so it may differ by twice the tolerance. Skipped: paths, which differ between
platforms, and the points of curves (`*_curve`), whose steps move when a score moves past another
by rounding.

usage: compare-demo.py DIR_A DIR_B [TOLERANCE]
"""
import json
import sys
from pathlib import Path

# Numbers derived from several compared ones, by name: how many times the tolerance they may differ.
DERIVED = {"Tessera: top-2 margin": 2.0}


def compare(a, b, where, tolerance, differences):
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            differences.append(f"{where}: keys {sorted(a)} vs {sorted(b)}")
        for key in a.keys() & b.keys():
            if key.endswith("_curve"):
                continue
            compare(a[key], b[key], f"{where}.{key}", tolerance * DERIVED.get(key, 1.0), differences)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            differences.append(f"{where}: {len(a)} vs {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{where}[{i}]", tolerance, differences)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if abs(a - b) > tolerance * max(1.0, abs(a), abs(b)):
            differences.append(f"{where}: {a} vs {b}")
    elif isinstance(a, str) and isinstance(b, str) and ("/" in a or "\\" in a or "/" in b or "\\" in b):
        pass  # a path
    elif a != b:
        differences.append(f"{where}: {a!r} vs {b!r}")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    first, second = Path(sys.argv[1]), Path(sys.argv[2])
    tolerance = float(sys.argv[3]) if len(sys.argv) == 4 else 1e-3
    differences = []
    for name in ["report/metrics.json", "detections.geojson"]:
        a, b = (json.loads((d / name).read_text()) for d in (first, second))
        compare(a, b, name, tolerance, differences)
        count = len(a.get("features", [])) if isinstance(a, dict) else 0
        print(f"{name}: compared" + (f" ({count} detections)" if count else ""))
    if differences:
        print(f"compare-demo: {len(differences)} differences, first: " + "; ".join(differences[:10]), file=sys.stderr)
        sys.exit(1)
    print(f"compare-demo: same within {tolerance}")


if __name__ == "__main__":
    main()
