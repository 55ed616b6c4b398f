#!/usr/bin/env python3
"""The 3-D neural field and its virtual EEG: qneuro.field.simulate.

The field psi(x, y, r) follows a Schroedinger-like equation (fractal diffusion D, a harmonic
trap of 10 Hz in x and y and 6 Hz in r, the macroscopic quantum potential and a log-normal
connectivity potential; docs/field.md). The "demo" preset starts a Gaussian packet displaced
from the centre of a 64 x 64 x 32 grid; it swings through the trap at about 10 Hz (the swing
fades within about half a second as the packet spreads), and 16 virtual electrodes (Gaussian
lead fields over the (x, y) sheet) record it as EEG, which is analysed as ``qneuro analyze``
would: its power lies in the alpha band. Here the run is cut to 2048 steps (2 s of model time) to take a few
seconds, with a density snapshot every 512 steps.

Units: time in s (time.time_unit_s = 1 s per model unit; dt = 1/1024 s), EEG in µV (scaled by
readout.scale_uv), frequencies in Hz, PSD in µV²/Hz, lengths (x, y) in the grid's length unit,
density |psi|^2 per unit volume (it integrates to 1).

    PYTHONPATH=build/python python3 examples/python/field_eeg.py [OUT_DIR]

writes OUT_DIR/field_eeg.png (default: the current directory).
"""

from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import qneuro  # noqa: E402

STEPS = 2048          # time steps of 1/1024 s: 2 s of EEG at 128 Hz
SNAPSHOT_EVERY = 512  # steps between stored density slices (at steps 0, 512, 1024, 1536)


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    out_dir.mkdir(parents=True, exist_ok=True)

    start = time.monotonic()
    # Keyword arguments are config keys (qneuro.describe_config("field")); "__" separates the
    # section. progress=False: no progress bar on stderr. out=None: nothing written to disk.
    result = qneuro.field.simulate(preset="demo", progress=False, time__steps=STEPS,
                                   output__snapshot_every=SNAPSHOT_EVERY)
    print(f"{result} in {time.monotonic() - start:.1f} s")
    if result.status != "completed":
        print(f"error: the run stopped: {result.stop_reason}", file=sys.stderr)
        return 1
    norm = result.diagnostics["norm"]
    print(f"norm |psi|^2 from {norm[0]:.6f} to {norm[-1]:.6f} (unitary steps; the demo has no "
          "absorption)")

    analysis = result.analysis              # AnalysisResult of the EEG
    print(analysis)
    if analysis is None or not np.all(np.isfinite(result.eeg)):
        print("error: no analysis or a non-finite EEG", file=sys.stderr)
        return 1

    # Grid geometry from the resolved config, for the density images:
    # cell-centred nodes x_i = (i + 1/2 - n/2) h.
    cfg = tomllib.loads(result.config_toml)
    (nx, ny, _), (hx, hy, _) = cfg["grid"]["n"], cfg["grid"]["h"]
    extent = [-nx * hx / 2, nx * hx / 2, -ny * hy / 2, ny * hy / 2]

    fig = plt.figure(figsize=(12, 8))
    gs = fig.add_gridspec(2, 2, height_ratios=[1.3, 1])

    # 1. EEG traces, one row per electrode (offset for display).
    ax = fig.add_subplot(gs[0, 0])
    eeg = result.eeg - result.eeg.mean(axis=1, keepdims=True)
    spacing = 1.2 * np.percentile(np.ptp(eeg, axis=1), 90)
    for e in range(len(result.electrodes)):
        ax.plot(result.times, eeg[e] - e * spacing, lw=0.8)
    ax.set_yticks(-np.arange(len(result.electrodes)) * spacing, result.electrodes, fontsize=7)
    ax.set_xlabel("time (s)")
    ax.set_title(f"virtual EEG, {result.fs:g} Hz (mean removed; rows {spacing:.2g} µV apart)")

    # 2. PSD of every electrode (Welch, as qneuro analyze).
    ax = fig.add_subplot(gs[0, 1])
    sel = analysis.freqs > 0
    for e in range(len(analysis.channels)):
        ax.semilogy(analysis.freqs[sel], analysis.psd[e, sel], lw=0.8)
    alpha = analysis.band("alpha")
    ax.axvspan(*analysis.band_edges[alpha], color="tab:green", alpha=0.15, lw=0,
               label="alpha band")
    peak = float(np.median(analysis.peak_hz))
    ax.axvline(peak, color="k", ls="--", lw=0.8, label=f"median peak {peak:.1f} Hz")
    ax.set_xlim(0, analysis.sfreq / 2)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("PSD (µV²/Hz)")
    ax.set_title(f"PSD of the {len(analysis.channels)} electrodes "
                 f"(df = {analysis.freqs[1] - analysis.freqs[0]:g} Hz)")
    ax.legend(fontsize=8)

    # 3-4. Density |psi|^2 in the central r slice, first and last snapshot, with the electrodes.
    for col, k in enumerate([0, len(result.snapshot_steps) - 1]):
        ax = fig.add_subplot(gs[1, col])
        density = result.snapshots[k, 0]     # (ny, nx)
        im = ax.imshow(density, origin="lower", extent=extent, cmap="inferno")
        ax.plot(result.positions[:, 0], result.positions[:, 1], "o", mfc="none", mec="c",
                ms=6, label="electrodes")
        t_s = result.snapshot_steps[k] * cfg["time"]["dt"] * cfg["time"]["time_unit_s"]
        ax.set_title(f"|psi|^2, r slice {result.snapshot_slices[0]}, t = {t_s:.2f} s")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        if col == 0:
            ax.legend(fontsize=8, loc="lower left")

    fig.tight_layout()
    png = out_dir / "field_eeg.png"
    fig.savefig(png, dpi=100)
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
