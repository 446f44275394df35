"""Hostile input against the `tessera` command: corrupt, truncated and renamed slides, bad GeoJSON,
bad model packages, bad flags, outputs in the wrong place, a full disk and signals.

Every case runs in its own folder holding copies of its inputs and asserts:
- the exit code (see native/tessera-cli/src/exit.rs) — never a crash, and within a time limit,
  never a hang;
- one error line, `error: …`, naming the problem (at most one `hint: …` and `warning: …` lines
  besides; no panic, no raw libtiff or OpenSlide chatter);
- that nothing is left behind or changed: the folder holds exactly what it held before (for a
  failure), and the inputs are byte for byte what they were.
The full-disk cases mount a small tmpfs, so they need root (CI runs as root) and a machine that
allows mounts; elsewhere they are skipped and say why.
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ANNOTATIONS, ROOT, SLIDE

BINARY = ROOT / "target" / "release" / "tessera"
TIFF = ROOT / "data" / "fixtures" / "tiled-levels.tiff"
BROKEN = ROOT / "data" / "fixtures" / "broken.svs"
# No case may take longer: a hang fails the case instead of the suite.
LIMIT_S = 120


def snapshot(folder):
    """Every file under `folder` (hidden ones too) with its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} | \
        {str(p.relative_to(folder)) + "/": "" for p in sorted(folder.rglob("*")) if p.is_dir()}


