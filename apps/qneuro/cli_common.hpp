// Pieces every qneuro subcommand shares: global options, config flags, the progress observer,
// Ctrl-C handling, and the entry point both executables (qneuro, qneuro-torch) run.
//
// The CLI is option parsing plus one call into an engine's run API (the libraries hold the run
// loops and file layouts). Commands that need LibTorch (flux *, snn train, snn bench-train) live
// in the separate executable qneuro-torch, to which qneuro hands over (torch_handover.hpp), so
// that every other command starts without loading LibTorch.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "qneuro/core/config.hpp"
#include "qneuro/core/observer.hpp"
#include "qneuro/core/progress.hpp"

namespace qneuro::cli {

/// Options accepted by every subcommand (also before the subcommand name).
struct GlobalOptions {
  int threads = 0;  ///< 0 = all hardware threads (or OMP_NUM_THREADS)
  bool quiet = false;
  bool verbose = false;
  std::string command_line;  ///< argv joined by spaces, for run.json
  char** argv = nullptr;     ///< the original arguments (for the hand-over to qneuro-torch)
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

/// Quotes a string as a TOML basic string ("..." with escapes).
std::string toml_quote(const std::string& s);

/// While alive, the first Ctrl-C asks the running engine to stop cleanly (it writes what it has,
/// and a checkpoint where it checkpoints); a second one ends the process as usual.
class InterruptGuard {
 public:
  InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  ~InterruptGuard();
  [[nodiscard]] static bool interrupted();

 private:
  void (*previous_)(int);
};

/// An engine observer (Base: RunObserver or an engine's subclass) that draws the progress bar
/// (core/progress.hpp) and stops the run on Ctrl-C while an InterruptGuard is alive.
template <typename Base>
class ProgressObserver : public Base {
 public:
  ProgressObserver(std::string label, const struct GlobalOptions& global)
      : label_(std::move(label)), enabled_(!global.quiet) {}
  void on_progress(const Progress& p) override {
    if (!bar_) bar_.emplace(label_, p.total, std::string(p.unit), enabled_);
    bar_->update(p.done, std::string(p.detail));
  }
  [[nodiscard]] bool stop_requested() override { return InterruptGuard::interrupted(); }
  /// Ends the bar's line (before anything else is printed).
  void finish() {
    if (bar_) bar_->finish();
  }

 private:
  std::string label_;
  bool enabled_;
  std::optional<ProgressBar> bar_;
};

/// A registered subcommand: its CLI11 node and what to run when it was selected.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// Parses argv into the commands `add_commands` registers, sets up logging and threads, runs the
/// selected command and maps exceptions to exit codes (0 ok, 1 runtime failure, 2 usage or
/// input error). `after_setup` runs once options are parsed (qneuro-torch sets LibTorch's
/// thread count there).
int run_main(int argc, char** argv,
             const std::function<std::vector<Command>(CLI::App&, GlobalOptions&)>& add_commands,
             const std::function<void()>& after_setup = {});

Command register_analyze(CLI::App& root, const GlobalOptions& global);
Command register_synth(CLI::App& root, const GlobalOptions& global);
Command register_field(CLI::App& root, const GlobalOptions& global);
Command register_snn(CLI::App& root, const GlobalOptions& global);
Command register_report(CLI::App& root, const GlobalOptions& global);  // with QNEURO_BUILD_WEB
Command register_flux(CLI::App& root, const GlobalOptions& global);
/// `snn train` and `snn bench-train` under `snn` (in qneuro-torch).
Command register_snn_train(CLI::App& snn, const GlobalOptions& global);
Command register_snn_bench_train(CLI::App& snn, const GlobalOptions& global);

/// Descriptions shared by the real commands (qneuro-torch) and their hand-over entries (qneuro),
/// so `qneuro --help` and `qneuro snn --help` list them as before.
extern const char* const kFluxDescription;
extern const char* const kSnnTrainDescription;
extern const char* const kSnnBenchTrainDescription;

}  // namespace qneuro::cli
