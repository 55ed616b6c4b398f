// Runs a QLIF population from library code only, with the files `qneuro snn` writes.
//
//   example_snn_run OUT [PRESET [KEY=VALUE ...]]       e.g. example_snn_run pop test
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/run.hpp"

int main(int argc, char** argv) {
  using namespace qneuro;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT [PRESET [KEY=VALUE ...]]\n", argv[0]);
    return kExitUsage;
  }
  try {
    const std::string preset = argc > 2 ? argv[2] : snn::kDefaultSnnPreset;
    const std::vector<std::string> sets(argv + std::min(argc, 3), argv + argc);
    const config::Config cfg = config::Config::resolve(snn::snn_schema(), preset, {}, sets);
    snn::SnnRunOptions options;
    options.out = argv[1];
    options.command_line = "example_snn_run";
    const snn::SnnRunResult r = snn::simulate(cfg, options);
    std::printf("%zu neurons x %zu steps: %llu spikes, population rate %.2f Hz\n", r.params.neurons,
                r.params.steps, static_cast<unsigned long long>(r.stats.total_spikes),
                r.stats.population_rate_hz);
    return kExitOk;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.exit_code();
  }
}
