"""Shared fixtures for Tessera's end-to-end tests: where the repository, the built `tessera`
command and the shared test data are."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
