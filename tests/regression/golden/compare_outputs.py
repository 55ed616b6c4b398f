#!/usr/bin/env python3
"""Compares two directories written by run_cases.py: every file must be identical except for what
records time or the machine (wall times, throughput, dates, versions).

usage: compare_outputs.py EXPECTED_DIR ACTUAL_DIR

  *.json     parsed; equal after dropping the volatile keys below (and the volatile columns of
             flux's checkpoint history)
  *.h5       every group, dataset (dtype, shape, values bit for bit) and attribute equal; datasets
             that hold timings are compared by dtype and shape only
  *.pt       torch archives (zip): every member equal byte for byte (the archive's top folder is
             named after the temporary file it was written to, so it is ignored); LibTorch keys
             an optimizer's state by parameter addresses, so optimizer.pt compares the set of
             its tensor blobs
  *.stdout   JSON if it parses as JSON; otherwise text with its timings masked (TEXT_TIMINGS)
  *.toml     byte for byte, or equal as TOML once the keys added since (ADDED_TOML_KEYS, at
             their defaults) are dropped from the actual file
  others     byte for byte (EDF, CSV, text)
Exit 0 if all equal, 1 listing every difference."""
import json
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import h5py
import numpy as np

# Keys whose values are timings or describe the build/machine, in any JSON object.
VOLATILE_KEYS = {
    "wall_s", "started_at", "git_hash", "qneuro_version", "build_type", "threads",
    "throughput", "timing_s", "seconds", "train_seconds", "train_tokens_per_s", "tokens_per_s",
    "samples_per_s", "stepping_s", "peak_rss_mb", "command_line",
    "device",  # where a run ran (cpu, or cuda and the GPU's name): the machine, not the result
}
# The inputs run_cases.py copies next to the outputs.
INPUTS = {p.name for p in (Path(__file__).resolve().parent / "inputs").iterdir()}
# HDF5 datasets holding timings (compared by dtype and shape only).
VOLATILE_DATASETS = {"epoch/seconds", "epoch/samples_per_s", "train/tokens_per_s"}
# Datasets added to a file after the golden outputs were written (new data, nothing changed):
# allowed in the actual file only. viz.h5's /head_scores: the dashboard's per-head attention.
ADDED_DATASETS = {"head_scores"}
# Config keys added after the golden outputs were written, each at its default: allowed in the
# actual config.resolved.toml only (the rest of the file must still be identical, values and
# types): `qneuro snn`'s sim.device; `qneuro analyze`'s epochs, spectrogram, PLI over time, PAC;
# `qneuro flux`'s flux.integrator.
ADDED_TOML_KEYS = {
    "sim.device": "cpu",
    "flux.integrator": "heun",
    "connectivity.over_time": False, "connectivity.window_s": 4.0, "connectivity.step_s": 2.0,
    "epochs.baseline": "", "epochs.baseline_window_s": [], "epochs.events": [],
    "epochs.events_file": "", "epochs.min_epochs": 2, "epochs.reject_uv": 0.0,
    "epochs.tmax_s": 4.0, "epochs.tmin_s": -1.0,
    "spectrogram.enabled": False, "spectrogram.step_s": 1.0, "spectrogram.window_s": 4.0,
    "pac.amp_centers_hz": [40.0, 45.0, 50.0, 55.0, 60.0, 65.0], "pac.amp_width_hz": 0.0,
    "pac.bins": 18, "pac.channels": [], "pac.edge_s": 1.0, "pac.enabled": False,
    "pac.min_shift_s": 1.0,
    "pac.phase_centers_hz": [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0],
    "pac.phase_width_hz": 2.0, "pac.seed": 1, "pac.surrogates": 200,
    "spectrum.method": "welch", "spectrum.mt_bandwidth_hz": 0.0,
    # field, issue 20: decoherence, per-state tables, populations
    "decoherence.rate_hz": 0.0, "decoherence.length": 0.0, "decoherence.seed": 1,
    "state.alpha": [0.0, 0.3, 0.8, 0.2], "state.decoherence": [1.0, 0.3, 0.05, 0.6],
    "populations.names": [], "populations.D": [], "populations.harmonic_omega": [],
    "populations.initial_center": [], "populations.readout": [], "populations.coupling": [],
}


def same_toml(e_path, a_path):
    et, at = e_path.read_text(), a_path.read_text()
    if et == at:
        return True
    expected, actual = tomllib.loads(et), tomllib.loads(at)
    for dotted, default in ADDED_TOML_KEYS.items():
        *path, key = dotted.split(".")
        e_table, a_table = expected, actual
        for part in path:
            e_table = e_table.get(part, {})
            a_table = a_table.get(part, {})
        if key in a_table and key not in e_table and a_table[key] == default:
            del a_table[key]
    for name in [n for n, v in actual.items() if v == {} and n not in expected]:
        del actual[name]  # a table holding only added keys
    return actual == expected

