#!/usr/bin/python3
"""Figures of a `qneuro field` run for the documentation: the virtual EEG, its spectra, the
relative band powers per electrode and the conservation diagnostics.

Usage: /usr/bin/python3 scripts/plot_field_run.py RUN_DIR OUT_PREFIX
Reads RUN_DIR/eeg.h5 and RUN_DIR/summary.json (docs/field.md, "Outputs"); writes
OUT_PREFIX-eeg.png, OUT_PREFIX-spectra.png and OUT_PREFIX-diagnostics.png. Needs Debian's
python3-matplotlib, python3-h5py, python3-scipy (installed by scripts/install-deps.sh).
"""
import json
import sys
from pathlib import Path

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.signal import welch  # noqa: E402


def main(run_dir: Path, prefix: str) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    fs = float(summary["sfreq"])
    with h5py.File(run_dir / "eeg.h5", "r") as f:
        signals = np.asarray(f["signals"])
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["channels"][()]]
        positions = np.asarray(f["electrodes/positions"])
        diag = {k: np.asarray(v) for k, v in f["diagnostics"].items()
                if isinstance(v, h5py.Dataset)}  # not the populations' groups
    t = np.arange(signals.shape[1]) / fs

    # 1. Eight electrodes, offset, in uV.
    pick = np.linspace(0, len(names) - 1, min(8, len(names))).astype(int)
    fig, ax = plt.subplots(figsize=(10, 5))
    centred = signals[pick] - signals[pick].mean(axis=1, keepdims=True)
    spread = 1.2 * np.abs(centred).max()
    for k, c in enumerate(pick):
        ax.plot(t, centred[k] - k * spread, lw=0.6)
        ax.text(t[0] - 0.01 * t[-1], -k * spread, names[c], ha="right", va="center", fontsize=8)
    ax.set_xlabel("time (s)")
    ax.set_yticks([])
    ax.set_title(f"virtual EEG, {len(names)} electrodes at {fs:g} Hz (8 shown, mean removed, "
                 f"offset by {spread:.3g} uV)")
    fig.tight_layout()
    fig.savefig(f"{prefix}-eeg.png", dpi=110)
    plt.close(fig)

    # 2. Welch spectra of every electrode and their mean, with the bands; relative band power
    # per electrode over the electrode positions.
    nperseg = int(summary["welch"].get("nperseg", min(signals.shape[1], int(2 * fs))))
    f_hz, psd = welch(signals, fs=fs, nperseg=min(nperseg, signals.shape[1]))
    bands = summary["bands"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.5))
    for row in psd:
        ax.semilogy(f_hz, row, color="0.8", lw=0.5)
    ax.semilogy(f_hz, psd.mean(axis=0), color="k", lw=1.5, label="mean")
    for (name, (lo, hi)), col in zip(bands.items(), plt.cm.tab10.colors):
        ax.axvspan(lo, hi, color=col, alpha=0.12, label=name)
    ax.set_xlim(0, min(fs / 2, 60))
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("PSD (uV^2/Hz)")
    ax.legend(fontsize=8)
    ax.set_title("spectra (grey: electrodes)")
    rel = np.array([[ch["relative_power"][b] for b in bands] for ch in summary["per_channel"]])
    dominant = rel.argmax(axis=1)
    sc = bx.scatter(positions[:, 0], positions[:, 1], c=rel[:, list(bands).index("delta")]
                    if "delta" in bands else rel[:, 0], cmap="viridis", s=120)
    for (x, y), d in zip(positions, dominant):
        bx.annotate(list(bands)[d][0], (x, y), ha="center", va="center", fontsize=7, color="w")
    fig.colorbar(sc, ax=bx, label="relative delta power")
    bx.set_aspect("equal")
    bx.set_title("electrodes: relative delta power (letter: dominant band)")
    fig.tight_layout()
    fig.savefig(f"{prefix}-spectra.png", dpi=110)
    plt.close(fig)

    # 3. Norm and energy over the run.
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 3.8))
    ax.plot(diag["t_s"], diag["norm"] - 1.0)
    ax.set_xlabel("model time (s)")
    ax.set_title("norm - 1")
    for key in ("energy", "e_kinetic", "e_external", "e_mqp", "e_connectivity"):
        if key in diag:
            bx.plot(diag["t_s"], diag[key], label=key)
    bx.set_xlabel("model time (s)")
    bx.set_title("energy and its terms")
    bx.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(f"{prefix}-diagnostics.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2])
