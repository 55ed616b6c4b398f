#!/usr/bin/env bash
# QLIF kernel throughput (issue 4 figures) and training throughput (issue 5): `qneuro snn bench` JSON lines into build/bench-snn.jsonl.
# Each line carries neuron_steps_per_s, the bytes the kernel must move per neuron-step, the
# bandwidth that implies and the STREAM triad measured in the same run (fraction_of_bandwidth_floor).
# Set BIG=1 for the 16 M neuron x 100 step run with voltages (needs ~15 GB of memory).
set -euo pipefail
QNEURO=${QNEURO:-build/bin/qneuro}
OUT=${OUT:-build/bench-snn.jsonl}
: > "$OUT"
for mode in deterministic stochastic quantum; do
  "$QNEURO" --threads 1 snn bench --neurons 1000000 --steps 100 --mode "$mode" --record-voltage | tee -a "$OUT"
done
"$QNEURO" --threads 1 snn bench --neurons 1000000 --steps 100 --mode quantum --breakdown | tee -a "$OUT"
"$QNEURO" snn bench --neurons 1000000 --steps 100 --mode quantum --record-voltage | tee -a "$OUT"
# Training (issue 5): the fused QLIF layer against the plain-ops oracle, same run (LibTorch builds).
if "$QNEURO" snn bench-train --help > /dev/null 2>&1 && "$QNEURO" snn bench-train --iterations 1 --hidden 8 --batch 2 --steps 2 > /dev/null 2>&1; then
  for mode in quantum deterministic; do
    "$QNEURO" snn bench-train --mode "$mode" --iterations 5 | tee -a "$OUT"
  done
fi
if [[ "${BIG:-0}" == 1 ]]; then
  "$QNEURO" snn bench --neurons 16000000 --steps 100 --mode quantum --record-voltage --repeats 1 | tee -a "$OUT"
fi
