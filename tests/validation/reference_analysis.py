#!/usr/bin/python3
"""Independent SciPy/NumPy reference for `qneuro analyze` (DESIGN.md section 4).

Usage:
    /usr/bin/python3 reference_analysis.py INPUT --out ref.json [--config-json cfg.json]

INPUT is an EDF/EDF+ file (read with MNE) or a CSV time series (header row, first column time in
seconds, remaining columns channels in microvolts). The configuration JSON mirrors the analysis
config of the CLI; every key is optional and defaults to the CLI defaults:

    {"welch": {"nperseg": 0, "overlap": 0.5},          # nperseg 0 -> round(2 s * fs)
     "bands": {"delta": [0.5, 4.0], ...},              # replaces the whole table when given
     "spectrum": {"range_hz": [0.5, 45.0]},
     "peaks": {"min_prominence_db": 3.0, "max_count": 5},
     "aperiodic": {"range_hz": [1.0, 40.0]},
     "connectivity": {"edge_s": 1.0}}

The output JSON has the structure of qneuro's summary.json plus the reference-only arrays
"freqs" and "psd". Every estimator is written from its definition with SciPy/NumPy primitives;
nothing here is a port of the C++ code.

Numerical conventions chosen so that both sides agree bit-for-bit on discrete decisions:
  - bin frequencies are computed as (k * fs) / n (product first, then one division), which is
    exact whenever the true frequency is representable, so a bin lying exactly on a band edge is
    classified identically by any implementation that does the same;
  - "round" means round half away from zero (C++ std::round), not Python's round-half-even.
"""

import argparse
import copy
import csv
import json
import math
import sys

import numpy as np
from scipy import signal

SCHEMA = "qneuro.analysis/1"

DEFAULT_CONFIG = {
    "welch": {"nperseg": 0, "overlap": 0.5},
    "bands": {
        "delta": [0.5, 4.0],
        "theta": [4.0, 8.0],
        "alpha": [8.0, 12.0],
        "beta": [12.0, 30.0],
        "gamma": [30.0, 45.0],
    },
    "spectrum": {"range_hz": [0.5, 45.0]},
    "peaks": {"min_prominence_db": 3.0, "max_count": 5},
    "aperiodic": {"range_hz": [1.0, 40.0]},
    "connectivity": {"edge_s": 1.0},
}


class ReferenceError(Exception):
    """An input or configuration problem; reported as one line and exit status 2."""


# ----------------------------------------------------------------------------------------------
# Configuration


def load_config(path):
    """Defaults overridden by the JSON file at `path` (if any). Unknown keys are errors."""
    config = copy.deepcopy(DEFAULT_CONFIG)
    if path is None:
        return config
    with open(path, encoding="utf-8") as f:
        user = json.load(f)
    if not isinstance(user, dict):
        raise ReferenceError(f"{path}: the configuration must be a JSON object")
    for section, value in user.items():
        if section not in config:
            raise ReferenceError(f"{path}: unknown section '{section}'")
        if section == "bands":
            # A band table replaces the default table as a whole (as `--set bands={...}` does).
            if not isinstance(value, dict) or not value:
                raise ReferenceError(f"{path}: 'bands' must be a non-empty object")
            config["bands"] = {name: [float(lo), float(hi)] for name, (lo, hi) in value.items()}
            continue
        if not isinstance(value, dict):
            raise ReferenceError(f"{path}: section '{section}' must be an object")
        for key, item in value.items():
            if key not in config[section]:
                raise ReferenceError(f"{path}: unknown key '{section}.{key}'")
            config[section][key] = item
    for name, (lo, hi) in config["bands"].items():
        if not lo < hi:
            raise ReferenceError(f"band '{name}': lo {lo} must be below hi {hi}")
    return config


