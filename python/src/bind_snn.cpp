// qneuro._core: QLIF populations (snn/run.hpp) and the quantum-map calibration.
#include <cmath>
#include <string>

#include "common.hpp"
#include "qneuro/core/enum_names.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/snn/run.hpp"
#include "qneuro/snn/snn_config.hpp"

namespace qneuro::python {

namespace {

using Float32Array = py::array_t<float, py::array::c_style | py::array::forcecast>;

/// inputs (T, B, N) or (T, N), finite; converted to float32 by the Python side.
snn::InputArray input_from_array(const Float32Array& a) {
  if (a.ndim() != 3 && a.ndim() != 2) {
    throw InputError("inputs must be (T, B, N) or (T, N) (steps, batch, neurons), got " +
                     std::to_string(a.ndim()) + "-D");
  }
  snn::InputArray in;
  in.T = static_cast<std::size_t>(a.shape(0));
  in.B = a.ndim() == 3 ? static_cast<std::size_t>(a.shape(1)) : 1;
  in.N = static_cast<std::size_t>(a.shape(a.ndim() - 1));
  if (in.T == 0 || in.B == 0 || in.N == 0) throw InputError("inputs is empty");
  const float* p = a.data();
  const std::size_t n = in.T * in.B * in.N;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(p[i])) {
      const std::size_t t = i / (in.B * in.N), b = (i / in.N) % in.B, k = i % in.N;
      throw InputError("inputs[" + std::to_string(t) + ", " + std::to_string(b) + ", " +
                       std::to_string(k) + "] is " + (std::isnan(p[i]) ? "NaN" : "infinite") +
                       "; the input current must be finite");
    }
  }
  in.values.assign(p, p + n);
  return in;
}

py::dict simulate(const py::object& inputs, const std::string& preset,
                  const std::optional<std::string>& file, const std::vector<std::string>& sets,
                  const std::string& out, const std::string& command_line,
                  const py::object& progress) {
  const config::Config cfg = resolve_config(snn::snn_schema(), preset, file, sets);
  snn::SnnRunOptions options;
  options.out = out;
  options.command_line = command_line;
  std::optional<snn::InputArray> in;
  if (!inputs.is_none()) {
    in = input_from_array(inputs.cast<Float32Array>());
    options.input = &*in;
  }
  PyObserver<snn::SnnObserver> observer(progress);
  snn::SnnRunResult r;
  {
    const parallel::ScopedThreads threads(effective_threads());
    py::gil_scoped_release release;
    r = snn::simulate(cfg, options, &observer);
  }
  in.reset();
  observer.finish();
  const snn::SnnRunParams& p = r.params;
  const std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(p.steps),
                                       static_cast<py::ssize_t>(p.batch),
                                       static_cast<py::ssize_t>(p.neurons)};
  py::dict d;
  d["status"] = std::string(to_string(r.status));
  d["fs"] = p.fs_hz();
  d["dt_ms"] = p.neuron.dt * p.time_unit_ms;
  d["spikes"] = to_numpy(std::move(r.spikes), shape);
  d["voltage"] = r.voltage.empty() ? py::object(py::none())
                                   : py::object(to_numpy(std::move(r.voltage), shape));
  py::dict traces;
  auto trace = [&](const char* name, HugePageVector<float>& v) {
    if (!v.empty()) traces[name] = to_numpy(std::move(v), shape);
  };
  trace("p", r.p);
  trace("D", r.D);
  trace("A", r.A);
  trace("E", r.E);
  trace("Theta", r.Theta);
  d["traces"] = traces;
  d["input"] = to_numpy(std::move(r.input.values), shape);
  d["input_generated"] = r.input_generated;
  d["modulation"] =
      r.modulation.empty() ? py::object(py::none()) : py::object(to_numpy(std::move(r.modulation)));
  d["population_signal"] = rows_to_numpy(r.population_signal.data);
  d["rate_hz"] = to_numpy(std::vector<double>(r.stats.rate_hz));
  d["summary"] = json_to_python(r.summary);
  d["analysis"] = r.analysis ? py::object(analysis_to_python(*r.analysis, r.summary)) : py::none();
  d["seconds"] = r.seconds;
  d["preset"] = r.preset;
  d["config_toml"] = cfg.to_toml();
  return d;
}

py::dict calibrate(double p0, double slope, const std::string& map, double leak) {
  const auto m = parse_enum<snn::QuantumMap>(map, "map");
  const snn::CalibrationCheck c = snn::check_calibration(p0, slope, m, leak);
  if (!c.ok) {
    throw NumericalError(
        "calibrate: the numerical check failed (p(0) = " + std::to_string(c.p_at_0) + ", slope " +
        std::to_string(c.slope_at_0) + ")");
  }
  py::dict d;
  d["q_bias"] = c.calibration.q_bias;
  d["q_scale"] = c.calibration.q_scale;
  d["p_at_0"] = c.p_at_0;
  d["slope_at_0"] = c.slope_at_0;
  return d;
}

}  // namespace

void bind_snn(py::module_& m) {
  m.def("snn_simulate", &simulate, py::arg("inputs"), py::arg("preset"), py::arg("config_file"),
        py::arg("sets"), py::arg("out"), py::arg("command_line"), py::arg("progress"));
  m.def("snn_calibrate", &calibrate, py::arg("p0"), py::arg("slope"), py::arg("map"),
        py::arg("leak"));
  m.def("snn_default_preset", [] { return std::string(snn::kDefaultSnnPreset); });
}

}  // namespace qneuro::python
