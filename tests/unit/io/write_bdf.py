#!/usr/bin/python3
"""Writes a small BDF file with the standard library only, independently of qneuro's code.

Usage: write_bdf.py OUT_DIR CASE

CASE "biosemi": BioSemi BDF ("24BIT"), 256 Hz, 3 one-second records, channels Fp1, Cz, O2 (uV,
BioSemi's range: 31.25 nV per step), EXG1 (mV, a digital range narrower than int24) and Status
("Boolean", equal physical and digital ranges), digital values covering both int24 extremes,
-1, 0, 1 and Status words with bit 23 set.
CASE "bdfplus": BDF+C (EDFlib style): Fz, Pz at 128 Hz (uV), 2 records of 1 s and a
"BDF Annotations" signal holding each record's time-keeping TAL and three annotations.

Writes OUT_DIR/CASE.bdf and OUT_DIR/CASE.json: {"file", "reserved", "record_duration_s",
"n_records", "channels": [{"label", "dimension", "sfreq_hz", "physical_min", "physical_max",
"digital_min", "digital_max", "digital": [...], "physical": [...]}], "annotations": [{"onset_s",
"duration_s", "text"}]}, physical = phys_min + (digital - dig_min) * (phys_max - phys_min) /
(dig_max - dig_min) computed here in float64.
"""

import json
import random
import struct
import sys

INT24_MIN, INT24_MAX = -(1 << 23), (1 << 23) - 1


def field(text, width):
    data = text.encode("latin-1")
    assert len(data) <= width, (text, width)
    return data + b" " * (width - len(data))


def int24(value):
    assert INT24_MIN <= value <= INT24_MAX, value
    return struct.pack("<i", value)[:3]  # little-endian: the low 3 bytes carry the value


def header(signals, n_records, duration, reserved):
    ns = len(signals)
    main = (field("\xffBIOSEMI", 8) + field("X X X X", 80) + field("Startdate X X X X", 80) +
            field("01.02.03", 8) + field("04.05.06", 8) + field(str(256 * (ns + 1)), 8) +
            field(reserved, 44) + field(str(n_records), 8) + field(duration, 8) +
            field(str(ns), 4))
    assert len(main) == 256
    columns = [("label", 16), ("transducer", 80), ("dimension", 8), ("physical_min", 8),
               ("physical_max", 8), ("digital_min", 8), ("digital_max", 8), ("prefilter", 80),
               ("samples", 8), ("reserved", 32)]
    out = main
    for key, width in columns:
        for s in signals:
            value = s.get(key, "")
            out += field(value if isinstance(value, str) else repr(value), width)
    assert len(out) == 256 * (ns + 1)
    return out


def physical(s, d):
    return s["physical_min"] + (d - s["digital_min"]) * (s["physical_max"] - s["physical_min"]) / (
        s["digital_max"] - s["digital_min"])


def biosemi():
    rng = random.Random(20240611)
    fs, n_records = 256, 3
    n = fs * n_records
    eeg = dict(dimension="uV", physical_min=-262144, physical_max=262143, digital_min=INT24_MIN,
               digital_max=INT24_MAX, transducer="Active Electrode", prefilter="HP:DC; LP:52 Hz")
    signals = [dict(eeg, label="Fp1"), dict(eeg, label="Cz"), dict(eeg, label="O2"),
               dict(label="EXG1", dimension="mV", physical_min=-50, physical_max=50,
                    digital_min=-1000000, digital_max=1000000, transducer="", prefilter=""),
               dict(label="Status", dimension="Boolean", physical_min=INT24_MIN,
                    physical_max=INT24_MAX, digital_min=INT24_MIN, digital_max=INT24_MAX,
                    transducer="Triggers and Status", prefilter="No filtering")]
    for s in signals:
        low, high = s["digital_min"], s["digital_max"]
        values = [rng.randint(low, high) for _ in range(n)]
        values[:5] = [low, high, -1, 0, 1]
        s["digital"] = values
    # Status words: trigger codes in the low 16 bits, status bits above (bit 23 makes them
    # negative as signed int24).
    status = signals[4]["digital"]
    for i, word in enumerate([0xFF0001, 0x100005, 0x7F00FF, 0xFFFFFF, 0x000000, 0x800000]):
        status[10 + i] = word - (1 << 24) if word & 0x800000 else word
    for s in signals:
        s["samples"] = str(fs)
    data = b""
    for r in range(n_records):
        for s in signals:
            data += b"".join(int24(d) for d in s["digital"][r * fs:(r + 1) * fs])
    return signals, n_records, "1", "24BIT", data, [], fs


