// The per-step QLIF update of DESIGN.md §5: one inline function used by every driver (the fused
// population kernel, the scalar test reference, the LibTorch layer's forward and recompute).
//
// Per neuron and step, with state (V, A, E, H, R, D, Theta, m, s_prev):
//   1. m = sigmoid(mod_t) if a modulation value is given, else m_idle
//      (compat: m idles at 1 and a modulated m persists)
//   2. Vth = clamp(V_th0 + Theta + [threshold] lambda m, min_threshold, max_threshold)
//   3. I_eff = (1 + [gain] lambda m) I E - A - g_ahp H
//   4. V <- V + (dt/tau)(I_eff - V) + sigma xi             (Euler; `exact`: V <- I_eff +
//                                                             (V - I_eff) e^{-dt/tau} + sigma xi)
//      noise only in the stochastic and quantum modes (compat: as the seed, also quantum)
//   5. Delta = V - Vth; D <- D e^{-dt/tau_adapt} + s_prev;
//      a = clamp(base_alpha / (1 + D) (1 + [prob_slope] lambda m), 0.05, 5)
//   6. decision: deterministic z = 1[Delta >= 0];
//      stochastic p = sigmoid(a Delta) e^{-R} (dynamic) or sigmoid(Delta) e^{-R}, z = 1[u < p];
//      quantum x = (q_scale Delta + q_bias - leak)(1 + [prob_slope] lambda m),
//              theta = pi sigmoid(x) (sigmoid map) | clamp(x, 0, pi) (linear) |
//                      (q_bias - leak) + theta_max tanh(k q_scale' Delta) (tanh, the seed),
//              p = sin^2(theta / 2), z = 1[u < p] (K shots: z = 1 if at least half of K are |1>)
//   7. s = z (compat quantum: s = p); V <- V - s (V - V_reset) (hard; compat soft: k s);
//      R <- R e^{-dt/tau_ref} + r_jump s; H <- min(H e^{-dt/tau_ahp} + ahp_jump z, ahp_max);
//      A <- A adaptation_decay + spike_increase s;
//      E <- clamp(E (1 - depression_rate s) + recovery_rate (1 - E), 0, 1);
//      Theta <- Theta + eta s - eta Theta (1 - s)   (if use_adaptive_threshold and not compat)
// Random numbers come in as arguments (a standard normal xi and uniforms u in (0, 1)); drivers
// draw them from Philox keyed by (seed, layer, t, b, n), so the result of a neuron-step never
// depends on threads or on how the population is split.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "qneuro/snn/params.hpp"

namespace qneuro::snn {

template <typename Real>
struct NeuronState {
  Real V = 0, A = 0, E = 1, H = 0, R = 0, D = 0, Theta = 0, m = 0, s_prev = 0;
};

/// Per-step constants derived once from NeuronParams (decay factors, flags).
template <typename Real>
struct StepConstants {
  Mode mode;
  QuantumMap map;
  NeuromodMode nm;
  Real lambda, V_th0, V_reset, min_th, max_th;
  Real dt_over_tau, mem_decay;  // Euler: dt/tau; exact: e^{-dt/tau}
  bool exact;
  Real noise_std;
  bool noise_on;
  bool dynamic;
  Real base_alpha, dsp_decay, dsp_min, dsp_max;
  Real q_scale, q_bias, leak, theta_max, tanh_gain;
  int shots;
  Real ref_decay, r_jump;
  bool use_ahp;
  Real ahp_decay, ahp_jump, g_ahp, ahp_max;
  Real adaptation_decay, spike_increase, depression_rate, recovery_rate;
  bool adaptive_threshold;
  Real eta;
  Real m_idle;
  Real reset_k;  // 1 = hard reset
  CompatSwitches compat;

