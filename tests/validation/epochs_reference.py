#!/usr/bin/env python3
"""Independent reference for `qneuro analyze --epochs` (docs/analyze.md, "Epochs and ERD"):
MNE reads the EDF+ file and its annotations, scipy.signal.welch computes each window's PSD, and
the ERD definition is written out here from the documentation, not from the C++ code.

usage: epochs_reference.py EDF SUMMARY_JSON --channels C3,Cz,C4 --conditions T1,T2
           --baseline T0 --tmin 0 --tmax 4 --bands mu:8:13,beta:13:30 [--range 0.5:45]
           [--rtol 1e-6]
Compares every mean and SEM of band power, relative power and ERD in SUMMARY_JSON with the
reference and prints them; exit 1 on a mismatch beyond rtol (plus a 1e-9 absolute floor for
values that are ~0, such as the baseline condition's own mean ERD)."""
import argparse
import json
import sys

import mne
import numpy as np
from scipy.signal import welch


def llround(x):
    """C's llround (half away from zero), as the documented sample windows use."""
    return int(np.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def canonical(label):
    return label.replace(" ", "").rstrip(".").lower()


def band_power(f, p, lo, hi):
    df = f[1] - f[0]
    return p[..., (f >= lo) & (f < hi)].sum(axis=-1) * df


def epoch_powers(data, fs, events, conditions, tmin, tmax, bands, analysis_range,
                 baseline_window=""):
    """Per condition: band power and relative power per kept epoch [E, C, B], and the band
    power of the pre-event windows when baseline_window = "b0:b1" ([E, C, B], else empty)."""
    r_lo, r_hi = analysis_range
    n_win = llround((tmax - tmin) * fs)
    # activity window: the epoch, or [0, tmax) when the reference is a pre-event window
    b0, b1 = (float(x) for x in baseline_window.split(":")) if baseline_window else (0, 0)
    a0 = 0.0 if baseline_window else tmin
    n_act = llround((tmax - a0) * fs)
    n_ref = llround((b1 - b0) * fs) if baseline_window else n_act
    nperseg = min(llround(2 * fs), n_act, n_ref)
    noverlap = int(np.floor(0.5 * nperseg))

    def powers_of(s0, n):
        f, p = welch(data[:, s0:s0 + n], fs=fs, window="hann", nperseg=nperseg,
                     noverlap=noverlap, detrend="constant", scaling="density")
        powers = np.stack([band_power(f, p, lo, hi) for _, lo, hi in bands], axis=-1)
        return powers, band_power(f, p, r_lo, r_hi)

    result, reference = {}, {}
    for cond in conditions:
        onsets = [o for o, d in events if d == cond]
        bp, rp, refp = [], [], []
        for onset in onsets:
            s0 = llround((onset + tmin) * fs)
            if s0 < 0 or s0 + n_win > data.shape[1]:
                continue
            powers, total = powers_of(llround((onset + a0) * fs), n_act)
            bp.append(powers)
            rp.append(powers / total[:, None])
            if baseline_window:
                refp.append(powers_of(llround((onset + b0) * fs), n_ref)[0])
        result[cond] = (np.array(bp), np.array(rp))
        reference[cond] = np.array(refp)
    return result, reference


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("edf")
    ap.add_argument("summary")
    ap.add_argument("--channels", required=True)
    ap.add_argument("--conditions", required=True)
    ap.add_argument("--baseline", default="")
    ap.add_argument("--baseline-window", default="", help="b0:b1 (seconds, pre-event)")
    ap.add_argument("--tmin", type=float, required=True)
    ap.add_argument("--tmax", type=float, required=True)
    ap.add_argument("--bands", required=True)
    ap.add_argument("--range", default="0.5:45")
    ap.add_argument("--rtol", type=float, default=1e-6)
    a = ap.parse_args()

    raw = mne.io.read_raw_edf(a.edf, preload=True, verbose=False)
    fs = raw.info["sfreq"]
    want = [canonical(c) for c in a.channels.split(",")]
    picks = [next(i for i, n in enumerate(raw.ch_names) if canonical(n) == w) for w in want]
    data = raw.get_data(picks=picks) * 1e6  # V -> uV
    names = [raw.ch_names[i] for i in picks]
    bands = [(b.split(":")[0], float(b.split(":")[1]), float(b.split(":")[2]))
             for b in a.bands.split(",")]
    r_lo, r_hi = (float(x) for x in a.range.split(":"))
    conditions = a.conditions.split(",")
    if a.baseline and a.baseline not in conditions:
        conditions.append(a.baseline)

    events = list(zip(raw.annotations.onset, raw.annotations.description))
    result, reference = epoch_powers(data, fs, events, conditions, a.tmin, a.tmax, bands,
                                     (r_lo, r_hi), a.baseline_window)

    def mean_sem(x):
        m = x.mean(axis=0)
        s = x.std(axis=0, ddof=1) / np.sqrt(len(x)) if len(x) > 1 else np.zeros_like(m)
        return m, s

    summary = json.load(open(a.summary))["epochs"]["conditions"]
    bad = 0
    ref_base = mean_sem(result[a.baseline][0])[0] if a.baseline else None
    for cond, (bp, rp) in result.items():
        got = summary[cond]
        checks = [("band_power", bp), ("relative_power", rp)]
        if a.baseline_window:
            ref_base = reference[cond].mean(axis=0)
        if ref_base is not None:
            checks.append(("erd_percent", (bp - ref_base) / ref_base * 100.0))
        if got["n_epochs"] != len(bp):
            print(f"{cond}: {got['n_epochs']} epochs, reference {len(bp)}")
            bad += 1
        for key, values in checks:
            m, s = mean_sem(values)
            for stat, ref in (("mean", m), ("sem", s)):
                for ci, ch in enumerate(names):
                    for bi, (band, _, _) in enumerate(bands):
                        v = got[key][stat][ch][band]
                        r = ref[ci, bi]
                        ok = abs(v - r) <= a.rtol * abs(r) + 1e-9
                        if key == "erd_percent" and stat == "mean":
                            print(f"{cond} {ch} {band} ERD {v:+.4f} % (reference {r:+.4f} %)")
                        if not ok:
                            print(f"MISMATCH {cond} {key} {stat} {ch} {band}: {v!r} vs {r!r}")
                            bad += 1
    print(f"{'all equal' if bad == 0 else str(bad) + ' mismatches'} (rtol {a.rtol})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
