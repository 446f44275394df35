"""Domain shift (#14) through the `tessera` command: stain normalisation fitted at training and
applied at inference, the out-of-distribution score and its warning, AdaBN, and packages
without the statistics."""
import json
import zipfile

import pytest

from conftest import ANNOTATIONS, SLIDE


@pytest.fixture(scope="module")
def macenko(tessera, tmp_path_factory):
    """A quickly trained model of the demo with Macenko stain normalisation and 2-fold CV."""
    path = tmp_path_factory.mktemp("shift") / "macenko.tessera"
    result = tessera("train", "--slide", SLIDE, "--annotations", ANNOTATIONS, "--mpp", "0.5", "--tile-size", "64",
                     "--folds", "2", "--epochs", "2", "--stain-normalisation", "macenko", "--model", path, "--quiet")
    assert result.returncode == 0, result.stderr
    return path


def metadata(package):
    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read("tessera.json"))


def rewritten(package, path, edit):
    """`package` with its metadata changed by `edit`; returns `path`."""
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            if name == "tessera.json":
                changed = json.loads(source.read(name))
                edit(changed)
                target.writestr(name, json.dumps(changed))
            else:
                target.writestr(name, source.read(name))
    return path


def probabilities(geojson):
    features = json.loads(geojson.read_text())["features"]
    return [sorted(f["properties"]["measurements"].items()) for f in features]


def test_the_package_records_the_stain_target_and_the_folds_feature_statistics(macenko):
    record = metadata(macenko)
    assert record["training"]["config"]["stain_normalisation"] == "macenko"
    stain = record["shift"]["stain"]
    assert stain["method"] == "macenko" and len(stain["stains"]) == 2 and all(c > 0 for c in stain["max_concentration"])
    features = record["shift"]["features"]
    assert len(features["class_means"]) == 3 and all(len(m) == len(features["std"]) > 0 for m in features["class_means"])
    folds = record["metrics"]["cross_validation"]["folds"]
    assert features["fold_scores"] == [fold["ood_score"] for fold in folds] and len(folds) == 2
    assert features["threshold"] == pytest.approx(1.5 * max(features["fold_scores"]))


def test_apply_fits_the_stain_to_the_slide_and_scores_it(tessera, macenko, tmp_path):
    out = tmp_path / "out.geojson"
    result = tessera("apply", "--model", macenko, "--slide", SLIDE, "--annotations", ANNOTATIONS, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "stain normalisation: Macenko fitted to the slide on" in result.stdout, result.stdout
    line = next(l for l in result.stdout.splitlines() if l.startswith("out-of-distribution score: "))
    score = float(line.split()[2])
    threshold = metadata(macenko)["shift"]["features"]["threshold"]
    assert (score > threshold) == ("BEYOND" in line) == ("warning: this slide looks unlike" in result.stderr), line
    evaluated = tessera("eval", "--model", macenko, "--slide", SLIDE, "--annotations", ANNOTATIONS, "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["macro_f1"]["value"] > 0.5, evaluated.stdout


def test_a_score_beyond_the_threshold_warns(tessera, macenko, tmp_path):
    strict = rewritten(macenko, tmp_path / "strict.tessera",
                       lambda m: m["shift"]["features"].update(threshold=0.0))
    result = tessera("apply", "--model", strict, "--slide", SLIDE, "--annotations", ANNOTATIONS,
                     "--out", tmp_path / "out.geojson", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "warning: this slide looks unlike the model's training data" in result.stderr, result.stderr
    assert "above the threshold 0.000" in result.stderr and result.stdout == "", result.stdout


def test_adabn_re_estimates_the_statistics_and_changes_the_predictions(tessera, model, tmp_path):
    common = ("apply", "--model", model, "--slide", SLIDE, "--annotations", ANNOTATIONS)
    plain = tessera(*common, "--out", tmp_path / "plain.geojson", "--precision", "fp32")
    adapted = tessera(*common, "--out", tmp_path / "adapted.geojson", "--adapt-normalisation")
    assert plain.returncode == 0 and adapted.returncode == 0, plain.stderr + adapted.stderr
    assert "AdaBN: 4 batch normalisations re-estimated on" in adapted.stdout, adapted.stdout
    assert "AdaBN" not in plain.stdout
    before, after = probabilities(tmp_path / "plain.geojson"), probabilities(tmp_path / "adapted.geojson")
    assert len(before) == len(after) > 100 and before != after


def test_a_package_without_the_statistics_says_the_score_is_unavailable(tessera, model, tmp_path):
    older = rewritten(model, tmp_path / "older.tessera", lambda m: m.pop("shift"))
    result = tessera("apply", "--model", older, "--slide", SLIDE, "--annotations", ANNOTATIONS,
                     "--out", tmp_path / "out.geojson")
    assert result.returncode == 0, result.stderr
    assert "out-of-distribution score: unavailable (the model carries no training feature statistics" in result.stdout


def test_an_unknown_stain_normalisation_is_a_usage_error(tessera, tmp_path):
    result = tessera("train", "--slide", SLIDE, "--annotations", ANNOTATIONS, "--mpp", "0.5",
                     "--stain-normalisation", "vahadane", "--model", tmp_path / "m.tessera")
    assert result.returncode == 2, result.stderr
    assert "not one of none, reinhard, macenko" in result.stderr, result.stderr
