#!/usr/bin/env python3
"""The regression tests on the golden outputs (README.md in this folder).

  check_golden.py cli QNEURO WORK
      runs every case of cases.txt with QNEURO into WORK and compares all files with expected/
  check_golden.py examples --field F --snn S --analyze A --flux X --snn-train T WORK
      runs each engine's library-only example program (examples/) with the config of one CLI
      case and compares its output directory with that case's in expected/

Exit 0 when everything matches; otherwise 1, listing each difference."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare_outputs import compare_dirs  # noqa: E402
from run_cases import main as run_cases_main  # noqa: E402

EXPECTED = HERE / "expected"

# Example program, its arguments (run in WORK), and the CLI case directory it must reproduce.
EXAMPLES = [
    ("analyze", ["rec.edf", "analyze"], "analyze"),
    ("field", ["field", "test", "output.snapshot_every=128", "output.checkpoint_every=256"],
     "field"),
    ("snn", ["snn", "test", "sim.neurons=32", "sim.steps=128", "record.traces=true",
             "neuromod.signal=sine", "input.kind=poisson"], "snn"),
    ("snn-train", ["blobs.csv", "train", "test", "data.train_rows=100"], "train"),
    ("flux", ["text.txt", "lm_faithful", "test", "model.kind=faithful"], "lm_faithful"),
]


def report(diffs, n, what):
    for d in diffs:
        print(f"{what}: {d}")
    print(f"{what}: compared {n} files, {len(diffs)} difference(s)")
    return len(diffs) == 0


def check_cli(qneuro, work):
    sys.argv = ["run_cases.py", qneuro, str(work)]
    if run_cases_main() != 0:
        return False
    diffs, n = compare_dirs(EXPECTED, work)
    return report(diffs, n, "cli")


def check_examples(programs, work):
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(HERE / "inputs", work)
    shutil.copy(EXPECTED / "rec.edf", work / "rec.edf")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    ok = True
    for name, args, case in EXAMPLES:
        r = subprocess.run([programs[name], *args], cwd=work, env=env, capture_output=True,
                           text=True)
        if r.returncode != 0:
            print(f"{name}: exit code {r.returncode}\n{r.stdout}{r.stderr}")
            ok = False
            continue
        diffs, n = compare_dirs(EXPECTED / case, work / args[1 if name in (
            "analyze", "snn-train", "flux") else 0])
        ok = report(diffs, n, f"example {name} vs case {case}") and ok
    return ok


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mode = sys.argv[1]
    if mode == "cli" and len(sys.argv) == 4:
        return 0 if check_cli(sys.argv[2], Path(sys.argv[3])) else 1
    if mode == "examples":
        rest = sys.argv[2:]
        programs = {}
        while len(rest) >= 2 and rest[0].startswith("--"):
            programs[rest[0][2:]] = str(Path(rest[1]).resolve())
            rest = rest[2:]
        missing = {n for n, _, _ in EXAMPLES} - set(programs)
        if missing or len(rest) != 1:
            sys.exit(f"examples mode needs --{' --'.join(sorted(missing))} and WORK\n" + __doc__)
        return 0 if check_examples(programs, Path(rest[0])) else 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