  explicit StepConstants(const NeuronParams& p)
      : mode(p.mode),
        map(p.quantum_map),
        nm(p.neuromod_mode),
        lambda(static_cast<Real>(p.neuromod_strength)),
        V_th0(static_cast<Real>(p.V_th)),
        V_reset(static_cast<Real>(p.V_reset)),
        min_th(static_cast<Real>(p.min_threshold)),
        max_th(static_cast<Real>(p.max_threshold)),
        dt_over_tau(static_cast<Real>(p.dt / p.tau)),
        mem_decay(static_cast<Real>(std::exp(-p.dt / p.tau))),
        exact(p.integrator == Integrator::Exact),
        noise_std(static_cast<Real>(p.noise_std)),
        noise_on(p.noise_std > 0.0 &&
                 (p.mode == Mode::Stochastic ||
                  (p.mode == Mode::Quantum && p.compat.stochastic_noise_in_quantum))),
        dynamic(p.allow_dynamic_spike_probability),
        base_alpha(static_cast<Real>(p.base_alpha)),
        dsp_decay(
            static_cast<Real>(std::exp(-(p.compat.dsp_ignores_dt ? 1.0 : p.dt) / p.tau_adapt))),
        dsp_min(static_cast<Real>(p.dsp_min_alpha)),
        dsp_max(static_cast<Real>(p.dsp_max_alpha)),
        q_scale(static_cast<Real>(p.q_scale)),
        q_bias(static_cast<Real>(p.q_bias)),
        leak(static_cast<Real>(p.quantum_leak)),
        theta_max(static_cast<Real>(p.theta_max)),
        tanh_gain(static_cast<Real>(p.tanh_gain)),
        shots(p.quantum_shots),
        ref_decay(static_cast<Real>(std::exp(-p.dt / p.tau_ref))),
        r_jump(static_cast<Real>(p.r_jump)),
        use_ahp(p.use_ahp),
        ahp_decay(static_cast<Real>(std::exp(-p.dt / p.tau_ahp))),
        ahp_jump(static_cast<Real>(p.ahp_jump)),
        g_ahp(static_cast<Real>(p.use_ahp ? p.g_ahp : 0.0)),
        ahp_max(static_cast<Real>(p.ahp_max)),
        adaptation_decay(static_cast<Real>(p.adaptation_decay)),
        spike_increase(static_cast<Real>(p.spike_increase)),
        depression_rate(static_cast<Real>(p.depression_rate)),
        recovery_rate(static_cast<Real>(p.recovery_rate)),
        adaptive_threshold(p.use_adaptive_threshold && !p.compat.eta_unused),
        eta(static_cast<Real>(p.eta)),
        m_idle(static_cast<Real>(p.compat.modulator_idles_at_one ? 1.0 : p.m_idle)),
        reset_k(static_cast<Real>(p.compat.soft_reset ? p.reset_fraction : 1.0)),
        compat(p.compat) {}

