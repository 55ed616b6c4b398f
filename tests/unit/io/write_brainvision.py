#!/usr/bin/python3
"""Writes a small BrainVision recording with the standard library only, independently of qneuro.

Usage: write_brainvision.py OUT_DIR CASE

CASE "int16": header version 2.0, Codepage=UTF-8, CR LF line ends, a ';' comment line and a
[Comment] section full of '=' and brackets; DataFile in a subdirectory (data/int16.eeg);
MULTIPLEXED INT_16 at 500 Hz; channels in uV (UTF-8 "µV" and "uV"), mV, V, a channel with an
empty resolution and unit (1 µV), a "\\1" (comma) in a name and a °C channel; markers: a "New
Segment" with a date, stimulus and response markers (one with a size and a "\\1" in its
description) and one with an empty description.
CASE "float32": header version 1.0 ("Brain Vision ..."), Codepage=ANSI (Latin-1: µ as 0xB5),
LF line ends, VECTORIZED IEEE_FLOAT_32 at 256 Hz with DataPoints, an old-style channel line
without a unit; an ANSI marker file.
CASE "int32be": MULTIPLEXED INT_32 with UseBigEndianOrder=YES at 1000 Hz; a marker file without
Codepage holding a Latin-1 description (read as Latin-1 since it is not UTF-8).

Writes OUT_DIR/CASE.vhdr (+ .vmrk, + the data file) and OUT_DIR/CASE.json: {"vhdr", "sfreq_hz",
"channels": [{"name", "unit", "resolution", "uv_per_unit" (null if not a voltage), "raw": [...],
"value": [...] (raw * resolution), "uv": [...] (value * uv_per_unit, or value)}],
"annotations": [{"onset_s", "duration_s", "text"}], "markers": [{"type", "description",
"position", "size", "channel"}]}.
"""

import json
import math
import os
import random
import struct
import sys


def quantise(value, fmt):
    """The value as the data file stores it (float32 rounding for IEEE_FLOAT_32)."""
    if fmt == "IEEE_FLOAT_32":
        return struct.unpack("<f", struct.pack("<f", value))[0]
    return value


