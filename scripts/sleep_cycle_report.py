#!/usr/bin/python3
"""Per-state analysis of a `qneuro field` run with a brain-state schedule (issue 20; the
experiment configs/sleep-cycle.toml, reported in docs/results.md).

Usage: /usr/bin/python3 scripts/sleep_cycle_report.py QNEURO RUN_DIR OUT_PREFIX [--settle S]
       [--near D] [--far D] [--schedule "wake,light@10,..."]

QNEURO is the qneuro executable. For every entry of the run's state.schedule the script cuts the
EEG (RUN_DIR/eeg.h5) to the window [start + S, next start) (S = --settle, default 2 s: the
transition and its aftermath are left out), writes it as a qneuro.timeseries/1 file and runs
`qneuro analyze` on it with phase-amplitude coupling on: band powers, peak frequency, PLI/wPLI
and the PAC comodulogram all come from the library's estimators (docs/analyze.md), not from
this script. It also runs `qneuro analyze` once over the whole record with the spectrogram and
the windowed PLI/wPLI (4 s windows, 1 s steps). It then averages:
  - relative band power and peak frequency over the electrodes,
  - PLI and wPLI over "near" pairs (electrodes at most NEAR apart: neighbours on the montage)
    and "distant" pairs (at least FAR apart), per band,
  - the PAC modulation index and its surrogate z-score (max over the comodulogram, mean over
    electrodes).
--schedule cuts the windows (and labels them) by another schedule than the run's own: a control
run (e.g. constant wake) analysed in the windows of the experiment it controls.
Writes OUT_PREFIX.json (the numbers), OUT_PREFIX-timeline.png (schedule, band power and
near/distant PLI over time, norm and energy) and OUT_PREFIX-states.png (per-state bars).
Needs Debian's python3-matplotlib, python3-h5py, python3-numpy.
"""
import argparse
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

NEAR = 0.31  # default --near, grid length units: the demo montage's neighbours are 0.3 apart
FAR = 0.85   # default --far: three montage steps or more (0.9 in a row, 0.95 and more diagonally)
STATE_COLOURS = {"wake": "#f2c14e", "light": "#8fb8de", "deep": "#3d5a80", "rem": "#d36582"}
PAC_SETS = [
    "pac.enabled=true", "pac.phase_centers_hz=[1.0, 2.0, 3.0, 4.0]", "pac.phase_width_hz=1.0",
    "pac.amp_centers_hz=[10.0, 20.0, 30.0, 40.0]", "pac.surrogates=100",
    "pac.edge_s=0.5", "pac.min_shift_s=0.5",
]


def analyze(qneuro, source, out_dir, sets):
    cmd = [qneuro, "analyze", str(source), "-q", "--out", str(out_dir)]
    for s in sets:
        cmd += ["--set", s]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"qneuro analyze failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return json.loads((out_dir / "summary.json").read_text())


def write_segment(path, signals, names, fs):
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "qneuro.timeseries/1"
        f.attrs["fs_hz"] = fs
        f.attrs["units"] = "uV"
        f.create_dataset("signals", data=signals)
        f.create_dataset("channels", data=np.array(names, dtype=h5py.string_dtype()))


