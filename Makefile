# Thin wrapper over CMake presets. build/test/demo/bench install missing Debian packages first.
#   make demo   simulate the neural field (demo preset) and print its EEG band table (the main job);
#               installs and builds only what that needs (no LibTorch, tests or benchmarks)
#   make test   deps + build of every target + every test through ctest
#   make bench  deps + build + benchmarks (JSON in build/bench-*.json*; GPU cases where a GPU is)
PRESET ?= release
BUILD_DIR := $(if $(filter release,$(PRESET)),build,build-$(PRESET))
JOBS ?= $(shell nproc)
TORCH ?= ON
# The CUDA backends (docs/gpu.md) are compiled whenever nvcc is there (CI included, so the CUDA
# code cannot rot); their tests skip without a GPU. CUDA=OFF builds without them.
NVCC := $(firstword $(wildcard /usr/local/cuda/bin/nvcc) $(shell command -v nvcc 2>/dev/null))
CUDA ?= $(if $(NVCC),ON,OFF)
QNEURO := $(BUILD_DIR)/bin/qneuro
DEMO_DIR ?= demo-out
,:= ,# a literal comma inside $(if ...)
FULL := -DQNEURO_BUILD_TESTS=ON -DQNEURO_BUILD_BENCH=ON -DQNEURO_WITH_TORCH=$(TORCH) \
  -DQNEURO_BUILD_PYTHON=ON -DQNEURO_BUILD_WEB=ON -DQNEURO_WITH_CUDA=$(CUDA)

.PHONY: deps build test demo bench format clean

deps:
	@scripts/install-deps.sh $(if $(filter OFF,$(TORCH)),--no-torch)

build: deps
	cmake --preset $(PRESET) $(FULL)
	cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	ctest --preset $(PRESET) -j $(JOBS)

# A first `make demo` configures a lean build directory; `make build`/`make test` later turn
# tests, benchmarks and LibTorch on in the same directory and reuse what was compiled.
demo:
	@scripts/install-deps.sh --demo
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then \
	  cmake --preset $(PRESET) -DQNEURO_BUILD_TESTS=OFF -DQNEURO_BUILD_BENCH=OFF \
	    -DQNEURO_WITH_TORCH=OFF -DQNEURO_BUILD_PYTHON=OFF -DQNEURO_BUILD_WEB=OFF; fi
	cmake --build --preset $(PRESET) -j $(JOBS) --target qneuro
	$(QNEURO) field --preset demo --out $(DEMO_DIR)/field
	@echo "demo outputs: $(DEMO_DIR)/field/{eeg.h5,eeg.edf,summary.json,config.resolved.toml,run.json}"

bench: build
	$(BUILD_DIR)/bin/bench_field > $(BUILD_DIR)/bench-field.jsonl
	$(BUILD_DIR)/bin/bench_analysis --benchmark_counters_tabular=true \
	  --benchmark_out=$(BUILD_DIR)/bench-analysis.json --benchmark_out_format=json
	@QNEURO=$(QNEURO) bench/compare_scipy.sh
	/usr/bin/python3 bench/time_resolved_vs_scipy.py $(QNEURO) | tee $(BUILD_DIR)/bench-time-resolved.jsonl
	QNEURO=$(BUILD_DIR)/bin/qneuro OUT=$(BUILD_DIR)/bench-snn.jsonl bench/bench_snn.sh
	if [ -x $(BUILD_DIR)/bin/bench_flux_scores ]; then \
	  $(BUILD_DIR)/bin/bench_flux_scores --benchmark_counters_tabular=true \
	    --benchmark_out=$(BUILD_DIR)/bench-flux-scores.json --benchmark_out_format=json; fi
	@if [ -x $(BUILD_DIR)/bin/bench_qlif_cuda ]; then \
	  $(BUILD_DIR)/bin/bench_qlif_cuda > $(BUILD_DIR)/bench-qlif-cuda.jsonl; rc=$$?; \
	  if [ $$rc = 77 ]; then cat $(BUILD_DIR)/bench-qlif-cuda.jsonl; \
	  elif [ $$rc != 0 ]; then exit $$rc; fi; fi
	/usr/bin/python3 bench/startup.py $(QNEURO) $(if $(filter OFF,$(TORCH)),--skip-torch) \
	  | tee $(BUILD_DIR)/bench-startup.jsonl
	PYTHONPATH=$(BUILD_DIR)/python /usr/bin/python3 bench/python_vs_cli.py $(QNEURO) \
	  $(if $(filter OFF,$(TORCH)),--only analyze$(,)field$(,)snn) | tee $(BUILD_DIR)/bench-python.jsonl

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf build build-* $(DEMO_DIR)
