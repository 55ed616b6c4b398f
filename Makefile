# Thin wrapper over CMake presets. build/test/demo/bench install missing Debian packages first.
#   make demo   simulate the neural field (demo preset) and print its EEG band table (the main job)
#   make test   deps + build + every test through ctest
#   make bench  deps + build + benchmarks (JSON in build/bench-*.json)
PRESET ?= release
BUILD_DIR := $(if $(filter release,$(PRESET)),build,build-$(PRESET))
JOBS ?= $(shell nproc)
QNEURO := $(BUILD_DIR)/bin/qneuro
DEMO_DIR ?= demo-out

.PHONY: deps build test demo bench format clean

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	ctest --preset $(PRESET) -j $(JOBS)

demo: build
	$(QNEURO) field --preset demo --out $(DEMO_DIR)/field
	@echo "demo outputs: $(DEMO_DIR)/field/{eeg.h5,eeg.edf,summary.json,config.resolved.toml,run.json}"

bench: build
	$(BUILD_DIR)/bin/bench_field > $(BUILD_DIR)/bench-field.jsonl
	$(BUILD_DIR)/bin/bench_analysis --benchmark_counters_tabular=true \
	  --benchmark_out=$(BUILD_DIR)/bench-analysis.json --benchmark_out_format=json
	@QNEURO=$(QNEURO) bench/compare_scipy.sh
	QNEURO=$(BUILD_DIR)/bin/qneuro OUT=$(BUILD_DIR)/bench-snn.jsonl bench/bench_snn.sh
	if [ -x $(BUILD_DIR)/bin/bench_flux_scores ]; then \
	  $(BUILD_DIR)/bin/bench_flux_scores --benchmark_counters_tabular=true \
	    --benchmark_out=$(BUILD_DIR)/bench-flux-scores.json --benchmark_out_format=json; fi

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf build build-* $(DEMO_DIR)
