// qneuro analyze INPUT: spectral and connectivity analysis of an EEG recording.
#include <iostream>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/progress.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/json.hpp"

namespace qneuro::cli {
namespace {

struct AnalyzeOptions {
  std::string input;
  std::string out;
  std::string channels;
  std::string channels_regex;
  bool no_connectivity = false;
  bool print_json = false;
  ConfigOptions config;
};

std::filesystem::path default_out_dir(const std::string& input) {
  return std::filesystem::path(std::filesystem::path(input).stem().string() + "-analysis");
}

int run_analyze(const AnalyzeOptions& opt, const GlobalOptions& global) {
  const auto& schema = eeg::analysis_schema();
  std::vector<std::string> shortcuts;
  if (!opt.channels.empty()) {
    std::vector<std::string> quoted;
    for (const auto& name : strings::split(opt.channels, ',')) {
      const auto t = strings::trim(name);
      if (!t.empty()) quoted.push_back(toml_quote(t));
    }
    shortcuts.push_back("channels.names=[" + strings::join(quoted, ", ") + "]");
  }
  if (!opt.channels_regex.empty())
    shortcuts.push_back("channels.regex=" + toml_quote(opt.channels_regex));
  if (opt.no_connectivity) shortcuts.push_back("connectivity.enabled=false");
  if (opt.config.handle_info_flags(schema, shortcuts)) return kExitOk;
  if (opt.input.empty()) {
    throw UsageError("analyze: missing INPUT (an EDF/EDF+, CSV or qneuro HDF5 file)");
  }
  const config::Config cfg = opt.config.resolve(schema, shortcuts);

  RunRecord run("analyze", global);
  log::info("loading {}", opt.input);
  const io::Recording rec = io::load_recording(opt.input, eeg::load_options_from_config(cfg));
  log::info("{} ({}): {} channels x {} samples at {} Hz ({:.1f} s)", rec.source, rec.format,
            rec.n_channels(), rec.n_samples(), rec.sfreq_hz,
            static_cast<double>(rec.n_samples()) / rec.sfreq_hz);
  const eeg::AnalysisParams params = eeg::params_from_config(cfg, rec.sfreq_hz, rec.n_samples());
  ProgressBar bar("analyze", 1 + (params.connectivity ? params.bands.size() : 0), "stages");
  const eeg::AnalysisResult result =
      eeg::analyze(rec, params, [&bar](std::size_t done, std::size_t) { bar.update(done); });
  bar.finish();

  const std::filesystem::path out =
      opt.out.empty() ? default_out_dir(opt.input) : std::filesystem::path(opt.out);
  const auto summary = eeg::summary_json(result);
  io::write_json(out / "summary.json", summary);
  eeg::write_analysis_h5(out / "analysis.h5", result);
  io::write_file_atomic(out / "config.resolved.toml", cfg.to_toml());
  const double samples = static_cast<double>(rec.n_channels() * rec.n_samples());
  const std::size_t C = rec.n_channels();
  const double pairs = static_cast<double>(C * (C - 1) / 2 * params.bands.size());
  run.extra()["input"] = opt.input;
  run.extra()["throughput"] = {
      {"samples_per_s", samples / (result.seconds_spectral + result.seconds_connectivity)},
      {"spectral_s", result.seconds_spectral},
      {"connectivity_s", result.seconds_connectivity},
      {"band_pairs_per_s", result.has_connectivity ? pairs / result.seconds_connectivity : 0.0}};
  run.write(out);

  if (opt.print_json) {
    std::cout << summary.dump(2) << "\n";
  } else if (!global.quiet) {
    std::cout << eeg::format_table(result) << std::flush;  // before the log line on stderr
  }
  log::info("analysis: spectra {:.3f} s, connectivity {:.3f} s ({} threads); wrote {}",
            result.seconds_spectral, result.seconds_connectivity, parallel::max_threads(),
            (out / "summary.json").string());
  return kExitOk;
}

}  // namespace

Command register_analyze(CLI::App& root, const GlobalOptions& global) {
  auto opt = std::make_shared<AnalyzeOptions>();
  CLI::App* sub = root.add_subcommand(
      "analyze",
      "Spectral and connectivity analysis of an EEG recording (EDF/EDF+, CSV or qneuro HDF5).\n"
      "Per channel: Welch PSD (Hann, 2 s segments, 50 % overlap, density in uV^2/Hz), absolute "
      "and\n"
      "relative band power, spectral entropy, peak frequency and peak list, aperiodic (1/f) "
      "exponent.\n"
      "Per band: PLI and wPLI over all channel pairs. Signals are analysed in microvolts.\n"
      "Writes DIR/summary.json (schema qneuro.analysis/1), DIR/analysis.h5, "
      "DIR/config.resolved.toml\n"
      "and DIR/run.json, and prints a table. Definitions: docs/analyze.md.");
  sub->add_option("input", opt->input,
                  "recording: .edf (EDF/EDF+), .csv (time column + channels) or .h5");
  sub->add_option("--out,-o", opt->out, "output directory (default: <input stem>-analysis)");
  sub->add_option("--channels", opt->channels,
                  "comma-separated channel labels to analyse, e.g. O1,Oz,O2 (default: all)");
  sub->add_option("--channels-regex", opt->channels_regex,
                  "also analyse channels whose label matches this regex, e.g. '^(O|PO)'");
  sub->add_flag("--no-connectivity", opt->no_connectivity, "skip PLI/wPLI");
  sub->add_flag("--json", opt->print_json, "print summary.json to stdout instead of the table");
  opt->config.add_to(*sub, eeg::analysis_schema());
  return {sub, [opt, &global] { return run_analyze(*opt, global); }};
}

}  // namespace qneuro::cli
