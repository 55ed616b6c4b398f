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
//      noise in the stochastic and quantum modes (compat.stochastic_noise_in_quantum, true by
//      default as in the seed, can turn it off in quantum mode), never in deterministic mode
//   5. Delta = V - Vth; D <- D e^{-dt/tau_adapt} + s_prev;
//      a = clamp(base_alpha / (1 + D) (1 + [prob_slope] lambda m), dsp_min_alpha, dsp_max_alpha)
//   6. decision: deterministic z = 1[Delta >= 0];
//      stochastic p = sigmoid(a Delta) e^{-R} (dynamic) or sigmoid(Delta) e^{-R}, z = 1[u < p];
//      quantum x = (q_scale Delta + q_bias - leak)(1 + [prob_slope] lambda m),
//              theta = pi sigmoid(x) (sigmoid map) | clamp(x, 0, pi) (linear) |
//                      (q_bias - leak) + theta_max tanh(k q_scale' Delta) (tanh, the seed),
//              p = sin^2(theta / 2) (computed as sin(theta/2)^2), z = 1[u < p] (K shots: z = 1 if
//              at least half of K are |1>)
//   7. s = z (compat quantum: s = p); V <- V - s (V - V_reset) (hard; compat soft: k s);
//      R <- R e^{-dt/tau_ref} + r_jump s; H <- min(H e^{-dt/tau_ahp} + ahp_jump z, ahp_max);
//      A <- A adaptation_decay + spike_increase s;
//      E <- clamp(E (1 - depression_rate s) + recovery_rate (1 - E), 0, 1);
//      Theta <- Theta + eta s - eta Theta (1 - s)   (if use_adaptive_threshold and not compat)
// Random numbers come in as arguments (a standard normal xi and uniforms u in (0, 1)); drivers
// draw them from Philox keyed by (seed, layer, t, b, n), so the result of a neuron-step never
// depends on threads or on how the population is split.
// V_th0, q_scale and q_bias come per neuron (NeuronCoefs; the trainable layer learns them); the
// overload without coefficients takes the scalars of StepConstants.
// Relaxed = true (gradient checks only, qlif_sequence.hpp) replaces the hard decision by a
// smooth one with the same pseudo-derivative: deterministic z = F(Delta) with F' the surrogate,
// stochastic and quantum z = p (the straight-through estimator's dz/dp = 1).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

#include "qneuro/core/fast_math.hpp"
#include "qneuro/core/hd.hpp"
#include "qneuro/snn/params.hpp"
#include "qneuro/snn/qlif_randoms.hpp"

namespace qneuro::snn {

// Forced inlining: the vector kernel needs the whole update in its loop body. The float step is
// also device code (core/hd.hpp): the CUDA kernel calls qlif_advance itself.
#define QNEURO_SNN_INLINE QNEURO_HD_INLINE

template <typename Real>
struct NeuronState {
  Real V = 0, A = 0, E = 1, H = 0, R = 0, D = 0, Theta = 0, m = 0, s_prev = 0;
};

/// The coefficients that the trainable layer holds per neuron (threshold base, quantum map).
template <typename Real>
struct NeuronCoefs {
  Real V_th0, q_scale, q_bias;
};

/// Per-step constants derived once from NeuronParams (decay factors, switches).
///
/// Every run-time switch the step reads is a Real 0 or 1 (`*_on`) that blends two exact
/// alternatives, x = on a + (1 - on) b, or a coefficient that is 0 when its mechanism is off
/// (noise, threshold adaptation, AHP): for finite values these give the same bits as a branch,
/// and they let the compiler vectorise the step (GCC cannot vectorise a select of lane values on
/// a run-time invariant). The quantum map is a template argument of qlif_advance instead.
template <typename Real>
struct StepConstants {
  Mode mode;
  QuantumMap map;
  Real lambda, V_th0, V_reset, min_th, max_th;
  Real threshold_mod, gain_mod, slope_mod;  ///< 1 for the neuromodulation mode, else 0
  Real dt_over_tau, mem_decay;              ///< Euler: dt/tau; exact: e^{-dt/tau}
  Real exact_on;
  Real noise_coef;  ///< noise_std where membrane noise applies, else 0
  Real dynamic_on;
  Real base_alpha, dsp_decay, dsp_min, dsp_max;
  Real dsp_decay_eff, dsp_twice_decay, dsp_twice_on;  ///< D's updates (decay 1, gain 0 if off)
  Real q_scale, q_bias, leak, theta_max, tanh_gain;
  int shots;
  Surrogate surrogate;
  Real alpha;    ///< surrogate sharpness (gaussian: width)
  Real dt, tau;  ///< for the gradient with respect to tau
  Real eta_on;   ///< 1 if the adaptive threshold uses eta (its gradient is zero otherwise)
  Real ref_decay, r_jump;
  Real ahp_decay, ahp_jump, g_ahp, ahp_max;  ///< ahp_jump = g_ahp = 0 without AHP
  Real adaptation_decay, spike_increase, depression_rate, recovery_rate;
  Real eta;  ///< 0 without the adaptive threshold
  Real m_idle;
  Real reset_k;  ///< 1 = hard reset
  // compat switches read by the step
  Real persist_on, eval_half_on, clamp_p_on, p_drives_on, ahp_sample_on;

