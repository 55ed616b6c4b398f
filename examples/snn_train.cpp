// Trains the spiking classifier (trainable QLIF layers) from library code only, with the files
// `qneuro snn train` writes.
//
//   example_snn_train DATA OUT [PRESET [KEY=VALUE ...]]   DATA: a CSV (label last) or MNIST dir
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/torch/training_run.hpp"

int main(int argc, char** argv) {
  using namespace qneuro;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATA OUT [PRESET [KEY=VALUE ...]]\n", argv[0]);
    return kExitUsage;
  }
  try {
    const std::string preset = argc > 3 ? argv[3] : "default";
    const std::vector<std::string> sets(argv + std::min(argc, 4), argv + argc);
    const config::Config cfg = config::Config::resolve(snn::train_schema(), preset, {}, sets);
    snn::TrainingRunOptions options;
    options.out = argv[2];
    options.data_name = argv[1];
    options.command_line = "example_snn_train";
    const snn::TrainingRunResult r = snn::run_training(argv[1], cfg, options);
    std::printf("test accuracy %.1f %% after %zu epochs\n", 100.0 * r.result.test_accuracy,
                r.result.epochs.size());
    return kExitOk;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.exit_code();
  }
}
