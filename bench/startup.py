#!/usr/bin/env python3
"""Start-up and short-command times of the qneuro CLI: the whole process, as a user waits for it.

usage: bench/startup.py QNEURO [--repeats 5] [--work DIR] [--edf FILE] [--skip-torch]

Times (median of --repeats runs after one warm-up, wall clock of the whole process):
  version        qneuro --version
  analyze        qneuro analyze on a 64-channel, 60 s, 160 Hz EDF+ (written first by qneuro synth,
                 or --edf FILE, e.g. ../shared/data/eegmmidb/S001R04.edf)
  snn_test       qneuro snn --preset test
  flux_generate  qneuro flux generate (checkpoint from a 20-step flux train --preset test)
  field_help     qneuro field --help
Prints one JSON line per command: {"bench": "startup", "command": ..., "median_s": ...,
"min_s": ..., "repeats": ...}. Compare two builds by running it on each in the same session."""
import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def timed(cmd, cwd, repeats):
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)  # warm-up (page cache)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("qneuro")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--skip-torch", action="store_true", help="skip flux generate")
    ap.add_argument("--edf", type=Path, default=None, help="recording to analyse")
    a = ap.parse_args()
    q = str(Path(a.qneuro).resolve())
    work = a.work or Path(tempfile.mkdtemp(prefix="qneuro-startup-"))
    work.mkdir(parents=True, exist_ok=True)
    if a.edf:
        (work / "rec.edf").write_bytes(a.edf.read_bytes())
    else:
        subprocess.run([q, "-q", "synth", "--out", "rec.edf", "--channels", "64", "--duration",
                        "60", "--fs", "160"], cwd=work, check=True)
    cases = {
        "version": [q, "--version"],
        "field_help": [q, "field", "--help"],
        "analyze": [q, "-q", "analyze", "rec.edf", "--out", "an"],
        "snn_test": [q, "-q", "snn", "--preset", "test", "--out", "snn"],
    }
    if not a.skip_torch:
        (work / "text.txt").write_text("the cat sat on a mat, and dog\n" * 200)
        subprocess.run([q, "-q", "flux", "train", "--preset", "test", "--text", "text.txt",
                        "--out", "lm"], cwd=work, check=True)
        cases["flux_generate"] = [q, "flux", "generate", "--checkpoint", "lm", "--prompt", "the ",
                                  "--tokens", "20"]
    for name, cmd in cases.items():
        med, lo = timed(cmd, work, a.repeats)
        print(json.dumps({"bench": "startup", "command": name, "median_s": round(med, 4),
                          "min_s": round(lo, 4), "repeats": a.repeats}), flush=True)


if __name__ == "__main__":
    main()
