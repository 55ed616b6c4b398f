#!/usr/bin/python3
"""Cross-checks an EDF file against MNE-Python's reader.

Usage: mne_edf_check.py EDF NPY [LSB_UV] [--channels NAME,NAME,...]

NPY holds the expected data, float array [channel x sample] in microvolts (np.save). MNE must
read EDF (annotation signals excluded) with the expected channel names, in order: those given
with --channels, or else the labels in the EDF header as parsed here independently of MNE.
Every sample must match within one LSB per channel: LSB_UV (microvolts, the same for every
channel) if given, else (phys_max - phys_min) / (dig_max - dig_min) from the header, converted to
microvolts. MNE returns whole records, so its data may be longer than NPY by less than one
record (the writer's padding); only the first NPY samples are compared.

Units: MNE 1.3 scales "uV"/"µV" by 1e-6 and "mV" by 1e-3 and treats every other dimension as
volts; this script undoes MNE's factor and applies the true one ("V" 1e6, "nV" 1e-3 µV per unit).
Channels whose dimension is not a voltage are compared in their own physical units.

Prints one line. Exit status: 0 match, 1 mismatch (or MNE cannot read the file), 2 bad usage.
"""

import argparse
import sys
import warnings

import numpy as np

# Microvolts per physical unit, as qneuro's microvolts_per_unit() defines it.
MICRO_SIGNS = ("\u00b5", "\u03bc", "u")


def microvolts_per_unit(dimension):
    unit = dimension.strip().lower()
    for micro in MICRO_SIGNS:
        if unit.startswith(micro):
            unit = "u" + unit[len(micro):]
            break
    return {"uv": 1.0, "mv": 1e3, "v": 1e6, "nv": 1e-3}.get(unit)


def mne_volts_per_unit(dimension):
    """The factor MNE 1.3 (mne/io/edf/edf.py) applies to a physical dimension."""
    if dimension in ("\u03bcV", "\u00b5V", "\x83\xcaV", "uV"):
        return 1e-6
    if dimension == "mV":
        return 1e-3
    return 1.0


def read_edf_header(path):
    """Per-signal header fields, parsed from the raw bytes (no MNE), annotation signals dropped."""
    with open(path, "rb") as f:
        main = f.read(256)
        n_signals = int(main[252:256].decode("ascii").strip())
        fields = f.read(256 * n_signals)

    def column(offset, width):
        return [
            fields[offset + i * width:offset + (i + 1) * width].decode("latin-1").strip()
            for i in range(n_signals)
        ]

    widths = [16, 80, 8, 8, 8, 8, 8, 80, 8, 32]
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]) * n_signals
    label, _, dimension, pmin, pmax, dmin, dmax, _, samples, _ = (
        column(o, w) for o, w in zip(offsets, widths))
    signals = []
    for i in range(n_signals):
        if label[i] == "EDF Annotations":
            continue
        signals.append({
            "label": label[i],
            "dimension": dimension[i],
            "lsb": (float(pmax[i]) - float(pmin[i])) / (float(dmax[i]) - float(dmin[i])),
            "samples_per_record": int(samples[i]),
        })
    return signals


def check(args):
    expected = np.load(args.npy)
    if expected.ndim != 2:
        return False, f"{args.npy} has shape {expected.shape}, expected [channel x sample]"
    header = read_edf_header(args.edf)
    names = args.channels.split(",") if args.channels else [s["label"] for s in header]

    import mne  # imported late: slow, and only needed once the inputs look right

    mne.set_log_level("ERROR")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            raw = mne.io.read_raw_edf(args.edf, preload=True, verbose="ERROR")
        except Exception as error:  # any failure to read is a mismatch, reported in one line
            return False, f"MNE cannot read {args.edf}: {type(error).__name__}: {error}"
    if raw.ch_names != names:
        return False, f"channel names: MNE read {raw.ch_names}, expected {names}"
    if len(header) != len(names) or expected.shape[0] != len(names):
        return False, (f"channel count: header has {len(header)}, {args.npy} has "
                       f"{expected.shape[0]}, expected {len(names)}")
    rates = {s["samples_per_record"] for s in header}
    if len(rates) != 1:
        return False, "channels have different sampling rates (MNE resamples them); not comparable"

    data = raw.get_data()
    n_expected = expected.shape[1]
    padding = data.shape[1] - n_expected
    if padding < 0 or padding >= header[0]["samples_per_record"]:
        return False, (f"sample count: MNE read {data.shape[1]}, expected {n_expected} "
                       f"(+ less than one record of {header[0]['samples_per_record']})")

    worst = (0.0, "")
    for c, signal in enumerate(header):
        to_uv = microvolts_per_unit(signal["dimension"]) or 1.0
        got = data[c, :n_expected] / mne_volts_per_unit(signal["dimension"]) * to_uv
        lsb = args.lsb_uv if args.lsb_uv is not None else abs(signal["lsb"]) * to_uv
        error = np.max(np.abs(got - expected[c])) / lsb
        if not error <= 1.0 + 1e-9:
            i = int(np.argmax(np.abs(got - expected[c])))
            return False, (f"channel '{names[c]}' sample {i}: MNE {got[i]!r}, expected "
                           f"{expected[c, i]!r} (difference {error:.3f} LSB of {lsb:g})")
        worst = max(worst, (error, names[c]))
    return True, (f"MNE reads {len(names)} channels x {n_expected} samples of {args.edf} as "
                  f"expected; largest difference {worst[0]:.3f} LSB (channel '{worst[1]}')")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("edf")
    parser.add_argument("npy")
    parser.add_argument("lsb_uv", nargs="?", type=float, default=None,
                        help="tolerance in microvolts (default: one LSB per channel)")
    parser.add_argument("--channels", help="expected channel names, comma-separated")
    args = parser.parse_args()
    try:
        ok, message = check(args)
    except (OSError, ValueError) as error:
        ok, message = False, f"cannot check {args.edf} against {args.npy}: {error}"
    print(("OK: " if ok else "MISMATCH: ") + message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
