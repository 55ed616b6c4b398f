// The run driver behind `qneuro field`: initial state, the step loop with EEG sampling,
// diagnostics, density snapshots, health checks and checkpoints.
//
// Loop contract (what makes --resume bit-identical): at step s (state psi_s, time s dt) the
// driver first records whatever falls on s (EEG sample if s % k == 0, diagnostics if
// s % diag_every == 0, a snapshot if s % snapshot_every == 0), then advances to s + 1, then writes
// a checkpoint if (s + 1) % checkpoint_every == 0 (after checking that the state is finite and
// its norm within tolerance). A step depends only on (psi, the solver's potential cache, s), and
// both are in the checkpoint, so a run restored at s replays exactly what the uninterrupted run
// did. EEG samples are taken at steps 0, k, 2k, ... < steps (ceil(steps / k) samples,
// t_j = j / fs).
//
// Several populations (params.populations, P >= 2): one solver per population. With connectivity
// they are coupled (population j's V_conn reads sum_k W_jk rho_k) and step together stage by
// stage (FieldSolverBase::stage_*); without it each steps alone. The electrodes read the density
// sum_j c_j rho_j (c_j = populations.readout), snapshots hold sum_j rho_j, and the diagnostics
// row is the system's: norm = mean of the populations' norms (each is normalised to 1), energies
// summed, positions norm-weighted; each population's own rows are kept too.
//
// Health: after each diagnostics evaluation the run stops (status Stopped, with a message) if the
// state is not finite, or if the norm drifts: |norm - 1| > tolerance without absorption, or a
// norm increase beyond the tolerance with it. EEG samples that are not finite stop it too.
// Everything recorded up to that point is kept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "qneuro/core/observer.hpp"
#include "qneuro/field/params.hpp"
#include "qneuro/field/readout.hpp"
#include "qneuro/field/solver.hpp"

namespace qneuro::io {
class H5File;
}

namespace qneuro::field {

inline constexpr const char* kCheckpointSchema = "qneuro.field.checkpoint/1";

/// What a run recorded (everything that goes into eeg.h5 / eeg.edf).
struct FieldRecord {
  double fs_hz = 0.0;
  std::vector<std::string> labels;
  std::vector<std::pair<double, double>> positions;
  std::vector<std::vector<double>> signals_uv;  ///< [electrode][sample]
  std::vector<Diagnostics> diagnostics;
  std::vector<int64_t> snapshot_slices;  ///< r indices
  std::vector<uint64_t> snapshot_steps;
  std::vector<float> snapshots;  ///< [snapshot][slice][ny][nx], sum_j |psi_j|^2
  /// Multi-population runs only: names and each population's diagnostics rows
  /// ([population][row], at the steps of `diagnostics`).
  std::vector<std::string> population_names;
  std::vector<std::vector<Diagnostics>> population_diagnostics;

  [[nodiscard]] std::size_t n_samples() const {
    return signals_uv.empty() ? 0 : signals_uv.front().size();
  }
};

using qneuro::RunStatus;

/// Diagnostics as columns under `group` (step, t_s, norm, energy, e_*, max_abs_q, min_amplitude,
/// clamped, finite: [n]; mean_position: [n, 3]).
void write_diagnostics_h5(io::H5File& file, const std::string& group,
                          const std::vector<Diagnostics>& diagnostics);

class Simulation {
 public:
  explicit Simulation(FieldParams params);

  /// Sets the initial state (step 0).
  void start();
  /// Restores a checkpoint written by write_checkpoint. `fingerprint` (the resolved config
  /// without the keys a resumed run may change) must match the one stored. Throws InputError.
  void resume(const std::filesystem::path& checkpoint, const std::string& fingerprint);
  /// Writes the state, the step and the record so far (atomically).
  void write_checkpoint(const std::filesystem::path& path, const std::string& fingerprint) const;

  struct Callbacks {
    std::function<void(uint64_t step)> progress;          ///< after each step
    std::function<void(uint64_t step)> checkpoint;        ///< when a checkpoint is due
    std::function<bool()> interrupted;                    ///< polled after each step
    std::function<void(std::size_t sample)> sample;       ///< EEG sample `sample` recorded
    std::function<void(const Diagnostics&)> diagnostics;  ///< a diagnostics row recorded
    std::function<void(std::size_t snapshot)> snapshot;   ///< snapshot `snapshot` stored
  };
  /// Runs until params.time.steps, a health stop, or `interrupted()` (status Interrupted: the
  /// state is consistent at step(), so a checkpoint written then resumes exactly).
  /// Records the final diagnostics.
  RunStatus run(const Callbacks& callbacks = {});

  [[nodiscard]] uint64_t step() const { return step_; }
  [[nodiscard]] const FieldRecord& record() const { return record_; }
  /// Moves the record out (the simulation keeps an empty one).
  [[nodiscard]] FieldRecord release_record() { return std::exchange(record_, FieldRecord{}); }
  [[nodiscard]] const std::string& stop_reason() const { return stop_reason_; }
  [[nodiscard]] const FieldParams& params() const { return params_; }
  /// The solver of population j (0: the only one of a single-population run).
  [[nodiscard]] FieldSolverBase& solver(std::size_t j = 0) { return *solvers_.at(j); }
  [[nodiscard]] std::size_t population_count() const { return solvers_.size(); }
  [[nodiscard]] const Electrodes& electrodes() const { return electrodes_; }
  /// Wall seconds spent in solver steps during run() (this process only).
  [[nodiscard]] double stepping_seconds() const { return stepping_seconds_; }
  [[nodiscard]] uint64_t steps_done_here() const { return steps_done_here_; }

 private:
  void record_sample();
  bool record_diagnostics();  ///< false if the run must stop
  bool healthy();             ///< finite state and norm within tolerance (sets stop_reason_)
  /// The one norm rule: finite, |norm - 1| <= tol without absorption, no growth beyond `last`
  /// (the norm at the previous check) with it.
  bool norm_ok(double norm, bool finite, const std::string& where, double last);
  void record_snapshot();

  FieldParams params_;
  void advance();  ///< one step of every population
  [[nodiscard]] Diagnostics system_diagnostics();  ///< records population rows too

  std::vector<std::unique_ptr<FieldSolverBase>> solvers_;
  Electrodes electrodes_;
  FieldRecord record_;
  uint64_t step_ = 0;
  double last_norm_ = 1.0;
  std::vector<double> last_population_norms_;  // each population's, with several
  std::string stop_reason_;
  std::vector<double> column_, population_column_;
  double stepping_seconds_ = 0.0;
  uint64_t steps_done_here_ = 0;
};

}  // namespace qneuro::field
