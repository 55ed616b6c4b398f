// `snn train` and `snn bench-train` in a build without LibTorch (QNEURO_WITH_TORCH=OFF): the
// commands exist and say how to get them.
#include "cli_common.hpp"
#include "qneuro/core/error.hpp"

namespace qneuro::cli {
namespace {

int explain() {
  throw RuntimeError(
      "this qneuro was built without LibTorch (QNEURO_WITH_TORCH=OFF): install it with "
      "scripts/install-deps.sh (Debian package libtorch-dev) and rebuild");
}

}  // namespace

Command register_snn_train(CLI::App& snn, const GlobalOptions&) {
  CLI::App* t = snn.add_subcommand("train", "Train a spiking classifier (needs LibTorch)");
  t->allow_extras();
  return {t, explain};
}

Command register_snn_bench_train(CLI::App& snn, const GlobalOptions&) {
  CLI::App* b = snn.add_subcommand("bench-train", "Training throughput (needs LibTorch)");
  b->allow_extras();
  return {b, explain};
}

}  // namespace qneuro::cli
