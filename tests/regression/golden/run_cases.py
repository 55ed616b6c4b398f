#!/usr/bin/env python3
"""Runs the qneuro invocations of cases.txt in a fresh scratch directory (see that file).

usage: run_cases.py QNEURO OUT_DIR
Exits 1 naming the case if a command fails (its output is printed)."""
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cases():
    for line in (HERE / "cases.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, args = (part.strip() for part in line.split("|", 1))
            yield name, shlex.split(args)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    qneuro, out = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2])
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(HERE / "inputs", out)
    for name, args in cases():
        r = subprocess.run([qneuro, "--threads", "1", *args], cwd=out, capture_output=True)
        (out / f"{name}.stdout").write_bytes(r.stdout)
        if r.returncode != 0:
            print(f"case {name} failed with exit code {r.returncode}:", r.stderr.decode(errors="replace"))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
