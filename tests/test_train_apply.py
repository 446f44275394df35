"""`tessera train`, `eval` and `apply` on the demo slide, and the Snakemake cohort workflow
running `tessera apply` over two copies of it."""
import json
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
