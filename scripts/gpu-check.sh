#!/usr/bin/env bash
# The GPU checks and benchmarks as one prepared run (docs/gpu.md), for a machine that has only
# CUDA 13, CMake, ninja and a C++ compiler (no Debian libraries): builds tests/cuda/standalone,
# then runs
#   check_qlif_cuda   the QLIF kernel against its host reference (exactness; exit 1 on failure)
#   bench_qlif_cuda   kernel times against the device's copy/write bandwidth, streamed runs
#   qlif_torch_reference.py   the same step in PyTorch eager / torch.compile on the same GPU,
#                     if python3 has torch with CUDA
# and writes check.jsonl, bench.jsonl, torch.jsonl and summary.md (ratios) to $OUT (default
# gpu-results/). Options: --arch SM (default 90), --quick (small sizes: a smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."
arch=90
quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "gpu-check.sh: unknown option $1 (use --arch SM, --quick)" >&2; exit 2 ;;
  esac
done
out="${OUT:-gpu-results}"
mkdir -p "$out"
build="${BUILD_DIR:-build-gpu}"
export PATH="/usr/local/cuda/bin:$PATH"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total \
  --format=csv | tee "$out/gpu.txt"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S tests/cuda/standalone -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DQNEURO_CUDA_ARCHITECTURES="$arch" > "$out/configure.log"
cmake --build "$build" -j "$(nproc)" > "$out/build.log"
echo "== exactness (check_qlif_cuda)"
set +e
"$build/check_qlif_cuda" | tee "$out/check.jsonl"
check_rc=${PIPESTATUS[0]}
set -e
if [[ $check_rc == 77 ]]; then
  echo "gpu-check.sh: no usable GPU here; nothing measured" >&2
  exit 77
fi
echo "== benchmarks (bench_qlif_cuda)"
if [[ $quick == 1 ]]; then
  sizes=(--neurons 1000000 --steps 100 --repeats 2 --stream-neurons 4000000 --stream-steps 100)
  torch_sizes=(--neurons 1000000 --steps 100 --repeats 1)
else
  sizes=()
  torch_sizes=()
fi
"$build/bench_qlif_cuda" "${sizes[@]}" | tee "$out/bench.jsonl"
echo "== PyTorch reference"
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  python3 bench/cuda/qlif_torch_reference.py "${torch_sizes[@]}" | tee "$out/torch.jsonl"
else
  echo "no python3 with CUDA torch: skipped" | tee "$out/torch.jsonl"
fi
python3 bench/cuda/summarize.py "$out" | tee "$out/summary.md"
exit "$check_rc"
