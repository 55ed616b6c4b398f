// Pieces every qneuro subcommand shares: global options, config flags, run.json, error mapping.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::cli {

/// Options accepted by every subcommand (also before the subcommand name).
struct GlobalOptions {
  int threads = 0;  ///< 0 = all hardware threads (or OMP_NUM_THREADS)
  bool quiet = false;
  bool verbose = false;
  std::string command_line;
};

/// --config, --preset, --set, --describe-config, --print-config for a subcommand with a schema.
struct ConfigOptions {
  std::optional<std::filesystem::path> file;
  std::string preset;
  std::vector<std::string> sets;
  bool describe = false;
  bool print = false;

  void add_to(CLI::App& sub, const config::Schema& schema);
  /// Resolves defaults < preset < file < extra_sets < --set (user --set wins over flag shortcuts).
  [[nodiscard]] config::Config resolve(const config::Schema& schema,
                                       const std::vector<std::string>& extra_sets = {}) const;
  /// Handles --describe-config / --print-config (resolved with the same `extra_sets` the run
  /// would use); returns true if the command should stop there.
  bool handle_info_flags(const config::Schema& schema,
                         const std::vector<std::string>& extra_sets = {}) const;
};

/// The spectral analysis `field` and `snn` run on their simulated signals: Welch segments of
/// `segment_s` seconds (capped at the recording), `edge_s` trimmed for connectivity, bands and
/// range above Nyquist dropped. Returns nullopt when no band fits below Nyquist.
std::optional<eeg::AnalysisResult> analyze_simulated(const io::Recording& rec, double segment_s,
                                                     double edge_s);

/// The median of timed repeats (the upper middle one for an even count); benches report it
/// because it ignores the odd repeat a busy machine slows down. `times` must not be empty.
double median_seconds(std::vector<double> times);

/// Quotes a string as a TOML basic string ("..." with escapes).
std::string toml_quote(const std::string& s);

/// Records what ran: version, git hash, command line, threads, wall time, and per-command extras.
class RunRecord {
 public:
  RunRecord(std::string subcommand, const GlobalOptions& global);
  nlohmann::ordered_json& extra() { return extra_; }
  /// Writes run.json into `dir` (atomically) with the elapsed wall time.
  void write(const std::filesystem::path& dir) const;
  [[nodiscard]] double elapsed_s() const;

 private:
  std::string subcommand_;
  GlobalOptions global_;
  std::string started_at_;
  std::chrono::steady_clock::time_point start_;
  nlohmann::ordered_json extra_ = nlohmann::ordered_json::object();
};

/// A registered subcommand: its CLI11 node and what to run when it was selected.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command register_analyze(CLI::App& root, const GlobalOptions& global);
Command register_synth(CLI::App& root, const GlobalOptions& global);
Command register_field(CLI::App& root, const GlobalOptions& global);
Command register_snn(CLI::App& root, const GlobalOptions& global);
Command register_flux(CLI::App& root, const GlobalOptions& global);
/// `snn train` and `snn bench-train` (built with LibTorch; otherwise `snn train` explains).
Command register_snn_train(CLI::App& snn, const GlobalOptions& global);
Command register_snn_bench_train(CLI::App& snn, const GlobalOptions& global);

}  // namespace qneuro::cli
