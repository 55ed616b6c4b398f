// Parameters of a population of quantum leaky integrate-and-fire (QLIF) neurons (DESIGN.md §5).
//
// Every parameter of the seed README's table exists here with its default, plus the constants the
// seed's code hid (AHP, refractory trace, probability clamps) and the `compat` switches that
// reproduce the original code's behaviour quirk by quirk (../shared/notes/qlif-original-code.md).
// Units: time in steps of `dt` (dimensionless, as in the seed: tau = 20 means 20 time units),
// voltages and currents in the same arbitrary units (V_th = 1).
#pragma once

#include <string>

#include "qneuro/core/enum_names.hpp"

namespace qneuro::snn {
enum class Mode { Deterministic, Stochastic, Quantum };
enum class QuantumMap { Sigmoid, Tanh, Linear };
enum class NeuromodMode { Off, Gain, Threshold, ProbSlope };
enum class Surrogate { Heaviside, FastSigmoid, Gaussian, Arctan };
enum class Integrator { Euler, Exact };
}  // namespace qneuro::snn

namespace qneuro {
template <>
inline constexpr std::array enum_names<snn::Mode>{
    EnumName{snn::Mode::Deterministic, "deterministic"},
    EnumName{snn::Mode::Stochastic, "stochastic"}, EnumName{snn::Mode::Quantum, "quantum"}};
template <>
inline constexpr std::array enum_names<snn::QuantumMap>{
    EnumName{snn::QuantumMap::Sigmoid, "sigmoid"}, EnumName{snn::QuantumMap::Tanh, "tanh"},
    EnumName{snn::QuantumMap::Linear, "linear"}};
template <>
inline constexpr std::array enum_names<snn::NeuromodMode>{
    EnumName{snn::NeuromodMode::Off, "off"}, EnumName{snn::NeuromodMode::Gain, "gain"},
    EnumName{snn::NeuromodMode::Threshold, "threshold"},
    EnumName{snn::NeuromodMode::ProbSlope, "prob_slope"}};
template <>
inline constexpr std::array enum_names<snn::Surrogate>{
    EnumName{snn::Surrogate::Heaviside, "heaviside"},
    EnumName{snn::Surrogate::FastSigmoid, "fast_sigmoid"},
    EnumName{snn::Surrogate::Gaussian, "gaussian"}, EnumName{snn::Surrogate::Arctan, "arctan"}};
template <>
inline constexpr std::array enum_names<snn::Integrator>{EnumName{snn::Integrator::Euler, "euler"},
                                                        EnumName{snn::Integrator::Exact, "exact"}};
}  // namespace qneuro

