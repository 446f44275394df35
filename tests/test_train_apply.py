"""`tessera train`, `eval` and `apply` on the demo slide, and the Snakemake cohort workflow
running `tessera apply` over two copies of it."""
import json
import math
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ANNOTATIONS, ROOT, SLIDE, read_plot, roc_curves

CLASSES = {"Background", "Epithelium", "Stroma"}


def test_train_report_has_every_plot_as_svg_and_png(trained):
    _, report = trained
    metrics = json.loads((report / "metrics.json").read_text())
    for name in ("confusion", "curves"):
        read_plot(report, name)
    assert len(roc_curves(read_plot(report, "roc"))) == len(metrics["final_hold_out"]["classes"]) == len(CLASSES)


def test_the_package_holds_the_model_and_its_record(model):
    with zipfile.ZipFile(model) as package:
        metadata = json.loads(package.read("tessera.json"))
        assert package.read("model.onnx")[:2] != b""
    assert {c["name"] for c in metadata["classes"]} == CLASSES
    assert metadata["input"]["tile_size"] == 64 and metadata["input"]["mpp"] == 0.5
    assert metadata["provenance"]["images"] == ["CMU-1-Small-Region"]
    assert sum(metadata["provenance"]["annotations_per_class"].values()) == 13
    hold_out = metadata["metrics"]["final_hold_out"]
    assert 0 <= hold_out["macro_f1"]["ci95"]["low"] <= hold_out["macro_f1"]["value"] <= hold_out["macro_f1"]["ci95"]["high"] <= 1


def test_eval_scores_the_model_on_annotations(tessera, model, tmp_path):
    result = tessera("eval", "--model", model, "--slide", SLIDE, "--annotations", ANNOTATIONS, "--report", tmp_path,
                     "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == json.loads((tmp_path / "metrics.json").read_text())
    assert report["tiles"] > 100
    # Row-major classes × classes: every tile counted once.
    assert sum(report["confusion"]["counts"]) == report["tiles"]
    assert len(report["confusion"]["counts"]) == report["confusion"]["classes"] ** 2
    read_plot(tmp_path, "confusion")
    assert len(roc_curves(read_plot(tmp_path, "roc"))) == len(report["classes"]) == len(CLASSES)


def test_eval_refuses_a_class_the_model_does_not_know(tessera, model, tmp_path):
    other = tmp_path / "other.geojson"
    document = json.loads(ANNOTATIONS.read_text())
    for feature in document["features"]:
        feature["properties"]["classification"]["name"] = "Tumor"
    other.write_text(json.dumps(document))
    result = tessera("eval", "--model", model, "--slide", SLIDE, "--annotations", other)
    assert result.returncode == 3
    assert '"Tumor" is not one the model predicts' in result.stderr


def test_apply_on_cuda_without_its_provider_warns_and_predicts_as_on_the_cpu(tessera, model, tmp_path):
    """CI's ONNX Runtime is CPU-only: `--device cuda` runs on the CPU, says why, same objects."""
    runs = {}
    for device in ("cpu", "cuda"):
        out = tmp_path / f"{device}.geojson"
        result = tessera("apply", "--model", model, "--slide", SLIDE, "--annotations", ANNOTATIONS, "--out", out,
                         "--device", device, "--threads", "2", "--quiet")
        assert result.returncode == 0, result.stderr
        runs[device] = (json.loads(out.read_text()), result.stderr)
    assert runs["cpu"][1] == ""
    warning = runs["cuda"][1]
    assert "device cuda:0 requested but" in warning and "libonnxruntime_providers_cuda.so" in warning, warning
    assert "running on the CPU" in warning, warning
    assert runs["cuda"][0] == runs["cpu"][0]


def test_training_needs_two_classes(tessera, tmp_path):
    one_class = tmp_path / "one.geojson"
    document = json.loads(ANNOTATIONS.read_text())
    document["features"] = [f for f in document["features"] if f["properties"]["classification"]["name"] == "Stroma"]
    one_class.write_text(json.dumps(document))
    result = tessera("train", "--slide", SLIDE, "--annotations", one_class, "--mpp", "0.5", "--folds", "0",
                     "--model", tmp_path / "m.tessera")
    assert result.returncode == 3, result.stderr
    assert not (tmp_path / "m.tessera").exists()


def test_snakemake_applies_the_model_to_a_cohort(model, tmp_path):
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for name in ("patient-a", "patient-b"):
        shutil.copy(SLIDE, cohort / f"{name}.svs")
    out = tmp_path / "results"
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(ROOT / "workflows" / "apply" / "Snakefile"), "--cores", "2",
         "--directory", str(tmp_path), "--config", f"model={model}", f"slides={cohort}", f"out={out}",
         f"tessera={ROOT / 'target' / 'release' / 'tessera'}"],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    a = json.loads((out / "patient-a.geojson").read_text())
    b = json.loads((out / "patient-b.geojson").read_text())
    assert a == b and len(a["features"]) > 50
    summary = (out / "summary.tsv").read_text().splitlines()
    assert summary[0] == "slide\tclass\tobjects"
    assert {line.split("\t")[0] for line in summary[1:]} == {"patient-a", "patient-b"}


