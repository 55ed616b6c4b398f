#!/usr/bin/env python3
"""Analysing an EDF recording read with MNE-Python: qneuro.analyze on an ``mne.io.Raw``.

MNE reads the file (``mne.io.read_raw_edf``); we tidy the channel names, keep a few scalp
channels and the first 20 s, and hand the ``Raw`` itself to ``qneuro.analyze``, which converts
MNE's volts to microvolts and computes what ``qneuro analyze`` computes: the Welch PSD, band and
relative powers, spectral entropy, peaks, the aperiodic exponent, and PLI / wPLI per band.

The recording: by default PhysioNet's EEG Motor Movement/Imagery run S001R04 (64 channels,
160 Hz, motor imagery) from ../shared/data/eegmmidb/ next to the repository when present,
otherwise the small EDF+ of qneuro's regression tests (8 channels, 128 Hz, 16 s). A path given
as the second argument is used instead.

Units: time in s, frequencies in Hz, signals in µV, PSD in µV²/Hz, band powers in µV², wPLI
(weighted phase lag index) in [0, 1] (0: no consistent non-zero phase lag, 1: a perfectly
consistent one; it ignores zero-lag coupling such as volume conduction).

    PYTHONPATH=build/python python3 examples/python/analyze_edf_mne.py [OUT_DIR [FILE.edf]]

writes OUT_DIR/analyze_edf_mne.png (default: the current directory).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import mne  # noqa: E402
import numpy as np  # noqa: E402

import qneuro  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CROP_S = 20.0  # seconds analysed (keeps the example fast)
# A spread of 10-10 scalp positions: frontal, sensorimotor, parietal, occipital.
WANTED = ["Fp1", "Fp2", "F3", "Fz", "F4", "FC3", "FCz", "FC4", "C3", "Cz", "C4",
          "CP3", "CP4", "P3", "Pz", "P4", "O1", "Oz", "O2"]
PSD_CHANNELS = ["C3", "Cz", "C4", "Oz"]  # drawn in the PSD panel when present


def default_file() -> Path:
    eegmmidb = REPO.parent / "shared" / "data" / "eegmmidb"
    # Skip the deliberately corrupted copy kept there (see its README.md).
    found = sorted(p for p in eegmmidb.glob("*.edf") if "mangled" not in p.name)
    if found:
        return found[0]
    return REPO / "tests" / "regression" / "golden" / "expected" / "rec.edf"


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = Path(argv[2]) if len(argv) > 2 else default_file()
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 1

    raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
    print(f"MNE read {path.name}: {len(raw.ch_names)} channels, {raw.info['sfreq']:g} Hz, "
          f"{raw.times[-1]:.1f} s, {len(raw.annotations)} annotations")

    # EEGMMIDB pads labels with dots ("C3..", "Fcz."): strip them and use the 10-10 spelling.
    canonical = {w.lower(): w for w in WANTED}
    raw.rename_channels({n: canonical.get(n.strip(".").lower(), n.strip("."))
                         for n in raw.ch_names})
    picks = [c for c in WANTED if c in raw.ch_names]
    if len(picks) < 4:             # an unfamiliar montage: the first 16 channels
        picks = raw.ch_names[:16]
    raw.pick(picks)
    if raw.times[-1] >= CROP_S:    # exactly CROP_S seconds of samples
        raw.crop(tmin=0.0, tmax=CROP_S, include_tmax=False)

    # The Raw goes in as it is: EEG channels are converted from volts to µV.
    result = qneuro.analyze(raw)
    print(result)

    alpha = result.band("alpha")
    lo, hi = result.band_edges[alpha]
    wpli = result.wpli[alpha]
    iu = np.triu_indices(len(result.channels), 1)
    best = int(np.argmax(wpli[iu]))
    i, j = iu[0][best], iu[1][best]
    print(f"alpha ({lo:g}-{hi:g} Hz) wPLI: mean {wpli[iu].mean():.3f}, strongest "
          f"{result.channels[i]}-{result.channels[j]} {wpli[i, j]:.3f}")
    if not np.all(np.isfinite(result.psd)) or result.psd.max() <= 0:
        print("error: the PSD is not finite and positive", file=sys.stderr)
        return 1

    fig = plt.figure(figsize=(13, 5.5))
    gs = fig.add_gridspec(1, 3, width_ratios=[1.4, 1, 0.9])

    # 1. PSD of a few channels on a log scale, the analysis bands shaded.
    ax = fig.add_subplot(gs[0])
    shown = [c for c in PSD_CHANNELS if c in result.channels] or result.channels[:4]
    fmin, fmax = result.summary["range_hz"]
    sel = (result.freqs >= fmin) & (result.freqs <= fmax)
    colors = plt.cm.Pastel1(np.arange(len(result.band_names)))
    for k, name in enumerate(result.band_names):
        b_lo, b_hi = result.band_edges[k]
        ax.axvspan(b_lo, b_hi, color=colors[k], alpha=0.6, lw=0)
        ax.text((b_lo + b_hi) / 2, 1.0, name, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=8)
    for name in shown:
        c = result.channels.index(name)
        ax.semilogy(result.freqs[sel], result.psd[c, sel], lw=1.2,
                    label=f"{name}: alpha {100 * result.relative_power[c, alpha]:.1f} %, "
                    f"entropy {result.spectral_entropy[c]:.2f}")
    ax.set_xlim(fmin, fmax)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("PSD (µV²/Hz)")
    ax.legend(fontsize=8)
    ax.set_title(f"{path.name}: Welch PSD, first {result.n_samples / result.sfreq:g} s", pad=16)

    # 2. wPLI between every pair of channels in the alpha band.
    ax = fig.add_subplot(gs[1])
    shown_wpli = wpli.copy()
    np.fill_diagonal(shown_wpli, np.nan)
    im = ax.imshow(shown_wpli, vmin=0, vmax=max(0.3, float(np.nanmax(shown_wpli))),
                   cmap="viridis")
    ticks = np.arange(len(result.channels))
    ax.set_xticks(ticks, result.channels, rotation=90, fontsize=7)
    ax.set_yticks(ticks, result.channels, fontsize=7)
    ax.set_title(f"wPLI, alpha {lo:g}-{hi:g} Hz")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)

    # 3. Relative band power per channel (fractions of the power in the analysis range).
    ax = fig.add_subplot(gs[2])
    im = ax.imshow(result.relative_power, aspect="auto", cmap="magma", vmin=0)
    ax.set_xticks(np.arange(len(result.band_names)), result.band_names, rotation=45,
                  fontsize=8)
    ax.set_yticks(ticks, result.channels, fontsize=7)
    ax.set_title("relative band power")
    fig.colorbar(im, ax=ax, fraction=0.08, pad=0.04)

    fig.tight_layout()
    png = out_dir / "analyze_edf_mne.png"
    fig.savefig(png, dpi=100)
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
