// qneuro._core: the neural-field run API (field/run.hpp).
#include <string>

#include "common.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/field/run.hpp"

namespace qneuro::python {

namespace {

py::dict diagnostics_to_python(const std::vector<field::Diagnostics>& rows) {
  const std::size_t n = rows.size();
  auto column = [&](auto get) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = get(rows[i]);
    return to_numpy(std::move(v));
  };
  py::dict d;
  std::vector<int64_t> steps(n);
  for (std::size_t i = 0; i < n; ++i) steps[i] = static_cast<int64_t>(rows[i].step);
  d["step"] = to_numpy(std::move(steps));
  d["t_s"] = column([](const auto& r) { return r.t_s; });
  d["norm"] = column([](const auto& r) { return r.norm; });
  d["energy"] = column([](const auto& r) { return r.energy; });
  d["e_kinetic"] = column([](const auto& r) { return r.e_kinetic; });
  d["e_external"] = column([](const auto& r) { return r.e_external; });
  d["e_connectivity"] = column([](const auto& r) { return r.e_connectivity; });
  d["e_mqp"] = column([](const auto& r) { return r.e_mqp; });
  d["max_abs_q"] = column([](const auto& r) { return r.max_abs_q; });
  d["min_amplitude"] = column([](const auto& r) { return r.min_amplitude; });
  d["clamped"] = column([](const auto& r) { return static_cast<double>(r.clamped); });
  std::vector<double> pos(3 * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 3; ++k) pos[3 * i + k] = rows[i].mean_position[k];
  }
  d["mean_position"] = to_numpy(std::move(pos), {static_cast<py::ssize_t>(n), 3});
  return d;
}

py::dict result_to_python(field::FieldRunResult& r, const std::string& config_toml) {
  field::FieldRecord& rec = r.record;
  py::dict d;
  d["status"] = std::string(to_string(r.status));
  d["stop_reason"] = r.stop_reason;
  d["steps"] = r.steps;
  d["steps_done_here"] = r.steps_done_here;
  d["stepping_seconds"] = r.stepping_seconds;
  d["fs"] = rec.fs_hz;
  d["electrodes"] = rec.labels;
  std::vector<double> pos;
  for (const auto& [x, y] : rec.positions) pos.insert(pos.end(), {x, y});
  d["positions"] = to_numpy(std::move(pos), {static_cast<py::ssize_t>(rec.positions.size()), 2});
  d["eeg"] = rows_to_numpy(rec.signals_uv);
  d["diagnostics"] = diagnostics_to_python(rec.diagnostics);
  py::dict populations;  // several populations only: name -> that population's rows
  for (std::size_t j = 0; j < rec.population_names.size(); ++j) {
    populations[py::str(rec.population_names[j])] =
        diagnostics_to_python(rec.population_diagnostics[j]);
  }
  d["population_diagnostics"] = populations;
  const auto K = static_cast<py::ssize_t>(rec.snapshot_steps.size());
  const auto S = static_cast<py::ssize_t>(rec.snapshot_slices.size());
  const auto& grid = r.params.grid;
  d["snapshots"] = to_numpy(std::move(rec.snapshots), {K, S, static_cast<py::ssize_t>(grid.ny()),
                                                       static_cast<py::ssize_t>(grid.nx())});
  std::vector<int64_t> snap_steps(rec.snapshot_steps.begin(), rec.snapshot_steps.end());
  d["snapshot_steps"] = to_numpy(std::move(snap_steps));
  d["snapshot_slices"] = to_numpy(std::vector<int64_t>(rec.snapshot_slices));
  d["summary"] = json_to_python(r.summary);
  d["analysis"] = r.analysis ? py::object(analysis_to_python(*r.analysis, r.summary)) : py::none();
  d["config_toml"] = config_toml;
  d["preset"] = r.preset;
  return d;
}

py::dict run(bool resuming, const std::string& preset, const std::optional<std::string>& file,
             const std::vector<std::string>& sets, const std::string& out,
             const std::string& command_line, const py::object& progress) {
  field::FieldRunOptions options;
  options.out = out;
  options.command_line = command_line;
  config::Config cfg = resuming ? field::resume_config(out, sets)
                                : resolve_config(field::field_schema(), preset, file, sets);
  PyObserver<field::FieldObserver> observer(progress);
  field::FieldRunResult r;
  {
    const parallel::ScopedThreads threads(effective_threads());
    py::gil_scoped_release release;
    r = resuming ? field::resume(cfg, options, &observer)
                 : field::simulate(cfg, options, &observer);
  }
  observer.finish();
  return result_to_python(r, cfg.to_toml());
}

}  // namespace

void bind_field(py::module_& m) {
  m.def(
      "field_simulate",
      [](const std::string& preset, const std::optional<std::string>& file,
         const std::vector<std::string>& sets, const std::string& out,
         const std::string& command_line, const py::object& progress) {
        return run(false, preset, file, sets, out, command_line, progress);
      },
      py::arg("preset"), py::arg("config_file"), py::arg("sets"), py::arg("out"),
      py::arg("command_line"), py::arg("progress"));
  m.def(
      "field_resume",
      [](const std::string& out, const std::vector<std::string>& sets,
         const std::string& command_line, const py::object& progress) {
        field::check_resumable(out);
        return run(true, "", std::nullopt, sets, out, command_line, progress);
      },
      py::arg("out"), py::arg("sets"), py::arg("command_line"), py::arg("progress"));
  m.def("field_default_preset", [] { return std::string(field::kDefaultFieldPreset); });
}

}  // namespace qneuro::python
