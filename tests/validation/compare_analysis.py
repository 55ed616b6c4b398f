#!/usr/bin/python3
"""Compare the outputs of `qneuro analyze` with the SciPy reference (reference_analysis.py).

Usage:
    /usr/bin/python3 compare_analysis.py OURS_DIR REF_JSON [--rtol 1e-6] [--atol 1e-9]

OURS_DIR holds summary.json and analysis.h5 (datasets freqs [F], psd [C x F], pli and wpli
[band x C x C]; root attribute "schema"). Every number is compared as |ours - ref| <= atol + rtol
|ref| with atol = 0 except where a value can legitimately be about zero:
  - PLI / wPLI (independent channels, the zero diagonal) and the aperiodic offset (a log10):
    atol from --atol (default 1e-9);
  - PSD: atol = 1e-12 x the largest PSD value of the channel.
Discrete values (sample count, nperseg, noverlap, names, peak counts) must be equal.

Band order of the HDF5 [band x C x C] arrays is read from a band-name list stored in the file
(attribute "bands" or "band_names" on the root or on the dataset, or a dataset of that name);
without one, the key order of summary.json "bands" is assumed (and said so).

Prints the number of values compared, the worst relative error per quantity, and the first 20
mismatches; exits 0 when everything agrees, 1 otherwise (a missing key or dataset is a mismatch).
"""

import argparse
import json
import math
import os
import sys

import numpy as np

MAX_LISTED = 20


class Missing(Exception):
    """A key or dataset the reference has and ours lacks."""