  explicit StepConstants(const NeuronParams& p)
      : mode(p.mode),
        map(p.quantum_map),
        lambda(static_cast<Real>(p.neuromod_strength)),
        V_th0(static_cast<Real>(p.V_th)),
        V_reset(static_cast<Real>(p.V_reset)),
        min_th(static_cast<Real>(p.min_threshold)),
        max_th(static_cast<Real>(p.max_threshold)),
        threshold_mod(on(p.neuromod_mode == NeuromodMode::Threshold)),
        gain_mod(on(p.neuromod_mode == NeuromodMode::Gain)),
        slope_mod(on(p.neuromod_mode == NeuromodMode::ProbSlope)),
        dt_over_tau(static_cast<Real>(p.dt / p.tau)),
        mem_decay(static_cast<Real>(std::exp(-p.dt / p.tau))),
        exact_on(on(p.integrator == Integrator::Exact)),
        noise_coef(
            static_cast<Real>((p.mode == Mode::Stochastic ||
                               (p.mode == Mode::Quantum && p.compat.stochastic_noise_in_quantum))
                                  ? p.noise_std
                                  : 0.0)),
        dynamic_on(on(p.allow_dynamic_spike_probability)),
        base_alpha(static_cast<Real>(p.base_alpha)),
        dsp_decay(
            static_cast<Real>(std::exp(-(p.compat.dsp_ignores_dt ? 1.0 : p.dt) / p.tau_adapt))),
        dsp_min(static_cast<Real>(p.dsp_min_alpha)),
        dsp_max(static_cast<Real>(p.dsp_max_alpha)),
        dsp_decay_eff(p.allow_dynamic_spike_probability ? dsp_decay : Real(1)),
        dsp_twice_decay(p.allow_dynamic_spike_probability && p.compat.dsp_updated_twice ? dsp_decay
                                                                                        : Real(1)),
        dsp_twice_on(on(p.allow_dynamic_spike_probability && p.compat.dsp_updated_twice)),
        q_scale(static_cast<Real>(p.q_scale)),
        q_bias(static_cast<Real>(p.q_bias)),
        leak(static_cast<Real>(p.quantum_leak)),
        theta_max(static_cast<Real>(p.theta_max)),
        tanh_gain(static_cast<Real>(p.tanh_gain)),
        shots(p.quantum_shots),
        surrogate(p.surrogate),
        alpha(static_cast<Real>(p.alpha)),
        dt(static_cast<Real>(p.dt)),
        tau(static_cast<Real>(p.tau)),
        eta_on(on(p.use_adaptive_threshold && !p.compat.eta_unused)),
        ref_decay(static_cast<Real>(std::exp(-p.dt / p.tau_ref))),
        r_jump(static_cast<Real>(p.r_jump)),
        ahp_decay(static_cast<Real>(std::exp(-p.dt / p.tau_ahp))),
        ahp_jump(static_cast<Real>(p.use_ahp ? p.ahp_jump : 0.0)),
        g_ahp(static_cast<Real>(p.use_ahp ? p.g_ahp : 0.0)),
        ahp_max(static_cast<Real>(p.ahp_max)),
        adaptation_decay(static_cast<Real>(p.adaptation_decay)),
        spike_increase(static_cast<Real>(p.spike_increase)),
        depression_rate(static_cast<Real>(p.depression_rate)),
        recovery_rate(static_cast<Real>(p.recovery_rate)),
        eta(static_cast<Real>(p.use_adaptive_threshold && !p.compat.eta_unused ? p.eta : 0.0)),
        m_idle(static_cast<Real>(p.compat.modulator_idles_at_one ? 1.0 : p.m_idle)),
        reset_k(static_cast<Real>(p.compat.soft_reset ? p.reset_fraction : 1.0)),
        persist_on(on(p.compat.modulator_persists)),
        eval_half_on(on(p.compat.eval_threshold_half)),
        clamp_p_on(on(p.compat.clamp_quantum_probability)),
        p_drives_on(on(p.compat.probability_drives_state)),
        ahp_sample_on(on(p.compat.ahp_from_sample)) {}

