// qneuro._torch: the LibTorch engines for Python (docs/python.md): the fused QLIF sequence as an
// autograd function (for qneuro.torch.QLIFLayer) and the Quantum Flux language model
// (qneuro.flux). Tensors cross as torch.Tensor (torch/extension.h); it is built against the
// LibTorch of Debian's python3-torch (the same source package as libtorch-dev).
#include <torch/extension.h>

#include "common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/flux/params.hpp"
#include "qneuro/flux/run.hpp"
#include "qneuro/flux/trainer.hpp"
#include "qneuro/snn/torch/classifier.hpp"
#include "qneuro/snn/torch/qlif_layer.hpp"
#include "qneuro/snn/train_config.hpp"

namespace qneuro::python {
namespace {

const config::Schema& torch_schema_of(const std::string& engine) {
  if (engine == "train") return snn::train_schema();
  if (engine == "flux") return flux::flux_schema();
  throw InputError("unknown engine '" + engine + "' (allowed: train, flux)");
}

/// The options and carried state of one Python QLIFLayer; the Python module holds the
/// parameters (nn.Parameter or buffers) and passes them to every call.
class QLIFCore {
 public:
  QLIFCore(int64_t neurons, const std::vector<std::string>& sets, uint32_t seed, uint32_t layer)
      : options_(neurons) {
    const config::Config cfg = resolve_config(snn::train_schema(), "", std::nullopt, sets);
    options_.params(snn::train_params_from_config(cfg).neuron).seed(seed).layer(layer);
    options_.params().validate();
    if (neurons < 1) {
      throw InputError(
          "a QLIF layer needs at least one neuron (n_neurons = " + std::to_string(neurons) + ")");
    }
  }
  /// Initial values of the five parameters (V_th, tau, eta, q_scale, q_bias).
  [[nodiscard]] py::dict initial() const {
    const snn::NeuronParams& p = options_.params();
    py::dict d;
    d["V_th"] = p.V_th;
    d["tau"] = p.tau;
    d["eta"] = p.eta;
    d["q_scale"] = p.q_scale;
    d["q_bias"] = p.q_bias;
    return d;
  }
  py::tuple forward(const torch::Tensor& V_th, const torch::Tensor& tau, const torch::Tensor& eta,
                    const torch::Tensor& q_scale, const torch::Tensor& q_bias,
                    const torch::Tensor& input, const std::optional<torch::Tensor>& modulation,
                    bool training, const std::optional<torch::Tensor>& xi,
                    const std::optional<torch::Tensor>& u, bool relaxed) {
    const snn::QLIFParameters params{V_th, tau, eta, q_scale, q_bias};
    snn::QLIFRandoms randoms;
    randoms.xi = xi.value_or(torch::Tensor());
    randoms.u = u.value_or(torch::Tensor());
    randoms.relaxed = relaxed;
    snn::QLIFOutput out;
    {
      py::gil_scoped_release release;
      out = snn::qlif_forward(options_, params, carry_, training, input,
                              modulation.value_or(torch::Tensor()), randoms);
    }
    return py::make_tuple(out.spikes, out.voltage);
  }
  py::tuple next_randoms(int64_t T, int64_t B, bool double_precision) const {
    const snn::QLIFRandoms r = snn::qlif_next_randoms(
        options_, carry_, T, B, double_precision ? torch::kDouble : torch::kFloat);
    return py::make_tuple(r.xi, r.u);
  }
  void reset() { carry_.reset(); }
  [[nodiscard]] py::object state() const {
    return carry_.state.defined() ? py::cast(carry_.state) : py::none();
  }
  [[nodiscard]] uint64_t time() const { return carry_.t; }
  [[nodiscard]] uint64_t episode() const { return carry_.episode; }
  [[nodiscard]] std::string mode() const { return std::string(to_string(options_.params().mode)); }

 private:
  snn::QLIFOptions options_;
  snn::QLIFCarry carry_;
};

/// A loaded (or just trained) language model.
class FluxModel {
 public:
  explicit FluxModel(flux::LoadedCheckpoint ck) : ck_(std::move(ck)) {}
  std::string generate(const std::string& prompt, std::optional<int64_t> tokens,
                       std::optional<int64_t> top_k, std::optional<double> temperature,
                       std::optional<uint32_t> seed) {
    flux::GenerateOverrides o;
    o.tokens = tokens;
    o.top_k = top_k;
    o.temperature = temperature;
    o.seed = seed;
    py::gil_scoped_release release;
    return flux::generate_text(ck_, prompt, o);
  }
  py::dict evaluate(const std::string& text, const std::string& out,
                    const std::string& command_line) {
    flux::EvalRunOptions o;
    o.out = out;
    o.text_name = "text";
    o.command_line = command_line;
    flux::EvalRunResult r;
    {
      py::gil_scoped_release release;
      r = flux::evaluate_text(ck_, text, o);
    }
    py::dict d;
    d["bits_per_char"] = r.result.bits_per_char;
    d["nats_per_token"] = r.result.nats_per_token;
    d["tokens"] = r.result.tokens;
    d["characters"] = r.result.characters;
    d["summary"] = json_to_python(r.summary);
    return d;
  }
  [[nodiscard]] py::dict history() const {
    flux::HistoryColumns c = flux::history_columns(ck_.history);
    py::dict d;
    d["step"] = to_numpy(std::move(c.step));
    d["loss"] = to_numpy(std::move(c.loss));
    d["cross_entropy"] = to_numpy(std::move(c.cross_entropy));
    d["geometric"] = to_numpy(std::move(c.geometric));
    d["lr"] = to_numpy(std::move(c.lr));
    d["tokens_per_s"] = to_numpy(std::move(c.tokens_per_s));
    d["eval_step"] = to_numpy(std::move(c.eval_step));
    d["eval_bits_per_char"] = to_numpy(std::move(c.eval_bits_per_char));
    d["steps_done"] = ck_.history.step;
    d["seconds"] = ck_.history.seconds;
    return d;
  }
  [[nodiscard]] const std::string& config_toml() const { return ck_.config_toml; }
  [[nodiscard]] int64_t vocab_size() const { return ck_.tokenizer.vocab_size(); }
  [[nodiscard]] std::string dir() const { return ck_.dir.string(); }
  [[nodiscard]] int64_t parameter_count() const {
    int64_t n = 0;
    for (const auto& p : ck_.model->parameters()) n += p.numel();
    return n;
  }

