// qneuro analyze INPUT: spectral and connectivity analysis of an EEG recording (eeg/run.hpp).
#include <iostream>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/eeg/run.hpp"

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

/// --channels, --channels-regex and --no-connectivity as --set strings (user --set wins).
std::vector<std::string> shortcuts(const AnalyzeOptions& opt) {
  std::vector<std::string> sets;
  if (!opt.channels.empty()) {
    std::vector<std::string> quoted;
    for (const auto& name : strings::split(opt.channels, ',')) {
      const auto t = strings::trim(name);
      if (!t.empty()) quoted.push_back(toml_quote(t));
    }
    sets.push_back("channels.names=[" + strings::join(quoted, ", ") + "]");
  }
  if (!opt.channels_regex.empty()) {
    sets.push_back("channels.regex=" + toml_quote(opt.channels_regex));
  }
  if (opt.no_connectivity) sets.push_back("connectivity.enabled=false");
  return sets;
}

int run_analyze(const AnalyzeOptions& opt, const GlobalOptions& global) {
  const auto& schema = eeg::analysis_schema();
  const std::vector<std::string> sets = shortcuts(opt);
  if (opt.config.handle_info_flags(schema, sets)) return kExitOk;
  if (opt.input.empty()) {
    throw UsageError("analyze: missing INPUT (an EDF/EDF+, CSV or qneuro HDF5 file)");
  }
  const config::Config cfg = opt.config.resolve(schema, sets);
  eeg::AnalyzeRunOptions run;
  run.out =
      opt.out.empty()
          ? std::filesystem::path(std::filesystem::path(opt.input).stem().string() + "-analysis")
          : std::filesystem::path(opt.out);
  run.command_line = global.command_line;
  ProgressObserver<RunObserver> progress("analyze", global);
  const eeg::AnalyzeRunResult r = eeg::analyze_file(opt.input, cfg, run, &progress);
  progress.finish();
  if (opt.print_json) {
    std::cout << r.summary.dump(2) << "\n";
  } else if (!global.quiet) {
    std::cout << eeg::format_table(r.result) << std::flush;
  }
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
