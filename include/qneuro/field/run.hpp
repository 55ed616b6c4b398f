// The neural-field run API: what `qneuro field` does, callable from any front end.
//
//   const config::Config cfg = config::Config::resolve(field::field_schema(), "demo", {}, {});
//   field::FieldRunOptions opt;
//   opt.out = "run";                                // optional: empty keeps everything in memory
//   const field::FieldRunResult r = field::simulate(cfg, opt, &observer);
//   r.eeg.data[e][j];                               // µV, electrode e, sample j at r.eeg.sfreq_hz
//
// simulate() builds the Simulation from the config, steps it to time.steps (or until the observer
// asks to stop, or a health check stops it), analyses the EEG as `qneuro analyze` would
// (eeg::analyze_simulated: 2 s Welch segments, edges of min(1 s, duration / 8)) and, when
// options.out is set, writes (docs/formats.md):
//   config.resolved.toml  before stepping (a crashed run can still be resumed; resume() rewrites
//                         it with the keys it extended, e.g. time.steps)
//   checkpoint.h5         every output.checkpoint_every steps, at the end when that is > 0, and
//                         when the observer stopped the run (so resume() can continue it)
//   eeg.h5, eeg.edf       the electrode signals (when at least one sample was taken)
//   summary.json          qneuro.analysis/1 + a "field" object (status, energy, throughput)
//   run.json              qneuro.run/1
// A run stopped by a health check (non-finite state, norm drift) returns status Stopped with the
// reason and keeps everything recorded up to that point; it does not throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"
#include "qneuro/core/observer.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/field/params.hpp"
#include "qneuro/field/simulation.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::field {

/// Live data of a field run (the contract is in core/observer.hpp). Progress counts steps.
class FieldObserver : public RunObserver {
 public:
  /// EEG sample `sample` was recorded: record.signals_uv[e][sample] (µV) for every electrode,
  /// taken at step sample * steps_per_sample (sample / fs seconds).
  virtual void on_sample(const FieldRecord& /*record*/, std::size_t /*sample*/) {}
  /// A diagnostics row (norm, energy terms, max |Q|, ...) was recorded.
  virtual void on_diagnostics(const Diagnostics& /*row*/) {}
  /// Density snapshot `index` was stored: record.snapshots from
  /// index * slices * ny * nx, [slice][y][x], at step record.snapshot_steps[index].
  virtual void on_snapshot(const FieldRecord& /*record*/, std::size_t /*index*/) {}
  /// checkpoint.h5 was written at `step`.
  virtual void on_checkpoint(uint64_t /*step*/, const std::filesystem::path& /*path*/) {}
};

struct FieldRunOptions {
  std::filesystem::path out;  ///< output directory; empty: no files (results in memory only)
  std::string command_line;   ///< how the run was started, for run.json
};

struct FieldRunResult {
  RunStatus status = RunStatus::Completed;
  std::string stop_reason;  ///< why a run was Stopped or Interrupted
  FieldParams params;
  std::string preset;  ///< the preset the config was resolved with ("" for none)
  uint64_t steps = 0;  ///< steps the state has advanced (this run and any resumed part)
  uint64_t steps_done_here = 0;
  double stepping_seconds = 0.0;  ///< wall time in solver steps in this process
  FieldRecord record;             ///< EEG, diagnostics, snapshots
  io::Recording eeg;              ///< the EEG as a recording (µV), what eeg.h5 and eeg.edf hold
  std::optional<eeg::AnalysisResult> analysis;  ///< unless too few samples
  nlohmann::ordered_json summary;               ///< summary.json
  bool checkpoint_written = false;              ///< out/checkpoint.h5 holds the final state
};

/// Runs the field problem `cfg` (a config of field_schema()).
FieldRunResult simulate(const config::Config& cfg, const FieldRunOptions& options,
                        FieldObserver* observer = nullptr);

/// Throws InputError unless `dir` holds config.resolved.toml and checkpoint.h5 (a run that can
/// be resumed).
void check_resumable(const std::filesystem::path& dir);

/// The config of the run in `dir` (its config.resolved.toml) with `overrides` ("key=value", as
/// --set), after check_resumable(dir).
config::Config resume_config(const std::filesystem::path& dir,
                             const std::vector<std::string>& overrides = {});

/// Continues the run in options.out from its checkpoint.h5, bit-identically, with `cfg` from
/// resume_config(options.out, ...): only time.steps and output.* (not output.snapshot_r) may
/// differ from the stored run (InputError otherwise).
FieldRunResult resume(const config::Config& cfg, const FieldRunOptions& options,
                      FieldObserver* observer = nullptr);

/// The resolved config without the keys a resumed run may change: what a checkpoint must match.
std::string resume_fingerprint(const config::Config& cfg);

/// Writes eeg.h5 (qneuro.timeseries/1 + electrodes, diagnostics, snapshots) atomically.
void write_eeg_h5(const std::filesystem::path& path, const FieldParams& params,
                  const FieldRecord& record, const io::Recording& eeg);
/// Writes eeg.edf (EDF+, one µV signal per electrode).
void write_eeg_edf(const std::filesystem::path& path, const FieldParams& params,
                   const io::Recording& eeg);

}  // namespace qneuro::field