class Comparison:
    """Accumulates per-quantity statistics and the list of mismatches."""

    def __init__(self, rtol):
        self.rtol = rtol
        self.stats = {}  # quantity -> [count, worst relative error, worst absolute error]
        self.mismatches = []
        self.structural = []  # missing keys, wrong shapes: always printed in full

    def _stat(self, quantity):
        return self.stats.setdefault(quantity, [0, 0.0, 0.0])

    def number(self, quantity, where, ours, ref, atol=0.0):
        """One floating-point value."""
        st = self._stat(quantity)
        st[0] += 1
        try:
            a = float(ours)
        except (TypeError, ValueError):
            self.mismatches.append(f"{where}: ours {ours!r} is not a number (ref {ref!r})")
            return
        b = float(ref)
        if not math.isfinite(a):
            self.mismatches.append(f"{where}: ours {a!r}, ref {b!r}")
            st[1] = math.inf
            return
        err = abs(a - b)
        rel = err / abs(b) if b != 0 else (0.0 if err == 0 else math.inf)
        st[2] = max(st[2], err)
        if rel != math.inf:
            st[1] = max(st[1], rel)
        if err > atol + self.rtol * abs(b):
            self.mismatches.append(
                f"{where}: ours {a!r}, ref {b!r} (abs err {err:.3g}, rel err {rel:.3g})")

    def array(self, quantity, where, ours, ref, atol=0.0):
        """An array of floats (shapes must agree); atol may be scalar or broadcastable."""
        ours = np.asarray(ours, dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        if ours.shape != ref.shape:
            self.structural.append(f"{where}: shape {ours.shape} in ours, {ref.shape} in ref")
            return
        st = self._stat(quantity)
        st[0] += ours.size
        err = np.abs(ours - ref)
        finite = np.isfinite(ours)
        err = np.where(finite, err, np.inf)
        nonzero = ref != 0
        rel = np.divide(err, np.abs(ref), out=np.zeros_like(err), where=nonzero)
        if np.any(finite):
            st[2] = max(st[2], float(np.max(err[finite])))
        if np.any(nonzero & finite):
            st[1] = max(st[1], float(np.max(rel[nonzero & finite])))
        if not np.all(finite):
            st[1] = math.inf
        bad = ~(err <= np.broadcast_to(atol, ref.shape) + self.rtol * np.abs(ref))
        for idx in zip(*np.nonzero(bad)):
            i = tuple(int(v) for v in idx)
            self.mismatches.append(
                f"{where}{list(i)}: ours {ours[i]!r}, ref {ref[i]!r} "
                f"(abs err {err[i]:.3g}, rel err {rel[i]:.3g})")

    def exact(self, quantity, where, ours, ref):
        """A value that must be equal (integers, names, strings)."""
        st = self._stat(quantity)
        st[0] += 1
        if ours != ref:
            self.mismatches.append(f"{where}: ours {ours!r}, ref {ref!r}")

    def missing(self, what):
        self.structural.append(f"missing in ours: {what}")


def get(obj, *path):
    """obj[path[0]][path[1]]...; raises Missing naming the dotted path."""
    cur = obj
    for i, key in enumerate(path):
        try:
            cur = cur[key]
        except (KeyError, IndexError, TypeError):
            raise Missing("summary.json: " + ".".join(str(p) for p in path[: i + 1])) from None
    return cur


def guarded(cmp, fn, *args):
    """Runs one comparison step, turning a Missing key into a structural mismatch."""
    try:
        fn(*args)
    except Missing as e:
        cmp.missing(str(e))


def compare_header(cmp, ours, ref):
    cmp.exact("schema", "schema", get(ours, "schema"), ref["schema"])
    cmp.number("sfreq", "sfreq", get(ours, "sfreq"), ref["sfreq"])
    cmp.exact("n_samples", "n_samples", get(ours, "n_samples"), ref["n_samples"])
    cmp.exact("channels", "channels", list(get(ours, "channels")), ref["channels"])
    for key in ("nperseg", "noverlap", "window", "detrend"):
        cmp.exact("welch", f"welch.{key}", get(ours, "welch", key), ref["welch"][key])
    ours_bands = get(ours, "bands")
    cmp.exact("bands", "bands (names)", sorted(ours_bands), sorted(ref["bands"]))
    for band, edges in ref["bands"].items():
        for j, v in enumerate(edges):
            cmp.number("bands", f"bands.{band}[{j}]", get(ours, "bands", band, j), v)
    for j, v in enumerate(ref["range_hz"]):
        cmp.number("range_hz", f"range_hz[{j}]", get(ours, "range_hz", j), v)


def compare_channel(cmp, ours, ref, i, atol):
    r = ref["per_channel"][i]
    name = r["name"]
    cmp.exact("per_channel.name", f"per_channel[{i}].name", get(ours, "per_channel", i, "name"), name)
    for key in ("band_power", "relative_power"):
        for band, v in r[key].items():
            cmp.number(key, f"{name}.{key}.{band}", get(ours, "per_channel", i, key, band), v)
    for key in ("total_power", "spectral_entropy", "peak_hz", "aperiodic_exponent"):
        cmp.number(key, f"{name}.{key}", get(ours, "per_channel", i, key), r[key])
    cmp.number("aperiodic_offset", f"{name}.aperiodic_offset",
               get(ours, "per_channel", i, "aperiodic_offset"), r["aperiodic_offset"], atol)
    ours_peaks = get(ours, "per_channel", i, "peaks")
    cmp.exact("peaks.count", f"{name}.peaks (count)", len(ours_peaks), len(r["peaks"]))
    if len(ours_peaks) == len(r["peaks"]):
        for j, p in enumerate(r["peaks"]):
            for key in ("freq_hz", "power", "prominence_db"):
                cmp.number(f"peaks.{key}", f"{name}.peaks[{j}].{key}",
                           get(ours, "per_channel", i, "peaks", j, key), p[key])


def compare_summary_connectivity(cmp, ours, ref, atol):
    for kind in ("pli", "wpli"):
        for band, matrix in ref["connectivity"][kind].items():
            cmp.array(kind, f"summary {kind}.{band}", get(ours, "connectivity", kind, band),
                      matrix, atol)


def h5_band_names(h5, ours_summary):
    """Band order of the [band x C x C] datasets; (names, where they came from)."""

    def as_names(value):
        arr = np.atleast_1d(np.asarray(value))
        return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in arr.ravel()]

    for holder, label in ((h5, "root"), (h5.get("pli"), "pli")):
        if holder is None:
            continue
        for attr in ("bands", "band_names"):
            if attr in holder.attrs:
                value = holder.attrs[attr]
                if np.asarray(value).dtype.kind in "SUO":
                    return as_names(value), f"attribute {label}.{attr}"
    for name in ("band_names", "bands"):
        if name in h5 and np.asarray(h5[name]).dtype.kind in "SUO":
            return as_names(h5[name][()]), f"dataset /{name}"
    return list(get(ours_summary, "bands")), "summary.json key order (no band names in the HDF5)"


