"""A pure-Python training script (examples/python/train_digits.py: torch.optim.Adam, a 2-layer
spiking classifier with qneuro.torch.QLIFLayer) reaches >= 90 % on the 8x8 digits (rows 1-1500
train, 1501-1797 test). Its time per epoch against `qneuro snn train` is measured by
bench/python_vs_cli.py (no timing threshold here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SHARED, SOURCE

SCRIPT = SOURCE / "examples" / "python" / "train_digits.py"
DIGITS = SHARED / "digits.csv.gz"


def test_python_spiking_classifier_reaches_90_percent_on_digits():
    if not DIGITS.exists():
        pytest.skip("../shared/data/digits.csv.gz is not present")
    r = subprocess.run([sys.executable, str(SCRIPT), str(DIGITS), "--json"], capture_output=True,
                       text=True, check=True)
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["epochs"] == 30
    assert result["test_accuracy"] >= 0.90, result
