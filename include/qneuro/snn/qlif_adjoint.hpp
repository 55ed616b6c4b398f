// The reverse-time adjoint of one QLIF step (qlif_step.hpp): backpropagation through time for the
// trainable layer, one inline function shared by the vectorised kernel and the scalar driver.
//
// Gradient conventions (docs/snn.md, "Training"):
//   - deterministic: z = H(Delta) with dz/dDelta = f(Delta), the surrogate of StepConstants;
//   - stochastic and quantum: z = 1[u < p] with the straight-through estimator dz/dp = 1; in the
//     compat quantum mode s = p (ds/dp = 1), otherwise s = z (so ds/dp = 1 as well);
//   - every state recurrence (V, A, E, H, R, D, Theta, m) is differentiated, including the AHP
//     jump on z; clamps and min() pass the gradient where they do not bind and zero where they
//     do (at a boundary the inner branch counts); noise and uniforms are constants;
//   - parameters a mode does not use get zero gradients (q_scale, q_bias outside quantum mode;
//     eta without the adaptive threshold; D-driven terms in deterministic mode).
//
// With lambda_X the adjoint of state X after step t (dLoss/dX_t) and the step's output gradients
// gz = dLoss/dz_t, gv = dLoss/dV_t (V after reset), qlif_adjoint returns lambda for the state
// before the step and accumulates the gradients of the step's input I_t, modulation value mod_t
// and of V_th0, q_scale, q_bias, tau and eta. Recomputation: everything is recomputed from the
// state before the step, the integrated voltage v (before reset) and the spike z, which is why a
// driver needs only those (the kernel replays the forward to get them).
#pragma once

#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn {

/// Adjoints of the state variables (dLoss/dX for X in NeuronState).
template <typename Real>
struct StateAdjoint {
  Real V = 0, A = 0, E = 0, H = 0, R = 0, D = 0, Theta = 0, m = 0, s_prev = 0;
};

/// Gradients of one neuron-step's inputs and contributions to the parameters' gradients.
template <typename Real>
struct StepGrads {
  Real I = 0, mod = 0;
  Real V_th0 = 0, q_scale = 0, q_bias = 0, tau = 0, eta = 0;
};

template <typename Real>
struct AdjointResult {
  StateAdjoint<Real> lam;  ///< adjoint of the state before the step
  StepGrads<Real> g;
};

/// 1 where lo <= x <= hi (clamp_v passes x through), else 0. Written without || so that the
/// kernel's loop if-converts and vectorises.
template <typename Real>
QNEURO_SNN_INLINE Real inside(Real x, Real lo, Real hi) {
  return clamp_v(x, lo, hi) == x ? Real(1) : Real(0);
}

