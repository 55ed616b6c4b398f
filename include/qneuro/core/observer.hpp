// What a front end (the CLI, the Python package, the dashboard) hands to an engine's run API to
// follow a run: progress, cancellation and live data.
//
// Contract, for every engine:
// - Calls come from the thread that called the run API, between units of work (a time step, a
//   chunk of steps, a training step, an analysis stage), never from inside a parallel region.
//   An observer needs no locking unless it hands data to other threads itself.
// - Data passed to a callback (spans, references) is valid only during the call; copy what you
//   keep.
// - stop_requested() is polled between units of work. Returning true ends the run at the next
//   consistent point: the run API returns normally with status Interrupted, having written the
//   outputs it has (and a checkpoint where the engine has them), so the run can be resumed.
// - An exception thrown by a callback propagates out of the run API (the run is abandoned; files
//   already committed stay, partial files are never left behind: writes are atomic).
// - Every method has a no-op default. Engines derive their own observer (field::FieldObserver,
//   snn::SnnObserver, flux::TrainObserver, ...) adding typed live-data hooks.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "qneuro/core/enum_names.hpp"

namespace qneuro {

/// Progress of a run in the units it counts.
struct Progress {
  uint64_t done = 0;        ///< units completed (absolute)
  uint64_t total = 0;       ///< units in the whole run
  std::string_view unit;    ///< "steps", "batches", "stages"
  std::string_view detail;  ///< short status, e.g. "loss 1.234 5000 tok/s"; may be empty
};

class RunObserver {
 public:
  RunObserver() = default;
  RunObserver(const RunObserver&) = default;
  RunObserver& operator=(const RunObserver&) = default;
  virtual ~RunObserver() = default;

  /// After each unit of work (engines may report every few units on very fast loops).
  virtual void on_progress(const Progress& /*progress*/) {}
  /// True ends the run cleanly at the next consistent point (see the file comment).
  [[nodiscard]] virtual bool stop_requested() { return false; }
};

/// How a run ended.
enum class RunStatus {
  Completed,    ///< everything asked for was done
  Stopped,      ///< a health check stopped it (non-finite state, norm drift): see the message
  Interrupted,  ///< stop_requested() returned true; resumable where the engine checkpoints
};
template <>
inline constexpr std::array enum_names<RunStatus>{EnumName{RunStatus::Completed, "completed"},
                                                  EnumName{RunStatus::Stopped, "stopped"},
                                                  EnumName{RunStatus::Interrupted, "interrupted"}};

}  // namespace qneuro