def compare_h5(cmp, path, ours_summary, ref, atol):
    import h5py

    if not os.path.exists(path):
        cmp.missing(path)
        return
    with h5py.File(path, "r") as h5:
        if "schema" not in h5.attrs:
            cmp.missing("analysis.h5: root attribute 'schema'")
        else:
            schema = h5.attrs["schema"]
            schema = schema.decode() if isinstance(schema, bytes) else str(schema)
            if not schema.startswith("qneuro.analysis"):
                cmp.structural.append(f"analysis.h5: schema {schema!r} is not qneuro.analysis*")
        for name in ("freqs", "psd", "pli", "wpli"):
            if name not in h5:
                cmp.missing(f"analysis.h5: dataset /{name}")
        if "freqs" in h5:
            cmp.array("h5 freqs", "h5 freqs", h5["freqs"][()], ref["freqs"])
        if "psd" in h5:
            ref_psd = np.asarray(ref["psd"])
            floor = 1e-12 * np.max(np.abs(ref_psd), axis=1, keepdims=True)
            cmp.array("h5 psd", "h5 psd", h5["psd"][()], ref_psd, floor)
        try:
            names, source = h5_band_names(h5, ours_summary)
        except Missing as e:
            cmp.missing(str(e))
            return
        print(f"  h5 band order from {source}: {names}")
        for kind in ("pli", "wpli"):
            if kind not in h5:
                continue
            data = h5[kind][()]
            if data.ndim != 3 or data.shape[0] != len(names):
                cmp.structural.append(
                    f"analysis.h5 /{kind}: shape {data.shape}, expected ({len(names)}, C, C)")
                continue
            for b, band in enumerate(names):
                if band not in ref["connectivity"][kind]:
                    cmp.structural.append(f"analysis.h5 /{kind}: band {band!r} not in the reference")
                    continue
                cmp.array(f"h5 {kind}", f"h5 {kind}[{band}]", data[b],
                          ref["connectivity"][kind][band], atol)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ours_dir", help="qneuro analyze output directory")
    parser.add_argument("ref_json", help="reference_analysis.py output")
    parser.add_argument("--rtol", type=float, default=1e-6)
    parser.add_argument("--atol", type=float, default=1e-9,
                        help="absolute floor for values that can be ~0 (PLI, wPLI, offset)")
    args = parser.parse_args(argv)

    with open(args.ref_json, encoding="utf-8") as f:
        ref = json.load(f)
    summary_path = os.path.join(args.ours_dir, "summary.json")
    cmp = Comparison(args.rtol)
    ours = {}
    if not os.path.exists(summary_path):
        cmp.missing(summary_path)
    else:
        with open(summary_path, encoding="utf-8") as f:
            ours = json.load(f)

    print(f"compare_analysis: {args.ours_dir} vs {args.ref_json} (rtol {args.rtol:g}, "
          f"atol {args.atol:g} for PLI/wPLI/offset, 1e-12 x channel max for PSD)")
    if ours:
        guarded(cmp, compare_header, cmp, ours, ref)
        try:
            n_ours = len(get(ours, "per_channel"))
            if n_ours != len(ref["per_channel"]):
                cmp.structural.append(
                    f"per_channel: {n_ours} channels in ours, {len(ref['per_channel'])} in ref")
            for i in range(min(n_ours, len(ref["per_channel"]))):
                guarded(cmp, compare_channel, cmp, ours, ref, i, args.atol)
        except Missing as e:
            cmp.missing(str(e))
        guarded(cmp, compare_summary_connectivity, cmp, ours, ref, args.atol)
        compare_h5(cmp, os.path.join(args.ours_dir, "analysis.h5"), ours, ref, args.atol)

    total = sum(st[0] for st in cmp.stats.values())
    print(f"  {total} values compared")
    width = max((len(q) for q in cmp.stats), default=10)
    for quantity, (count, worst_rel, worst_abs) in cmp.stats.items():
        print(f"  {quantity:<{width}}  n={count:<7d} worst rel {worst_rel:.2e}  "
              f"worst abs {worst_abs:.2e}")
    for line in cmp.structural:
        print(f"  ERROR {line}")
    for line in cmp.mismatches[:MAX_LISTED]:
        print(f"  MISMATCH {line}")
    if len(cmp.mismatches) > MAX_LISTED:
        print(f"  ... and {len(cmp.mismatches) - MAX_LISTED} more mismatches")
    if cmp.structural or cmp.mismatches:
        print(f"compare_analysis: FAIL ({len(cmp.structural)} structural errors, "
              f"{len(cmp.mismatches)} mismatches)")
        return 1
    print("compare_analysis: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
