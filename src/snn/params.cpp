#include "qneuro/snn/params.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"

namespace qneuro::snn {

namespace {
[[noreturn]] void bad(const std::string& name, double value, const std::string& allowed) {
  throw InputError("neuron parameter '" + name + "' = " + strings::format_number(value) +
                   " is invalid: " + allowed);
}
void positive(const std::string& name, double v) {
  if (!(v > 0.0) || !std::isfinite(v)) bad(name, v, "must be > 0");
}
void non_negative(const std::string& name, double v) {
  if (!(v >= 0.0) || !std::isfinite(v)) bad(name, v, "must be >= 0");
}
void unit_interval(const std::string& name, double v) {
  if (!(v >= 0.0 && v <= 1.0)) bad(name, v, "must be in [0, 1]");
}
void finite(const std::string& name, double v) {
  if (!std::isfinite(v)) bad(name, v, "must be finite");
}
}  // namespace

void NeuronParams::validate() const {
  finite("V_th", V_th);
  finite("V_reset", V_reset);
  positive("tau", tau);
  positive("dt", dt);
  non_negative("eta", eta);
  non_negative("noise_std", noise_std);
  finite("min_threshold", min_threshold);
  finite("max_threshold", max_threshold);
  if (min_threshold > max_threshold) {
    throw InputError(
        "neuron parameters 'min_threshold' = " + strings::format_number(min_threshold) +
        " and 'max_threshold' = " + strings::format_number(max_threshold) +
        " are invalid: min_threshold must be <= max_threshold");
  }
  positive("alpha", alpha);
  positive("base_alpha", base_alpha);
  positive("tau_adapt", tau_adapt);
  unit_interval("adaptation_decay", adaptation_decay);
  non_negative("spike_increase", spike_increase);
  unit_interval("depression_rate", depression_rate);
  unit_interval("recovery_rate", recovery_rate);
  finite("neuromod_strength", neuromod_strength);
  finite("q_scale", q_scale);
  finite("q_bias", q_bias);
  finite("quantum_leak", quantum_leak);
  if (quantum_shots < 1 || quantum_shots > 1024) {
    bad("quantum_shots", quantum_shots, "must be in [1, 1024]");
  }
  positive("tau_ahp", tau_ahp);
  non_negative("ahp_jump", ahp_jump);
  non_negative("g_ahp", g_ahp);
  non_negative("ahp_max", ahp_max);
  positive("tau_ref", tau_ref);
  non_negative("r_jump", r_jump);
  unit_interval("reset_fraction", reset_fraction);
  positive("dsp_min_alpha", dsp_min_alpha);
  if (dsp_max_alpha < dsp_min_alpha)
    bad("dsp_max_alpha", dsp_max_alpha, "must be >= dsp_min_alpha");
  positive("theta_max", theta_max);
  positive("tanh_gain", tanh_gain);
  finite("m_idle", m_idle);
}

NeuronParams compat_params() {
  NeuronParams p;
  p.quantum_map = QuantumMap::Tanh;
  p.quantum_leak = 0.1;
  const Calibration c =
      calibrate(0.02, 0.10, QuantumMap::Tanh, p.quantum_leak, p.theta_max, p.tanh_gain);
  p.q_bias = c.q_bias;
  p.q_scale = c.q_scale;
  p.compat.soft_reset = true;
  p.compat.modulator_idles_at_one = true;
  p.compat.modulator_persists = true;
  p.compat.probability_drives_state = true;
  p.compat.dsp_updated_twice = true;
  p.compat.dsp_ignores_dt = true;
  p.compat.eta_unused = true;
  p.compat.eval_threshold_half = true;
  p.compat.clamp_quantum_probability = true;
  p.compat.ahp_from_sample = true;
  p.compat.stochastic_noise_in_quantum = true;
  return p;
}

Calibration calibrate(double p0, double slope, QuantumMap map, double leak, double theta_max,
                      double tanh_gain) {
  if (!(p0 > 0.0 && p0 < 1.0)) {
    throw InputError("calibration p0 = " + strings::format_number(p0) + " must be in (0, 1)");
  }
  if (!(slope > 0.0) || !std::isfinite(slope)) {
    throw InputError("calibration slope = " + strings::format_number(slope) + " must be > 0");
  }
  const double pi = std::numbers::pi;
  Calibration c;
  const double theta0 = std::acos(1.0 - 2.0 * p0);  // p = (1 - cos theta)/2
  switch (map) {
    case QuantumMap::Sigmoid: {
      const double u0 = theta0 / pi;
      c.q_bias = std::log(u0 / (1.0 - u0)) + leak;
      c.q_scale = slope / (0.5 * pi * std::sin(pi * u0) * u0 * (1.0 - u0));
      break;
    }
    case QuantumMap::Tanh:
      c.q_bias = theta0 + leak;
      c.q_scale = 2.0 * slope / (theta_max * tanh_gain * std::sin(theta0));
      break;
    case QuantumMap::Linear:
      c.q_bias = theta0 + leak;
      c.q_scale = 2.0 * slope / std::sin(theta0);
      break;
  }
  return c;
}

}  // namespace qneuro::snn

namespace qneuro::snn {

double quantum_probability(QuantumMap map, double q_scale, double q_bias, double leak, double delta,
                           double theta_max, double tanh_gain) {
  const double pre = q_scale * delta + q_bias - leak;
  double theta = 0.0;
  switch (map) {
    case QuantumMap::Sigmoid:
      theta = std::numbers::pi / (1.0 + std::exp(-pre));
      break;
    case QuantumMap::Linear:
      theta = std::clamp(pre, 0.0, std::numbers::pi);
      break;
    case QuantumMap::Tanh:
      theta = (q_bias - leak) + theta_max * std::tanh(tanh_gain * q_scale * delta);
      break;
  }
  const double s = std::sin(theta / 2.0);
  return s * s;
}

}  // namespace qneuro::snn
