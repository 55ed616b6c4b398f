// The EEG analysis run API: what `qneuro analyze` does, callable from any front end.
//
//   const config::Config cfg = config::Config::resolve(eeg::analysis_schema(), "", {}, {});
//   eeg::AnalyzeRunOptions opt;
//   opt.out = "rec-analysis";                              // optional: empty writes nothing
//   const eeg::AnalyzeRunResult r = eeg::analyze_file("rec.edf", cfg, opt);
//
// With options.out set, writes summary.json (qneuro.analysis/1), analysis.h5,
// config.resolved.toml and run.json (docs/formats.md), all atomically. Progress counts stages:
// the spectra, then one per band of PLI/wPLI.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"
#include "qneuro/core/observer.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::eeg {

struct AnalyzeRunOptions {
  std::filesystem::path out;  ///< output directory; empty: no files
  std::string command_line;   ///< how the run was started, for run.json
};

struct AnalyzeRunResult {
  AnalysisResult result;
  nlohmann::ordered_json summary;  ///< summary.json
};

/// Loads `input` (EDF/EDF+, CSV or qneuro HDF5) with the config's channel selection and input
/// unit, then analyses it as analyze_recording() does. run.json records "input" = the path.
AnalyzeRunResult analyze_file(const std::filesystem::path& input, const config::Config& cfg,
                              const AnalyzeRunOptions& options, RunObserver* observer = nullptr);

/// Analyses a recording in memory (µV; the config's channels.* keys select among its channels)
/// with the parameters of `cfg` (a config of analysis_schema()).
AnalyzeRunResult analyze_recording(const io::Recording& recording, const config::Config& cfg,
                                   const AnalyzeRunOptions& options,
                                   RunObserver* observer = nullptr);

}  // namespace qneuro::eeg