def run(args, cwd, env=None):
    full_env = dict(os.environ)
    full_env.pop("TESSERA_ONNXRUNTIME", None)
    full_env.update(env or {})
    return subprocess.run([str(BINARY), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=LIMIT_S)


def check_message(stderr, code, needles):
    """One `error:` line (plus at most one hint and warnings), holding every needle."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "panicked" not in stderr and "RUST_BACKTRACE" not in stderr, stderr
    errors = [line for line in lines if line.startswith("error:")]
    others = [line for line in lines if not line.startswith(("error:", "hint:", "warning:"))]
    assert len(errors) == (1 if code else 0), stderr
    assert not others, f"stray output (raw library messages?): {others}"
    assert sum(line.startswith("hint:") for line in lines) <= 1, stderr
    for needle in needles:
        assert needle in (errors[0] if code else stderr), f"{needle!r} not in {stderr!r}"


@dataclass
class Case:
    """A command that must fail (or, for `code` 0, succeed) in a folder prepared by `setup`."""
    args: list
    code: int
    needles: tuple = ()
    setup: object = None
    # Files a successful case may add (paths relative to the case folder, or prefixes ending in /).
    writes: tuple = ()
    env: dict = field(default_factory=dict)


def write(name, content):
    """A setup step writing `content` (str or bytes) to `name` in the case folder."""
    def step(folder):
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return step


def feature(coordinates, cls="Tumor", kind="Polygon", fid=None):
    value = {"type": "Feature", "geometry": {"type": kind, "coordinates": coordinates},
             "properties": {"objectType": "annotation"}}
    if cls is not None:
        value["properties"]["classification"] = {"name": cls}
    if fid:
        value["id"] = fid
    return value


def square(x, y, side):
    return [[[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]]


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


# Two classes covering the whole demo slide (2220 × 2967 px).
WHOLE_SLIDE = collection(feature(square(0, 0, 2220), "Tumor"), feature([[[0, 2220], [2220, 2220], [2220, 2967],
                                                                          [0, 2967], [0, 2220]]], "Stroma"))
TWO_CLASSES = collection(feature(square(200, 200, 600), "Tumor", fid="t"),
                         feature(square(1000, 1000, 600), "Stroma", fid="s"))


def wavy(vertices, cx=1100, cy=1500, radius=900):
    import math
    ring = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        r = radius + 60 * math.sin(7 * angle) + 5 * math.sin(997 * angle)
        ring.append([round(cx + r * math.cos(angle), 3), round(cy + r * math.sin(angle), 3)])
    ring.append(ring[0])
    return [ring]


def tiles(annotations="a.geojson", *extra, slide="slide.svs", out="out", tile_size=64, quiet=True):
    return ["tiles", "--slide", slide, "--annotations", annotations, "--mpp", "1", "--tile-size", tile_size,
            "--out", out, *(["--quiet"] if quiet else []), *extra]


def train(*extra, annotations="demo.geojson", out="m.tessera", folds=0, epochs=1, quiet=True):
    """Training on the demo's annotations (several polygons per class) at 1 µm/px."""
    return ["train", "--slide", "slide.svs", "--annotations", annotations, "--mpp", "1", "--tile-size", "32",
            "--folds", folds, "--epochs", epochs, "--model", out, *(["--quiet"] if quiet else []), *extra]


def apply(*extra, model="model.tessera", out="out.geojson", quiet=True):
    return ["apply", "--model", model, "--slide", "slide.svs", "--out", out, *(["--quiet"] if quiet else []), *extra]


def zip_of(entries):
    """A setup step writing model.tessera as a zip of `entries` (name → bytes)."""
    def step(folder):
        with zipfile.ZipFile(folder / "model.tessera", "w") as archive:
            for name, data in entries.items():
                archive.writestr(name, data)
    return step


def from_model(transform):
    """A setup step rewriting the trained model's entries with `transform` (dict → dict)."""
    def step(folder):
        with zipfile.ZipFile(folder / "model.tessera") as archive:
            entries = {name: archive.read(name) for name in archive.namelist()}
        (folder / "model.tessera").unlink()
        zip_of(transform(entries))(folder)
    return step


SLIDES = {
    "missing slide": Case(tiles(slide="nope.svs"), 1, ("nope.svs", "No such file")),
    "empty slide": Case(tiles(slide="empty.svs"), 4, ("empty.svs",), write("empty.svs", b"")),
    "text renamed .svs": Case(tiles(slide="text.svs"), 4, ("text.svs",), write("text.svs", "just some notes\n" * 40)),
    "truncated slide": Case(tiles(slide="cut.svs"), 4, ("cut.svs",),
                            write("cut.svs", SLIDE.read_bytes()[:100_000])),
    "slide with a corrupt header": Case(tiles(slide="broken.svs"), 4, ("broken.svs",),
                                        write("broken.svs", BROKEN.read_bytes())),
    "random bytes as TIFF": Case(tiles(slide="noise.tiff"), 4, ("noise.tiff",),
                                 write("noise.tiff", b"II*\x00" + os.urandom(4096))),
    "slide is a folder": Case(tiles(slide="folder.svs"), 4, ("folder.svs",), lambda f: (f / "folder.svs").mkdir()),
    "slide without a pixel size and --mpp": Case(tiles(slide="levels.tiff"), 3, ("levels.tiff", "--downsample"),
                                                  write("levels.tiff", TIFF.read_bytes())),
    "annotations of another image": Case(tiles(), 3, ("a.geojson", "outside slide"),
                                         write("a.geojson", collection(feature(square(50_000, 50_000, 900))))),
    "a tile larger than the slide": Case(apply("--downsample", "1e9"), 3, ("slide.svs", "no tile fits")),
    "info on a missing slide": Case(["info", "gone.svs"], 1, ("gone.svs",)),
}

GEOJSON = {
    "missing annotations": Case(tiles("gone.geojson"), 1, ("gone.geojson", "No such file")),
    "empty annotations": Case(tiles(), 3, ("a.geojson",), write("a.geojson", "")),
    "invalid JSON": Case(tiles(), 3, ("a.geojson", "line 1"), write("a.geojson", '{"type": "FeatureCollection", "features": [')),
    "JSON that is no GeoJSON": Case(tiles(), 3, ("a.geojson",), write("a.geojson", '{"hello": 1}')),
    "no features": Case(tiles(), 3, ("a.geojson", "no usable polygons"), write("a.geojson", "[]")),
    "invalid UTF-8": Case(tiles(), 3, ("a.geojson",), write("a.geojson", b'[{"type": "Feature", "properties": {"name": "\xff\xfe"}}]')),
    "deeply nested arrays": Case(tiles(), 3, ("a.geojson",), write("a.geojson", "[" * 100_000 + "]" * 100_000)),
    "a coordinate of 1e308": Case(tiles(), 3, ("a.geojson", "1e308", "beyond any slide"),
                                  write("a.geojson", collection(feature([[[0, 0], [1e308, 0], [5, 5], [0, 0]]])))),
    "a coordinate that is a string": Case(tiles(), 3, ("a.geojson",),
                                          write("a.geojson", collection(feature([[["NaN", 0], [9, 0], [5, 5], ["NaN", 0]]])))),
    "a polygon without area": Case(tiles(), 3, ("a.geojson", "no area"),
                                   write("a.geojson", collection(feature([[[0, 0], [500, 0], [900, 0], [0, 0]]])))),
    "only unclassified polygons": Case(tiles(), 3, ("a.geojson", "no usable polygons", "1 unclassified"),
                                       write("a.geojson", collection(feature(square(100, 100, 500), None)))),
    "only Ignore* polygons": Case(tiles(), 3, ("a.geojson", "Ignore*"),
                                  write("a.geojson", collection(feature(square(100, 100, 500), "Ignore*")))),
    "only points": Case(tiles(), 3, ("a.geojson", "without a polygon"),
                        write("a.geojson", collection(feature([100, 100], kind="Point")))),
    "one class to train on": Case(train(annotations="a.geojson"), 3, ("at least 2 classes",),
                                  write("a.geojson", collection(feature(square(200, 200, 900))))),
    "one polygon per class and no folds": Case(train(annotations="a.geojson"), 3, ("at least 2 of them", "has 1"), write("a.geojson", TWO_CLASSES)),
    "a UTF-8 byte-order mark": Case(tiles(), 0, (), write("a.geojson", b"\xef\xbb\xbf" + TWO_CLASSES.encode()),
                                    writes=("out/",)),
    "a class named empty": Case(tiles(), 0, (), write("a.geojson", collection(
        feature(square(200, 200, 600), ""), feature(square(1000, 1000, 600), "Stroma"))), writes=("out/",)),
    "a class named ..": Case(tiles(), 0, (), write("a.geojson", collection(
        feature(square(200, 200, 600), ".."), feature(square(1000, 1000, 600), "/etc"))), writes=("out/",)),
    "a class named CON": Case(tiles(), 0, (), write("a.geojson", collection(
        feature(square(200, 200, 600), "CON"), feature(square(1000, 1000, 600), "a/b\\c:d"))), writes=("out/",)),
    "overlapping classes warn": Case(tiles(), 0, ("warning:", "overlap"), write("a.geojson", collection(
        feature(square(200, 200, 900), "Tumor", fid="t"), feature(square(600, 600, 900), "Stroma", fid="s"))),
        writes=("out/",)),
    "a polygon of a million vertices": Case(tiles(), 0, (), write("a.geojson", collection(feature(wavy(1_000_000)))),
                                            writes=("out/",)),
}

PACKAGES = {
    "missing model": Case(apply(model="gone.tessera"), 1, ("gone.tessera", "No such file")),
    "a text file as model": Case(apply(), 5, ("model.tessera", "neither a .tessera package"),
                                 write("model.tessera", "not a zip at all\n")),
    "an empty zip": Case(apply(), 5, ("model.tessera",), zip_of({})),
    "the slide as model": Case(apply(model="slide.svs"), 5, ("slide.svs",)),
    "a folder as model": Case(apply(model="models"), 1, ("models",), lambda f: (f / "models").mkdir()),
    "a package without its record": Case(apply(), 5, ("model.tessera", "tessera.json"),
                                         from_model(lambda e: {k: v for k, v in e.items() if k != "tessera.json"})),
    "a package without its network": Case(apply(), 5, ("model.tessera", "model.onnx"),
                                          from_model(lambda e: {k: v for k, v in e.items() if k != "model.onnx"})),
    "a corrupt record": Case(apply(), 5, ("model.tessera", "tessera.json"),
                             from_model(lambda e: e | {"tessera.json": b'{"format": "tessera", '})),
    "a record of another kind": Case(apply(), 5, ("model.tessera",),
                                     from_model(lambda e: e | {"tessera.json": b'{"format": "other"}'})),
    "a corrupt network": Case(apply(), 5, ("model.tessera",),
                              from_model(lambda e: e | {"model.onnx": os.urandom(5000)})),
    "a truncated package": Case(apply(), 5, ("model.tessera",),
                                lambda f: (f / "model.tessera").write_bytes((f / "model.tessera").read_bytes()[:3000])),
    # Nothing in a package is ever extracted: entries named to escape are read past, harmlessly.
    "a zip-slip entry": Case(apply(), 0, (), from_model(lambda e: e | {"../../escape.txt": b"x"}), writes=("out.geojson",)),
    "an absolute entry": Case(apply(), 0, (), from_model(lambda e: e | {"/escape.txt": b"x"}), writes=("out.geojson",)),
}


def zip_bomb(folder):
    """model.tessera whose record inflates to 2 GB of zeros (a few MB on disk)."""
    path = folder / "model.tessera"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("tessera.json", "w", force_zip64=True) as entry:
            block = b"\0" * (1 << 24)
            for _ in range(128):
                entry.write(block)
        archive.writestr("model.onnx", b"\0")


PACKAGES["a zip bomb"] = Case(apply(), 5, ("model.tessera",), zip_bomb)

FLAGS = {
    "tile size 0": Case(tiles(tile_size=0), 3, ("tile size",)),
    "tile size -5": Case(tiles(tile_size=-5), 2, ("--tile-size",)),
    "tile size 1 plans millions": Case(tiles(tile_size=1), 3, ("about 1646", "tiles", "confirm"),
                                       write("a.geojson", WHOLE_SLIDE)),
    "overlap 0.999 plans millions": Case(tiles("a.geojson", "--overlap", "0.999"), 3, ("about", "tiles"),
                                         write("a.geojson", WHOLE_SLIDE)),
    "overlap 1": Case(tiles("a.geojson", "--overlap", "1"), 3, ("overlap",)),
    "overlap -1": Case(tiles("a.geojson", "--overlap", "-1"), 3, ("overlap",)),
    "overlap NaN": Case(tiles("a.geojson", "--overlap", "NaN"), 3, ("overlap",)),
    "min coverage 2": Case(tiles("a.geojson", "--min-coverage", "2"), 3, ("coverage",)),
    "mpp 0": Case(["tiles", "--slide", "slide.svs", "--annotations", "a.geojson", "--mpp", "0", "--out", "out"], 3, ("0",)),
    "mpp -1": Case(["tiles", "--slide", "slide.svs", "--annotations", "a.geojson", "--mpp", "-1", "--out", "out"], 3, ("-1",)),
    "mpp NaN": Case(["tiles", "--slide", "slide.svs", "--annotations", "a.geojson", "--mpp", "NaN", "--out", "out"], 3, ("NaN",)),
    "downsample 0": Case(["tiles", "--slide", "slide.svs", "--annotations", "a.geojson", "--downsample", "0", "--out", "out"], 3, ("downsample",)),
    "downsample inf": Case(["tiles", "--slide", "slide.svs", "--annotations", "a.geojson", "--downsample", "inf", "--out", "out"], 3, ("downsample",)),
    "both mpp and downsample": Case(tiles("a.geojson", "--downsample", "2"), 2, ("--downsample",)),
    "a number that is no number": Case(tiles("a.geojson", "--overlap", "half"), 2, ("half",)),
    "learning rate NaN": Case(train("--learning-rate", "NaN"), 3, ("learning rate",)),
    "learning rate 1e30": Case(train("--learning-rate", "1e30"), 3, ("learning rate",)),
    "batch size 0": Case(train("--batch-size", "0"), 3, ("batch",)),
    "one fold": Case(train(folds=1), 3, ("1 fold",)),
    "plateau factor 2": Case(train("--schedule", "plateau", "--plateau-factor", "2"), 3, ("--plateau-factor",)),
    "stride 0": Case(apply("--stride", "0"), 3, ("stride",)),
    "stride beyond the tile": Case(apply("--stride", "10000"), 3, ("stride",)),
    "stride 1 plans millions": Case(apply("--stride", "1"), 3, ("about", "tiles")),
    "an unknown flag": Case(tiles("a.geojson", "--frobnicate"), 2, ("--frobnicate",)),
    "an unknown object type": Case(apply("--objects", "polygon"), 2, ("polygon",)),
    "an unknown device": Case(apply("--device", "tpu"), 2, ("tpu",)),
    "a negative minimum area": Case(apply("--min-coverage", "-0.5"), 3, ("coverage",)),
    "ten thousand threads": Case(apply("--threads", "10000"), 0, (), writes=("out.geojson",)),
}

OUTPUTS = {
    "--out names the slide": Case(["tiles", "--slide", "slide.svs", "--annotations", "a.geojson", "--mpp", "1",
                                   "--out", "slide.svs"], 3, ("--out", "destroy")),
    "--model names the annotations": Case(train(annotations="a.geojson", out="a.geojson"), 3, ("--model", "destroy")),
    "--out of apply names the model": Case(apply(out="model.tessera"), 3, ("--out", "destroy")),
    "--out in a missing folder": Case(apply(out="missing/out.geojson"), 3, ("--out", "does not exist")),
    "--model in a missing folder": Case(train(out="missing/m.tessera"), 3, ("--model", "does not exist")),
    "--report is a file": Case(train("--report", "report.txt"), 3, ("--report", "is a file"), write("report.txt", "mine")),
    "--heatmap is a file": Case(apply("--heatmap", "map.png"), 3, ("--heatmap", "is a file"), write("map.png", "mine")),
    "--out of apply is a folder": Case(apply(out="results"), 3, ("--out", "is a folder"),
                                       lambda f: (f / "results").mkdir()),
    "--out of tiles is a file": Case(tiles(), 3, ("--out", "is a file"), write("out", "mine")),
}

ALL = {**{f"slide: {k}": v for k, v in SLIDES.items()}, **{f"geojson: {k}": v for k, v in GEOJSON.items()},
       **{f"package: {k}": v for k, v in PACKAGES.items()}, **{f"flag: {k}": v for k, v in FLAGS.items()},
       **{f"output: {k}": v for k, v in OUTPUTS.items()}}


def prepare(folder, model, case):
    shutil.copy(SLIDE, folder / "slide.svs")
    (folder / "a.geojson").write_text(TWO_CLASSES)
    (folder / "whole.geojson").write_text(WHOLE_SLIDE)
    shutil.copy(ANNOTATIONS, folder / "demo.geojson")
    shutil.copy(model, folder / "model.tessera")
    if case.setup:
        case.setup(folder)


@pytest.mark.parametrize("name", list(ALL))
def test_hostile_input(name, model, tmp_path):
    case = ALL[name]
    prepare(tmp_path, model, case)
    before = snapshot(tmp_path)
    result = run(case.args, tmp_path, case.env)
    assert result.returncode == case.code, f"{name}: exit {result.returncode}\n{result.stderr}"
    check_message(result.stderr, case.code, case.needles)
    after = snapshot(tmp_path)
    added = {path for path in after if path not in before}
    allowed = {path for path in added if any(path == w or path.startswith(w) for w in case.writes)}
    assert added == allowed, f"{name}: left behind {sorted(added - allowed)}"
    changed = {path for path in before if after.get(path) != before[path]}
    assert not changed, f"{name}: changed {sorted(changed)}"
    if case.code == 0 and any(w == "out/" for w in case.writes):
        manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
        assert manifest["tiles"], name
        for tile in manifest["tiles"]:
            file = (tmp_path / "out" / tile["file"]).resolve()
            assert file.is_file() and file.is_relative_to(tmp_path / "out"), f"{name}: {tile['file']}"
        assert not [p for p in (tmp_path / "out").rglob(".tessera-partial*")], name


def test_the_suite_has_at_least_sixty_cases():
    assert len(ALL) + len(FULL_DISK) + len(SIGNALS) >= 60, len(ALL)


# Full disk: a 256 KiB tmpfs; each run must fail with exit 1 naming the output and "No space",
# and leave the tmpfs as it was (the old output whole, no temporary file or folder).
FULL_DISK = {
    "tiles": lambda disk: tiles(out=disk / "out"),
    "apply over an old result": lambda disk: apply(out=disk / "out.geojson"),
    "train": lambda disk: train(out=disk / "m.tessera"),
    "heatmaps": lambda disk: apply("--heatmap", disk / "maps", "--stride", "16", out=disk / "o.geojson"),
}


@pytest.fixture
def disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a full disk needs a tmpfs, which needs root (CI runs as root)")
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a full disk needs a tmpfs, and this machine refuses to mount one: {mounted.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("name", list(FULL_DISK))
def test_a_full_disk_leaves_no_partial_output(name, model, tmp_path, disk):
    prepare(tmp_path, model, Case([], 0))
    (disk / "out.geojson").write_text('{"old": "result"}')
    (disk / "filler").write_bytes(b"\0" * 100_000)
    before = snapshot(disk)
    result = run(FULL_DISK[name](disk), tmp_path)
    assert result.returncode == 1, f"{name}: exit {result.returncode}\n{result.stderr}"
    check_message(result.stderr, 1, (str(disk), "No space left on device"))
    assert "tmp-" not in result.stderr and "partial" not in result.stderr, "names the output, not a temporary file"
    assert snapshot(disk) == before, f"{name}: the disk changed: {snapshot(disk)}"


# Signals: SIGINT and SIGTERM stop a running job with exit 130, and it leaves nothing.
SIGNALS = {
    "SIGINT during tiles": (signal.SIGINT, tiles("whole.geojson", tile_size=4, quiet=False)),
    "SIGTERM during tiles": (signal.SIGTERM, tiles("whole.geojson", tile_size=4, quiet=False)),
    "SIGTERM during apply": (signal.SIGTERM, apply("--stride", "4", quiet=False)),
    "SIGTERM during training": (signal.SIGTERM, train("--patience", "0", epochs=500, quiet=False)),
}


@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_cancels_and_leaves_nothing(name, model, tmp_path):
    sig, args = SIGNALS[name]
    prepare(tmp_path, model, Case([], 0))
    before = snapshot(tmp_path)
    env = dict(os.environ)
    env.pop("TESSERA_ONNXRUNTIME", None)
    process = subprocess.Popen([str(BINARY), *map(str, args)], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(2)
    assert process.poll() is None, f"{name}: finished before the signal: {process.communicate()}"
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=LIMIT_S)
    assert process.returncode == 130, f"{name}: exit {process.returncode}\n{stderr}"
    assert "error: cancelled" in stderr, stderr
    assert snapshot(tmp_path) == before, f"{name}: left behind {set(snapshot(tmp_path)) - set(before)}"