def tal(onset, duration, texts):
    head = onset + ("\x15" + duration if duration else "")
    return (head + "\x14" + "".join(t + "\x14" for t in texts) + "\x00").encode("utf-8")


def bdfplus():
    rng = random.Random(7)
    fs, n_records = 128, 2
    n = fs * n_records
    eeg = dict(dimension="uV", physical_min=-3000.5, physical_max=2999.25, digital_min=-8000000,
               digital_max=8000000)
    signals = [dict(eeg, label="Fz"), dict(eeg, label="Pz")]
    for s in signals:
        s["digital"] = [rng.randint(s["digital_min"], s["digital_max"]) for _ in range(n)]
        s["samples"] = str(fs)
    annotation_bytes = 60 * 3
    signals.append(dict(label="BDF Annotations", dimension="", physical_min=-1, physical_max=1,
                        digital_min=INT24_MIN, digital_max=INT24_MAX,
                        samples=str(annotation_bytes // 3)))
    tals = [[tal("+0", "", [""]), tal("+0.5", "0.25", ["Stim A"]), tal("+0.75", "", ["T1", "T2"])],
            [tal("+1", "", [""]), tal("+1.5", "", ["caf\u00e9"])]]
    annotations = [dict(onset_s=0.5, duration_s=0.25, text="Stim A"),
                   dict(onset_s=0.75, duration_s=0.0, text="T1"),
                   dict(onset_s=0.75, duration_s=0.0, text="T2"),
                   dict(onset_s=1.5, duration_s=0.0, text="caf\u00e9")]
    data = b""
    for r in range(n_records):
        for s in signals[:2]:
            data += b"".join(int24(d) for d in s["digital"][r * fs:(r + 1) * fs])
        block = b"".join(tals[r])
        assert len(block) <= annotation_bytes
        data += block + b"\x00" * (annotation_bytes - len(block))
    return signals[:2], n_records, "1", "BDF+C", data, annotations, fs, signals


def main():
    out_dir, case = sys.argv[1], sys.argv[2]
    if case == "biosemi":
        signals, n_records, duration, reserved, data, annotations, fs = biosemi()
        all_signals = signals
    elif case == "bdfplus":
        signals, n_records, duration, reserved, data, annotations, fs, all_signals = bdfplus()
    else:
        sys.exit("unknown case " + case)
    path = f"{out_dir}/{case}.bdf"
    with open(path, "wb") as f:
        f.write(header(all_signals, n_records, duration, reserved) + data)
    expected = dict(file=path, reserved=reserved, record_duration_s=float(duration),
                    n_records=n_records, annotations=annotations, channels=[])
    for s in signals:
        expected["channels"].append(
            dict(label=s["label"], dimension=s["dimension"], sfreq_hz=float(fs),
                 physical_min=s["physical_min"], physical_max=s["physical_max"],
                 digital_min=s["digital_min"], digital_max=s["digital_max"],
                 digital=s["digital"], physical=[physical(s, d) for d in s["digital"]]))
    with open(f"{out_dir}/{case}.json", "w", encoding="utf-8") as f:
        json.dump(expected, f)
    print("wrote", path)


if __name__ == "__main__":
    main()