  /// The state a neuron starts in (and returns to on reset()).
  [[nodiscard]] NeuronState<Real> initial_state() const {
    NeuronState<Real> s;
    s.m = m_idle;
    return s;
  }
};

/// What a step needs from outside: the input current, an optional modulation value, the random
/// numbers (xi ~ N(0, 1); u[0..shots) ~ U(0, 1)), and whether the layer is training.
template <typename Real>
struct StepInput {
  Real I = 0;
  Real mod = 0;
  bool has_mod = false;
  Real xi = 0;
  const Real* u = nullptr;
  bool training = true;
};

template <typename Real>
struct StepOutput {
  Real z = 0;      ///< the spike, 0 or 1
  Real s = 0;      ///< the value that drives reset and the traces (z, or p in compat quantum)
  Real p = 0;      ///< spike probability (deterministic: z)
  Real Vth = 0;    ///< effective threshold used
  Real delta = 0;  ///< V - Vth after integration, before reset
};

template <typename Real>
inline Real sigmoid(Real x) {
  return Real(1) / (Real(1) + std::exp(-x));
}

template <typename Real>
inline StepOutput<Real> qlif_step(const StepConstants<Real>& c, NeuronState<Real>& st,
                                  const StepInput<Real>& in) {
  StepOutput<Real> out;
  // 1. neuromodulator
  if (in.has_mod) {
    st.m = sigmoid(in.mod);
  } else if (!c.compat.modulator_persists) {
    st.m = c.m_idle;
  }
  const Real lm = c.lambda * st.m;
  // 2. threshold
  Real vth = c.V_th0 + st.Theta + (c.nm == NeuromodMode::Threshold ? lm : Real(0));
  vth = std::clamp(vth, c.min_th, c.max_th);
  out.Vth = vth;
  // 3. effective input
  const Real gain = c.nm == NeuromodMode::Gain ? Real(1) + lm : Real(1);
  const Real i_eff = gain * in.I * st.E - st.A - c.g_ahp * st.H;
  // 4. membrane
  if (c.exact) {
    st.V = i_eff + (st.V - i_eff) * c.mem_decay;
  } else {
    st.V = st.V + c.dt_over_tau * (i_eff - st.V);
  }
  if (c.noise_on) st.V += c.noise_std * in.xi;
  // 5. gap and dynamic probability trace
  const Real delta = st.V - vth;
  out.delta = delta;
  const Real slope_mod = c.nm == NeuromodMode::ProbSlope ? Real(1) + lm : Real(1);
  auto dsp_alpha = [&]() {
    return std::clamp(c.base_alpha / std::max(Real(1) + st.D, Real(1e-6)) * slope_mod, c.dsp_min,
                      c.dsp_max);
  };
  const bool track_dsp = c.dynamic && c.mode != Mode::Deterministic;
  if (track_dsp) st.D = st.D * c.dsp_decay + st.s_prev;
  // 6. decision
  Real z = 0, p = 0;
  switch (c.mode) {
    case Mode::Deterministic:
      z = delta >= Real(0) ? Real(1) : Real(0);
      p = z;
      break;
    case Mode::Stochastic: {
      const Real a = c.dynamic ? dsp_alpha() : Real(1);
      p = sigmoid(a * delta) * std::exp(-st.R);
      if (!in.training && c.compat.eval_threshold_half) {
        z = p > Real(0.5) ? Real(1) : Real(0);
      } else {
        z = in.u[0] < p ? Real(1) : Real(0);
      }
      break;
    }
    case Mode::Quantum: {
      Real theta = 0;
      const Real pre = c.q_scale * delta + c.q_bias - c.leak;
      switch (c.map) {
        case QuantumMap::Sigmoid:
          theta = std::numbers::pi_v<Real> * sigmoid(pre * slope_mod);
          break;
        case QuantumMap::Linear:
          theta = std::clamp(pre * slope_mod, Real(0), std::numbers::pi_v<Real>);
          break;
        case QuantumMap::Tanh:
          theta = (c.q_bias - c.leak) +
                  c.theta_max * std::tanh(c.tanh_gain * c.q_scale * slope_mod * delta);
          break;
      }
      p = Real(0.5) * (Real(1) - std::cos(theta));
      if (c.compat.clamp_quantum_probability) p = std::clamp(p, Real(1e-5), Real(1) - Real(1e-5));
      int ones = 0;
      for (int k = 0; k < c.shots; ++k) ones += in.u[k] < p ? 1 : 0;
      z = 2 * ones >= c.shots ? Real(1) : Real(0);
      break;
    }
  }
  const Real s = c.mode == Mode::Quantum && c.compat.probability_drives_state ? p : z;
  if (track_dsp && c.mode == Mode::Quantum && c.compat.dsp_updated_twice) {
    st.D = st.D * c.dsp_decay + s;  // the seed's second DSP call, with prev = p
  }
  out.z = z;
  out.s = s;
  out.p = p;
  // 7. reset and traces
  st.V = st.V - c.reset_k * s * (st.V - c.V_reset);
  st.R = st.R * c.ref_decay + c.r_jump * s;
  if (c.use_ahp) {
    const Real jump = c.compat.ahp_from_sample ? z : s;
    st.H = std::min(st.H * c.ahp_decay + c.ahp_jump * jump, c.ahp_max);
  }
  st.A = st.A * c.adaptation_decay + c.spike_increase * s;
  const Real e_old = st.E;
  // The clamp never binds for valid rates (E stays in [0, 1]); it guards against rounding.
  st.E = std::clamp(e_old * (Real(1) - c.depression_rate * s) + c.recovery_rate * (Real(1) - e_old),
                    Real(0), Real(1));
  if (c.adaptive_threshold) st.Theta = st.Theta + c.eta * s - c.eta * st.Theta * (Real(1) - s);
  st.s_prev = s;
  return out;
}

}  // namespace qneuro::snn