def cxx_round(x):
    """Round half away from zero, like C++ std::round (Python's round() rounds half to even)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


# ----------------------------------------------------------------------------------------------
# Input


def is_edf(path):
    """EDF and EDF+ headers start with the version field "0" padded to 8 bytes."""
    with open(path, "rb") as f:
        return f.read(8) == b"0       "


def edf_samples_per_record(path):
    """Samples per record of every ordinary (non-annotation) signal, from the raw header."""
    with open(path, "rb") as f:
        head = f.read(256)
        ns = int(head[252:256].decode("ascii").strip())
        signal_header = f.read(256 * ns)
    labels = [signal_header[16 * i : 16 * (i + 1)].decode("latin-1").strip() for i in range(ns)]
    base = 216 * ns  # offset of the "samples per record" fields (8 bytes each)
    counts = [int(signal_header[base + 8 * i : base + 8 * (i + 1)].decode("ascii")) for i in range(ns)]
    return [c for label, c in zip(labels, counts) if label != "EDF Annotations"]


def read_edf(path):
    """Channel names, sampling rate and data [channel, sample] in microvolts, via MNE.

    MNE returns volts: it scales each channel by its physical dimension ("uV"/"µV" -> 1e-6,
    "mV" -> 1e-3, anything else -> 1), so multiplying by 1e6 gives microvolts. The EDF+
    annotation signal is not a data channel in MNE.
    """
    import mne  # imported lazily: it is slow to import and not needed for CSV input

    try:
        raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
    except Exception as err:  # MNE refuses non-UTF-8 annotation bytes (real PhysioNet files)
        if "encoding" not in str(err):
            raise
        raw = mne.io.read_raw_edf(path, preload=True, verbose="error", encoding="latin1")
    # MNE silently resamples channels of lower rates to the highest one; qneuro refuses mixed
    # rates, so the reference does too (samples per record must agree across data channels).
    if len(set(edf_samples_per_record(path))) != 1:
        raise ReferenceError(f"{path}: channels with different rates are not supported")
    data = raw.get_data() * 1e6
    return list(raw.ch_names), float(raw.info["sfreq"]), np.asarray(data, dtype=np.float64)


def read_csv(path):
    """Channel names, sampling rate (1 / median time step) and data [channel, sample].

    A header row names the columns (the first, time, is ignored); the separator is ',' unless the
    header holds ';' or a tab. Blank lines and lines starting with '#' are skipped.
    """
    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) < 3:
        raise ReferenceError(f"{path}: a CSV needs a header row and at least two samples")
    header = lines[0]
    delimiter = ","
    if "," not in header:
        if ";" in header:
            delimiter = ";"
        elif "\t" in header:
            delimiter = "\t"
    rows = list(csv.reader(lines, delimiter=delimiter, quotechar='"'))
    names = [cell.strip(" ") for cell in rows[0][1:]]
    values = np.array([[float(cell) for cell in row] for row in rows[1:]], dtype=np.float64)
    if values.shape[1] != len(names) + 1:
        raise ReferenceError(f"{path}: ragged CSV")
    time_s = values[:, 0]
    fs = 1.0 / float(np.median(np.diff(time_s)))
    # Same convention as qneuro's CSV reader: printed times carry rounding noise; a rate within
    # 1 ppm of a whole millihertz is taken as that value.
    snapped = round(fs * 1e3) / 1e3
    if abs(snapped - fs) <= 1e-6 * fs:
        fs = snapped
    return names, fs, np.ascontiguousarray(values[:, 1:].T)


# ----------------------------------------------------------------------------------------------
# Spectral estimators


def bin_frequencies(n_bins, fs, n):
    """f_k = (k * fs) / n for k = 0 .. n_bins-1."""
    return (np.arange(n_bins, dtype=np.float64) * fs) / n


def welch_psd(data, fs, nperseg, noverlap):
    """One-sided Welch density (µV²/Hz), periodic Hann window, per-segment mean removal."""
    freqs, psd = signal.welch(
        data,
        fs=fs,
        window="hann",
        nperseg=nperseg,
        noverlap=noverlap,
        detrend="constant",
        return_onesided=True,
        scaling="density",
        axis=-1,
        average="mean",
    )
    exact = bin_frequencies(len(freqs), fs, nperseg)
    # SciPy computes k * (1 / (n / fs)); both must agree to rounding, and we report the exact form.
    if not np.allclose(freqs, exact, rtol=1e-12, atol=0.0):
        raise ReferenceError("internal: SciPy Welch frequencies differ from k*fs/nperseg")
    return exact, psd


def band_mask(freqs, lo, hi):
    """Half-open band [lo, hi)."""
    return (freqs >= lo) & (freqs < hi)


def spectral_entropy(p_range):
    """Normalised Shannon entropy of the spectrum over the range bins (0 ln 0 = 0)."""
    k = p_range.size
    total = p_range.sum()
    if k < 2 or total <= 0:
        return 0.0
    p = p_range / total
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)) / np.log(k))


def find_spectral_peaks(f_range, p_range, min_prominence_db, max_count):
    """Local maxima of 10 log10 P with prominence >= min_prominence_db (SciPy's definition:
    the base is the higher of the lowest points on either side before a strictly higher sample
    or the end of the range). Keeps the `max_count` most prominent (ties: lower frequency
    first), listed by increasing frequency."""
    with np.errstate(divide="ignore"):
        db = 10.0 * np.log10(p_range)
    indices, props = signal.find_peaks(db, prominence=min_prominence_db)
    prominences = props["prominences"]
    order = sorted(range(len(indices)), key=lambda i: (-prominences[i], indices[i]))
    keep = sorted(order[:max_count], key=lambda i: indices[i])
    return [
        {
            "freq_hz": float(f_range[indices[i]]),
            "power": float(p_range[indices[i]]),
            "prominence_db": float(prominences[i]),
        }
        for i in keep
    ]


def aperiodic_fit(freqs, psd_row, lo, hi):
    """Least-squares line of log10 P on log10 f over lo <= f <= hi (closed) and P > 0.
    Returns (exponent = -slope, offset = intercept in log10(µV²/Hz))."""
    sel = (freqs >= lo) & (freqs <= hi) & (psd_row > 0)
    if np.count_nonzero(sel) < 2:
        raise ReferenceError(f"fewer than two bins in the aperiodic range [{lo}, {hi}] Hz")
    slope, intercept = np.polyfit(np.log10(freqs[sel]), np.log10(psd_row[sel]), 1)
    return float(-slope), float(intercept)


def channel_summary(name, freqs, psd_row, config):
    """Every per-channel spectral quantity of summary.json for one channel."""
    df = float(freqs[1] - freqs[0])
    lo_r, hi_r = config["spectrum"]["range_hz"]
    in_range = band_mask(freqs, lo_r, hi_r)
    if not np.any(in_range):
        raise ReferenceError(f"no frequency bin in the analysis range [{lo_r}, {hi_r}) Hz")
    p_range = psd_row[in_range]
    f_range = freqs[in_range]
    total = float(np.sum(p_range) * df)
    band_power = {}
    relative_power = {}
    for band, (lo, hi) in config["bands"].items():
        power = float(np.sum(psd_row[band_mask(freqs, lo, hi)]) * df)
        band_power[band] = power
        relative_power[band] = power / total if total > 0 else 0.0
    exponent, offset = aperiodic_fit(freqs, psd_row, *config["aperiodic"]["range_hz"])
    return {
        "name": name,
        "band_power": band_power,
        "relative_power": relative_power,
        "total_power": total,
        "spectral_entropy": spectral_entropy(p_range),
        "peak_hz": float(f_range[int(np.argmax(p_range))]),  # argmax: first maximum on ties
        "aperiodic_exponent": exponent,
        "aperiodic_offset": offset,
        "peaks": find_spectral_peaks(
            f_range,
            p_range,
            float(config["peaks"]["min_prominence_db"]),
            int(config["peaks"]["max_count"]),
        ),
    }


# ----------------------------------------------------------------------------------------------
# Phase-lag connectivity


def band_analytic_signals(spectra, fs, lo, hi):
    """Band-limited analytic signals from the full-length FFTs `spectra` [channel, n]: keep the
    non-negative-frequency bins (k <= n/2) with lo <= f_k < hi, double them, zero every other
    bin (all negative frequencies included), inverse FFT."""
    n = spectra.shape[1]
    k = np.arange(n)
    f = bin_frequencies(n, fs, n)
    keep = (k <= n // 2) & (f >= lo) & (f < hi)
    return np.fft.ifft(np.where(keep, 2.0 * spectra, 0.0), axis=1)


def phase_lag_indices(z):
    """PLI and wPLI matrices [channel, channel] from analytic signals z [channel, time]."""
    c = z.shape[0]
    pli = np.zeros((c, c))
    wpli = np.zeros((c, c))
    for a in range(c):
        for b in range(a + 1, c):
            im = np.imag(z[a] * np.conj(z[b]))
            pli[a, b] = pli[b, a] = abs(np.mean(np.sign(im)))
            denom = np.mean(np.abs(im))
            wpli[a, b] = wpli[b, a] = abs(np.mean(im)) / denom if denom > 0 else 0.0
    return pli, wpli


def connectivity(data, fs, bands, edge_s):
    n = data.shape[1]
    edge = cxx_round(edge_s * fs)
    if n - 2 * edge < 1:
        raise ReferenceError(f"edge_s = {edge_s} s leaves no samples of {n}")
    spectra = np.fft.fft(data, axis=1)  # no window, no mean removal
    out = {"pli": {}, "wpli": {}}
    for band, (lo, hi) in bands.items():
        z = band_analytic_signals(spectra, fs, lo, hi)[:, edge : n - edge]
        pli, wpli = phase_lag_indices(z)
        out["pli"][band] = pli.tolist()
        out["wpli"][band] = wpli.tolist()
    return out


# ----------------------------------------------------------------------------------------------


def analyze(names, fs, data, config):
    n = data.shape[1]
    nperseg = int(config["welch"]["nperseg"])
    if nperseg == 0:
        nperseg = cxx_round(2.0 * fs)
    overlap = float(config["welch"]["overlap"])
    noverlap = int(math.floor(nperseg * overlap))
    if nperseg < 2 or nperseg > n:
        raise ReferenceError(f"nperseg {nperseg} is outside [2, n_samples = {n}]")
    if not 0 <= noverlap < nperseg:
        raise ReferenceError(f"overlap {overlap} gives noverlap {noverlap} for nperseg {nperseg}")
    freqs, psd = welch_psd(data, fs, nperseg, noverlap)
    return {
        "schema": SCHEMA,
        "sfreq": fs,
        "n_samples": int(n),
        "channels": list(names),
        "welch": {"nperseg": nperseg, "noverlap": noverlap, "window": "hann", "detrend": "constant"},
        "bands": {band: [float(lo), float(hi)] for band, (lo, hi) in config["bands"].items()},
        "range_hz": [float(v) for v in config["spectrum"]["range_hz"]],
        "per_channel": [channel_summary(nm, freqs, psd[i], config) for i, nm in enumerate(names)],
        "connectivity": connectivity(data, fs, config["bands"], float(config["connectivity"]["edge_s"])),
        "freqs": freqs.tolist(),
        "psd": psd.tolist(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="EDF/EDF+ or CSV recording")
    parser.add_argument("--out", required=True, help="output JSON path")
    parser.add_argument("--config-json", help="analysis parameters (JSON, see module docstring)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config_json)
        if is_edf(args.input):
            names, fs, data = read_edf(args.input)
        else:
            names, fs, data = read_csv(args.input)
        result = analyze(names, fs, data, config)
    except (ReferenceError, OSError, ValueError) as e:
        print(f"reference_analysis: error: {e}", file=sys.stderr)
        return 2
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, allow_nan=False)  # repr floats: round-trip exact
        f.write("\n")
    print(
        f"reference_analysis: {len(names)} channels, {data.shape[1]} samples at {fs:g} Hz, "
        f"nperseg {result['welch']['nperseg']}, {len(config['bands'])} bands -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