  /// The state a neuron starts in (and returns to on reset()).
  [[nodiscard]] NeuronState<Real> initial_state() const {
    NeuronState<Real> s;
    s.m = m_idle;
    return s;
  }
  /// The per-neuron coefficients when every neuron has the scalar ones.
  [[nodiscard]] QNEURO_HD NeuronCoefs<Real> coefs() const { return {V_th0, q_scale, q_bias}; }

 private:
  static Real on(bool b) { return b ? Real(1) : Real(0); }
};

/// What a step needs from outside: the input current, an optional modulation value, the random
/// numbers (xi ~ N(0, 1); u0 and, for K > 1 shots, u_more[(k - 1) u_stride] for k = 1..K-1, all
/// ~ U(0, 1)), and whether the layer is training.
template <typename Real>
struct StepInput {
  Real I = 0;
  Real mod = 0;
  bool has_mod = false;
  Real xi = 0;
  Real u0 = Real(0.5);
  const Real* u_more = nullptr;
  std::size_t u_stride = 1;
  /// Where the extra shots' uniforms are drawn inside the step instead (qlif_advance with
  /// DrawShots, the CUDA kernel: no per-thread array of K - 1 values): the Philox coordinates of
  /// snn/population.hpp, word `shot_q` of stream qlif_stream(1 + k, shot_layer).
  uint32_t shot_seed = 0, shot_layer = 0, shot_q = 0;
  uint64_t shot_group = 0, shot_entity = 0;
  bool training = true;
};

template <typename Real>
struct StepOutput {
  Real z = 0;      ///< the spike, 0 or 1
  Real s = 0;      ///< the value that drives reset and the traces (z, or p in compat quantum)
  Real p = 0;      ///< spike probability (deterministic: z)
  Real Vth = 0;    ///< effective threshold used
  Real delta = 0;  ///< V - Vth after integration, before reset
  Real v = 0;      ///< V after integration, before reset
};

/// Elementary functions of the update. Float uses the branch-free core/fast_math.hpp versions
/// (so the vectorised kernel and every scalar driver give the same bits); double (the LibTorch
/// layer's gradient checks) uses libm.
namespace math {
QNEURO_SNN_INLINE float exp(float x) {
  return fast_exp(x);
}
inline double exp(double x) {
  return std::exp(x);
}
/// sigmoid; the float argument is clamped to [-80, 80] so that no result is a denormal.
QNEURO_SNN_INLINE float sigmoid(float x) {
  x = x < -80.0f ? -80.0f : (x > 80.0f ? 80.0f : x);
  return 1.0f / (1.0f + fast_exp(-x));
}
inline double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}
QNEURO_SNN_INLINE float sin(float x) {
  float s = 0, c = 0;
  fast_sincos(x, s, c);
  return s;
}
inline double sin(double x) {
  return std::sin(x);
}
QNEURO_SNN_INLINE float cos(float x) {
  float s = 0, c = 0;
  fast_sincos(x, s, c);
  return c;
}
inline double cos(double x) {
  return std::cos(x);
}
/// tanh(x) = 1 - 2 / (e^{2x} + 1): absolute error ~1e-7 in float.
QNEURO_SNN_INLINE float tanh(float x) {
  return 1.0f - 2.0f / (fast_exp(2.0f * x) + 1.0f);
}
inline double tanh(double x) {
  return std::tanh(x);
}
}  // namespace math

