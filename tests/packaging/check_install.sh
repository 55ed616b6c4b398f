#!/usr/bin/env bash
# Packaging.InstalledTreeBuildsAndRunsTheExamples: `cmake --install` the build into a scratch
# prefix, build examples/ against it as an outside project would (find_package(qneuro), nothing
# from the build or source tree on its include path), and run each example program; also run the
# installed CLI, including a command it hands over to the installed qneuro-torch.
#   check_install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$(cd "$1" && pwd) source=$(cd "$2" && pwd) work=$3
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
test -x "$prefix/bin/qneuro"
test -f "$prefix/lib/cmake/qneuro/qneuroConfig.cmake"
test -f "$prefix/include/qneuro/field/run.hpp"

# The examples folder copied out of the source tree: it must build from the package alone.
cp -r "$source/examples" "$work/examples"
cmake -S "$work/examples" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log"
cmake --build "$work/build" -j 2 > "$work/build.log"

cd "$work"
export OMP_NUM_THREADS=1
"$work/build/example_field_run" field test time.steps=64
test -f field/eeg.h5 && test -f field/summary.json && test -f field/run.json
"$work/build/example_snn_run" snn test sim.steps=100
test -f snn/spikes.h5
"$work/build/example_analyze_run" --synthetic analysis
test -f analysis/analysis.h5
"$prefix/bin/qneuro" -q synth --out rec.edf --channels 4 --duration 8
"$prefix/bin/qneuro" -q analyze rec.edf --out cli-analysis
test -f cli-analysis/summary.json

if [[ -x "$work/build/example_flux_train" ]]; then
  printf 'the cat sat on a mat, and the dog sat on the log\n%.0s' {1..60} > text.txt
  "$work/build/example_flux_train" text.txt lm test train.steps=4
  test -f lm/checkpoint/checkpoint.json
  # The installed qneuro hands `flux` over to the installed libexec/qneuro/qneuro-torch.
  "$prefix/bin/qneuro" flux generate --checkpoint lm --prompt "the " --tokens 8 > generated.txt
  grep -q '^the ' generated.txt
fi
if [[ -x "$work/build/example_snn_train" ]]; then
  "$source/tests/packaging/blobs.sh" > blobs.csv
  "$work/build/example_snn_train" blobs.csv clf test data.train_rows=60 train.epochs=1
  test -f clf/model.pt
fi
echo "installed tree: $(find "$prefix" -type f | wc -l) files; examples built and ran"
