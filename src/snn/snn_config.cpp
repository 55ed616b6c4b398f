#include "qneuro/snn/snn_config.hpp"

#include <cmath>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/train_config.hpp"

namespace qneuro::snn {

namespace {

using config::Bounds;

const Bounds kPositive{0.0, std::nullopt, true, false};
const Bounds kNonNegative{0.0, std::nullopt, false, false};
const Bounds kUnit{0.0, 1.0};

}  // namespace

// The neuron model's keys, bound to the members of P::neuron (NeuronParams, params.hpp, whose
// initialisers are the defaults). Key names follow the seed's README; where a key differs from
// its member: neuron.surrogate_gradient_function -> surrogate, mode -> mode, quantum.map ->
// quantum_map, quantum.shots -> quantum_shots, neuromod.mode / strength -> neuromod_mode /
// neuromod_strength, compat.* -> compat.*. quantum.p0 and quantum.slope are no members: they
// calibrate q_bias and q_scale (finish_neuron_params).
template <typename P>
void bind_neuron_keys(config::BoundSchema<P>& b) {
  config::Schema& s = b.schema();
  // --- the seed README table ---
  b.bind("neuron.V_th", QNEURO_MEMBER(neuron.V_th), {"V", "initial threshold V_th0"});
  b.bind("neuron.V_reset", QNEURO_MEMBER(neuron.V_reset), {"V", "reset potential"});
  b.bind("neuron.tau", QNEURO_MEMBER(neuron.tau), {"time", "membrane time constant"}, kPositive);
  b.bind("neuron.dt", QNEURO_MEMBER(neuron.dt), {"time", "time step"}, kPositive);
  b.bind("neuron.eta", QNEURO_MEMBER(neuron.eta),
         {"", "adaptive-threshold rate: Theta += eta s - eta Theta (1-s)"}, kUnit);
  b.bind("neuron.use_adaptive_threshold", QNEURO_MEMBER(neuron.use_adaptive_threshold),
         {"", "threshold offset Theta on (V_th0 + Theta clamped to [min, max])"});
  b.bind("neuron.noise_std", QNEURO_MEMBER(neuron.noise_std),
         {"V", "membrane noise sigma per step"}, kNonNegative);
  b.bind("neuron.min_threshold", QNEURO_MEMBER(neuron.min_threshold),
         {"V", "lower clamp of the threshold"});
  b.bind("neuron.max_threshold", QNEURO_MEMBER(neuron.max_threshold),
         {"V", "upper clamp of the threshold"});
  b.bind("neuron.surrogate_gradient_function", QNEURO_MEMBER(neuron.surrogate),
         {"", "surrogate gradient (used by the trainable layer)"});
  b.bind("neuron.alpha", QNEURO_MEMBER(neuron.alpha), {"", "surrogate sharpness"}, kPositive);
  b.bind("neuron.allow_dynamic_spike_probability",
         QNEURO_MEMBER(neuron.allow_dynamic_spike_probability),
         {"", "dynamic probability slope a = base_alpha/(1+D), D a spike trace"});
  b.bind("neuron.base_alpha", QNEURO_MEMBER(neuron.base_alpha),
         {"1/V", "dynamic-probability base slope"}, kPositive);
  b.bind("neuron.tau_adapt", QNEURO_MEMBER(neuron.tau_adapt), {"time", "decay time of the trace D"},
         kPositive);
  b.bind("neuron.adaptation_decay", QNEURO_MEMBER(neuron.adaptation_decay),
         {"", "adaptation current decay per step: A <- A decay + increase s"}, kUnit);
  b.bind("neuron.spike_increase", QNEURO_MEMBER(neuron.spike_increase),
         {"V", "adaptation increment per spike"}, kNonNegative);
  b.bind("neuron.depression_rate", QNEURO_MEMBER(neuron.depression_rate),
         {"", "synaptic efficiency E <- E (1 - rate s) + recovery (1 - E)"}, kUnit);
  b.bind("neuron.recovery_rate", QNEURO_MEMBER(neuron.recovery_rate),
         {"", "synaptic efficiency recovery"}, kUnit);
  // --- the constants the seed hid ---
  b.bind("neuron.q_scale", QNEURO_MEMBER(neuron.q_scale), {"1/V", "quantum pre-activation scale"});
  b.bind("neuron.q_bias", QNEURO_MEMBER(neuron.q_bias), {"", "quantum pre-activation bias"});
  b.bind("neuron.quantum_leak", QNEURO_MEMBER(neuron.quantum_leak),
         {"", "subtracted from the pre-activation"});
  b.bind("neuron.theta_max", QNEURO_MEMBER(neuron.theta_max), {"rad", "tanh map amplitude"},
         kPositive);
  b.bind("neuron.tanh_gain", QNEURO_MEMBER(neuron.tanh_gain), {"", "tanh map gain k"}, kPositive);
  b.bind("neuron.use_ahp", QNEURO_MEMBER(neuron.use_ahp),
         {"", "after-hyperpolarisation current on"});
  b.bind("neuron.tau_ahp", QNEURO_MEMBER(neuron.tau_ahp), {"time", "AHP decay time"}, kPositive);
  b.bind("neuron.ahp_jump", QNEURO_MEMBER(neuron.ahp_jump), {"", "AHP increment per spike"},
         kNonNegative);
  b.bind("neuron.g_ahp", QNEURO_MEMBER(neuron.g_ahp), {"", "AHP conductance: I_eff -= g_ahp H"},
         kNonNegative);
  b.bind("neuron.ahp_max", QNEURO_MEMBER(neuron.ahp_max), {"", "AHP saturation"}, kNonNegative);
  b.bind("neuron.tau_ref", QNEURO_MEMBER(neuron.tau_ref),
         {"time", "refractory trace decay (p *= e^-R)"}, kPositive);
  b.bind("neuron.r_jump", QNEURO_MEMBER(neuron.r_jump),
         {"", "refractory trace increment per spike"}, kNonNegative);
  b.bind("neuron.reset_fraction", QNEURO_MEMBER(neuron.reset_fraction),
         {"", "soft reset k (compat.soft_reset)"}, kUnit);
  b.bind("neuron.dsp_min_alpha", QNEURO_MEMBER(neuron.dsp_min_alpha), {"1/V", "lower clamp of a"},
         kPositive);
  b.bind("neuron.dsp_max_alpha", QNEURO_MEMBER(neuron.dsp_max_alpha), {"1/V", "upper clamp of a"},
         kPositive);
  b.bind("neuron.m_idle", QNEURO_MEMBER(neuron.m_idle),
         {"", "neuromodulator without a modulation signal"});
  b.bind("neuron.integrator", QNEURO_MEMBER(neuron.integrator),
         {"", "membrane update: Euler (the seed) or exact exponential"});
  // --- modes ---
  b.bind("mode", QNEURO_MEMBER(neuron.mode), {"", "spike generation"});
  b.bind("quantum.map", QNEURO_MEMBER(neuron.quantum_map),
         {"", "pre-activation to rotation angle theta"});
  b.bind("quantum.shots", QNEURO_MEMBER(neuron.quantum_shots),
         {"", "measurements per step (spike if at least half are 1)"}, Bounds{1.0, 1024.0});
  s.add_float("quantum.p0", 0.0,
              {"", "if > 0: calibrate q_bias so that p(Delta = 0) = p0 (overrides neuron.q_bias)"},
              Bounds{0.0, 1.0, false, true});
  s.add_float("quantum.slope", 0.0,
              {"1/V", "if > 0 (with p0): calibrate q_scale to dp/dDelta(0) = slope"}, kNonNegative);
  b.bind("neuromod.mode", QNEURO_MEMBER(neuron.neuromod_mode),
         {"", "what the neuromodulator m scales"});
  b.bind("neuromod.strength", QNEURO_MEMBER(neuron.neuromod_strength), {"", "lambda"});
  // --- compat switches ---
  b.bind("compat.soft_reset", QNEURO_MEMBER(neuron.compat.soft_reset),
         {"", "V <- V - k s (V - V_reset), k = reset_fraction"});
  b.bind("compat.modulator_idles_at_one", QNEURO_MEMBER(neuron.compat.modulator_idles_at_one),
         {"", "m = 1 without modulation (gain mode doubles the input)"});
  b.bind("compat.modulator_persists", QNEURO_MEMBER(neuron.compat.modulator_persists),
         {"", "a modulated m is kept for later unmodulated steps"});
  b.bind("compat.probability_drives_state", QNEURO_MEMBER(neuron.compat.probability_drives_state),
         {"", "quantum: reset and traces driven by p instead of the spike"});
  b.bind("compat.dsp_updated_twice", QNEURO_MEMBER(neuron.compat.dsp_updated_twice),
         {"", "quantum: D updated before (s_prev) and after (p) the decision"});
  b.bind("compat.dsp_ignores_dt", QNEURO_MEMBER(neuron.compat.dsp_ignores_dt),
         {"", "D decays by e^(-1/tau_adapt) whatever dt"});
  b.bind("compat.eta_unused", QNEURO_MEMBER(neuron.compat.eta_unused),
         {"", "no threshold adaptation (Theta stays 0)"});
  b.bind("compat.eval_threshold_half", QNEURO_MEMBER(neuron.compat.eval_threshold_half),
         {"", "stochastic, evaluation (sim.training = false): spike = p > 0.5"});
  b.bind("compat.clamp_quantum_probability", QNEURO_MEMBER(neuron.compat.clamp_quantum_probability),
         {"", "p clamped to [1e-5, 1 - 1e-5]"});
  b.bind("compat.ahp_from_sample", QNEURO_MEMBER(neuron.compat.ahp_from_sample),
         {"", "AHP jumps on the sampled spike even if s = p"});
  b.bind("compat.stochastic_noise_in_quantum",
         QNEURO_MEMBER(neuron.compat.stochastic_noise_in_quantum),
         {"", "membrane noise in quantum mode"});
}

template void bind_neuron_keys(config::BoundSchema<SnnRunParams>&);
template void bind_neuron_keys(config::BoundSchema<TrainParams>&);

void finish_neuron_params(const config::Config& cfg, NeuronParams& p) {
  auto f = [&](const std::string& k) { return cfg.get_float(k); };
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
}

namespace {

// `qneuro snn`: the neuron keys, then the run's own, bound to SnnRunParams (snn_config.hpp).
config::BoundSchema<SnnRunParams> build_keys() {
  config::BoundSchema<SnnRunParams> b("snn");
  bind_neuron_keys(b);
  b.bind("neuromod.signal", QNEURO_MEMBER(modulation.signal),
         {"", "modulation signal mod(t); m = sigmoid(mod)"});
  b.bind("neuromod.level", QNEURO_MEMBER(modulation.level), {"", "constant part of mod(t)"});
  b.bind("neuromod.amplitude", QNEURO_MEMBER(modulation.amplitude),
         {"", "sine amplitude of mod(t)"});
  b.bind("neuromod.freq_hz", QNEURO_MEMBER(modulation.freq_hz), {"Hz", "sine frequency of mod(t)"},
         kNonNegative);
  // --- simulation ---
  b.bind("sim.neurons", QNEURO_MEMBER(neurons), {"", "neurons N"}, Bounds{1.0, 4294967295.0});
  b.bind("sim.batch", QNEURO_MEMBER(batch),
         {"", "batch B (independent copies with their own noise)"}, Bounds{1.0, 1e6});
  b.bind("sim.steps", QNEURO_MEMBER(steps), {"steps", "time steps T"}, Bounds{1.0, 1e9});
  b.bind("sim.seed", QNEURO_MEMBER(seed),
         {"", "seed of noise, spikes and generated inputs (Philox)"}, Bounds{0.0, 4294967295.0});
  b.bind("sim.time_unit_ms", QNEURO_MEMBER(time_unit_ms),
         {"ms", "milliseconds per model time unit"}, kPositive);
  b.bind("sim.training", QNEURO_MEMBER(training),
         {"", "train-mode semantics (see compat.eval_threshold_half)"});
  b.bind("sim.device", QNEURO_MEMBER(device),
         {"", "where the population runs: cpu, or cuda (a GPU, docs/gpu.md)"});
  // --- input ---
  b.bind("input.kind", QNEURO_MEMBER(input.kind), {"", "input current (docs/snn.md)"});
  b.bind("input.level", QNEURO_MEMBER(input.level),
         {"V", "constant part (ramp: 0 -> level + amplitude)"});
  b.bind("input.amplitude", QNEURO_MEMBER(input.amplitude),
         {"V", "noise sigma, sine amplitude, ramp increment"});
  b.bind("input.freq_hz", QNEURO_MEMBER(input.freq_hz), {"Hz", "sine frequency"}, kNonNegative);
  b.bind("input.rate_hz", QNEURO_MEMBER(input.rate_hz), {"Hz", "Poisson source rate"},
         kNonNegative);
  b.bind("input.sources", QNEURO_MEMBER(input.sources), {"", "Poisson sources"},
         Bounds{1.0, 100000.0});
  b.bind("input.weight_mean", QNEURO_MEMBER(input.weight_mean),
         {"V", "mean Poisson weight (times 1/sqrt(sources))"});
  b.bind("input.weight_std", QNEURO_MEMBER(input.weight_std),
         {"V", "std of Poisson weights (times 1/sqrt(sources))"}, kNonNegative);
  b.bind("input.path", QNEURO_MEMBER(input.path),
         {"", ".npy or HDF5 (FILE.h5[:/dataset]) array [T, B, N] or [T, N]"});
  // --- recording ---
  b.bind("record.voltage", QNEURO_MEMBER(record_voltage), {"", "write /voltage [T, B, N] float32"});
  b.bind("record.traces", QNEURO_MEMBER(record_traces),
         {"", "write /p, /D, /A, /E, /Theta [T, B, N] float32"});

  config::Schema& s = b.schema();
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
  return b;
}

const config::BoundSchema<SnnRunParams>& snn_keys() {
  static const config::BoundSchema<SnnRunParams> keys = build_keys();
  return keys;
}

}  // namespace

const config::Schema& snn_schema() {
  return snn_keys().schema();
}

SnnRunParams snn_params_from_config(const config::Config& cfg) {
  SnnRunParams r;
  snn_keys().read(cfg, r);
  finish_neuron_params(cfg, r.neuron);
  const NeuronParams& p = r.neuron;
  if (r.input.kind == InputKind::File && r.input.path.empty()) {
    cfg.fail("input.path", "is required with input.kind = \"file\"");
  }
  if (r.input.kind != InputKind::File && !r.input.path.empty()) {
    cfg.fail("input.path", "is only read with input.kind = \"file\" (input.kind is \"" +
                               to_string(r.input.kind) + "\")");
  }
  try {
    require_device(r.device, "sim.device");
  } catch (const InputError& e) {
    throw ConfigError(std::string("snn config: ") + e.what());
  }
  const double step_prob = r.input.rate_hz * p.dt * r.time_unit_ms * 1e-3;
  if (r.input.kind == InputKind::Poisson && step_prob > 1.0) {
    cfg.fail("input.rate_hz", "gives a spike probability " + std::to_string(step_prob) +
                                  " per step; at most 1 / (neuron.dt sim.time_unit_ms 1e-3) = " +
                                  std::to_string(1.0 / (p.dt * r.time_unit_ms * 1e-3)) + " Hz");
  }
  return r;
}

uint64_t snn_memory_bytes(const SnnRunParams& p) {
  const uint64_t cells = static_cast<uint64_t>(p.steps) * p.batch * p.neurons;
  return cells * (4 + 1 + (p.record_voltage ? 4 : 0) + (p.record_traces ? 20 : 0));
}

}  // namespace qneuro::snn
