// qneuro synth: write a synthetic resting-state EEG recording (see eeg/synth.hpp for the model).
#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/eeg/synth.hpp"

namespace qneuro::cli {
namespace {

struct SynthOptions {
  std::string out = "synthetic.edf";
  eeg::SynthParams params;
};

int run_synth(const SynthOptions& opt) {
  const std::filesystem::path out(opt.out);
  const std::string ext = strings::to_lower(out.extension().string());
  if (ext != ".edf" && ext != ".csv" && ext != ".h5" && ext != ".hdf5") {
    throw UsageError("synth: --out '" + opt.out + "' must end in .edf, .csv or .h5 (the format)");
  }
  const io::Recording rec = eeg::synthesize_eeg(opt.params);
  io::save_recording(out, rec, "synthetic",
                     "Startdate X X qneuro-synth seed=" + std::to_string(opt.params.seed));
  log::info("wrote {}: {} channels x {} samples at {} Hz ({} s), seed {}", out.string(),
            rec.n_channels(), rec.n_samples(), rec.sfreq_hz, opt.params.duration_s,
            opt.params.seed);
  return kExitOk;
}

}  // namespace

Command register_synth(CLI::App& root, const GlobalOptions& /*global*/) {
  auto opt = std::make_shared<SynthOptions>();
  auto& p = opt->params;
  CLI::App* sub = root.add_subcommand("synth",
                                      "Write a synthetic resting-state EEG recording with known "
                                      "structure: 1/f background, posterior\n"
                                      "alpha (reduced after an 'eyes open' annotation at half "
                                      "time) travelling front-to-back, central\n"
                                      "beta, frontal theta. Deterministic for a seed. Format from "
                                      "the extension: .edf (EDF+), .csv, .h5.");
  sub->add_option("--out,-o", opt->out, "output file (.edf, .csv or .h5)")->capture_default_str();
  sub->add_option("--channels", p.channels, "number of channels (<= 64: 10-10 montage names)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  sub->add_option("--duration", p.duration_s, "duration in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--fs", p.fs_hz, "sampling rate in Hz")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--seed", p.seed, "random seed")->capture_default_str();
  sub->add_option("--alpha-hz", p.alpha_hz, "alpha rhythm frequency")->capture_default_str();
  sub->add_option("--alpha-uv", p.alpha_uv, "alpha amplitude (eyes closed), uV")
      ->capture_default_str();
  sub->add_option("--background-uv", p.background_uv, "RMS of the 1/f background, uV")
      ->capture_default_str();
  return {sub, [opt] { return run_synth(*opt); }};
}

}  // namespace qneuro::cli
