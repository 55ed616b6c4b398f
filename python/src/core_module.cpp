// qneuro._core: the LibTorch-free engines for Python (docs/python.md). The Python package
// (python/qneuro) wraps these functions with keyword arguments, docstrings and result classes;
// this module only converts arrays, resolves configs and runs the library run APIs.
#include "common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/version.hpp"
#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/snn/snn_config.hpp"

namespace qneuro::python {
namespace {

const config::Schema& schema_of(const std::string& engine) {
  if (engine == "analyze") return eeg::analysis_schema();
  if (engine == "field") return field::field_schema();
  if (engine == "snn") return snn::snn_schema();
  throw InputError("unknown engine '" + engine + "' (allowed: analyze, field, snn)");
}

}  // namespace
}  // namespace qneuro::python

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using namespace qneuro;
  using namespace qneuro::python;
  m.doc() = "qneuro's engines without LibTorch (EEG analysis, neural field, QLIF populations)";
  // Library messages (progress lines, file notes) stay quiet unless asked for: a notebook user
  // sees results and exceptions, not the CLI's log. set_log_level("info") restores them.
  log::init(log::Verbosity::Quiet);
  register_exceptions(m);
  m.def("version", [] { return std::string(build_info::version()); });
  m.def("version_line", [] { return build_info::version_line(); });
  m.def(
      "set_threads",
      [](int n) {
        if (n < 0) throw InputError("threads must be >= 0 (0: all), got " + std::to_string(n));
        package_threads() = n;
      },
      py::arg("n"));
  m.def("get_threads", &effective_threads);
  m.def(
      "set_log_level",
      [](const std::string& level) {
        if (level == "quiet" || level == "warning") {
          log::init(log::Verbosity::Quiet);
        } else if (level == "info") {
          log::init(log::Verbosity::Normal);
        } else if (level == "debug") {
          log::init(log::Verbosity::Verbose);
        } else {
          throw InputError("log level '" + level + "' (allowed: warning, info, debug)");
        }
      },
      py::arg("level"));
  bind_schema_functions(m, schema_of);
  bind_eeg(m);
  bind_field(m);
  bind_snn(m);
}
