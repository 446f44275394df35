"""Shared fixtures for Tessera's end-to-end tests: where the repository and the built `tessera`
command are. The tests use only data in the repository (data/demo, data/fixtures)."""
import os
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def read_plot(folder, name):
    """Checks that `name`.svg is SVG and `name`.png a valid 8-bit RGB PNG of twice its size
    (signature, IHDR, zlib-compressed rows that fill it, IEND); returns the SVG's root."""
    svg = ET.parse(folder / f"{name}.svg").getroot()
    assert svg.tag == SVG + "svg"
    png = (folder / f"{name}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        chunks[kind] = chunks.get(kind, b"") + png[at + 8:at + 8 + length]
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, height) == (2 * int(svg.get("width")), 2 * int(svg.get("height")))
    assert (depth, colour) == (8, 2) and b"IEND" in chunks
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    return svg


def roc_curves(svg):
    """The ROC plot's curves: one polyline per class."""
    return [line for line in svg.iter(SVG + "polyline") if (line.get("class") or "").startswith("roc ")]


@pytest.fixture(scope="session")
def tessera():
    """Runs the release `tessera` binary (built by scripts/test.sh) and returns the completed process."""
    binary = ROOT / "target" / "release" / "tessera"
    if not binary.is_file():
        pytest.fail(f"{binary} is missing: run `cargo build --release -p tessera-cli` first")

    def run(*args, env=None, check=False):
        full_env = dict(os.environ)
        full_env.pop("TESSERA_ONNXRUNTIME", None)
        full_env.update(env or {})
        return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, env=full_env,
                              check=check, timeout=900)

    return run


SLIDE = ROOT / "data" / "demo" / "CMU-1-Small-Region.svs"
ANNOTATIONS = ROOT / "data" / "demo" / "CMU-1-Small-Region.annotations.geojson"


@pytest.fixture(scope="session")
def trained(tessera, tmp_path_factory):
    """A quickly trained model of the demo (no cross-validation, few epochs) and its report folder."""
    folder = tmp_path_factory.mktemp("model")
    path = folder / "quick.tessera"
    result = tessera("train", "--slide", SLIDE, "--annotations", ANNOTATIONS, "--mpp", "0.5", "--tile-size", "64",
                     "--folds", "0", "--epochs", "3", "--model", path, "--report", folder / "report", "--quiet")
    assert result.returncode == 0, result.stderr
    return path, folder / "report"


@pytest.fixture(scope="session")
def model(trained):
    """The quickly trained model's package."""
    return trained[0]