template <typename Real>
inline Real sigmoid(Real x) {
  return math::sigmoid(x);
}

// By-value clamp/min/max with std::'s semantics (the std:: versions return references, which
// keeps their operands in memory and stops the kernel's loop from vectorising).
template <typename Real>
QNEURO_SNN_INLINE Real clamp_v(Real v, Real lo, Real hi) {
  return v < lo ? lo : (hi < v ? hi : v);
}
template <typename Real>
QNEURO_SNN_INLINE Real max_v(Real a, Real b) {
  return a < b ? b : a;
}
template <typename Real>
QNEURO_SNN_INLINE Real min_v(Real a, Real b) {
  return b < a ? b : a;
}

template <typename Real>
struct StepResult {
  NeuronState<Real> state;  ///< the state after the step
  StepOutput<Real> out;
};

/// x = on a + (1 - on) b for on in {0, 1}: exactly a or b for finite values.
template <typename Real>
QNEURO_SNN_INLINE Real blend(Real on, Real a, Real b) {
  return on * a + (Real(1) - on) * b;
}

/// One step, for a mode and quantum map known at compile time (the vector kernel instantiates
/// one per combination; MultiShot = false assumes K = 1 measurement). State and input come by
/// value and leave by value, and run-time switches are blends (see StepConstants), so that the
/// whole step vectorises across neurons.
/// The surrogate pseudo-derivative f(x) of the spike H(x) (peak 1 at x = 0, as in the seed):
/// heaviside (triangle) max(0, 1 - alpha |x|); fast_sigmoid 1 / (1 + alpha |x|)^2;
/// gaussian exp(-x^2 / (2 alpha^2)) (alpha is a width); arctan 1 / (1 + (alpha x)^2).
template <Surrogate S, typename Real>
QNEURO_SNN_INLINE Real surrogate_grad(Real alpha, Real x) {
  const Real ax = x < Real(0) ? -x : x;
  if constexpr (S == Surrogate::Heaviside) {
    return max_v(Real(0), Real(1) - alpha * ax);
  } else if constexpr (S == Surrogate::FastSigmoid) {
    const Real d = Real(1) + alpha * ax;
    return Real(1) / (d * d);
  } else if constexpr (S == Surrogate::Gaussian) {
    return math::exp(-x * x / (Real(2) * alpha * alpha));
  } else {
    return Real(1) / (Real(1) + alpha * alpha * x * x);
  }
}
template <typename Real>
inline Real surrogate_grad(Surrogate kind, Real alpha, Real x) {
  switch (kind) {
    case Surrogate::Heaviside:
      return surrogate_grad<Surrogate::Heaviside>(alpha, x);
    case Surrogate::FastSigmoid:
      return surrogate_grad<Surrogate::FastSigmoid>(alpha, x);
    case Surrogate::Gaussian:
      return surrogate_grad<Surrogate::Gaussian>(alpha, x);
    case Surrogate::Arctan:
      return surrogate_grad<Surrogate::Arctan>(alpha, x);
  }
  return Real(0);
}

/// A primitive F of surrogate_grad (F' = f, F(0) = 0): the relaxed deterministic spike of the
/// gradient checks.
template <typename Real>
inline Real surrogate_primitive(Surrogate kind, Real alpha, Real x) {
  const Real ax = x < Real(0) ? -x : x;
  switch (kind) {
    case Surrogate::Heaviside:
      if (alpha * ax >= Real(1)) return (x < Real(0) ? Real(-1) : Real(1)) / (Real(2) * alpha);
      return x - alpha * x * ax / Real(2);
    case Surrogate::FastSigmoid:
      return x / (Real(1) + alpha * ax);
    case Surrogate::Gaussian:
      return alpha * std::sqrt(std::numbers::pi_v<Real> / Real(2)) *
             std::erf(x / (alpha * std::numbers::sqrt2_v<Real>));
    case Surrogate::Arctan:
      return std::atan(alpha * x) / alpha;
  }
  return Real(0);
}