def scrub(value, path=""):
    if isinstance(value, dict):
        return {k: scrub(v, f"{path}/{k}") for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        if path.endswith("history/metrics"):  # rows: step, loss, ce, geometric, lr, tokens_per_s
            return [row[:5] for row in value]
        return [scrub(v, path) for v in value]
    return value


def same_array(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "fc":
        return a.tobytes() == b.tobytes()
    return np.array_equal(a, b)


def compare_h5(e_path, a_path, diffs):
    with h5py.File(e_path, "r") as e, h5py.File(a_path, "r") as a:
        def names(f):
            out = ["/"]
            f.visit(out.append)
            return out
        en = names(e)
        an = [n for n in names(a) if not (n in ADDED_DATASETS and n not in en)]
        if en != an:
            diffs.append(f"{a_path}: objects differ: {sorted(set(en) ^ set(an))}")
            return
        for name in en:
            eo, ao = e[name], a[name]
            if sorted(eo.attrs) != sorted(ao.attrs):
                diffs.append(f"{a_path}:{name}: attributes {sorted(eo.attrs)} vs {sorted(ao.attrs)}")
            for k in eo.attrs:
                if k in ao.attrs and not same_array(eo.attrs[k], ao.attrs[k]):
                    diffs.append(f"{a_path}:{name}@{k}: {eo.attrs[k]!r} vs {ao.attrs[k]!r}")
            if isinstance(eo, h5py.Dataset):
                if eo.dtype != ao.dtype or eo.shape != ao.shape:
                    diffs.append(f"{a_path}:{name}: {eo.dtype}{eo.shape} vs {ao.dtype}{ao.shape}")
                elif name not in VOLATILE_DATASETS and not same_array(eo[()], ao[()]):
                    diffs.append(f"{a_path}:{name}: values differ")


def zip_members(path):
    with zipfile.ZipFile(path) as z:
        members = [(name.split("/", 1)[-1], z.read(name)) for name in z.namelist()]
    if path.name == "optimizer.pt":
        return sorted(blob for name, blob in members if name.startswith("data/"))
    return sorted(members)


def same_stdout(e, a):
    et, at = e.read_text(), a.read_text()
    if et.lstrip().startswith("{"):
        try:
            return scrub(json.loads(et)) == scrub(json.loads(at))
        except json.JSONDecodeError:
            return False
    return mask_times(et) == mask_times(at)


# Timings in the CLI's text output: flux's "N tokens/s", snn train's "(N s)" and the seconds
# column of its epoch table.
TEXT_TIMINGS = [
    (re.compile(r"[0-9.]+ tokens/s"), "N tokens/s"),
    (re.compile(r"\([0-9.]+ s\)"), "(N s)"),
    (re.compile(r"^(\s*\d+\s+\S+\s+\S+%\s+\S+%)\s+[0-9.]+$", re.MULTILINE), r"\1 N"),
]


def mask_times(text):
    for pattern, replacement in TEXT_TIMINGS:
        text = pattern.sub(replacement, text)
    return text


def compare_dirs(expected, actual):
    """Every difference between two output directories, as messages (empty: identical)."""
    def outputs(root):
        return sorted(p.relative_to(root) for p in root.rglob("*")
                      if p.is_file() and str(p.relative_to(root)) not in INPUTS)
    diffs = []
    e_files, a_files = outputs(expected), outputs(actual)
    for missing in sorted(set(e_files) - set(a_files)):
        diffs.append(f"missing: {missing}")
    for extra in sorted(set(a_files) - set(e_files)):
        diffs.append(f"not expected: {extra}")
    for rel in sorted(set(e_files) & set(a_files)):
        e, a = expected / rel, actual / rel
        if rel.suffix == ".json":
            if scrub(json.loads(e.read_text())) != scrub(json.loads(a.read_text())):
                diffs.append(f"{rel}: JSON differs")
        elif rel.suffix == ".h5":
            compare_h5(e, a, diffs)
        elif rel.suffix == ".pt" and zipfile.is_zipfile(e):
            if not zipfile.is_zipfile(a) or zip_members(e) != zip_members(a):
                diffs.append(f"{rel}: archive members differ")
        elif rel.suffix == ".stdout":
            if not same_stdout(e, a):
                diffs.append(f"{rel}: output differs")
        elif rel.suffix == ".toml":
            if not same_toml(e, a):
                diffs.append(f"{rel}: bytes differ")
        elif e.read_bytes() != a.read_bytes():
            diffs.append(f"{rel}: bytes differ")
    return diffs, len(e_files)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    diffs, n = compare_dirs(Path(sys.argv[1]), Path(sys.argv[2]))
    for d in diffs:
        print(d)
    print(f"compared {n} files: {len(diffs)} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
