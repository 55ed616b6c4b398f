// The QLIF explorer (qlif_explorer.hpp). The control table below is the single list both the
// page and the test WebQlifControls.EveryControlChangesTheResult read.
#include "qneuro/web/qlif_explorer.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "qneuro/snn/run.hpp"
#include "qneuro/web/requests.hpp"
#include "qneuro/web/run_data.hpp"

namespace qneuro::web {

using nlohmann::json;

namespace {

struct Control {
  const char* key;
  double min = 0, max = 1, step = 0;  // slider range (numbers only); step 0 = continuous
  bool log = false;
  json needs = json::object();
};

struct Group {
  const char* name;
  std::vector<Control> controls;
};

// Slider ranges: the span where each parameter does something visible (the schema's bounds are
// often unbounded). `requires`: the settings under which the key acts (a value, or a list of
// accepted values); the page disables the control otherwise.
const std::vector<Group>& groups() {
  static const json quantum = {{"mode", "quantum"}};
  static const json spiking_random = {{"mode", json::array({"stochastic", "quantum"})}};
  static const json modulated = {
      {"neuromod.signal", json::array({"constant", "sine"})},
      {"neuromod.mode", json::array({"gain", "threshold", "prob_slope"})}};
  static const std::vector<Group> g = {
      {"Simulation",
       {{"sim.neurons", 10, 4000, 10},
        {"sim.steps", 100, 4000, 10},
        {"sim.seed", 0, 100, 1},
        {"sim.time_unit_ms", 0.1, 10, 0, true}}},
      {"Membrane",
       {{"neuron.tau", 1, 200, 0, true},
        {"neuron.dt", 0.1, 5, 0},
        {"neuron.V_reset", -1, 0.9, 0},
        {"neuron.integrator"},
        {"compat.soft_reset"},
        {"neuron.reset_fraction", 0, 1, 0, false, {{"compat.soft_reset", true}}}}},
      {"Threshold and adaptation",
       {{"neuron.V_th", 0.2, 3, 0},
        {"neuron.use_adaptive_threshold"},
        {"neuron.eta", 0, 1, 0, false, {{"neuron.use_adaptive_threshold", true}}},
        {"compat.eta_unused", 0, 1, 0, false, {{"neuron.use_adaptive_threshold", true}}},
        {"neuron.min_threshold", 0, 2, 0},
        {"neuron.max_threshold", 0.5, 4, 0},
        {"neuron.adaptation_decay", 0, 1, 0},
        {"neuron.spike_increase", 0, 2, 0}}},
      {"After-hyperpolarisation",
       {{"neuron.use_ahp"},
        {"neuron.tau_ahp", 1, 1000, 0, true, {{"neuron.use_ahp", true}}},
        {"neuron.ahp_jump", 0, 2, 0, false, {{"neuron.use_ahp", true}}},
        {"neuron.g_ahp", 0, 2, 0, false, {{"neuron.use_ahp", true}}},
        {"neuron.ahp_max", 0, 5, 0, false, {{"neuron.use_ahp", true}}},
        {"compat.ahp_from_sample",
         0,
         1,
         0,
         false,
         {{"mode", "quantum"},
          {"compat.probability_drives_state", true},
          {"neuron.use_ahp", true}}}}},
      {"Refractoriness",
       {{"neuron.tau_ref", 0.5, 100, 0, true, spiking_random},
        {"neuron.r_jump", 0, 5, 0, false, spiking_random}}},
      {"Synaptic depression",
       {{"neuron.depression_rate", 0, 1, 0}, {"neuron.recovery_rate", 0, 1, 0}}},
      {"Noise",
       {{"neuron.noise_std", 0, 1, 0, false, spiking_random},
        {"compat.stochastic_noise_in_quantum", 0, 1, 0, false, quantum}}},
      {"Spike mode and quantum map",
       {{"mode"},
        {"quantum.map", 0, 1, 0, false, quantum},
        {"quantum.shots", 1, 64, 1, false, quantum},
        {"quantum.p0", 0, 0.5, 0, false, {{"mode", "quantum"}, {"quantum.slope", 0.1}}},
        {"quantum.slope", 0.02, 2, 0, false, {{"mode", "quantum"}, {"quantum.p0", 0.05}}},
        {"neuron.q_scale", 0, 8, 0, false, {{"mode", "quantum"}, {"quantum.slope", 0}}},
        {"neuron.q_bias", -6, 2, 0, false, {{"mode", "quantum"}, {"quantum.p0", 0}}},
        {"neuron.quantum_leak", -2, 2, 0, false, quantum},
        {"neuron.theta_max", 0.1, 3.1, 0, false, {{"mode", "quantum"}, {"quantum.map", "tanh"}}},
        {"neuron.tanh_gain", 0.1, 5, 0, false, {{"mode", "quantum"}, {"quantum.map", "tanh"}}},
        {"compat.probability_drives_state", 0, 1, 0, false, quantum},
        {"compat.clamp_quantum_probability",
         0,
         1,
         0,
         false,
         {{"mode", "quantum"}, {"quantum.map", "linear"}}},
        {"neuron.allow_dynamic_spike_probability"},
        {"neuron.base_alpha",
         0.1,
         10,
         0,
         true,
         {{"mode", "stochastic"}, {"neuron.allow_dynamic_spike_probability", true}}},
        {"neuron.tau_adapt", 1, 200, 0, true, {{"neuron.allow_dynamic_spike_probability", true}}},
        {"neuron.dsp_min_alpha",
         0.05,
         5,
         0,
         true,
         {{"mode", "stochastic"}, {"neuron.allow_dynamic_spike_probability", true}}},
        {"neuron.dsp_max_alpha",
         0.1,
         10,
         0,
         true,
         {{"mode", "stochastic"}, {"neuron.allow_dynamic_spike_probability", true}}},
        {"compat.dsp_updated_twice",
         0,
         1,
         0,
         false,
         {{"mode", "quantum"}, {"neuron.allow_dynamic_spike_probability", true}}},
        {"compat.dsp_ignores_dt",
         0,
         1,
         0,
         false,
         {{"neuron.allow_dynamic_spike_probability", true}, {"neuron.dt", 0.5}}},
        {"sim.training",
         0,
         1,
         0,
         false,
         {{"mode", "stochastic"}, {"compat.eval_threshold_half", true}}},
        {"compat.eval_threshold_half",
         0,
         1,
         0,
         false,
         {{"mode", "stochastic"}, {"sim.training", false}}}}},
      {"Neuromodulation",
       {{"neuromod.mode", 0, 1, 0, false, {{"neuromod.signal", json::array({"constant", "sine"})}}},
        {"neuromod.strength", -3, 3, 0, false, modulated},
        {"neuromod.signal",
         0,
         1,
         0,
         false,
         {{"neuromod.mode", json::array({"gain", "threshold", "prob_slope"})}}},
        {"neuromod.level", -4, 4, 0, false, modulated},
        {"neuromod.amplitude",
         0,
         4,
         0,
         false,
         {{"neuromod.signal", "sine"},
          {"neuromod.mode", json::array({"gain", "threshold", "prob_slope"})}}},
        {"neuromod.freq_hz",
         0.1,
         50,
         0,
         true,
         {{"neuromod.signal", "sine"},
          {"neuromod.mode", json::array({"gain", "threshold", "prob_slope"})}}},
        {"neuron.m_idle",
         -2,
         2,
         0,
         false,
         {{"neuromod.signal", "none"},
          {"neuromod.mode", json::array({"gain", "threshold", "prob_slope"})}}},
        {"compat.modulator_idles_at_one",
         0,
         1,
         0,
         false,
         {{"neuromod.signal", "none"},
          {"neuromod.mode", json::array({"gain", "threshold", "prob_slope"})}}}}},
      {"Input",
       {{"input.kind", 0, 1, 0, false, json::object()},
        {"input.level", -1, 4, 0},
        {"input.amplitude",
         0,
         3,
         0,
         false,
         {{"input.kind", json::array({"noise", "ramp", "sine"})}}},
        {"input.freq_hz", 0.1, 100, 0, true, {{"input.kind", "sine"}}},
        {"input.rate_hz", 0, 200, 0, false, {{"input.kind", "poisson"}}},
        {"input.sources", 1, 1000, 1, true, {{"input.kind", "poisson"}}},
        {"input.weight_mean", -2, 6, 0, false, {{"input.kind", "poisson"}}},
        {"input.weight_std", 0, 4, 0, false, {{"input.kind", "poisson"}}}}},
  };
  return g;
}

// The explorer's base settings: the original dashboard's ramp input, voltage and traces kept.
const json& base_settings() {
  static const json base = {{"sim.neurons", 1000}, {"sim.steps", 1000}, {"input.kind", "ramp"}};
  return base;
}

std::vector<float> neuron_series(std::span<const float> v, std::size_t T, std::size_t B,
                                 std::size_t N, std::size_t n) {
  std::vector<float> out(T);
  for (std::size_t t = 0; t < T; ++t) out[t] = v[t * B * N + n];
  return out;
}

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

}  // namespace

json qlif_controls() {
  const config::Schema& schema = snn::snn_schema();
  const json all = schema_json(schema, snn::kDefaultSnnPreset);
  json groups_json = json::array();
  for (const Group& g : groups()) {
    json keys = json::array();
    for (const Control& c : g.controls) {
      json entry;
      for (const json& k : all["keys"]) {
        if (k["key"] == c.key) entry = k;
      }
      if (entry.is_null())
        throw std::logic_error(std::string("explorer control without a schema key: ") + c.key);
      const std::string kind = entry["kind"];
      if (kind == "int" || kind == "float") {
        entry["slider"] = {{"min", c.min}, {"max", c.max}, {"step", c.step}, {"log", c.log}};
      }
      entry["requires"] = c.needs;
      keys.push_back(entry);
    }
    groups_json.push_back({{"name", g.name}, {"keys", keys}});
  }
  return {{"preset", snn::kDefaultSnnPreset}, {"base", base_settings()}, {"groups", groups_json}};
}

json qlif_run(const json& request) {
  if (!request.is_object()) throw HttpError(400, "the request body must be a JSON object", "body");
  const std::string preset = request.value("preset", std::string(snn::kDefaultSnnPreset));
  json settings = base_settings();
  if (request.contains("set")) {
    if (!request["set"].is_object())
      throw HttpError(400, "set must be an object {\"key\": value}", "set");
    for (const auto& [k, v] : request["set"].items()) settings[k] = v;
  }
  if (settings.contains("input.kind") && settings["input.kind"] == "file") {
    throw HttpError(400, "input.kind = file is not available in the explorer", "input.kind");
  }
  for (const char* key : {"input.path", "sim.batch", "record.voltage", "record.traces"}) {
    if (request.contains("set") && request["set"].contains(key)) {
      throw HttpError(400, std::string(key) + " is fixed by the explorer", key);
    }
  }
  const config::Config cfg =
      resolve_request(snn::snn_schema(), preset, settings,
                      {"sim.batch=1", "record.voltage=true", "record.traces=true"});
  const snn::SnnRunParams p = snn::snn_params_from_config(cfg);
  if (static_cast<double>(p.neurons) * static_cast<double>(p.steps) > kMaxExplorerNeuronSteps) {
    throw HttpError(400,
                    "sim.neurons x sim.steps = " + std::to_string(p.neurons * p.steps) +
                        " is more than the explorer's " +
                        std::to_string(static_cast<long>(kMaxExplorerNeuronSteps)) +
                        " neuron-steps; use `qneuro snn` for bigger runs",
                    "sim.neurons");
  }
  std::vector<std::size_t> show;
  if (request.contains("show")) {
    if (!request["show"].is_array())
      throw HttpError(400, "show must be a list of neuron indices", "show");
    for (const json& s : request["show"]) {
      if (!s.is_number_integer() || s.get<int64_t>() < 0 || s.get<uint64_t>() >= p.neurons) {
        throw HttpError(400,
                        "show: " + s.dump() + " is not a neuron index in [0, " +
                            std::to_string(p.neurons) + ")",
                        "show");
      }
      show.push_back(s.get<std::size_t>());
    }
    if (show.size() > 8) throw HttpError(400, "show at most 8 neurons", "show");
  } else {
    for (std::size_t n = 0; n < std::min<std::size_t>(3, p.neurons); ++n) show.push_back(n);
  }

  const snn::SnnRunResult r = snn::simulate(cfg, snn::SnnRunOptions{});
  const std::size_t T = r.params.steps, N = r.params.neurons, B = 1;
  const double step_ms = p.neuron.dt * p.time_unit_ms;
  json out = {{"T", T},
              {"N", N},
              {"dt", p.neuron.dt},
              {"time_unit_ms", p.time_unit_ms},
              {"fs_hz", p.fs_hz()}};
  std::vector<float> time_ms(T);
  for (std::size_t t = 0; t < T; ++t)
    time_ms[t] = static_cast<float>(static_cast<double>(t) * step_ms);
  out["time_ms"] = display_values(time_ms);
  out["show"] = show;
  json input = json::array(), voltage = json::array(), threshold = json::array(),
       spikes = json::array();
  json traces = {{"p", json::array()},
                 {"D", json::array()},
                 {"A", json::array()},
                 {"E", json::array()},
                 {"Theta", json::array()}};
  const snn::NeuronParams& np = p.neuron;
  const bool idles_at_one = np.compat.modulator_idles_at_one;
  for (const std::size_t n : show) {
    input.push_back(display_values(neuron_series(r.input.values, T, B, N, n)));
    voltage.push_back(display_values(neuron_series(r.voltage, T, B, N, n)));
    const std::vector<float> theta = neuron_series(r.Theta, T, B, N, n);
    // The threshold the step used (qlif_step.hpp, step 2): Theta from the previous step.
    std::vector<float> th(T);
    for (std::size_t t = 0; t < T; ++t) {
      const double m =
          !r.modulation.empty() ? sigmoid(r.modulation[t]) : (idles_at_one ? 1.0 : np.m_idle);
      const double mod =
          np.neuromod_mode == snn::NeuromodMode::Threshold ? np.neuromod_strength * m : 0.0;
      const double prev = t > 0 ? static_cast<double>(theta[t - 1]) : 0.0;
      th[t] =
          static_cast<float>(std::clamp(np.V_th + prev + mod, np.min_threshold, np.max_threshold));
    }
    threshold.push_back(display_values(th));
    json st = json::array();
    for (std::size_t t = 0; t < T; ++t) {
      if (r.spikes[t * N + n]) st.push_back(t);
    }
    spikes.push_back(st);
    traces["p"].push_back(display_values(neuron_series(r.p, T, B, N, n)));
    traces["D"].push_back(display_values(neuron_series(r.D, T, B, N, n)));
    traces["A"].push_back(display_values(neuron_series(r.A, T, B, N, n)));
    traces["E"].push_back(display_values(neuron_series(r.E, T, B, N, n)));
    traces["Theta"].push_back(display_values(theta));
  }
  out["input"] = input;
  out["voltage"] = voltage;
  out["threshold"] = threshold;
  out["spikes"] = spikes;
  out["traces"] = traces;
  out.update(spike_plot_json(r.spikes, T, B, N, p.fs_hz()));
  out["modulation"] = r.modulation.empty() ? json() : display_values(r.modulation);
  out["stats"] = {{"mean_rate_hz", r.stats.population_rate_hz},
                  {"cv_isi", r.stats.isi_cv},
                  {"fano", r.stats.fano},
                  {"total_spikes", r.stats.total_spikes},
                  {"active_fraction", r.stats.active_fraction},
                  {"mean_voltage", r.mean_voltage ? json(*r.mean_voltage) : json()}};
  out["seconds"] = r.seconds;
  return out;
}

}  // namespace qneuro::web