template <Mode M, QuantumMap Map, bool MultiShot, bool Relaxed = false, bool DrawShots = false,
          typename Real>
QNEURO_SNN_INLINE StepResult<Real> qlif_advance(const StepConstants<Real>& c, NeuronState<Real> st,
                                                const StepInput<Real> in,
                                                const NeuronCoefs<Real> k) {
  StepOutput<Real> out;
  // 1. neuromodulator
  if (in.has_mod) {
    st.m = math::sigmoid(in.mod);
  } else {
    st.m = blend(c.persist_on, st.m, c.m_idle);
  }
  const Real lm = c.lambda * st.m;
  // 2. threshold
  const Real vth = clamp_v(k.V_th0 + st.Theta + c.threshold_mod * lm, c.min_th, c.max_th);
  out.Vth = vth;
  // 3. effective input
  const Real gain = Real(1) + c.gain_mod * lm;
  const Real i_eff = gain * in.I * st.E - st.A - c.g_ahp * st.H;
  // 4. membrane
  const Real v_exact = i_eff + (st.V - i_eff) * c.mem_decay;
  const Real v_euler = st.V + c.dt_over_tau * (i_eff - st.V);
  Real v = blend(c.exact_on, v_exact, v_euler);
  if constexpr (M != Mode::Deterministic) v = v + c.noise_coef * in.xi;
  st.V = v;
  out.v = v;
  // 5. gap and dynamic probability trace
  const Real delta = st.V - vth;
  out.delta = delta;
  const Real slope_mod = Real(1) + c.slope_mod * lm;
  if constexpr (M != Mode::Deterministic) {
    st.D = st.D * c.dsp_decay_eff + c.dynamic_on * st.s_prev;
  }
  // 6. decision
  Real z = 0, p = 0;
  if constexpr (M == Mode::Deterministic) {
    z = delta >= Real(0) ? Real(1) : Real(0);
    p = z;
  } else if constexpr (M == Mode::Stochastic) {
    const Real a_dyn =
        clamp_v(c.base_alpha / max_v(Real(1) + st.D, Real(1e-6)) * slope_mod, c.dsp_min, c.dsp_max);
    const Real a = blend(c.dynamic_on, a_dyn, Real(1));
    p = math::sigmoid(a * delta) * math::exp(-st.R);
    const Real z_sample = in.u0 < p ? Real(1) : Real(0);
    const Real z_half = p > Real(0.5) ? Real(1) : Real(0);
    const Real by_half = in.training ? Real(0) : c.eval_half_on;
    z = blend(by_half, z_half, z_sample);
  } else {
    // theta / 2 of RY(theta)|0>; p = sin^2(theta / 2) (no cancellation for small p).
    Real half = 0;
    const Real pre = k.q_scale * delta + k.q_bias - c.leak;
    if constexpr (Map == QuantumMap::Sigmoid) {
      half = std::numbers::pi_v<Real> / Real(2) * math::sigmoid(pre * slope_mod);
    } else if constexpr (Map == QuantumMap::Linear) {
      half = clamp_v(pre * slope_mod, Real(0), std::numbers::pi_v<Real>) / Real(2);
    } else {
      half = ((k.q_bias - c.leak) +
              c.theta_max * math::tanh(c.tanh_gain * k.q_scale * slope_mod * delta)) /
             Real(2);
    }
    const Real sn = math::sin(half);
    p = blend(c.clamp_p_on, clamp_v(sn * sn, Real(1e-5), Real(1) - Real(1e-5)), sn * sn);
    if constexpr (MultiShot) {
      int ones = in.u0 < p ? 1 : 0;
      for (int shot = 1; shot < c.shots; ++shot) {
        Real u = 0;
        if constexpr (DrawShots) {
          const PhiloxWords w = philox4x32_10(
              in.shot_seed, qlif_stream(1u + static_cast<uint32_t>(shot), in.shot_layer),
              in.shot_group, in.shot_entity);
          const uint32_t q = in.shot_q;
          u = uniform_of(q == 0 ? w.w[0] : (q == 1 ? w.w[1] : (q == 2 ? w.w[2] : w.w[3])));
        } else {
          u = in.u_more[static_cast<std::size_t>(shot - 1) * in.u_stride];
        }
        ones += u < p ? 1 : 0;
      }
      z = 2 * ones >= c.shots ? Real(1) : Real(0);
    } else {
      z = in.u0 < p ? Real(1) : Real(0);
    }
  }
  if constexpr (Relaxed) {
    if constexpr (M == Mode::Deterministic) {
      z = surrogate_primitive(c.surrogate, c.alpha, delta);
    } else {
      z = p;
    }
  }
  Real s = z;
  if constexpr (M == Mode::Quantum) {
    s = blend(c.p_drives_on, p, z);
    st.D = st.D * c.dsp_twice_decay + c.dsp_twice_on * s;  // the seed's second DSP call
  }
  out.z = z;
  out.s = s;
  out.p = p;
  // 7. reset and traces
  st.V = st.V - c.reset_k * s * (st.V - c.V_reset);
  st.R = st.R * c.ref_decay + c.r_jump * s;
  st.H = min_v(st.H * c.ahp_decay + c.ahp_jump * blend(c.ahp_sample_on, z, s), c.ahp_max);
  st.A = st.A * c.adaptation_decay + c.spike_increase * s;
  const Real e_old = st.E;
  // The clamp never binds for valid rates (E stays in [0, 1]); it guards against rounding.
  st.E = clamp_v(e_old * (Real(1) - c.depression_rate * s) + c.recovery_rate * (Real(1) - e_old),
                 Real(0), Real(1));
  st.Theta = st.Theta + c.eta * s - c.eta * st.Theta * (Real(1) - s);
  st.s_prev = s;
  return {st, out};
}

