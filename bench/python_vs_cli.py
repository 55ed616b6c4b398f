#!/usr/bin/python3
"""Python package vs CLI: the same work through `import qneuro` and through the `qneuro` command,
timed in the same run (medians of --repeats), one JSON line per engine, then a table.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_vs_cli.py build/bin/qneuro [--repeats 3]

Work (each with the same config both ways; outputs written both ways):
  analyze     the real 64-channel EDF of ../shared/data/eegmmidb (or a synthetic 64 x 120 s file)
  field       `field --preset demo` (64x64x32, 4096 steps)
  snn         `snn` 100,000 neurons x 1000 steps, quantum mode, voltages recorded
  flux        `flux train --preset test` on tinyshakespeare's first 100 kB, 60 steps
  snn train   per epoch: examples/python/train_digits.py against `qneuro snn train` (digits)
The CLI's time is the process wall time (start-up included: ~0.03 s for qneuro, more for the
commands handed over to qneuro-torch); the Python time is the call's wall time in a warm
interpreter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import qneuro

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_of(fn, repeats: int) -> float:
    return statistics.median(timed(fn) for _ in range(repeats))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cli")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--only", default="analyze,field,snn,flux,snn-train")
    args = ap.parse_args()
    only = set(args.only.split(","))
    qneuro.set_threads(args.threads)
    threads = qneuro.get_threads()
    tmp = Path(tempfile.mkdtemp(prefix="qneuro-pyvscli-"))
    cli = [args.cli, "--threads", str(threads), "-q"]

    def run(*a: str) -> None:
        subprocess.run([*cli, *a], check=True, stdout=subprocess.DEVNULL)

    rows = []

    def report(engine: str, work: str, py: float, cl: float) -> None:
        row = {"engine": engine, "work": work, "python_s": py, "cli_s": cl,
               "python_over_cli": py / cl, "threads": threads}
        rows.append(row)
        print(json.dumps(row), flush=True)

    if "analyze" in only:
        edf = SHARED / "eegmmidb" / "S001R04.edf"
        if not edf.exists():
            edf = tmp / "synth.edf"
            run("synth", "--out", str(edf), "--channels", "64", "--duration", "120", "--fs", "160")
        report("analyze", edf.name,
               median_of(lambda: qneuro.analyze(edf, out=tmp / "a-py"), args.repeats),
               median_of(lambda: run("analyze", str(edf), "--out", str(tmp / "a-cli")), args.repeats))
    if "field" in only:
        report("field", "preset demo",
               median_of(lambda: qneuro.field.simulate(preset="demo", out=tmp / "f-py",
                                                       progress=False), args.repeats),
               median_of(lambda: run("field", "--preset", "demo", "--out", str(tmp / "f-cli")),
                         args.repeats))
    if "snn" in only:
        report("snn", "1e5 neurons x 1000 steps",
               median_of(lambda: qneuro.snn.simulate(out=tmp / "s-py", sim__neurons=100000,
                                                     sim__steps=1000), args.repeats),
               median_of(lambda: run("snn", "--out", str(tmp / "s-cli"), "--set",
                                     "sim.neurons=100000", "--set", "sim.steps=1000"),
                         args.repeats))
    if "flux" in only:
        import torch
        torch.set_num_threads(threads)
        src = SHARED / "tinyshakespeare.txt"
        text = tmp / "text.txt"
        text.write_bytes(src.read_bytes()[:100000] if src.exists()
                         else b"the cat sat on the mat and the dog sat on the log\n" * 2000)
        report("flux", "train --preset test, 60 steps",
               median_of(lambda: qneuro.flux.train(text, preset="test", out=tmp / "l-py",
                                                   train__steps=60), args.repeats),
               median_of(lambda: run("flux", "train", "--preset", "test", "--text", str(text),
                                     "--out", str(tmp / "l-cli"), "--set", "train.steps=60"),
                         args.repeats))
    sys.path.insert(0, str(ROOT / "examples" / "python"))
    from train_digits import find_digits  # ../shared/data, else python3-sklearn's copy
    digits = find_digits()
    if "snn-train" in only and digits is not None:
        py_epochs, cli_epochs = [], []
        for _ in range(args.repeats):
            r = subprocess.run([sys.executable, str(ROOT / "examples/python/train_digits.py"),
                                str(digits), "--json"], capture_output=True, text=True, check=True,
                               env={**__import__("os").environ, "OMP_NUM_THREADS": str(threads)})
            py = json.loads(r.stdout.strip().splitlines()[-1])
            py_epochs.append(py["seconds_per_epoch_median"])
            run("snn", "train", "--data", str(digits), "--out", str(tmp / "t-cli"))
            summary = json.loads((tmp / "t-cli" / "summary.json").read_text())
            cli_epochs.append(statistics.median(e["seconds"] for e in summary["epochs"]))
        report("snn train", "digits, s per epoch (median epoch)", statistics.median(py_epochs),
               statistics.median(cli_epochs))
    print(f"\n{'engine':10} {'work':36} {'python s':>9} {'cli s':>9} {'py/cli':>7}")
    for r in rows:
        print(f"{r['engine']:10} {r['work']:36} {r['python_s']:9.3f} {r['cli_s']:9.3f} "
              f"{r['python_over_cli']:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
