"""Shared fixtures of the Python package tests (run by ctest: Python.*, see tests/CMakeLists.txt).

Environment (set by ctest): PYTHONPATH holds build/python; QNEURO_CLI is the qneuro executable;
QNEURO_SOURCE_DIR the source tree. Shared data (../shared/data) is optional: tests that need it
are skipped, and reported as skipped, without it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("QNEURO_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("QNEURO_CLI", str(SOURCE / "build" / "bin" / "qneuro"))
SHARED = SOURCE.parent / "shared" / "data"
REC_EDF = SOURCE / "tests" / "regression" / "golden" / "expected" / "rec.edf"

# summary.json fields that are wall-clock measurements, not results.
VOLATILE = {"timing_s", "throughput", "seconds", "wall_s", "samples_per_s", "tokens_per_s",
            "source", "started_at", "command_line", "train_tokens_per_s", "train_seconds"}


def strip_volatile(value):
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


def run_cli(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([CLI, "--threads", "1", *args], cwd=cwd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"qneuro {' '.join(args)} exited {r.returncode}:\n{r.stderr}")
    return r


def read_json(path: Path) -> dict:
    with open(path) as f:
        return json.load(f)


@pytest.fixture(autouse=True)
def one_thread():
    """The CLI runs with --threads 1 here; so does the package (results do not depend on it,
    but the comparisons are then trivially like for like)."""
    import qneuro
    before = qneuro.get_threads()
    qneuro.set_threads(1)
    yield
    qneuro.set_threads(before)


@pytest.fixture
def rec_edf() -> Path:
    return REC_EDF


@pytest.fixture
def eegmmidb_edf() -> Path:
    path = SHARED / "eegmmidb" / "S001R04.edf"
    if not path.exists():
        candidates = sorted((SHARED / "eegmmidb").glob("*.edf")) if (SHARED / "eegmmidb").exists() else []
        candidates = [c for c in candidates if "mangled" not in c.name]
        if not candidates:
            pytest.skip("../shared/data/eegmmidb is not present")
        path = candidates[0]
    return path
