#include "common.hpp"

#include <cstdlib>
#include <exception>
#include <functional>

#include "qneuro/core/error.hpp"
#include "qneuro/core/parallel.hpp"

namespace qneuro::python {

void register_exceptions(py::module_& m, const py::module_* core) {
  // The hierarchy docs/python.md documents: input errors are ValueErrors, so code that catches
  // ValueError for bad arguments catches ours; runtime failures are RuntimeErrors. The classes
  // live in qneuro._core; other extension modules translate to the same classes. (Strong
  // references held for the life of the process, as pybind11's own exception objects are.)
  static PyObject* input_error = nullptr;
  static PyObject* config_error = nullptr;
  static PyObject* run_error = nullptr;
  static PyObject* numerical_error = nullptr;
  if (core != nullptr) {
    input_error = py::object(core->attr("InputError")).release().ptr();
    config_error = py::object(core->attr("ConfigError")).release().ptr();
    run_error = py::object(core->attr("RunError")).release().ptr();
    numerical_error = py::object(core->attr("NumericalError")).release().ptr();
  } else {
    auto define = [&m](const char* name, PyObject* base, const char* doc) {
      const std::string qualified = std::string("qneuro.") + name;
      PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
      if (cls == nullptr) throw py::error_already_set();
      m.attr(name) = py::handle(cls);
      return cls;
    };
    input_error = define("InputError", PyExc_ValueError,
                         "Bad input: a malformed file, an array of the wrong shape or dtype, a "
                         "value out of range. A ValueError; the message is the one the qneuro "
                         "CLI prints.");
    config_error = define("ConfigError", input_error,
                          "Bad configuration: an unknown key, a wrong type, a value outside its "
                          "range (an InputError).");
    run_error = define("RunError", PyExc_RuntimeError,
                       "A failure while running (an I/O error while writing, ...).");
    numerical_error =
        define("NumericalError", run_error, "A numerical failure (non-finite state, norm drift).");
  }
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      PyErr_SetString(config_error, e.what());
    } catch (const UsageError& e) {
      PyErr_SetString(input_error, e.what());
    } catch (const InputError& e) {
      PyErr_SetString(input_error, e.what());
    } catch (const NumericalError& e) {
      PyErr_SetString(numerical_error, e.what());
    } catch (const Error& e) {
      PyErr_SetString(run_error, e.what());
    }
  });
}

void bind_schema_functions(py::module_& m,
                           const std::function<const config::Schema&(const std::string&)>& of) {
  m.def(
      "describe_config", [of](const std::string& engine) { return of(engine).markdown(); },
      py::arg("engine"));
  m.def(
      "config_keys", [of](const std::string& engine) { return of(engine).keys(); },
      py::arg("engine"));
  m.def(
      "presets",
      [of](const std::string& engine) {
        const config::Schema& s = of(engine);
        py::dict d;
        for (const auto& name : s.preset_names()) d[py::str(name)] = *s.preset_description(name);
        return d;
      },
      py::arg("engine"));
  m.def(
      "resolve_config",
      [of](const std::string& engine, const std::string& preset,
           const std::optional<std::string>& file, const std::vector<std::string>& sets) {
        return resolve_config(of(engine), preset, file, sets).to_toml();
      },
      py::arg("engine"), py::arg("preset"), py::arg("config_file"), py::arg("sets"));
}

int& package_threads() {
  static int threads = 0;
  return threads;
}

int effective_threads() {
  if (package_threads() > 0) return package_threads();
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return parallel::hardware_threads();
}

py::array_t<double> rows_to_numpy(const std::vector<std::vector<double>>& rows) {
  const std::size_t cols = rows.empty() ? 0 : rows.front().size();
  std::vector<double> flat;
  flat.reserve(rows.size() * cols);
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  return to_numpy(std::move(flat),
                  {static_cast<py::ssize_t>(rows.size()), static_cast<py::ssize_t>(cols)});
}

py::object json_to_python(const nlohmann::ordered_json& value) {
  // One parser for every shape of JSON, the same the user would call on summary.json.
  return py::module_::import("json").attr("loads")(value.dump());
}

config::Config resolve_config(const config::Schema& schema, const std::string& preset,
                              const std::optional<std::string>& file,
                              const std::vector<std::string>& sets) {
  std::optional<std::filesystem::path> path;
  if (file) path = *file;
  return config::Config::resolve(schema, preset, path, sets);
}

}  // namespace qneuro::python
