#!/usr/bin/env python3
"""Time-resolved EEG analysis: qneuro against the independent NumPy/SciPy references of
tests/validation/ in the same run (docs/performance.md). For 64 channels x 10 min at 160 Hz
(`qneuro synth`, events every 4 s cycling T0, T1, T0, T2 from a TSV file):
  epochs   epoching + band power + ERD for 3 conditions (T1, T2, baseline T0), 5 bands
  spectrogram  Welch in 4 s windows every 1 s, 64 channels, 5 bands
  pac      a comodulogram of 10 phase x 10 amplitude bands with 200 surrogates, one channel
qneuro's times are the compute times it reports in summary.json (timing_s), with 1 and 2
threads; the reference's are the same computations timed in-process on data MNE read. Each
line: {"work", "threads", "qneuro_s", "scipy_s", "ratio"}.

usage: time_resolved_vs_scipy.py QNEURO [--duration 600] [--channels 64] [--out DIR]"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mne
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "validation"))
from epochs_reference import epoch_powers  # noqa: E402
from time_resolved_reference import pac_reference, spectrogram_reference  # noqa: E402

BANDS = [("delta", 0.5, 4.0), ("theta", 4.0, 8.0), ("alpha", 8.0, 12.0), ("beta", 12.0, 30.0),
         ("gamma", 30.0, 45.0)]
PHASE = [4.0 + i for i in range(10)]      # 4..13 Hz, 2 Hz wide
AMP = [30.0 + 4.0 * i for i in range(10)]  # 30..66 Hz, 28 Hz wide (sidebands of 13 Hz)


def qneuro_times(qneuro, edf, events, threads, out):
    args = [qneuro, "--quiet", "--threads", str(threads), "analyze", str(edf), "-o", str(out),
            "--no-connectivity", "--events", str(events), "--epochs", "T1,T2",
            "--baseline", "T0", "--tmin", "0", "--tmax", "4",
            "--set", "spectrogram.enabled=true", "--set", "pac.enabled=true",
            "--set", "pac.channels=[\"Oz\"]",
            "--set", f"pac.phase_centers_hz={PHASE}", "--set", "pac.phase_width_hz=2.0",
            "--set", f"pac.amp_centers_hz={AMP}", "--set", "pac.amp_width_hz=28.0",
            "--set", "pac.surrogates=200"]
    subprocess.run(args, check=True)
    return json.loads((Path(out) / "summary.json").read_text())["timing_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("qneuro")
    ap.add_argument("--duration", type=float, default=600.0)
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    work = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix="qneuro-bench-tr-"))
    work.mkdir(parents=True, exist_ok=True)
    edf, events = work / "rec.edf", work / "events.tsv"
    subprocess.run([a.qneuro, "--quiet", "synth", "-o", str(edf), "--channels", str(a.channels),
                    "--duration", str(a.duration), "--fs", "160"], check=True)
    kinds = ["T0", "T1", "T0", "T2"]
    rows = [f"{4.0 * k}\t{kinds[k % 4]}" for k in range(int(a.duration // 4) - 1)]
    events.write_text("onset_s\tcondition\n" + "\n".join(rows) + "\n")

    timings = {t: qneuro_times(a.qneuro, edf, events, t, work / f"out{t}") for t in (1, 2)}

    raw = mne.io.read_raw_edf(edf, preload=True, verbose=False)
    fs = raw.info["sfreq"]
    data = raw.get_data() * 1e6
    ev = [(4.0 * k, kinds[k % 4]) for k in range(int(a.duration // 4) - 1)]
    t0 = time.perf_counter()
    epoch_powers(data, fs, ev, ["T1", "T2", "T0"], 0.0, 4.0, BANDS, (0.5, 45.0))
    ref_epochs = time.perf_counter() - t0
    W, S = 640, 160
    t0 = time.perf_counter()
    spectrogram_reference(data, fs, W, S, 320, 160, [(lo, hi) for _, lo, hi in BANDS])
    ref_spec = time.perf_counter() - t0
    with_shifts = (work / "out1" / "analysis.h5")
    import h5py
    with h5py.File(with_shifts) as h:
        shifts = h["pac/shifts"][()]
        e = int(h["pac"].attrs["edge_samples"])
    oz = raw.ch_names.index("Oz")
    t0 = time.perf_counter()
    pac_reference(data[oz:oz + 1], fs, [(c - 1, c + 1) for c in PHASE],
                  [(c - 14, c + 14) for c in AMP], 18, e, shifts)
    ref_pac = time.perf_counter() - t0

    refs = {"epochs": ref_epochs, "spectrogram": ref_spec, "pac": ref_pac}
    for work_name, ref in refs.items():
        for threads, t in timings.items():
            q = t[work_name]
            print(json.dumps({"work": work_name, "channels": a.channels, "duration_s": a.duration,
                              "threads": threads, "qneuro_s": round(q, 4),
                              "scipy_s": round(ref, 4), "ratio": round(ref / q, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
