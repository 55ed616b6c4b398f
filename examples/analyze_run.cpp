// Analyses an EEG recording from library code only, with the files `qneuro analyze` writes.
//
//   example_analyze_run INPUT OUT [KEY=VALUE ...]      INPUT: EDF/EDF+, CSV or qneuro HDF5
//   example_analyze_run --synthetic OUT                a synthetic recording made in memory
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/eeg/run.hpp"
#include "qneuro/eeg/synth.hpp"

int main(int argc, char** argv) {
  using namespace qneuro;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s INPUT|--synthetic OUT [KEY=VALUE ...]\n", argv[0]);
    return kExitUsage;
  }
  try {
    const std::vector<std::string> sets(argv + 3, argv + argc);
    const config::Config cfg = config::Config::resolve(eeg::analysis_schema(), "", {}, sets);
    eeg::AnalyzeRunOptions options;
    options.out = argv[2];
    options.command_line = "example_analyze_run";
    const std::string input = argv[1];
    const eeg::AnalyzeRunResult r =
        input == "--synthetic" ? eeg::analyze_recording(eeg::synthesize_eeg({}), cfg, options)
                               : eeg::analyze_file(input, cfg, options);
    std::printf("%zu channels at %g Hz\n", r.result.channels.size(), r.result.sfreq_hz);
    for (std::size_t c = 0; c < std::min<std::size_t>(3, r.result.per_channel.size()); ++c) {
      const auto& ch = r.result.per_channel[c];
      std::printf("%-6s peak %6.2f Hz  entropy %.3f\n", ch.name.c_str(), ch.peak_hz,
                  ch.spectral_entropy);
    }
    return kExitOk;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.exit_code();
  }
}