def pair_masks(positions, near, far):
    d = np.hypot(*(positions[:, None, :] - positions[None, :, :]).transpose(2, 0, 1))
    upper = np.triu(np.ones_like(d, dtype=bool), 1)
    masks = upper & (d <= near), upper & (d >= far)
    if not masks[0].any() or not masks[1].any():
        sys.exit(f"no electrode pairs at most {near} or at least {far} apart: set --near/--far")
    return masks


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("qneuro")
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("prefix")
    ap.add_argument("--settle", type=float, default=2.0)
    ap.add_argument("--near", type=float, default=NEAR, help="max distance of near pairs")
    ap.add_argument("--far", type=float, default=FAR, help="min distance of distant pairs")
    ap.add_argument("--schedule", help="windows from this schedule instead of the run's")
    a = ap.parse_args()
    cfg = tomllib.loads((a.run_dir / "config.resolved.toml").read_text())
    with h5py.File(a.run_dir / "eeg.h5", "r") as f:
        signals = np.asarray(f["signals"])
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["channels"][()]]
        fs = float(f.attrs["fs_hz"])
        positions = np.asarray(f["electrodes/positions"])
        diag = {k: np.asarray(v) for k, v in f["diagnostics"].items() if isinstance(v, h5py.Dataset)}
    duration = signals.shape[1] / fs
    schedule = []
    entries = a.schedule.split(",") if a.schedule else cfg["state"]["schedule"]
    for entry in entries:
        state, _, at = entry.partition("@")
        schedule.append((state.strip(), float(at) if at else 0.0))
    near, far = pair_masks(positions, a.near, a.far)
    work = a.run_dir / "per_state"
    work.mkdir(exist_ok=True)

    states = []
    for i, (state, start) in enumerate(schedule):
        end = schedule[i + 1][1] if i + 1 < len(schedule) else duration
        t0, t1 = start + a.settle, end
        i0, i1 = int(round(t0 * fs)), int(round(t1 * fs))
        seg = work / f"{i}-{state}.h5"
        write_segment(seg, signals[:, i0:i1], names, fs)
        s = analyze(a.qneuro, seg, work / f"{i}-{state}", PAC_SETS)
        bands = list(s["bands"].keys())
        rel = {b: float(np.mean([c["relative_power"][b] for c in s["per_channel"]])) for b in bands}
        total = float(np.mean([c["total_power"] for c in s["per_channel"]]))
        peaks = [c["peak_hz"] for c in s["per_channel"] if c["peak_hz"] is not None]
        conn = {}
        for kind in ("pli", "wpli"):
            for b in bands:
                m = np.asarray(s["connectivity"][kind][b])
                conn.setdefault(kind, {})[b] = {"near": float(m[near].mean()),
                                                "distant": float(m[far].mean())}
        with h5py.File(work / f"{i}-{state}" / "analysis.h5", "r") as f:
            mi = np.asarray(f["pac/mi"])  # [C, P, A]
            z = np.asarray(f["pac/mi_z"])
            phase_bands = np.asarray(f["pac/phase_bands_hz"])
            amp_bands = np.asarray(f["pac/amp_bands_hz"])
        mean_mi = mi.mean(axis=0)
        p, q = np.unravel_index(np.argmax(mean_mi), mean_mi.shape)
        states.append({
            "index": i, "state": state, "window_s": [t0, t1],
            "relative_power": rel, "total_power_uv2": total,
            "peak_hz_median": float(np.median(peaks)) if peaks else None,
            "pli": conn["pli"], "wpli": conn["wpli"],
            "pac": {"max_mean_mi": float(mean_mi[p, q]), "mean_z_at_max": float(z[:, p, q].mean()),
                    "phase_band_hz": phase_bands[p].tolist(), "amp_band_hz": amp_bands[q].tolist()},
        })

    # The whole record over time: spectrogram and windowed PLI/wPLI.
    whole = analyze(a.qneuro, a.run_dir / "eeg.h5", work / "whole",
                    ["spectrogram.enabled=true", "spectrogram.window_s=4", "spectrogram.step_s=1",
                     "connectivity.over_time=true", "connectivity.window_s=4",
                     "connectivity.step_s=1"])
    with h5py.File(work / "whole" / "analysis.h5", "r") as f:
        bands = [b.decode() if isinstance(b, bytes) else str(b) for b in f.attrs["bands"]]
        sg_t = np.asarray(f["spectrogram/times_s"])
        sg_rel = np.asarray(f["spectrogram/relative_power"])  # [C, W, B]
        ct_t = np.asarray(f["connectivity_over_time/times_s"])
        ct_pli = np.asarray(f["connectivity_over_time/pli"])  # [B, W, C, C]

    result = {"run": str(a.run_dir), "settle_s": a.settle,
              "schedule": cfg["state"]["schedule"], "windows_from": a.schedule or "the run", "near_max": a.near,
              "distant_min": a.far,
              "pairs": {"near": int(near.sum()), "distant": int(far.sum())},
              "decoherence": cfg.get("decoherence", {}), "absorption_w0": cfg["state"]["w0"],
              "states": states,
              "energy": {"initial": float(diag["energy"][0]), "final": float(diag["energy"][-1])},
              "norm_final": float(diag["norm"][-1])}
    Path(a.prefix + ".json").write_text(json.dumps(result, indent=1) + "\n")

    # Figure 1: timeline.
    fig, axes = plt.subplots(4, 1, figsize=(10, 9), sharex=True,
                             gridspec_kw={"height_ratios": [0.4, 1.2, 1.2, 0.8]})

    def shade(ax):
        for i, (state, start) in enumerate(schedule):
            end = schedule[i + 1][1] if i + 1 < len(schedule) else duration
            ax.axvspan(start, end, color=STATE_COLOURS.get(state, "grey"), alpha=0.18, lw=0)

    ax = axes[0]
    shade(ax)
    for i, (state, start) in enumerate(schedule):
        end = schedule[i + 1][1] if i + 1 < len(schedule) else duration
        ax.text((start + end) / 2, 0.5, state, ha="center", va="center")
    ax.set_yticks([])
    ax.set_title(f"{a.run_dir.name}: brain states, band power and coherence over time")
    ax = axes[1]
    shade(ax)
    for k, b in enumerate(bands):
        ax.plot(sg_t, sg_rel[:, :, k].mean(axis=0), label=b)
    ax.set_ylabel("relative power\n(mean over electrodes)")
    ax.legend(fontsize=7, ncol=3, loc="upper right")
    ax = axes[2]
    shade(ax)
    for k, b in enumerate(bands):
        if b not in ("delta", "alpha", "theta"):
            continue
        line, = ax.plot(ct_t, [ct_pli[k, w][near].mean() for w in range(len(ct_t))],
                        label=f"{b} near")
        ax.plot(ct_t, [ct_pli[k, w][far].mean() for w in range(len(ct_t))], ls="--",
                color=line.get_color(), label=f"{b} distant")
    ax.set_ylabel("PLI (4 s windows)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, ncol=3, loc="lower right")
    ax = axes[3]
    shade(ax)
    ax.plot(diag["t_s"], diag["energy"], label="energy")
    ax.set_ylabel("system energy")
    ax.set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(a.prefix + "-timeline.png", dpi=90)
    plt.close(fig)

    # Figure 2: per-state bars.
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
    labels = [f"{s['index']}:{s['state']}" for s in states]
    x = np.arange(len(states))
    ax = axes[0]
    bottom = np.zeros(len(states))
    for b in bands:
        v = np.array([s["relative_power"][b] for s in states])
        ax.bar(x, v, bottom=bottom, label=b)
        bottom += v
    ax.set_xticks(x, labels, rotation=30, fontsize=8)
    ax.set_title("relative band power")
    ax.legend(fontsize=6)
    ax = axes[1]
    width = 0.2
    for k, b in enumerate(("delta", "alpha")):
        ax.bar(x + (2 * k - 1.5) * width, [s["pli"][b]["near"] for s in states], width,
               label=f"{b} near")
        ax.bar(x + (2 * k - 0.5) * width, [s["pli"][b]["distant"] for s in states], width,
               label=f"{b} distant")
    ax.set_xticks(x, labels, rotation=30, fontsize=8)
    ax.set_title("PLI, near vs distant pairs")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=6)
    ax = axes[2]
    ax.bar(x, [s["total_power_uv2"] for s in states], color="grey")
    ax.set_yscale("log")
    ax.set_xticks(x, labels, rotation=30, fontsize=8)
    ax.set_title("total power (µV², mean over electrodes)")
    ax = axes[3]
    ax.bar(x, [s["pac"]["max_mean_mi"] for s in states])
    for k, s in enumerate(states):
        ax.text(k, s["pac"]["max_mean_mi"], f"z={s['pac']['mean_z_at_max']:.1f}", ha="center",
                va="bottom", fontsize=7)
    ax.set_xticks(x, labels, rotation=30, fontsize=8)
    ax.set_title("PAC: max mean MI (Tort)")
    fig.tight_layout()
    fig.savefig(a.prefix + "-states.png", dpi=90)
    plt.close(fig)

    for s in states:
        print(f"{s['index']}:{s['state']:5s} delta {s['relative_power'].get('delta', 0):.3f} "
              f"alpha {s['relative_power'].get('alpha', 0):.3f} peak {s['peak_hz_median']} "
              f"PLI alpha near/distant {s['pli']['alpha']['near']:.3f}/{s['pli']['alpha']['distant']:.3f} "
              f"delta {s['pli']['delta']['near']:.3f}/{s['pli']['delta']['distant']:.3f} "
              f"wPLI alpha {s['wpli']['alpha']['near']:.3f}/{s['wpli']['alpha']['distant']:.3f} "
              f"PAC MI {s['pac']['max_mean_mi']:.4f} z {s['pac']['mean_z_at_max']:.1f}")


if __name__ == "__main__":
    main()
