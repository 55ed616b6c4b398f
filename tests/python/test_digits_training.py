"""A pure-Python training script (examples/python/train_digits.py: torch.optim.Adam, a 2-layer
spiking classifier with qneuro.torch.QLIFLayer) reaches >= 90 % on the 8x8 digits (rows 1-1500
train, 1501-1797 test). Its time per epoch against `qneuro snn train` is measured by
bench/python_vs_cli.py (no timing threshold here)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from conftest import SOURCE

SCRIPT = SOURCE / "examples" / "python" / "train_digits.py"


def digits_file():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import train_digits
        return train_digits.find_digits()
    finally:
        sys.path.pop(0)


def test_python_spiking_classifier_reaches_90_percent_on_digits():
    digits = digits_file()  # ../shared/data, else python3-sklearn's identical copy
    if digits is None:
        pytest.skip("no digits.csv.gz: neither ../shared/data nor python3-sklearn")
    with gzip.open(digits, "rt") as f:
        assert sum(1 for _ in f) == 1797
    r = subprocess.run([sys.executable, str(SCRIPT), str(digits), "--json"], capture_output=True,
                       text=True, check=True)
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["epochs"] == 30
    assert result["test_accuracy"] >= 0.90, result
