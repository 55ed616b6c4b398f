#!/usr/bin/env python3
"""Writes real EEG samples as an EDF+C file laid out like the PhysioNet EEG Motor
Movement/Imagery recordings (BCI2000): labels with trailing dots ("Fc5."), physical dimension
"uV", physical range -8092..8092 uV on digital -32767..32767, 1 s records, and an annotation
signal whose TALs contain Latin-1 bytes (0xE9, 0xB5) as real files do. The writer is independent
of qneuro's, so qneuro's reader is checked against a file it did not produce.

Source of the real EEG: matplotlib's sample data (Debian package python-matplotlib-data):
sample_data/eeg.dat, 800 samples x 4 channels of float64, 10 s (80 Hz), as used by matplotlib's
"MRI with EEG" example. Values are scaled by 20 to tens of microvolts (the file's units are not
documented).

Usage: physionet_style_edf.py OUT.edf
"""
import sys

import numpy as np

EEG_DAT = "/usr/share/matplotlib/mpl-data/sample_data/eeg.dat"


def field(value, width):
    raw = value if isinstance(value, bytes) else str(value).encode("latin-1")
    if len(raw) > width:
        raise ValueError(f"header field {raw!r} wider than {width}")
    return raw.ljust(width)


def write_edf(path, names, data_uv, fs):
    n_records = data_uv.shape[1] // fs
    data_uv = data_uv[:, : n_records * fs]
    ns = len(names) + 1
    ann_samples = 60
    labels = names + ["EDF Annotations"]
    head = field("0", 8) + field("X X X X", 80) + field("Startdate 12-AUG-2009 X X BCI2000", 80)
    head += field("12.08.09", 8) + field("16.15.00", 8) + field(256 * (ns + 1), 8)
    head += field("EDF+C", 44) + field(n_records, 8) + field(1, 8) + field(ns, 4)
    head += b"".join(field(x, 16) for x in labels) + b"".join(field("", 80) for _ in labels)
    head += b"".join(field(d, 8) for d in ["uV"] * len(names) + [""])
    head += b"".join(field("%g" % v, 8) for v in [-8092] * len(names) + [-1])
    head += b"".join(field("%g" % v, 8) for v in [8092] * len(names) + [1])
    head += b"".join(field(v, 8) for v in [-32767] * len(names) + [-32768])
    head += b"".join(field(32767, 8) for _ in labels) + b"".join(field("", 80) for _ in labels)
    head += b"".join(field(fs, 8) for _ in names) + field(ann_samples, 8)
    head += b"".join(field("", 32) for _ in labels)
    assert len(head) == 256 * (ns + 1)
    digital = [
        np.clip(np.round((x + 8092.0) / 16184.0 * 65534 - 32767), -32767, 32767).astype("<i2")
        for x in data_uv
    ]
    out = bytearray(head)
    for r in range(n_records):
        for d in digital:
            out += d[r * fs : (r + 1) * fs].tobytes()
        tal = b"+%d\x14\x14\x00" % r
        if r == 0:
            tal += b"+0\x15%d\x14T0 r\xe9sting \xb5\x14\x00" % n_records
        out += tal.ljust(2 * ann_samples, b"\x00")
    with open(path, "wb") as f:
        f.write(out)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    data = np.fromfile(EEG_DAT, dtype=np.float64).reshape((800, 4)).T * 20.0
    write_edf(sys.argv[1], ["Fc5.", "Fc3.", "Fc1.", "Fcz."], data, 80)
    return 0


if __name__ == "__main__":
    sys.exit(main())
