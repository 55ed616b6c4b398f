#!/usr/bin/env bash
# Times `qneuro analyze` against the independent NumPy/SciPy implementation of the same
# estimators (tests/validation/reference_analysis.py) on the same recording, in the same run,
# and checks that both agree. Prints one JSON line.
#   QNEURO=build/bin/qneuro bench/compare_scipy.sh [channels] [seconds] [fs]
set -euo pipefail
cd "$(dirname "$0")/.."
qneuro=${QNEURO:-build/bin/qneuro}
python=${QNEURO_PYTHON:-/usr/bin/python3}
channels=${1:-64}
seconds=${2:-60}
fs=${3:-160}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$qneuro" synth --out "$work/rec.edf" --channels "$channels" --duration "$seconds" --fs "$fs" -q
now() { date +%s.%N; }
t0=$(now)
"$qneuro" analyze "$work/rec.edf" --out "$work/ours" -q
t1=$(now)
"$python" tests/validation/reference_analysis.py "$work/rec.edf" --out "$work/ref.json" >/dev/null
t2=$(now)
agree=false
if "$python" tests/validation/compare_analysis.py "$work/ours" "$work/ref.json" >"$work/compare.txt"; then
  agree=true
fi
threads=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['threads'])" "$work/ours/run.json")
"$python" - "$t0" "$t1" "$t2" "$channels" "$seconds" "$fs" "$agree" "$threads" <<'PY'
import json, sys
t0, t1, t2 = map(float, sys.argv[1:4])
ours, ref = t1 - t0, t2 - t1
print(json.dumps({"bench": "analyze_vs_scipy", "channels": int(sys.argv[4]),
                  "seconds": float(sys.argv[5]), "fs_hz": float(sys.argv[6]),
                  "qneuro_s": round(ours, 4), "scipy_s": round(ref, 4),
                  "speedup": round(ref / ours, 2), "agree_1e-6": sys.argv[7] == "true",
                  "qneuro_threads": int(sys.argv[8]), "scipy_threads": 1}))
PY
