#!/usr/bin/env bash
# Runs one example script of examples/python in a scratch directory and checks that it wrote at
# least one non-empty PNG there.   run_example.sh PYTHON SCRIPT OUTDIR
set -euo pipefail
python=$1 script=$2 out=$3
rm -rf "$out"
mkdir -p "$out"
cd "$out"
"$python" "$script" "$out"
shopt -s nullglob
pngs=("$out"/*.png)
if [[ ${#pngs[@]} -eq 0 ]]; then
  echo "run_example: $script wrote no PNG in $out" >&2
  exit 1
fi
for p in "${pngs[@]}"; do
  [[ -s "$p" ]] || { echo "run_example: $p is empty" >&2; exit 1; }
  head -c 8 "$p" | od -An -tx1 | grep -q "89 50 4e 47" || { echo "run_example: $p is not a PNG" >&2; exit 1; }
  echo "wrote $p ($(stat -c %s "$p") bytes)"
done
