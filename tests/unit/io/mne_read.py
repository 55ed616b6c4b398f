#!/usr/bin/python3
"""Reads a BDF (.bdf) or BrainVision (.vhdr) file with MNE-Python and dumps what it returns.

Usage: mne_read.py INPUT OUT_JSON

OUT_JSON: {"mne_version", "ch_names", "sfreq", "orig_units" {name: unit}, "data" [channel][sample]
(MNE's values: volts for voltage channels, the file's own units otherwise), "annotations"
[{"onset_s", "duration_s", "text"}] (MNE's descriptions: "Type/Description" for BrainVision)}.
Exit status 77 when MNE cannot be imported (the caller skips its comparison), 1 on any other
failure.
"""

import json
import sys
import warnings

try:
    import mne
except ImportError as error:
    print("MNE-Python is not available:", error)
    sys.exit(77)


def main():
    path, out = sys.argv[1], sys.argv[2]
    mne.set_log_level("ERROR")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if path.endswith(".bdf"):
            raw = mne.io.read_raw_bdf(path, preload=True)
        elif path.endswith(".vhdr"):
            raw = mne.io.read_raw_brainvision(path, preload=True)
        else:
            sys.exit("unsupported input " + path)
    a = raw.annotations
    result = dict(mne_version=mne.__version__, ch_names=raw.ch_names, sfreq=raw.info["sfreq"],
                  orig_units=raw._orig_units or {}, data=raw.get_data().tolist(),
                  annotations=[
                      dict(onset_s=float(o), duration_s=float(d), text=str(t))
                      for o, d, t in zip(a.onset, a.duration, a.description)
                  ])
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    print("MNE", mne.__version__, "read", len(raw.ch_names), "channels")


if __name__ == "__main__":
    main()
