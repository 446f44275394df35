"""`tessera demo`: every output exists and is sane."""
import json
import math
import struct
import zipfile

import pytest

from conftest import SVG, read_plot, roc_curves

CLASSES = {"Background", "Epithelium", "Stroma"}
SLIDE_SIZE = (2220, 2967)  # CMU-1-Small-Region, level 0


@pytest.fixture(scope="module")
def demo(tessera, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    # The real demo, as the README's first command runs it (about 3 minutes on 2 cores).
    result = tessera("demo", "--out", out)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def test_summary_says_where_each_output_is(demo):
    out, stdout = demo
    for name in ("demo.tessera", "metrics.json", "detections.geojson", "overlay.png", "plots:"):
        assert name in stdout
    assert "mean macro-F1 over 4 folds" in stdout


def test_the_demo_model_learns_the_tissue_classes(demo):
    # 64 px tiles at 0.5 µm/px, stride 32, 4-fold cross-validation grouped by annotation.
    out, _ = demo
    report = json.loads((out / "report" / "metrics.json").read_text())
    assert report["cross_validation"]["mean_macro_f1"] >= 0.85, report["cross_validation"]["mean_macro_f1"]
    assert report["final_hold_out"]["macro_f1"]["value"] >= 0.85


def test_report_matches_the_model(demo):
    out, _ = demo
    with zipfile.ZipFile(out / "demo.tessera") as package:
        metadata = json.loads(package.read("tessera.json"))
    report = json.loads((out / "report" / "metrics.json").read_text())
    assert report == metadata["metrics"]
    folds = report["cross_validation"]["folds"]
    assert len(folds) == 4
    mean = sum(f["report"]["macro_f1"]["value"] for f in folds) / 4
    assert abs(mean - report["cross_validation"]["mean_macro_f1"]) < 1e-9
    assert {c["name"] for c in metadata["classes"]} == CLASSES


def test_detections_are_qupath_objects_of_the_trained_classes(demo):
    out, _ = demo
    document = json.loads((out / "detections.geojson").read_text())
    assert document["type"] == "FeatureCollection"
    features = document["features"]
    assert len(features) > 100
    for feature in features:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
        properties = feature["properties"]
        assert properties["objectType"] == "detection"
        assert properties["classification"]["name"] in CLASSES
        measurements = properties["measurements"]
        probabilities = sorted(v for k, v in measurements.items() if k.endswith(" probability"))
        assert len(probabilities) == 3 and abs(sum(probabilities) - 1) < 1e-3
        # How unsure the prediction is: the top-2 margin and the entropy over ln 3.
        assert abs(measurements["Tessera: top-2 margin"] - (probabilities[2] - probabilities[1])) < 1e-4
        entropy = -sum(p * math.log(p) for p in probabilities if p > 0) / math.log(3)
        assert abs(measurements["Tessera: uncertainty (entropy)"] - entropy) < 1e-4


def test_overlay_has_the_slides_aspect_ratio(demo):
    out, _ = demo
    png = (out / "overlay.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert max(width, height) == 1024
    assert abs(width / height - SLIDE_SIZE[0] / SLIDE_SIZE[1]) < 0.01


def test_report_plots_are_svg_and_png_of_the_final_model(demo):
    out, _ = demo
    with zipfile.ZipFile(out / "demo.tessera") as package:
        metadata = json.loads(package.read("tessera.json"))
    hold_out = metadata["metrics"]["final_hold_out"]
    confusion = read_plot(out / "report", "confusion")
    counts = [int(t.text) for t in confusion.iter(SVG + "text") if t.text and t.text.isdigit()]
    assert counts == hold_out["confusion"]["counts"]
    curves = read_plot(out / "report", "curves")
    lines = list(curves.iter(SVG + "polyline"))
    assert len(lines) == 2
    epochs = len(metadata["training"]["history"])
    assert all(len(line.get("points").split()) == epochs for line in lines)
    roc = roc_curves(read_plot(out / "report", "roc"))
    assert [line.get("class") for line in roc] == [f"roc {c['name']}" for c in hold_out["classes"]]
    for line, report in zip(roc, hold_out["classes"]):
        assert len(line.get("points").split()) == len(report["roc_curve"])
        assert report["roc_curve"][0] == [0, 0] and report["roc_curve"][-1] == [1, 1]
