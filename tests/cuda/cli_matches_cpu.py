#!/usr/bin/env python3
"""`qneuro snn --device cuda` against `--device cpu` through the whole library path (config,
Population's host streaming, spikes.h5): for each preset, /spikes, /voltage and the traces must
be identical bit for bit (docs/gpu.md). Exit 77 (skipped) when the build or the machine has no
usable GPU; 1 on a difference.

usage: cli_matches_cpu.py QNEURO WORKDIR"""
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

PRESETS = ["default", "compat", "deterministic", "stochastic"]
SETS = ["sim.neurons=20000", "sim.batch=2", "sim.steps=203", "record.traces=true",
        "neuromod.signal=sine"]


def run(qneuro, preset, device, out):
    args = [qneuro, "--quiet", "snn", "--preset", preset, "--device", device, "--out", str(out)]
    for s in SETS:
        args += ["--set", s]
    return subprocess.run(args, capture_output=True, text=True)


def main():
    qneuro, work = sys.argv[1], Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    failures = 0
    for preset in PRESETS:
        gpu = run(qneuro, preset, "cuda", work / f"{preset}-cuda")
        if gpu.returncode == 2 and '"cuda"' in gpu.stderr:
            print("SKIPPED:", gpu.stderr.strip())
            return 77
        if gpu.returncode != 0:
            print(f"{preset}: cuda run failed ({gpu.returncode}): {gpu.stderr}")
            return 1
        cpu = run(qneuro, preset, "cpu", work / f"{preset}-cpu")
        if cpu.returncode != 0:
            print(f"{preset}: cpu run failed: {cpu.stderr}")
            return 1
        with h5py.File(work / f"{preset}-cpu" / "spikes.h5") as a, \
                h5py.File(work / f"{preset}-cuda" / "spikes.h5") as b:
            for name in ["spikes", "voltage", "p", "D", "A", "E", "Theta"]:
                x, y = a[name][()], b[name][()]
                same = x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
                agree = float(np.mean(a["spikes"][()] == b["spikes"][()]))
                print(f"{preset}/{name}: {'identical' if same else 'DIFFERS'}"
                      f" (spike agreement {agree:.6f})")
                failures += not same
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
