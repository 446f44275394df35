"""`tessera train --task segmentation`, and `apply` and `eval` with the segmentation package, on the
demo slide: a U-Net trained on patches with label masks, scored by IoU over the labelled pixels,
and its regions back as polygons; bad input refused before anything is written."""
import json
import zipfile

import pytest

from conftest import ANNOTATIONS, SLIDE, SVG, read_plot

# Small and fast: 32 px patches at 2 µm/px, a narrow two-level U-Net, two epochs.
QUICK = {"task": "segmentation", "mpp": "2", "tile-size": "32", "overlap": "0.5", "min-coverage": "0.25",
         "width": "4", "depth": "2", "epochs": "2"}


def quick(**changes):
    """QUICK's options with `changes` (underscores for dashes) as command-line arguments."""
    options = {**QUICK, **{k.replace("_", "-"): str(v) for k, v in changes.items()}}
    return [part for name, value in options.items() for part in (f"--{name}", value)]


@pytest.fixture(scope="module")
def segmenter(tessera, tmp_path_factory):
    """A quickly trained U-Net of the demo, 2-fold cross-validated, with its report and output."""
    folder = tmp_path_factory.mktemp("segmenter")
    path = folder / "seg.tessera"
    result = tessera("train", "--slide", SLIDE, "--annotations", ANNOTATIONS, *quick(), "--folds", "2",
                     "--model", path, "--report", folder / "report")
    assert result.returncode == 0, result.stderr
    return path, folder / "report", result.stdout


def test_the_segmenter_is_cross_validated_by_iou_over_labelled_pixels(segmenter):
    path, report, printed = segmenter
    assert "patches:" in printed and "labelled px" in printed and "mean IoU over 2 folds" in printed
    with zipfile.ZipFile(path) as package:
        metadata = json.loads(package.read("tessera.json"))
        assert "model.int8.onnx" not in package.namelist()
    assert metadata["task"] == "segmentation"
    assert metadata["architecture"]["kind"] == "unet" and metadata["architecture"]["unet"]["depth"] == 2
    cv = metadata["metrics"]["cross_validation"]
    assert 0 < cv["mean_iou"] <= 1
    for fold in cv["folds"]:
        iou = fold["report"]["mean_iou"]
        assert iou["ci95"]["low"] <= iou["value"] <= iou["ci95"]["high"]
        assert all(0 <= c["iou"] <= 1 for c in fold["report"]["classes"])
        assert all("validation_mean_iou" in epoch for epoch in fold["history"])
    read_plot(report, "confusion")
    curves = read_plot(report, "curves")
    lines = {line.get("class"): line.get("points").split() for line in curves.iter(SVG + "polyline")}
    epochs = len(metadata["training"]["history"])
    assert len(lines["validation_mean_iou"]) == len(lines["train_loss"]) == epochs, lines


def test_applying_the_segmenter_gives_region_polygons(tessera, segmenter, tmp_path):
    path, _, _ = segmenter
    out = tmp_path / "regions.geojson"
    result = tessera("apply", "--model", path, "--slide", SLIDE, "--out", out, "--objects", "annotation",
                     "--min-area", "25", "--min-hole", "25")
    assert result.returncode == 0, result.stderr
    assert "no int8 segmentation models" in result.stdout
    features = json.loads(out.read_text())["features"]
    assert features, "some regions"
    for feature in features:
        assert feature["properties"]["objectType"] == "annotation"
        assert feature["properties"]["classification"]["name"] in {"Epithelium", "Stroma"}
        assert feature["geometry"]["type"] == "Polygon"


def test_eval_scores_the_segmenter_on_labelled_pixels(tessera, segmenter, tmp_path):
    path, _, _ = segmenter
    result = tessera("eval", "--model", path, "--slide", SLIDE, "--annotations", ANNOTATIONS, "--report", tmp_path,
                     "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tiles"] == sum(report["confusion"]["counts"]) > 10_000
    assert 0 < report["mean_iou"]["value"] <= 1


@pytest.mark.parametrize("changes, message", [
    ({"tile_size": 36, "depth": 3}, "patch size 36 is not divisible by 2^3 = 8"),
    ({"mpp": 64, "tile_size": 8, "depth": 1}, "cover no pixel at"),
    ({"backbone": SLIDE}, "--backbone trains a tile classifier"),
])
def test_bad_segmentation_input_is_refused_and_nothing_is_written(tessera, tmp_path, changes, message):
    model = tmp_path / "m.tessera"
    result = tessera("train", "--slide", SLIDE, "--annotations", ANNOTATIONS, *quick(**changes), "--folds", "0",
                     "--model", model)
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_single_labelled_class_is_refused(tessera, tmp_path):
    one_class = tmp_path / "one.geojson"
    document = json.loads(ANNOTATIONS.read_text())
    document["features"] = [f for f in document["features"] if f["properties"]["classification"]["name"] == "Stroma"]
    one_class.write_text(json.dumps(document))
    result = tessera("train", "--slide", SLIDE, "--annotations", one_class, *quick(), "--folds", "0",
                     "--model", tmp_path / "m.tessera")
    assert result.returncode == 3 and "annotate at least 2 classes" in result.stderr, result.stderr
    assert not (tmp_path / "m.tessera").exists()
