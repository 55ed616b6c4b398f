// Trains a Quantum Flux language model from library code only, with the files
// `qneuro flux train` writes, then samples from it.
//
//   example_flux_train TEXT OUT [PRESET [KEY=VALUE ...]]   e.g. example_flux_train t.txt lm test
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/flux/run.hpp"

int main(int argc, char** argv) {
  using namespace qneuro;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TEXT OUT [PRESET [KEY=VALUE ...]]\n", argv[0]);
    return kExitUsage;
  }
  try {
    const std::string preset = argc > 3 ? argv[3] : "flux";
    const std::vector<std::string> sets(argv + std::min(argc, 4), argv + argc);
    const config::Config cfg = config::Config::resolve(flux::flux_schema(), preset, {}, sets);
    flux::TrainRunOptions options;
    options.out = argv[2];
    options.text_name = argv[1];
    options.command_line = "example_flux_train";
    const flux::TrainRunResult r = flux::train(flux::read_text(argv[1]), cfg, options);
    std::printf("%s: %.3f bits/char after %lld steps\n", to_string(r.config.model.kind).c_str(),
                r.held_out.bits_per_char, static_cast<long long>(r.history.step));
    const flux::LoadedCheckpoint ck = flux::load_checkpoint(flux::checkpoint_dir(argv[2]));
    flux::GenerateOverrides g;
    g.tokens = 20;
    std::printf("sample: %s\n", flux::generate_text(ck, "t", g).c_str());
    return kExitOk;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.exit_code();
  }
}