def write_case(out_dir, case):
    rng = random.Random({"int16": 1, "float32": 2, "int32be": 3}[case])
    if case == "int16":
        version_line = "BrainVision Data Exchange Header File Version 2.0"
        codepage, encoding, newline = "UTF-8", "utf-8", "\r\n"
        data_name, marker_name = "data/int16.eeg", "int16.vmrk"
        orientation, fmt, interval, big_endian = "MULTIPLEXED", "INT_16", "2000", False
        # (name in the header, name loaded, reference, resolution text, unit text, unit loaded,
        #  microvolts per unit)
        channels = [("Fp1", "Fp1", "", "0.1", "\u00b5V", "\u00b5V", 1.0),
                    ("Cz", "Cz", "Ref", "0.5", "uV", "uV", 1.0),
                    ("EOG\\1left", "EOG,left", "", "0.001", "mV", "mV", 1e3),
                    ("GSR", "GSR", "", "0.000001", "V", "V", 1e6),
                    ("Aux", "Aux", "", "", "", "\u00b5V", 1.0),
                    ("Temp", "Temp", "", "0.01", "\u00b0C", "\u00b0C", None)]
        n = 700
        markers = [("New Segment", "", 1, 1, 0, "20240102030405000000"),
                   ("Stimulus", "S  1", 101, 1, 0, None),
                   ("Response", "R\\1 2", 250, 25, 1, None),
                   ("Comment", "", 400, 0, 0, None),
                   ("Stimulus", "S  3", 101, 1, 0, None)]
        marker_codepage, marker_encoding = "UTF-8", "utf-8"
    elif case == "float32":
        version_line = "Brain Vision Data Exchange Header File Version 1.0"
        codepage, encoding, newline = "ANSI", "latin-1", "\n"
        data_name, marker_name = "float32.eeg", "float32.vmrk"
        orientation, fmt, interval, big_endian = "VECTORIZED", "IEEE_FLOAT_32", "3906.25", False
        channels = [("Fp2", "Fp2", "", "1", "\u00b5V", "\u00b5V", 1.0),
                    ("P3", "P3", "", "0.25", "mV", "mV", 1e3),
                    ("O1", "O1", "", "0.5", None, "\u00b5V", 1.0)]  # no unit field
        n = 512
        markers = [("Stimulus", "S 10", 1, 1, 0, None), ("Comment", "step", 300, 12, 0, None)]
        marker_codepage, marker_encoding = "ANSI", "latin-1"
    elif case == "int32be":
        version_line = "BrainVision Data Exchange Header File Version 1.0"
        codepage, encoding, newline = "UTF-8", "utf-8", "\n"
        data_name, marker_name = "int32be.eeg", "int32be.vmrk"
        orientation, fmt, interval, big_endian = "MULTIPLEXED", "INT_32", "1000", True
        channels = [("C3", "C3", "", "0.0001", "uV", "uV", 1.0),
                    ("C4", "C4", "", "0.0001", "uV", "uV", 1.0)]
        n = 300
        # MNE 1.3 cannot read this marker file (it decodes it as UTF-8 whatever the codepage).
        markers = [("Comment", "\u00e9tape", 300, 12, 0, None), ("Stimulus", "", 2, 1, 0, None)]
        marker_codepage, marker_encoding = None, "latin-1"
    else:
        sys.exit("unknown case " + case)

    sfreq = 1e6 / float(interval)
    raw = []
    for c in range(len(channels)):
        if fmt == "INT_16":
            values = [rng.randint(-32768, 32767) for _ in range(n)]
            values[:3] = [-32768, 32767, -1]
        elif fmt == "INT_32":
            values = [rng.randint(-2**31, 2**31 - 1) for _ in range(n)]
            values[:3] = [-2**31, 2**31 - 1, -1]
        else:
            values = [quantise(rng.gauss(0.0, 40.0) * math.sin(0.01 * t + c), fmt)
                      for t in range(n)]
        raw.append(values)

    code = {"INT_16": "h", "INT_32": "i", "IEEE_FLOAT_32": "f"}[fmt]
    order = ">" if big_endian else "<"
    if orientation == "MULTIPLEXED":
        flat = [raw[c][t] for t in range(n) for c in range(len(channels))]
    else:
        flat = [raw[c][t] for c in range(len(channels)) for t in range(n)]
    data_path = os.path.join(out_dir, data_name)
    os.makedirs(os.path.dirname(data_path), exist_ok=True)
    with open(data_path, "wb") as f:
        f.write(struct.pack(order + code * len(flat), *flat))

    lines = [version_line, "", "; written by tests/unit/io/write_brainvision.py", "",
             "[Common Infos]"]
    lines.append(f"Codepage={codepage}")
    lines.append(f"DataFile={data_name}")
    if marker_name:
        lines.append(f"MarkerFile={marker_name}")
    lines += ["DataFormat=BINARY", f"DataOrientation={orientation}", "DataType=TIMEDOMAIN",
              f"NumberOfChannels={len(channels)}", f"SamplingInterval={interval}"]
    if orientation == "VECTORIZED":
        lines.append(f"DataPoints={n}")
    lines += ["", "[Binary Infos]", f"BinaryFormat={fmt}"]
    if big_endian:
        lines.append("UseBigEndianOrder=YES")
    lines += ["", "[Channel Infos]",
              "; Each entry: Ch<Channel number>=<Name>,<Reference channel name>,",
              "; <Resolution in \"Unit\">,<Unit>, Future extensions.."]
    for i, (name, _, ref, res, unit, _, _) in enumerate(channels):
        fields = [name, ref, res] + ([unit] if unit is not None else [])
        lines.append(f"Ch{i + 1}=" + ",".join(fields))
    lines += ["", "[Some Other Infos]", "Something=else", "", "[Comment]", "",
              "A m p l i f i e r  S e t u p", "============================",
              "Number of channels: 3", "[not a section] key=value ; anything goes"]
    with open(os.path.join(out_dir, case + ".vhdr"), "wb") as f:
        f.write(newline.join(lines).encode(encoding) + newline.encode())

    if marker_name:
        mlines = ["Brain Vision Data Exchange Marker File, Version 1.0", "", "[Common Infos]"]
        if marker_codepage:
            mlines.append(f"Codepage={marker_codepage}")
        mlines += [f"DataFile={os.path.basename(data_name)}", "", "[Marker Infos]",
                   "; Each entry: Mk<Marker number>=<Type>,<Description>,<Position in data "
                   "points>,"]
        for i, (mtype, desc, pos, size, chan, date) in enumerate(markers):
            fields = [mtype, desc, str(pos), str(size), str(chan)] + ([date] if date else [])
            mlines.append(f"Mk{i + 1}=" + ",".join(fields))
        with open(os.path.join(out_dir, marker_name), "wb") as f:
            f.write(newline.join(mlines).encode(marker_encoding) + newline.encode())

    expected = dict(vhdr=os.path.join(out_dir, case + ".vhdr"), sfreq_hz=sfreq, channels=[],
                    markers=[], annotations=[])
    for c, (_, name, ref, res, _, unit, uv_per_unit) in enumerate(channels):
        resolution = float(res) if res else 1.0
        values = [r * resolution for r in raw[c]]
        expected["channels"].append(
            dict(name=name, reference=ref, unit=unit, resolution=resolution,
                 uv_per_unit=uv_per_unit, raw=raw[c], value=values,
                 uv=[v * uv_per_unit for v in values] if uv_per_unit else values))
    for mtype, desc, pos, size, chan, _ in markers:
        desc = desc.replace("\\1", ",")
        expected["markers"].append(
            dict(type=mtype, description=desc, position=pos, size=size, channel=chan))
        expected["annotations"].append(
            dict(onset_s=(pos - 1) / sfreq, duration_s=size / sfreq, text=desc or mtype))
    expected["annotations"].sort(key=lambda a: a["onset_s"])  # stable: marker order kept
    with open(os.path.join(out_dir, case + ".json"), "w", encoding="utf-8") as f:
        json.dump(expected, f)
    print("wrote", expected["vhdr"])


if __name__ == "__main__":
    write_case(sys.argv[1], sys.argv[2])
