// qneuro analyze INPUT: spectral and connectivity analysis of an EEG recording (eeg/run.hpp).
#include <iostream>
#include <optional>

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
  std::string epochs, events, baseline;
  std::optional<double> tmin, tmax, reject_uv;
  ConfigOptions config;
};

/// "a,b" as a TOML array of strings.
std::string toml_string_list(const std::string& comma_separated) {
  std::vector<std::string> quoted;
  for (const auto& name : strings::split(comma_separated, ',')) {
    const auto t = strings::trim(name);
    if (!t.empty()) quoted.push_back(toml_quote(t));
  }
  return "[" + strings::join(quoted, ", ") + "]";
}

/// The shortcut options as --set strings (user --set wins).
std::vector<std::string> shortcuts(const AnalyzeOptions& opt) {
  std::vector<std::string> sets;
  if (!opt.channels.empty()) sets.push_back("channels.names=" + toml_string_list(opt.channels));
  if (!opt.epochs.empty()) sets.push_back("epochs.events=" + toml_string_list(opt.epochs));
  if (!opt.events.empty()) sets.push_back("epochs.events_file=" + toml_quote(opt.events));
  if (!opt.baseline.empty()) sets.push_back("epochs.baseline=" + toml_quote(opt.baseline));
  auto number = [](double v) { return strings::format_number(v); };
  if (opt.tmin) sets.push_back("epochs.tmin_s=" + number(*opt.tmin));
  if (opt.tmax) sets.push_back("epochs.tmax_s=" + number(*opt.tmax));
  if (opt.reject_uv) sets.push_back("epochs.reject_uv=" + number(*opt.reject_uv));
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
    throw UsageError(
        "analyze: missing INPUT (an EDF/EDF+, BDF, BrainVision .vhdr, CSV or qneuro HDF5 file)");
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
      "Spectral and connectivity analysis of an EEG recording (EDF/EDF+, BDF, BrainVision .vhdr,\n"
      "CSV or qneuro HDF5).\n"
      "Per channel: Welch PSD (Hann, 2 s segments, 50 % overlap, density in uV^2/Hz), absolute "
      "and\n"
      "relative band power, spectral entropy, peak frequency and peak list, aperiodic (1/f) "
      "exponent.\n"
      "Per band: PLI and wPLI over all channel pairs. Signals are analysed in microvolts.\n"
      "On request: epochs and ERD/ERS around events (--epochs), spectrograms and PLI over time,\n"
      "phase-amplitude coupling, a multitaper PSD (keys epochs.*, spectrogram.*, pac.*).\n"
      "Writes DIR/summary.json (schema qneuro.analysis/1), DIR/analysis.h5, "
      "DIR/config.resolved.toml\n"
      "and DIR/run.json, and prints a table. Definitions: docs/analyze.md.");
  sub->add_option("input", opt->input,
                  "recording: .edf (EDF/EDF+), .bdf (BioSemi), .vhdr (BrainVision), .csv (time\n"
                  "column + channels) or .h5");
  sub->add_option("--out,-o", opt->out, "output directory (default: <input stem>-analysis)");
  sub->add_option("--channels", opt->channels,
                  "comma-separated channel labels to analyse, e.g. O1,Oz,O2 (default: all)");
  sub->add_option("--channels-regex", opt->channels_regex,
                  "also analyse channels whose label matches this regex, e.g. '^(O|PO)'");
  sub->add_flag("--no-connectivity", opt->no_connectivity, "skip PLI/wPLI");
  sub->add_option("--epochs", opt->epochs,
                  "epoch around these events (annotation texts, e.g. T1,T2): band power,\n"
                  "relative power and, with --baseline, ERD/ERS % per condition (epochs.*)");
  sub->add_option("--tmin", opt->tmin, "epoch start relative to each event, s (default -1)");
  sub->add_option("--tmax", opt->tmax, "epoch end relative to each event, s (default 4)");
  sub->add_option("--baseline", opt->baseline,
                  "ERD reference condition, e.g. T0 (or epochs.baseline_window_s = [b0, b1])");
  sub->add_option("--events", opt->events,
                  "CSV/TSV of events (columns onset_s, condition) instead of the annotations");
  sub->add_option("--reject-uv", opt->reject_uv,
                  "reject epochs whose peak-to-peak amplitude exceeds this in any channel (uV)");
  sub->add_flag("--json", opt->print_json, "print summary.json to stdout instead of the table");
  opt->config.add_to(*sub, eeg::analysis_schema());
  return {sub, [opt, &global] { return run_analyze(*opt, global); }};
}

}  // namespace qneuro::cli