template <Mode M, QuantumMap Map, bool MultiShot, bool Relaxed = false, typename Real>
QNEURO_SNN_INLINE StepResult<Real> qlif_advance(const StepConstants<Real>& c, NeuronState<Real> st,
                                                const StepInput<Real> in) {
  return qlif_advance<M, Map, MultiShot, Relaxed>(c, st, in, c.coefs());
}

template <QuantumMap Map, typename Real>
inline StepResult<Real> qlif_quantum(const StepConstants<Real>& c, const NeuronState<Real>& st,
                                     const StepInput<Real>& in) {
  return c.shots > 1 ? qlif_advance<Mode::Quantum, Map, true>(c, st, in)
                     : qlif_advance<Mode::Quantum, Map, false>(c, st, in);
}

/// The per-step update for the mode in `c` (scalar drivers and tests).
template <typename Real>
inline StepOutput<Real> qlif_step(const StepConstants<Real>& c, NeuronState<Real>& st,
                                  const StepInput<Real>& in) {
  constexpr auto S = QuantumMap::Sigmoid;
  StepResult<Real> r;
  switch (c.mode) {
    case Mode::Deterministic:
      r = qlif_advance<Mode::Deterministic, S, false>(c, st, in);
      break;
    case Mode::Stochastic:
      r = qlif_advance<Mode::Stochastic, S, false>(c, st, in);
      break;
    case Mode::Quantum:
      switch (c.map) {
        case QuantumMap::Sigmoid:
          r = qlif_quantum<QuantumMap::Sigmoid>(c, st, in);
          break;
        case QuantumMap::Tanh:
          r = qlif_quantum<QuantumMap::Tanh>(c, st, in);
          break;
        case QuantumMap::Linear:
          r = qlif_quantum<QuantumMap::Linear>(c, st, in);
          break;
      }
      break;
  }
  st = r.state;
  return r.out;
}

}  // namespace qneuro::snn