def test_ctrl_c_cancels_training_and_leaves_no_model(tmp_path):
    import signal
    import time
    model = tmp_path / "cancelled.tessera"
    process = subprocess.Popen(
        [str(ROOT / "target" / "release" / "tessera"), "train", "--slide", str(SLIDE), "--annotations", str(ANNOTATIONS),
         "--mpp", "0.5", "--folds", "0", "--epochs", "200", "--model", str(model)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait until the tiles are read and training has begun.
    line = process.stdout.readline()
    assert line.startswith("tiles:"), line
    time.sleep(2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "cancelled" in stderr
    assert not model.exists()
    assert not list(tmp_path.glob("*.tmp*")), "no partial file may be left behind"


def test_apply_runs_the_int8_model_where_the_guard_passed_it_and_the_float_model_when_asked(tessera, model, tmp_path):
    """The package holds an int8 model with its record; auto runs it where the guard accepted it,
    fp32 runs the float model, and both classify the annotated tiles alike."""
    with zipfile.ZipFile(model) as package:
        record = json.loads(package.read("tessera.json"))["quantization"]
        assert "model.int8.onnx" in package.namelist(), record
    agreement = record["agreement"]
    assert agreement["tiles"] > 0 and record["calibration_tiles"] >= 32, record
    assert record["accepted"] == (agreement["agreement"] >= 0.99
                                  and agreement["macro_f1_int8"] >= agreement["macro_f1_float"] - 0.005), record
    classes = {}
    for precision in ("auto", "fp32", "int8"):
        out = tmp_path / f"{precision}.geojson"
        result = tessera("apply", "--model", model, "--slide", SLIDE, "--annotations", ANNOTATIONS, "--out", out,
                         "--precision", precision, "--threads", "2")
        assert result.returncode == 0, result.stderr
        first = result.stdout.splitlines()[0]
        expected = "int8 model" if precision == "int8" or (precision == "auto" and record["accepted"]) else "float model"
        assert first.startswith(expected), result.stdout
        assert ("did not pass its accuracy guard" in result.stderr) == (precision == "int8" and not record["accepted"])
        features = json.loads(out.read_text())["features"]
        classes[precision] = [f["properties"]["classification"]["name"] for f in features]
    assert len(classes["int8"]) == len(classes["fp32"]) > 100
    same = sum(a == b for a, b in zip(classes["int8"], classes["fp32"])) / len(classes["fp32"])
    assert same >= 0.97, same


def float_only(model, path, **input_changes):
    """`model` as a package made before int8 models: its float model and metadata without the
    int8 record (the input changed as given). Returns `path`."""
    with zipfile.ZipFile(model) as source, zipfile.ZipFile(path, "w") as target:
        metadata = json.loads(source.read("tessera.json"))
        del metadata["quantization"]
        metadata["input"].update(input_changes)
        target.writestr("tessera.json", json.dumps(metadata))
        target.writestr("model.onnx", source.read("model.onnx"))
    return path


def test_int8_is_refused_clearly_where_a_package_has_none(tessera, model, tmp_path):
    """A package without an int8 model (made before them, or elsewhere) runs in float under auto;
    int8 is refused, naming the model; an unknown precision is a usage error."""
    bare = float_only(model, tmp_path / "float-only.tessera")
    out = tmp_path / "out.geojson"
    common = ("apply", "--model", bare, "--slide", SLIDE, "--annotations", ANNOTATIONS, "--out", out)
    auto = tessera(*common)
    assert auto.returncode == 0, auto.stderr
    assert auto.stdout.startswith("float model: the package has no int8 model"), auto.stdout
    refused = tessera(*common, "--precision", "int8")
    assert refused.returncode == 3, refused.stderr
    assert 'cannot run model "quick" in int8: the package has no int8 model' in refused.stderr, refused.stderr
    unknown = tessera(*common, "--precision", "bf16")
    assert unknown.returncode == 2 and "auto, fp32 or int8" in unknown.stderr, unknown.stderr


def test_quantize_adds_an_int8_model_calibrated_on_the_slides_tissue(tessera, model, tmp_path):
    """A model without an int8 model gets one from `tessera quantize`, calibrated and checked on the
    slide's tissue tiles (no labels there: agreement only); too coarse a resolution for enough tiles
    is refused, naming the problem, and writes nothing."""
    bare = float_only(model, tmp_path / "float-only.tessera")
    out = tmp_path / "quantized.tessera"
    result = tessera("quantize", "--model", bare, "--slide", SLIDE, "--out", out)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        record = json.loads(package.read("tessera.json"))["quantization"]
        assert "model.int8.onnx" in package.namelist()
    agreement = record["agreement"]
    assert agreement["macro_f1_float"] is None and agreement["tiles"] >= 32, record
    assert record["accepted"] == (agreement["agreement"] >= 0.99), record
    assert ("used by --precision auto" in result.stdout) == record["accepted"], result.stdout + result.stderr
    applied = tessera("apply", "--model", out, "--slide", SLIDE, "--annotations", ANNOTATIONS,
                      "--out", tmp_path / "int8.geojson", "--precision", "int8", "--quiet")
    assert applied.returncode == 0, applied.stderr
    # Tiles of 8 µm/px leave the small demo slide too few tissue tiles to calibrate on.
    coarse = float_only(model, tmp_path / "coarse.tessera", mpp=8.0)
    refused = tessera("quantize", "--model", coarse, "--slide", SLIDE, "--out", tmp_path / "none.tessera")
    assert refused.returncode == 3, refused.stderr
    assert "too few to calibrate an int8 model: it needs at least 32" in refused.stderr, refused.stderr
    assert not (tmp_path / "none.tessera").exists()


def test_review_picks_unsure_tiles_spread_over_the_slide_and_loss_suspects_against_annotations(tessera, model,
                                                                                               tmp_path):
    """Applied tiles carry their uncertainty; `tessera review` picks the most unsure ones spread out
    (the most unsure first), or the tiles that most disagree with the annotated class, as
    unclassified QuPath annotations."""
    applied = tmp_path / "slide.geojson"
    result = tessera("apply", "--model", model, "--slide", SLIDE, "--annotations", ANNOTATIONS, "--out", applied,
                     "--quiet")
    assert result.returncode == 0, result.stderr
    tiles = json.loads(applied.read_text())["features"]
    entropy = [t["properties"]["measurements"]["Tessera: uncertainty (entropy)"] for t in tiles]
    assert all(0 <= e <= 1 for e in entropy) and max(entropy) > min(entropy)

    def centre(feature):
        ring = feature["geometry"]["coordinates"][0]
        return (sum(p[0] for p in ring[:-1]) / 4, sum(p[1] for p in ring[:-1]) / 4)

    result = tessera("review", "--detections", applied, "--count", "12", "--out", tmp_path / "review")
    assert result.returncode == 0, result.stderr
    picks = json.loads((tmp_path / "review" / "slide.review.geojson").read_text())["features"]
    assert len(picks) == 12
    assert all(p["properties"]["objectType"] == "annotation" and "classification" not in p["properties"]
               for p in picks)
    assert picks[0]["properties"]["name"].startswith("Tessera review 1: ")
    assert picks[0]["properties"]["measurements"]["Tessera: review score"] == pytest.approx(max(entropy), abs=1e-6)
    # Spread out: no two picks closer than a tile apart (the 12 most unsure tiles would crowd).
    side = 32  # 64 px at 0.5 µm/px on a 0.499 µm/px slide is about 64 level-0 px; half of it is safe
    centres = [centre(p) for p in picks]
    closest = min(math.dist(a, b) for i, a in enumerate(centres) for b in centres[:i])
    assert closest > side, closest

    loss = tessera("review", "--detections", applied, "--annotations", ANNOTATIONS, "--by", "loss", "--count", "5",
                   "--out", tmp_path / "loss")
    assert loss.returncode == 0, loss.stderr
    suspects = json.loads((tmp_path / "loss" / "slide.review.geojson").read_text())["features"]
    assert len(suspects) == 5 and all(s["properties"]["measurements"]["Tessera: review score"] >= 0 for s in suspects)
    refused = tessera("review", "--detections", applied, "--by", "loss", "--out", tmp_path / "none")
    assert refused.returncode == 3 and "ranking by loss needs classified annotations" in refused.stderr, refused.stderr
    assert not (tmp_path / "none").exists()


def test_fine_tuning_starts_from_the_parent_and_records_its_lineage(tessera, model, tmp_path):
    """`train --from PARENT` starts from the parent's weights: after one epoch its cross-validation
    beats one epoch from scratch on the same folds; the package names its parent, what was added
    and both models' macro-F1 on the same folds. A parent of other tiles, or overwriting the
    parent, is refused."""
    common = ("train", "--slide", SLIDE, "--annotations", ANNOTATIONS, "--mpp", "0.5", "--tile-size", "64",
              "--folds", "2", "--epochs", "1", "--json", "--quiet")
    runs = {}
    for name, extra in (("scratch", ()), ("child", ("--from", model))):
        result = tessera(*common, *extra, "--model", tmp_path / f"{name}.tessera")
        assert result.returncode == 0, result.stderr
        runs[name] = json.loads(result.stdout)["cross_validation"]["mean_macro_f1"]
    assert runs["child"] > runs["scratch"], runs
    with zipfile.ZipFile(tmp_path / "child.tessera") as package:
        lineage = json.loads(package.read("tessera.json"))["lineage"]
    assert lineage["parent"] == "quick" and lineage["added_images"] == [], lineage
    assert set(lineage["added_tiles_per_class"]) == CLASSES, lineage
    assert lineage["child_macro_f1_on_folds"] == pytest.approx(runs["child"]), lineage
    assert 0 < lineage["parent_macro_f1_on_folds"] <= 1, lineage
    other = tessera("train", "--slide", SLIDE, "--annotations", ANNOTATIONS, "--mpp", "0.5", "--tile-size", "32",
                    "--folds", "0", "--from", model, "--model", tmp_path / "other.tessera")
    assert other.returncode == 3, other.stderr
    assert 'cannot fine-tune model "quick": it reads 64 px tiles at 0.5 µm/px, these tiles are 32 px' in other.stderr
    assert not (tmp_path / "other.tessera").exists()
    over = tessera("train", "--slide", SLIDE, "--annotations", ANNOTATIONS, "--mpp", "0.5", "--folds", "0",
                   "--from", model, "--model", model)
    assert over.returncode == 3 and "--from" in over.stderr, over.stderr
