#!/usr/bin/env bash
# QLIF kernel throughput (issue 4 figures): `qneuro snn bench` JSON lines into build/bench-snn.jsonl.
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
"$QNEURO" --threads 1 snn bench --neurons 1000000 --steps 100 --mode quantum | tee -a "$OUT"
"$QNEURO" snn bench --neurons 1000000 --steps 100 --mode quantum --record-voltage | tee -a "$OUT"
if [[ "${BIG:-0}" == 1 ]]; then
  "$QNEURO" snn bench --neurons 16000000 --steps 100 --mode quantum --record-voltage --repeats 1 | tee -a "$OUT"
fi
