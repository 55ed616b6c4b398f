// Runs the neural field from library code only (no CLI), with the files `qneuro field` writes.
//
//   example_field_run OUT [PRESET [KEY=VALUE ...]]     e.g. example_field_run run test
//
// Same preset and keys as `qneuro field --preset PRESET --set KEY=VALUE ... --out OUT`, same
// outputs (the library holds the run loop and the file layouts).
#include <cstdio>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/field/run.hpp"

int main(int argc, char** argv) {
  using namespace qneuro;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT [PRESET [KEY=VALUE ...]]\n", argv[0]);
    return kExitUsage;
  }
  try {
    const std::string preset = argc > 2 ? argv[2] : field::kDefaultFieldPreset;
    const std::vector<std::string> sets(argv + std::min(argc, 3), argv + argc);
    const config::Config cfg = config::Config::resolve(field::field_schema(), preset, {}, sets);

    // Live data arrives through an observer: here, the number of EEG samples as they come.
    struct Counter : field::FieldObserver {
      std::size_t samples = 0;
      void on_sample(const field::FieldRecord&, std::size_t) override { ++samples; }
    } counter;
    field::FieldRunOptions options;
    options.out = argv[1];
    options.command_line = "example_field_run";
    const field::FieldRunResult r = field::simulate(cfg, options, &counter);

    std::printf("status %s, %llu steps, %zu electrodes x %zu samples at %g Hz (%zu streamed)\n",
                to_string(r.status).c_str(), static_cast<unsigned long long>(r.steps),
                r.eeg.n_channels(), r.eeg.n_samples(), r.eeg.sfreq_hz, counter.samples);
    if (r.analysis) {
      const auto& ch = r.analysis->per_channel.front();
      std::printf("%s: peak %.2f Hz, spectral entropy %.3f\n", ch.name.c_str(), ch.peak_hz,
                  ch.spectral_entropy);
    }
    return r.status == RunStatus::Completed ? kExitOk : kExitRuntime;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.exit_code();
  }
}
