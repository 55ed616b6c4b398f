#!/usr/bin/env bash
# The documented user install (README, docs/python.md): a fresh venv that sees Debian's packages
# (python3 -m venv --system-site-packages), `cmake --install BUILD --component python --prefix
# VENV`, then the package imported and used from outside the source and build trees.
#   check_venv_install.sh PYTHON BUILD_DIR SCRATCH torch|no-torch
set -euo pipefail
python=$1 build=$2 scratch=$3 torch=$4
rm -rf "$scratch"
mkdir -p "$scratch/elsewhere"
"$python" -m venv --system-site-packages "$scratch/venv"
cmake --install "$build" --component python --prefix "$scratch/venv" > "$scratch/install.log"
cd "$scratch/elsewhere"
unset PYTHONPATH
"$scratch/venv/bin/python" - "$scratch/venv" "$torch" <<'PY'
import os, sys
import numpy as np
import qneuro
venv, torch_flag = sys.argv[1], sys.argv[2]
assert os.path.realpath(qneuro.__file__).startswith(os.path.realpath(venv)), qneuro.__file__
assert "torch" not in sys.modules
x = np.random.default_rng(0).standard_normal((2, 1024))
r = qneuro.analyze(x, 128.0)
assert r.psd.shape[0] == 2
f = qneuro.field.simulate(preset="test", steps=64, progress=False)
assert f.eeg.shape[0] > 0
if torch_flag == "torch":
    import torch
    from qneuro.torch import QLIFLayer
    s = QLIFLayer(8)(torch.rand(5, 2, 8) * 3)
    assert s.shape == (5, 2, 8)
print("installed qneuro", qneuro.__version__, "at", os.path.dirname(qneuro.__file__))
PY
