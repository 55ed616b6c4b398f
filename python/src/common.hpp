// Pieces every qneuro Python binding shares: exceptions, NumPy conversion, config resolution,
// and the observer that releases the GIL, draws progress and turns Ctrl-C into a clean stop.
//
// Conventions (docs/python.md):
// - Arrays come back without a copy: a std::vector is moved into a capsule that owns it.
// - Input errors (qneuro::InputError, ConfigError, UsageError) raise qneuro.InputError /
//   qneuro.ConfigError (subclasses of ValueError) with the CLI's message; runtime failures raise
//   qneuro.RunError (a RuntimeError); a numerical failure qneuro.NumericalError.
// - Long calls run with the GIL released. The observer takes the GIL back at most every 50 ms
//   to check for Ctrl-C (PyErr_CheckSignals) and to call the progress callback; a pending
//   KeyboardInterrupt stops the engine at its next consistent point (its files complete and
//   resumable) and is raised once the run has returned.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"
#include "qneuro/core/observer.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::python {

namespace py = pybind11;

/// Defines qneuro's exception classes on `m` (core == nullptr: the qneuro._core module) or takes
/// them from `core`, and registers the translator from C++ exceptions to them.
void register_exceptions(py::module_& m, const py::module_* core = nullptr);

/// describe_config, config_keys, presets and resolve_config for the schemas `of` names.
void bind_schema_functions(py::module_& m,
                           const std::function<const config::Schema&(const std::string&)>& of);

/// Threads of the engines' parallel loops for calls from Python: qneuro.set_threads(n) (0, the
/// default: OMP_NUM_THREADS if set, else all hardware threads, as the CLI). Each long call runs
/// under a ScopedThreads of this count, so PyTorch's own setting (which shares the OpenMP
/// runtime and which Debian's python3-torch starts at 1) does not change it.
int& package_threads();
int effective_threads();

/// A NumPy array that owns `values` (moved, not copied), with the given shape (C order).
/// Any allocator: the snn engine's (T, B, N) arrays live in huge pages (HugePageVector).
template <typename T, typename Alloc>
py::array_t<T> to_numpy(std::vector<T, Alloc>&& values, const std::vector<py::ssize_t>& shape) {
  using Vec = std::vector<T, Alloc>;
  auto* owned = new Vec(std::move(values));
  py::capsule owner(owned, [](void* p) { delete static_cast<Vec*>(p); });
  return py::array_t<T>(shape, owned->data(), owner);
}
template <typename T, typename Alloc>
py::array_t<T> to_numpy(std::vector<T, Alloc>&& values) {
  const auto n = static_cast<py::ssize_t>(values.size());
  return to_numpy(std::move(values), {n});
}
/// [rows][cols] as one (rows, cols) array (a copy: the rows are separate vectors).
py::array_t<double> rows_to_numpy(const std::vector<std::vector<double>>& rows);

/// A JSON value as Python objects (dict, list, str, float, int, bool, None).
py::object json_to_python(const nlohmann::ordered_json& value);

/// The config `schema` resolved as the CLI does: defaults < preset < file < sets ("key=value",
/// TOML values, as --set).
config::Config resolve_config(const config::Schema& schema, const std::string& preset,
                              const std::optional<std::string>& file,
                              const std::vector<std::string>& sets);

/// The engine observer behind every long call (Base: RunObserver or an engine's subclass).
/// Construct it with the GIL held; run the engine with the GIL released; call finish() after.
template <typename Base>
class PyObserver : public Base {
 public:
  /// progress: None, or a callable progress(done, total, unit, detail).
  explicit PyObserver(py::object progress) : progress_(std::move(progress)) {}
  PyObserver(const PyObserver&) = delete;
  PyObserver& operator=(const PyObserver&) = delete;
  ~PyObserver() override {
    py::gil_scoped_acquire gil;
    progress_ = py::object();
  }

  void on_progress(const Progress& p) override {
    done_ = p.done;
    total_ = p.total;
    unit_ = std::string(p.unit);
    detail_ = std::string(p.detail);
    reported_ = true;
    poll(p.done >= p.total);
  }
  [[nodiscard]] bool stop_requested() override {
    poll(false);
    return interrupted_;
  }
  /// With the GIL held, after the run: the last progress call, then the pending
  /// KeyboardInterrupt (if Ctrl-C stopped the run) is raised.
  void finish() {
    if (reported_ && !progress_.is_none()) progress_(done_, total_, unit_, detail_, true);
    if (pending_) {
      pending_->restore();
      pending_.reset();
      throw py::error_already_set();
    }
  }
  [[nodiscard]] bool interrupted() const { return interrupted_; }

 protected:
  /// Takes the GIL (at most every 50 ms unless `force`): checks signals, reports progress.
  void poll(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_poll_ < std::chrono::milliseconds(50)) return;
    last_poll_ = now;
    py::gil_scoped_acquire gil;
    if (!interrupted_ && PyErr_CheckSignals() != 0) {
      interrupted_ = true;
      pending_.emplace();  // fetches the KeyboardInterrupt (or whatever the handler raised)
    }
    if (reported_ && !progress_.is_none()) {
      try {
        progress_(done_, total_, unit_, detail_, false);
      } catch (py::error_already_set& e) {
        // Ctrl-C while the callback's Python code ran lands here: a clean stop, as anywhere.
        if (!e.matches(PyExc_KeyboardInterrupt)) throw;
        if (!interrupted_) {
          interrupted_ = true;
          pending_.emplace(std::move(e));
        }
      }
    }
  }

 private:
  py::object progress_;
  std::optional<py::error_already_set> pending_;
  bool interrupted_ = false;
  bool reported_ = false;
  uint64_t done_ = 0, total_ = 0;
  std::string unit_, detail_;
  std::chrono::steady_clock::time_point last_poll_{};
};

/// A recording as a dict: data (C, S) µV, fs, ch_names, format, source, annotations.
py::dict recording_to_python(const io::Recording& rec);
/// An analysis as a dict of arrays (the fields of summary.json, plus psd, freqs, pli, wpli).
py::dict analysis_to_python(const eeg::AnalysisResult& a, const nlohmann::ordered_json& summary);

void bind_eeg(py::module_& m);
void bind_field(py::module_& m);
void bind_snn(py::module_& m);

}  // namespace qneuro::python
