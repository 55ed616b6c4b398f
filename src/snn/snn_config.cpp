#include "qneuro/snn/snn_config.hpp"

#include <cmath>

#include "qneuro/core/error.hpp"

namespace qneuro::snn {

namespace {

using config::Bounds;

const Bounds kPositive{0.0, std::nullopt, true, false};
const Bounds kNonNegative{0.0, std::nullopt, false, false};
const Bounds kUnit{0.0, 1.0};

}  // namespace

void add_neuron_keys(config::Schema& s) {
  const NeuronParams d;
  // --- the seed README table ---
  s.add_float("neuron.V_th", d.V_th, {"V", "initial threshold V_th0"});
  s.add_float("neuron.V_reset", d.V_reset, {"V", "reset potential"});
  s.add_float("neuron.tau", d.tau, {"time", "membrane time constant"}, kPositive);
  s.add_float("neuron.dt", d.dt, {"time", "time step"}, kPositive);
  s.add_float("neuron.eta", d.eta,
              {"", "adaptive-threshold rate: Theta += eta s - eta Theta (1-s)"}, kUnit);
  s.add_bool("neuron.use_adaptive_threshold", d.use_adaptive_threshold,
             {"", "threshold offset Theta on (V_th0 + Theta clamped to [min, max])"});
  s.add_float("neuron.noise_std", d.noise_std, {"V", "membrane noise sigma per step"},
              kNonNegative);
  s.add_float("neuron.min_threshold", d.min_threshold, {"V", "lower clamp of the threshold"});
  s.add_float("neuron.max_threshold", d.max_threshold, {"V", "upper clamp of the threshold"});
  s.add_choice("neuron.surrogate_gradient_function", "heaviside",
               {"heaviside", "fast_sigmoid", "gaussian", "arctan"},
               {"", "surrogate gradient (used by the trainable layer)"});
  s.add_float("neuron.alpha", d.alpha, {"", "surrogate sharpness"}, kPositive);
  s.add_bool("neuron.allow_dynamic_spike_probability", d.allow_dynamic_spike_probability,
             {"", "dynamic probability slope a = base_alpha/(1+D), D a spike trace"});
  s.add_float("neuron.base_alpha", d.base_alpha, {"1/V", "dynamic-probability base slope"},
              kPositive);
  s.add_float("neuron.tau_adapt", d.tau_adapt, {"time", "decay time of the trace D"}, kPositive);
  s.add_float("neuron.adaptation_decay", d.adaptation_decay,
              {"", "adaptation current decay per step: A <- A decay + increase s"}, kUnit);
  s.add_float("neuron.spike_increase", d.spike_increase, {"V", "adaptation increment per spike"},
              kNonNegative);
  s.add_float("neuron.depression_rate", d.depression_rate,
              {"", "synaptic efficiency E <- E (1 - rate s) + recovery (1 - E)"}, kUnit);
  s.add_float("neuron.recovery_rate", d.recovery_rate, {"", "synaptic efficiency recovery"}, kUnit);
  // --- the constants the seed hid ---
  s.add_float("neuron.q_scale", d.q_scale, {"1/V", "quantum pre-activation scale"});
  s.add_float("neuron.q_bias", d.q_bias, {"", "quantum pre-activation bias"});
  s.add_float("neuron.quantum_leak", d.quantum_leak, {"", "subtracted from the pre-activation"});
  s.add_float("neuron.theta_max", d.theta_max, {"rad", "tanh map amplitude"}, kPositive);
  s.add_float("neuron.tanh_gain", d.tanh_gain, {"", "tanh map gain k"}, kPositive);
  s.add_bool("neuron.use_ahp", d.use_ahp, {"", "after-hyperpolarisation current on"});
  s.add_float("neuron.tau_ahp", d.tau_ahp, {"time", "AHP decay time"}, kPositive);
  s.add_float("neuron.ahp_jump", d.ahp_jump, {"", "AHP increment per spike"}, kNonNegative);
  s.add_float("neuron.g_ahp", d.g_ahp, {"", "AHP conductance: I_eff -= g_ahp H"}, kNonNegative);
  s.add_float("neuron.ahp_max", d.ahp_max, {"", "AHP saturation"}, kNonNegative);
  s.add_float("neuron.tau_ref", d.tau_ref, {"time", "refractory trace decay (p *= e^-R)"},
              kPositive);
  s.add_float("neuron.r_jump", d.r_jump, {"", "refractory trace increment per spike"},
              kNonNegative);
  s.add_float("neuron.reset_fraction", d.reset_fraction, {"", "soft reset k (compat.soft_reset)"},
              kUnit);
  s.add_float("neuron.dsp_min_alpha", d.dsp_min_alpha, {"1/V", "lower clamp of a"}, kPositive);
  s.add_float("neuron.dsp_max_alpha", d.dsp_max_alpha, {"1/V", "upper clamp of a"}, kPositive);
  s.add_float("neuron.m_idle", d.m_idle, {"", "neuromodulator without a modulation signal"});
  s.add_choice("neuron.integrator", "euler", {"euler", "exact"},
               {"", "membrane update: Euler (the seed) or exact exponential"});
  // --- modes ---
  s.add_choice("mode", "quantum", {"deterministic", "stochastic", "quantum"},
               {"", "spike generation"});
  s.add_choice("quantum.map", "sigmoid", {"sigmoid", "tanh", "linear"},
               {"", "pre-activation to rotation angle theta"});
  s.add_int("quantum.shots", 1, {"", "measurements per step (spike if at least half are 1)"},
            Bounds{1.0, 1024.0});
  s.add_float("quantum.p0", 0.0,
              {"", "if > 0: calibrate q_bias so that p(Delta = 0) = p0 (overrides neuron.q_bias)"},
              Bounds{0.0, 1.0, false, true});
  s.add_float("quantum.slope", 0.0,
              {"1/V", "if > 0 (with p0): calibrate q_scale to dp/dDelta(0) = slope"}, kNonNegative);
  s.add_choice("neuromod.mode", "gain", {"off", "gain", "threshold", "prob_slope"},
               {"", "what the neuromodulator m scales"});
  s.add_float("neuromod.strength", d.neuromod_strength, {"", "lambda"});
  // --- compat switches ---
  s.add_bool("compat.soft_reset", false, {"", "V <- V - k s (V - V_reset), k = reset_fraction"});
  s.add_bool("compat.modulator_idles_at_one", false,
             {"", "m = 1 without modulation (gain mode doubles the input)"});
  s.add_bool("compat.modulator_persists", false,
             {"", "a modulated m is kept for later unmodulated steps"});
  s.add_bool("compat.probability_drives_state", false,
             {"", "quantum: reset and traces driven by p instead of the spike"});
  s.add_bool("compat.dsp_updated_twice", false,
             {"", "quantum: D updated before (s_prev) and after (p) the decision"});
  s.add_bool("compat.dsp_ignores_dt", false, {"", "D decays by e^(-1/tau_adapt) whatever dt"});
  s.add_bool("compat.eta_unused", false, {"", "no threshold adaptation (Theta stays 0)"});
  s.add_bool("compat.eval_threshold_half", false,
             {"", "stochastic, evaluation (sim.training = false): spike = p > 0.5"});
  s.add_bool("compat.clamp_quantum_probability", false, {"", "p clamped to [1e-5, 1 - 1e-5]"});
  s.add_bool("compat.ahp_from_sample", true, {"", "AHP jumps on the sampled spike even if s = p"});
  s.add_bool("compat.stochastic_noise_in_quantum", true, {"", "membrane noise in quantum mode"});
}

namespace {

config::Schema build_schema() {
  config::Schema s("snn");
  add_neuron_keys(s);
  s.add_choice("neuromod.signal", "none", {"none", "constant", "sine"},
               {"", "modulation signal mod(t); m = sigmoid(mod)"});
  s.add_float("neuromod.level", 0.0, {"", "constant part of mod(t)"});
  s.add_float("neuromod.amplitude", 1.0, {"", "sine amplitude of mod(t)"});
  s.add_float("neuromod.freq_hz", 1.0, {"Hz", "sine frequency of mod(t)"}, kNonNegative);
  // --- simulation ---
  s.add_int("sim.neurons", 1000, {"", "neurons N"}, Bounds{1.0, 4294967295.0});
  s.add_int("sim.batch", 1, {"", "batch B (independent copies with their own noise)"},
            Bounds{1.0, 1e6});
  s.add_int("sim.steps", 1000, {"steps", "time steps T"}, Bounds{1.0, 1e9});
  s.add_int("sim.seed", 1, {"", "seed of noise, spikes and generated inputs (Philox)"},
            Bounds{0.0, 4294967295.0});
  s.add_float("sim.time_unit_ms", 1.0, {"ms", "milliseconds per model time unit"}, kPositive);
  s.add_bool("sim.training", true, {"", "train-mode semantics (see compat.eval_threshold_half)"});
  // --- input ---
  s.add_choice("input.kind", "noise", {"constant", "noise", "ramp", "sine", "poisson", "file"},
               {"", "input current (docs/snn.md)"});
  s.add_float("input.level", 1.2, {"V", "constant part (ramp: 0 -> level + amplitude)"});
  s.add_float("input.amplitude", 0.5, {"V", "noise sigma, sine amplitude, ramp increment"});
  s.add_float("input.freq_hz", 10.0, {"Hz", "sine frequency"}, kNonNegative);
  s.add_float("input.rate_hz", 20.0, {"Hz", "Poisson source rate"}, kNonNegative);
  s.add_int("input.sources", 100, {"", "Poisson sources"}, Bounds{1.0, 100000.0});
  s.add_float("input.weight_mean", 2.0, {"V", "mean Poisson weight (times 1/sqrt(sources))"});
  s.add_float("input.weight_std", 1.0, {"V", "std of Poisson weights (times 1/sqrt(sources))"},
              kNonNegative);
  s.add_string("input.path", "",
               {"", ".npy or HDF5 (FILE.h5[:/dataset]) array [T, B, N] or [T, N]"});
  // --- recording ---
  s.add_bool("record.voltage", true, {"", "write /voltage [T, B, N] float32"});
  s.add_bool("record.traces", false, {"", "write /p, /D, /A, /E, /Theta [T, B, N] float32"});

  s.add_preset("default", "", "the model of DESIGN.md section 5: quantum mode, sigmoid map");
  s.add_preset("compat",
               "[neuron]\nquantum_leak = 0.1\n"
               "[quantum]\nmap = \"tanh\"\np0 = 0.02\nslope = 0.1\n"
               "[compat]\nsoft_reset = true\nmodulator_idles_at_one = true\n"
               "modulator_persists = true\nprobability_drives_state = true\n"
               "dsp_updated_twice = true\ndsp_ignores_dt = true\neta_unused = true\n"
               "eval_threshold_half = true\nclamp_quantum_probability = true\n",
               "the original seed code's behaviour, quirk by quirk (docs/snn.md)");
  s.add_preset("deterministic", "mode = \"deterministic\"\n", "deterministic threshold crossing");
  s.add_preset("stochastic", "mode = \"stochastic\"\n", "sigmoid spike probability");
  s.add_preset("test", "[sim]\nneurons = 64\nsteps = 200\n", "tiny run for tests");
  return s;
}

}  // namespace

const config::Schema& snn_schema() {
  static const config::Schema schema = build_schema();
  return schema;
}

NeuronParams neuron_params_from_config(const config::Config& cfg) {
  NeuronParams p;
  auto f = [&](const std::string& k) { return cfg.get_float(k); };
  auto b = [&](const std::string& k) { return cfg.get_bool(k); };
  p.V_th = f("neuron.V_th");
  p.V_reset = f("neuron.V_reset");
  p.tau = f("neuron.tau");
  p.dt = f("neuron.dt");
  p.eta = f("neuron.eta");
  p.use_adaptive_threshold = b("neuron.use_adaptive_threshold");
  p.noise_std = f("neuron.noise_std");
  p.min_threshold = f("neuron.min_threshold");
  p.max_threshold = f("neuron.max_threshold");
  p.surrogate = parse_surrogate(cfg.get_string("neuron.surrogate_gradient_function"));
  p.alpha = f("neuron.alpha");
  p.allow_dynamic_spike_probability = b("neuron.allow_dynamic_spike_probability");
  p.base_alpha = f("neuron.base_alpha");
  p.tau_adapt = f("neuron.tau_adapt");
  p.adaptation_decay = f("neuron.adaptation_decay");
  p.spike_increase = f("neuron.spike_increase");
  p.depression_rate = f("neuron.depression_rate");
  p.recovery_rate = f("neuron.recovery_rate");
  p.q_scale = f("neuron.q_scale");
  p.q_bias = f("neuron.q_bias");
  p.quantum_leak = f("neuron.quantum_leak");
  p.theta_max = f("neuron.theta_max");
  p.tanh_gain = f("neuron.tanh_gain");
  p.use_ahp = b("neuron.use_ahp");
  p.tau_ahp = f("neuron.tau_ahp");
  p.ahp_jump = f("neuron.ahp_jump");
  p.g_ahp = f("neuron.g_ahp");
  p.ahp_max = f("neuron.ahp_max");
  p.tau_ref = f("neuron.tau_ref");
  p.r_jump = f("neuron.r_jump");
  p.reset_fraction = f("neuron.reset_fraction");
  p.dsp_min_alpha = f("neuron.dsp_min_alpha");
  p.dsp_max_alpha = f("neuron.dsp_max_alpha");
  p.m_idle = f("neuron.m_idle");
  p.integrator =
      cfg.get_string("neuron.integrator") == "exact" ? Integrator::Exact : Integrator::Euler;
  p.mode = parse_mode(cfg.get_string("mode"));
  p.quantum_map = parse_quantum_map(cfg.get_string("quantum.map"));
  p.quantum_shots = static_cast<int>(cfg.get_int("quantum.shots"));
  p.neuromod_mode = parse_neuromod_mode(cfg.get_string("neuromod.mode"));
  p.neuromod_strength = f("neuromod.strength");
  CompatSwitches& c = p.compat;
  c.soft_reset = b("compat.soft_reset");
  c.modulator_idles_at_one = b("compat.modulator_idles_at_one");
  c.modulator_persists = b("compat.modulator_persists");
  c.probability_drives_state = b("compat.probability_drives_state");
  c.dsp_updated_twice = b("compat.dsp_updated_twice");
  c.dsp_ignores_dt = b("compat.dsp_ignores_dt");
  c.eta_unused = b("compat.eta_unused");
  c.eval_threshold_half = b("compat.eval_threshold_half");
  c.clamp_quantum_probability = b("compat.clamp_quantum_probability");
  c.ahp_from_sample = b("compat.ahp_from_sample");
  c.stochastic_noise_in_quantum = b("compat.stochastic_noise_in_quantum");
  const double p0 = f("quantum.p0"), slope = f("quantum.slope");
  if (p0 > 0.0) {
    if (slope <= 0.0) cfg.fail("quantum.slope", "must be > 0 when quantum.p0 is set");
    const Calibration cal =
        calibrate(p0, slope, p.quantum_map, p.quantum_leak, p.theta_max, p.tanh_gain);
    p.q_bias = cal.q_bias;
    p.q_scale = cal.q_scale;
  }
  if (p.min_threshold > p.max_threshold) {
    cfg.fail("neuron.min_threshold",
             "is " + std::to_string(p.min_threshold) +
                 ", above neuron.max_threshold = " + std::to_string(p.max_threshold));
  }
  if (p.dsp_min_alpha > p.dsp_max_alpha) {
    cfg.fail("neuron.dsp_min_alpha", "must not exceed neuron.dsp_max_alpha");
  }
  try {
    p.validate();
  } catch (const InputError& e) {
    throw ConfigError(std::string("snn config: ") + e.what());
  }
  return p;
}

SnnRunParams snn_params_from_config(const config::Config& cfg) {
  SnnRunParams r;
  r.neuron = neuron_params_from_config(cfg);
  const NeuronParams& p = r.neuron;
  auto f = [&](const std::string& k) { return cfg.get_float(k); };
  auto b = [&](const std::string& k) { return cfg.get_bool(k); };
  r.neurons = static_cast<std::size_t>(cfg.get_int("sim.neurons"));
  r.batch = static_cast<std::size_t>(cfg.get_int("sim.batch"));
  r.steps = static_cast<std::size_t>(cfg.get_int("sim.steps"));
  r.seed = static_cast<uint32_t>(cfg.get_int("sim.seed"));
  r.time_unit_ms = f("sim.time_unit_ms");
  r.training = b("sim.training");
  r.input.kind = cfg.get_string("input.kind");
  r.input.level = f("input.level");
  r.input.amplitude = f("input.amplitude");
  r.input.freq_hz = f("input.freq_hz");
  r.input.rate_hz = f("input.rate_hz");
  r.input.sources = static_cast<int>(cfg.get_int("input.sources"));
  r.input.weight_mean = f("input.weight_mean");
  r.input.weight_std = f("input.weight_std");
  r.input.path = cfg.get_string("input.path");
  if (r.input.kind == "file" && r.input.path.empty()) {
    cfg.fail("input.path", "is required with input.kind = \"file\"");
  }
  if (r.input.kind != "file" && !r.input.path.empty()) {
    cfg.fail("input.path",
             "is only read with input.kind = \"file\" (input.kind is \"" + r.input.kind + "\")");
  }
  const double step_prob = r.input.rate_hz * p.dt * r.time_unit_ms * 1e-3;
  if (r.input.kind == "poisson" && step_prob > 1.0) {
    cfg.fail("input.rate_hz", "gives a spike probability " + std::to_string(step_prob) +
                                  " per step; at most 1 / (neuron.dt sim.time_unit_ms 1e-3) = " +
                                  std::to_string(1.0 / (p.dt * r.time_unit_ms * 1e-3)) + " Hz");
  }
  r.modulation.signal = cfg.get_string("neuromod.signal");
  r.modulation.level = f("neuromod.level");
  r.modulation.amplitude = f("neuromod.amplitude");
  r.modulation.freq_hz = f("neuromod.freq_hz");
  r.record_voltage = b("record.voltage");
  r.record_traces = b("record.traces");
  return r;
}

uint64_t snn_memory_bytes(const SnnRunParams& p) {
  const uint64_t cells = static_cast<uint64_t>(p.steps) * p.batch * p.neurons;
  return cells * (4 + 1 + (p.record_voltage ? 4 : 0) + (p.record_traces ? 20 : 0));
}

}  // namespace qneuro::snn