namespace qneuro::snn {

using qneuro::to_string;  // every enum above: the names of its config key

/// The original code's quirks (all false = the model of DESIGN.md §5; the `compat` preset sets
/// them all). Each is documented in docs/snn.md with the line of the seed code it reproduces.
struct CompatSwitches {
  bool soft_reset = false;                ///< V <- V + k s (V_reset - V) with k = reset_fraction
  bool modulator_idles_at_one = false;    ///< m = 1 without modulation (gain mode doubles input)
  bool modulator_persists = false;        ///< a modulated m is kept for later unmodulated steps
  bool probability_drives_state = false;  ///< quantum: reset/A/E/R driven by p, not the spike
  bool dsp_updated_twice = false;         ///< quantum: D updated before (s_prev) and after (p)
  bool dsp_ignores_dt = false;            ///< D decays by exp(-1/tau_adapt) whatever dt is
  bool eta_unused = false;                ///< no adaptive threshold offset (Theta stays 0)
  bool eval_threshold_half = false;       ///< stochastic, evaluation: spike = p > 0.5 (no sampling)
  bool clamp_quantum_probability = false;   ///< p clamped to [1e-5, 1 - 1e-5]
  bool ahp_from_sample = true;              ///< H jumps on the sampled spike z (seed) even if s = p
  bool stochastic_noise_in_quantum = true;  ///< membrane noise also in quantum mode (seed: yes)
};

struct NeuronParams {
  // --- the seed README table ---
  double V_th = 1.0;     ///< initial threshold (per neuron in the layer; a scalar here)
  double V_reset = 0.0;  ///< reset target
  double tau = 20.0;     ///< membrane time constant (time units)
  double dt = 1.0;       ///< step
  double eta = 0.1;      ///< adaptive threshold rate: Theta <- Theta + eta s - eta Theta (1 - s)
  bool use_adaptive_threshold = true;  ///< Theta on; V_th0 + Theta clamped to [min, max]
  double noise_std = 0.1;              ///< sigma of the Gaussian membrane noise per step
  double min_threshold = 0.5;
  double max_threshold = 2.0;
  Surrogate surrogate = Surrogate::Heaviside;  ///< surrogate_gradient_function
  double alpha = 1.0;                          ///< surrogate sharpness (gaussian: width)
  bool allow_dynamic_spike_probability = true;
  double base_alpha = 2.0;  ///< dynamic-probability slope
  double tau_adapt = 20.0;  ///< dynamic-probability trace decay
  double adaptation_decay = 0.9;
  double spike_increase = 0.5;
  double depression_rate = 0.1;
  double recovery_rate = 0.05;
  NeuromodMode neuromod_mode = NeuromodMode::Gain;
  double neuromod_strength = 1.0;  ///< lambda (missing from the README table)
  // Quantum spike generation (one qubit, RY(theta)|0>, measured in Z).
  double q_scale = 2.0;       ///< per neuron in the layer; calibrate() gives it from a slope
  double q_bias = -2.3;       ///< per neuron; calibrate() gives it from p0
  double quantum_leak = 0.0;  ///< subtracted from the pre-activation (seed default 0.1)
  QuantumMap quantum_map = QuantumMap::Sigmoid;
  int quantum_shots = 1;  ///< K measurements per step; spike if at least half are |1>
  // --- constants the seed's code hid, now parameters ---
  bool use_ahp = true;
  double tau_ahp = 120.0;
  double ahp_jump = 0.3;
  double g_ahp = 0.2;
  double ahp_max = 2.0;
  double tau_ref = 6.0;  ///< refractory trace R <- R e^{-dt/tau_ref} + s
  double r_jump = 1.0;
  double reset_fraction = 0.3;  ///< soft reset k (compat)
  double dsp_min_alpha = 0.05;
  double dsp_max_alpha = 5.0;
  double theta_max = 1.5657963267948966;  ///< pi/2 - 5e-3 (tanh map)
  double tanh_gain = 1.0;                 ///< k of the tanh map
  double m_idle = 0.0;                    ///< neuromodulator without a modulation signal
  Integrator integrator = Integrator::Euler;

  Mode mode = Mode::Quantum;
  CompatSwitches compat;

  /// Throws InputError naming the first invalid parameter (negative tau, min > max threshold,
  /// non-positive dt, noise < 0, shots < 1, rates outside [0, 1], ...).
  void validate() const;
};

/// The original code's settings and quirks: tanh map with its init (p0 0.02, slope 0.1), soft
/// reset 0.3, m idling at 1, probability-driven state in quantum mode, DSP updated twice and
/// ignoring dt, eta unused, p > 0.5 in evaluation, leak 0.1, p clamp.
NeuronParams compat_params();

/// Quantum calibration: q_bias and q_scale such that p(Delta = 0) = p0 and dp/dDelta(0) = slope
/// for the given map and leak (DESIGN.md §5, README "Calibration"):
///   sigmoid: u0 = acos(1 - 2 p0)/pi, q_bias = logit(u0) + leak,
///            q_scale = slope / ((pi/2) sin(pi u0) u0 (1 - u0))
///   tanh:    beta = acos(1 - 2 p0), q_bias = beta + leak,
///            q_scale = 2 slope / (theta_max k sin beta)
///   linear:  theta0 = acos(1 - 2 p0), q_bias = theta0 + leak, q_scale = 2 slope / sin theta0
/// Throws InputError if p0 is outside (0, 1) or slope <= 0.
struct Calibration {
  double q_bias = 0.0;
  double q_scale = 0.0;
};
Calibration calibrate(double p0, double slope, QuantumMap map, double leak = 0.0,
                      double theta_max = 1.5657963267948966, double tanh_gain = 1.0);

}  // namespace qneuro::snn

namespace qneuro::snn {

/// The quantum spike probability p(Delta) of a map without neuromodulation (double precision,
/// for calibration checks): p = sin^2(theta / 2) with theta from the map as in qlif_step.hpp.
double quantum_probability(QuantumMap map, double q_scale, double q_bias, double leak, double delta,
                           double theta_max = 1.5657963267948966, double tanh_gain = 1.0);

}  // namespace qneuro::snn