 private:
  flux::LoadedCheckpoint ck_;
};

FluxModel flux_load(const std::string& path) {
  flux::LoadedCheckpoint ck;
  {
    py::gil_scoped_release release;
    ck = flux::load_checkpoint(flux::checkpoint_dir(path));
  }
  return FluxModel(std::move(ck));
}

py::tuple flux_train(const std::string& text, const std::string& preset,
                     const std::optional<std::string>& file, const std::vector<std::string>& sets,
                     const std::string& out, bool resume, const std::string& text_name,
                     const std::string& command_line, const py::object& progress) {
  const config::Config cfg = resolve_config(flux::flux_schema(), preset, file, sets);
  flux::TrainRunOptions o;
  o.out = out;
  o.resume = resume;
  o.text_name = text_name;
  o.command_line = command_line;
  PyObserver<flux::TrainObserver> observer(progress);
  flux::TrainRunResult r;
  {
    py::gil_scoped_release release;
    r = flux::train(text, cfg, o, &observer);
  }
  observer.finish();
  flux::LoadedCheckpoint ck;
  ck.config_toml = r.config_toml;
  ck.config = r.config;
  ck.tokenizer = r.tokenizer;
  ck.model = r.model;
  ck.history = r.history;
  ck.dir = out.empty() ? std::filesystem::path() : flux::checkpoint_dir(out);
  return py::make_tuple(json_to_python(r.summary), FluxModel(std::move(ck)));
}

}  // namespace
}  // namespace qneuro::python

PYBIND11_MODULE(_torch, m) {
  namespace py = pybind11;
  using namespace qneuro::python;
  m.doc() = "qneuro's LibTorch engines (the QLIF autograd function, the flux language model)";
  const py::module_ core = py::module_::import("qneuro._core");
  register_exceptions(m, &core);
  bind_schema_functions(m, torch_schema_of);

  py::class_<QLIFCore>(m, "QLIFCore")
      .def(py::init<int64_t, const std::vector<std::string>&, uint32_t, uint32_t>(),
           py::arg("neurons"), py::arg("sets"), py::arg("seed"), py::arg("layer"))
      .def("initial", &QLIFCore::initial)
      .def("forward", &QLIFCore::forward, py::arg("V_th"), py::arg("tau"), py::arg("eta"),
           py::arg("q_scale"), py::arg("q_bias"), py::arg("input"), py::arg("modulation"),
           py::arg("training"), py::arg("xi"), py::arg("u"), py::arg("relaxed"))
      .def("next_randoms", &QLIFCore::next_randoms, py::arg("T"), py::arg("B"),
           py::arg("double_precision"))
      .def("reset", &QLIFCore::reset)
      .def_property_readonly("state", &QLIFCore::state)
      .def_property_readonly("time", &QLIFCore::time)
      .def_property_readonly("episode", &QLIFCore::episode)
      .def_property_readonly("mode", &QLIFCore::mode);

  py::class_<FluxModel>(m, "FluxModel")
      .def("generate", &FluxModel::generate, py::arg("prompt"), py::arg("tokens"), py::arg("top_k"),
           py::arg("temperature"), py::arg("seed"))
      .def("evaluate", &FluxModel::evaluate, py::arg("text"), py::arg("out"),
           py::arg("command_line"))
      .def("history", &FluxModel::history)
      .def_property_readonly("config_toml", &FluxModel::config_toml)
      .def_property_readonly("vocab_size", &FluxModel::vocab_size)
      .def_property_readonly("dir", &FluxModel::dir)
      .def_property_readonly("parameter_count", &FluxModel::parameter_count);
  m.def(
      "rate_encode",
      [](const torch::Tensor& x, const std::vector<int64_t>& ids, uint64_t episode, uint32_t seed,
         double gain, int64_t steps) {
        py::gil_scoped_release release;
        return qneuro::snn::rate_encode(x, ids, episode, seed, gain, steps);
      },
      py::arg("x"), py::arg("ids"), py::arg("episode"), py::arg("seed"), py::arg("gain"),
      py::arg("steps"));
  m.def("flux_load", &flux_load, py::arg("path"));
  m.def("flux_train", &flux_train, py::arg("text"), py::arg("preset"), py::arg("config_file"),
        py::arg("sets"), py::arg("out"), py::arg("resume"), py::arg("text_name"),
        py::arg("command_line"), py::arg("progress"));
}