/// One step backwards. `st` is the state before the step, `I`, `mod`, `has_mod` the step's input,
/// `v` the integrated voltage before reset and `z` the spike of the forward pass; `lam` the
/// adjoint after the step; gz, gv the gradients of the outputs z_t and V_t.
template <Mode M, QuantumMap Map, Surrogate S, bool HasMod, typename Real>
QNEURO_SNN_INLINE AdjointResult<Real> qlif_adjoint(const StepConstants<Real>& c,
                                                   const NeuronCoefs<Real> k,
                                                   const NeuronState<Real> st, const Real I,
                                                   const Real mod, const Real v, const Real z,
                                                   const Real gz, const Real gv,
                                                   const StateAdjoint<Real> lam) {
  constexpr Real one = Real(1);
  // ---- recompute the step's intermediate values ----
  Real m = 0;
  if constexpr (HasMod) {
    m = math::sigmoid(mod);
  } else {
    m = blend(c.persist_on, st.m, c.m_idle);
  }
  const Real lm = c.lambda * m;
  const Real vth_raw = k.V_th0 + st.Theta + c.threshold_mod * lm;
  const Real vth = clamp_v(vth_raw, c.min_th, c.max_th);
  const Real vth_in = inside(vth_raw, c.min_th, c.max_th);
  const Real gain = one + c.gain_mod * lm;
  const Real i_eff = gain * I * st.E - st.A - c.g_ahp * st.H;
  const Real delta = v - vth;
  const Real sm = one + c.slope_mod * lm;
  Real D1 = st.D;
  if constexpr (M != Mode::Deterministic) D1 = st.D * c.dsp_decay_eff + c.dynamic_on * st.s_prev;

  // decision: p and its partial derivatives
  Real s = z;
  Real dz_ddelta = 0;  // deterministic: the surrogate
  Real dp_ddelta = 0, dp_dD1 = 0, dp_dR = 0, dp_dsm = 0, dp_dqs = 0, dp_dqb = 0;
  if constexpr (M == Mode::Deterministic) {
    dz_ddelta = surrogate_grad<S>(c.alpha, delta);
  } else if constexpr (M == Mode::Stochastic) {
    const Real denom_raw = one + D1;
    const Real denom = max_v(denom_raw, Real(1e-6));
    const Real denom_in = denom_raw < Real(1e-6) ? Real(0) : one;
    const Real a_raw = c.base_alpha / denom * sm;
    const Real a_in = inside(a_raw, c.dsp_min, c.dsp_max);
    const Real a = blend(c.dynamic_on, clamp_v(a_raw, c.dsp_min, c.dsp_max), one);
    const Real sg = math::sigmoid(a * delta);
    const Real er = math::exp(-st.R);
    const Real p = sg * er;
    const Real dsg = sg * (one - sg) * er;
    dp_ddelta = a * dsg;
    dp_dR = -p;
    const Real dp_da = delta * dsg * c.dynamic_on * a_in;
    dp_dD1 = dp_da * denom_in * (-c.base_alpha * sm / (denom * denom));
    dp_dsm = dp_da * c.base_alpha / denom;
  } else {
    Real dh_ddelta = 0, dh_dqs = 0, dh_dqb = 0, dh_dsm = 0, half = 0;
    const Real pre = k.q_scale * delta + k.q_bias - c.leak;
    if constexpr (Map == QuantumMap::Sigmoid) {
      const Real sx = math::sigmoid(pre * sm);
      half = std::numbers::pi_v<Real> / Real(2) * sx;
      const Real dh_dx = std::numbers::pi_v<Real> / Real(2) * sx * (one - sx);
      dh_ddelta = dh_dx * sm * k.q_scale;
      dh_dqs = dh_dx * sm * delta;
      dh_dqb = dh_dx * sm;
      dh_dsm = dh_dx * pre;
    } else if constexpr (Map == QuantumMap::Linear) {
      const Real x = pre * sm;
      half = clamp_v(x, Real(0), std::numbers::pi_v<Real>) / Real(2);
      const Real dh_dx = inside(x, Real(0), std::numbers::pi_v<Real>) / Real(2);
      dh_ddelta = dh_dx * sm * k.q_scale;
      dh_dqs = dh_dx * sm * delta;
      dh_dqb = dh_dx * sm;
      dh_dsm = dh_dx * pre;
    } else {
      const Real th = math::tanh(c.tanh_gain * k.q_scale * sm * delta);
      half = ((k.q_bias - c.leak) + c.theta_max * th) / Real(2);
      const Real dh_dy = c.theta_max * (one - th * th) / Real(2);
      dh_ddelta = dh_dy * c.tanh_gain * k.q_scale * sm;
      dh_dqs = dh_dy * c.tanh_gain * sm * delta;
      dh_dsm = dh_dy * c.tanh_gain * k.q_scale * delta;
      dh_dqb = Real(0.5);
    }
    const Real sn = math::sin(half);
    const Real p_raw = sn * sn;
    const Real p = blend(c.clamp_p_on, clamp_v(p_raw, Real(1e-5), one - Real(1e-5)), p_raw);
    const Real p_in = blend(c.clamp_p_on, inside(p_raw, Real(1e-5), one - Real(1e-5)), one);
    const Real dp_dh = Real(2) * sn * math::cos(half) * p_in;
    s = blend(c.p_drives_on, p, z);
    dp_ddelta = dp_dh * dh_ddelta;
    dp_dqs = dp_dh * dh_dqs;
    dp_dqb = dp_dh * dh_dqb;
    dp_dsm = dp_dh * dh_dsm;
  }

  // ---- reverse of step 7 (reset and traces); gs, gz_tot collect dLoss/ds and dLoss/dz ----
  // Plain locals, not a result struct filled in place: the struct would live in memory and
  // stop the kernel's loop from vectorising.
  Real nV = 0, nA = 0, nE = 0, nH = 0, nR = 0, nD = 0, nTh = 0, nm = 0, ns = 0;
  Real gI = 0, gmod = 0, gvth0 = 0, gqs = 0, gqb = 0, gtau = 0, geta = 0;
  Real gz_tot = gz;
  const Real gVpost = lam.V + gv;
  Real gs = gVpost * (-c.reset_k * (v - c.V_reset));
  Real gv_int = gVpost * (one - c.reset_k * s);
  gs += lam.R * c.r_jump;
  nR = lam.R * c.ref_decay;
  const Real jump = blend(c.ahp_sample_on, z, s);
  const Real h_raw = st.H * c.ahp_decay + c.ahp_jump * jump;
  const Real gH = h_raw > c.ahp_max ? Real(0) : lam.H;
  nH = gH * c.ahp_decay;
  gz_tot += c.ahp_sample_on * gH * c.ahp_jump;
  gs += (one - c.ahp_sample_on) * gH * c.ahp_jump;
  gs += lam.A * c.spike_increase;
  nA = lam.A * c.adaptation_decay;
  const Real e_raw = st.E * (one - c.depression_rate * s) + c.recovery_rate * (one - st.E);
  const Real gE = lam.E * inside(e_raw, Real(0), one);
  nE = gE * (one - c.depression_rate * s - c.recovery_rate);
  gs -= gE * c.depression_rate * st.E;
  nTh = lam.Theta * (one - c.eta * (one - s));
  gs += lam.Theta * (c.eta + c.eta * st.Theta);
  geta = c.eta_on * lam.Theta * (s - st.Theta * (one - s));
  gs += lam.s_prev;
  Real lamD1 = lam.D;
  if constexpr (M == Mode::Quantum) {
    lamD1 = lam.D * c.dsp_twice_decay;
    gs += lam.D * c.dsp_twice_on;
  }
  Real gm = lam.m;

  // ---- reverse of step 6 (decision) ----
  Real gdelta = 0, gsm = 0;
  if constexpr (M == Mode::Deterministic) {
    gdelta = (gz_tot + gs) * dz_ddelta;  // s = z
  } else {
    const Real gp = gz_tot + gs;  // straight-through: dz/dp = ds/dp = 1
    gdelta = gp * dp_ddelta;
    lamD1 += gp * dp_dD1;
    nR += gp * dp_dR;
    gsm = gp * dp_dsm;
    gqs = gp * dp_dqs;
    gqb = gp * dp_dqb;
  }
  // ---- reverse of step 5 (D's first update) ----
  if constexpr (M != Mode::Deterministic) {
    nD = lamD1 * c.dsp_decay_eff;
    ns = lamD1 * c.dynamic_on;
  } else {
    nD = lamD1;
    ns = 0;
  }
  // ---- reverse of steps 4, 3, 2 (membrane, input, threshold) ----
  gv_int += gdelta;
  const Real dv_dV = blend(c.exact_on, c.mem_decay, one - c.dt_over_tau);
  nV = gv_int * dv_dV;
  const Real gieff = gv_int * (one - dv_dV);
  // Euler: dv/dtau = -(I_eff - V) dt / tau^2; exact: dv/dtau = (V - I_eff) e^{-dt/tau} dt / tau^2
  const Real dt_tau2 = c.dt / (c.tau * c.tau);
  gtau = gv_int * (st.V - i_eff) * dt_tau2 * blend(c.exact_on, c.mem_decay, one);
  gI = gieff * gain * st.E;
  nE += gieff * gain * I;
  nA -= gieff;
  nH -= gieff * c.g_ahp;
  gm += gieff * c.gain_mod * c.lambda * I * st.E;
  const Real gvth = -gdelta * vth_in;
  gvth0 = gvth;
  nTh += gvth;
  gm += gvth * c.threshold_mod * c.lambda + gsm * c.slope_mod * c.lambda;
  // ---- reverse of step 1 (neuromodulator) ----
  if constexpr (HasMod) {
    gmod = gm * m * (one - m);
    nm = 0;
  } else {
    nm = gm * c.persist_on;
  }
  AdjointResult<Real> r;
  r.lam = {nV, nA, nE, nH, nR, nD, nTh, nm, ns};
  r.g = {gI, gmod, gvth0, gqs, gqb, gtau, geta};
  return r;
}

}  // namespace qneuro::snn
