"""`tessera selftest`: the installation check runs a real ONNX model, and a missing or too old
ONNX Runtime gives one clear line, a hint and exit code 6 — never a crash or a backtrace."""
import json

from conftest import ROOT


def test_selftest_runs_the_probe_model(tessera):
    result = tessera("selftest", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # softmax([1, -1]) and softmax([0.5, 0.5]) from the probe's fixed weights.
    expected = [0.880797, 0.119203, 0.5, 0.5]
    assert all(abs(a - b) < 1e-5 for a, b in zip(report["probabilities"], expected)), report


def test_missing_onnxruntime_is_one_clear_line(tessera):
    result = tessera("selftest", env={"TESSERA_ONNXRUNTIME": "/nonexistent/libonnxruntime.so.1"})
    assert result.returncode == 6
    assert result.stderr.startswith("error: ONNX Runtime: no ONNX Runtime library at /nonexistent")
    assert "hint:" in result.stderr
    assert "panicked" not in result.stderr and "backtrace" not in result.stderr


def test_old_onnxruntime_is_refused_with_both_versions(tessera):
    old = ROOT / "target" / "onnxruntime-1.21.1" / "libonnxruntime.so.1"
    assert old.is_file(), "scripts/fetch-onnxruntime.sh target/onnxruntime-1.21.1 1.21.1"
    result = tessera("selftest", env={"TESSERA_ONNXRUNTIME": str(old)})
    assert result.returncode == 6
    assert "1.21.1" in result.stderr and "1.22" in result.stderr
