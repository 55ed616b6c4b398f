#include "qneuro/snn/torch/qlif_oracle.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// z = H(x) (or the relaxed F(x)) with the surrogate f(x) as its derivative.
struct SpikeFn : public torch::autograd::Function<SpikeFn> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, int64_t kind, double alpha,
                        bool relaxed) {
    ctx->save_for_backward({x});
    ctx->saved_data["kind"] = kind;
    ctx->saved_data["alpha"] = alpha;
    const auto s = static_cast<Surrogate>(kind);
    if (relaxed) {
      const Tensor ax = x.abs();
      switch (s) {
        case Surrogate::Heaviside:
          return torch::where(alpha * ax >= 1.0, torch::sign(x) / (2.0 * alpha),
                              x - alpha * x * ax / 2.0);
        case Surrogate::FastSigmoid:
          return x / (1.0 + alpha * ax);
        case Surrogate::Gaussian:
          return alpha * std::sqrt(std::numbers::pi / 2.0) *
                 torch::erf(x / (alpha * std::numbers::sqrt2));
        case Surrogate::Arctan:
          return torch::atan(alpha * x) / alpha;
      }
    }
    return (x >= 0).to(x.scalar_type());
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    const auto s = static_cast<Surrogate>(ctx->saved_data["kind"].toInt());
    const double alpha = ctx->saved_data["alpha"].toDouble();
    const Tensor ax = x.abs();
    Tensor f;
    switch (s) {
      case Surrogate::Heaviside:
        f = torch::clamp_min(1.0 - alpha * ax, 0.0);
        break;
      case Surrogate::FastSigmoid:
        f = 1.0 / (1.0 + alpha * ax).square();
        break;
      case Surrogate::Gaussian:
        f = torch::exp(-x.square() / (2.0 * alpha * alpha));
        break;
      case Surrogate::Arctan:
        f = 1.0 / (1.0 + alpha * alpha * x.square());
        break;
    }
    return {grads[0] * f, Tensor(), Tensor(), Tensor()};
  }
};

/// p + (z - p).detach(): the value z with the gradient of p (straight-through).
Tensor straight_through(const Tensor& p, const Tensor& z_hard, bool relaxed) {
  return relaxed ? p : p + (z_hard - p).detach();
}

}  // namespace

QLIFOracleImpl::QLIFOracleImpl(QLIFOptions options) : options_(std::move(options)) {
  static_cast<QLIFParameters&>(*this) = register_qlif_parameters(*this, options_);
}

void QLIFOracleImpl::reset() {
  state_.clear();
  t_ = 0;
  ++episode_;
}

QLIFOutput QLIFOracleImpl::forward(const Tensor& input, const Tensor& modulation) {
  return forward_with(input, modulation, QLIFRandoms{});
}

QLIFOutput QLIFOracleImpl::forward_with(const Tensor& input, const Tensor& modulation,
                                        const QLIFRandoms& randoms) {
  const NeuronParams& p = options_.params();
  const int64_t N = options_.neurons();
  if (!input.defined() || input.dim() != 3 || input.size(2) != N) {
    throw InputError("QLIF oracle input must be (T, B, N) with N = " + std::to_string(N));
  }
  const int64_t T = input.size(0);
  const int64_t B = input.size(1);
  const auto dtype = input.scalar_type();
  const int shots = p.mode == Mode::Quantum ? p.quantum_shots : 1;
  QLIFRandoms r = randoms;
  if (!r.xi.defined()) {
    const bool relaxed = r.relaxed;
    r = philox_randoms(options_.seed(), options_.layer(), episode_, t_, T, B, N, shots, dtype);
    r.relaxed = relaxed;
  }
  const Tensor mod = shape_modulation(modulation, T, B, N);
  const StepConstants<double> c(p);
  const auto opts = input.options();
  if (state_.empty()) {
    const NeuronState<double> s0 = c.initial_state();
    for (double v : {s0.V, s0.A, s0.E, s0.H, s0.R, s0.D, s0.Theta, s0.m, s0.s_prev}) {
      state_.push_back(torch::full({B, N}, v, opts));
    }
  } else if (state_[0].size(0) != B) {
    throw InputError("batch size changed while state is carried; call reset() first");
  }
  // Truncated BPTT at call boundaries, as in the fused layer.
  Tensor V = state_[0].detach(), A = state_[1].detach(), E = state_[2].detach(),
         H = state_[3].detach(), R = state_[4].detach(), D = state_[5].detach(),
         Th = state_[6].detach(), m = state_[7].detach(), sp = state_[8].detach();
  const bool training = is_training();
  const bool relaxed = r.relaxed;
  const Tensor tau_t = tau.to(dtype);
  // eta without the adaptive threshold is not used (its gradient stays zero).
  const Tensor eta_t = c.eta_on != 0.0 ? eta.to(dtype) : torch::zeros({}, opts);
  const Tensor dt_over_tau = p.dt / tau_t;
  const Tensor mem_decay = torch::exp(-p.dt / tau_t);
  const Tensor vth0 = V_th.to(dtype);
  const Tensor qs = q_scale.to(dtype);
  const Tensor qb = q_bias.to(dtype);
  std::vector<Tensor> zs, vs;
  zs.reserve(static_cast<std::size_t>(T));
  vs.reserve(static_cast<std::size_t>(T));
  for (int64_t t = 0; t < T; ++t) {
    const Tensor I = input[t];
    if (mod.defined()) {
      m = torch::sigmoid(mod[t]).expand({B, N});
    } else if (c.persist_on == 0.0) {
      m = torch::full({B, N}, c.m_idle, opts);
    }
    const Tensor lm = c.lambda * m;
    const Tensor vth = torch::clamp(vth0 + Th + c.threshold_mod * lm, c.min_th, c.max_th);
    const Tensor gain = 1.0 + c.gain_mod * lm;
    const Tensor i_eff = gain * I * E - A - c.g_ahp * H;
    Tensor v = c.exact_on != 0.0 ? i_eff + (V - i_eff) * mem_decay : V + dt_over_tau * (i_eff - V);
    if (p.mode != Mode::Deterministic) v = v + c.noise_coef * r.xi[t];
    const Tensor delta = v - vth;
    const Tensor sm = 1.0 + c.slope_mod * lm;
    if (p.mode != Mode::Deterministic) D = D * c.dsp_decay_eff + c.dynamic_on * sp;
    Tensor z, s;
    if (p.mode == Mode::Deterministic) {
      z = SpikeFn::apply(delta, static_cast<int64_t>(c.surrogate), c.alpha, relaxed);
      s = z;
    } else if (p.mode == Mode::Stochastic) {
      Tensor a = torch::ones_like(delta);
      if (c.dynamic_on != 0.0) {
        a = torch::clamp(c.base_alpha / torch::clamp_min(1.0 + D, 1e-6) * sm, c.dsp_min, c.dsp_max);
      }
      const Tensor prob = torch::sigmoid(a * delta) * torch::exp(-R);
      const Tensor z_hard = (!training && c.eval_half_on != 0.0) ? (prob > 0.5).to(dtype)
                                                                 : (r.u[0][t] < prob).to(dtype);
      z = straight_through(prob, z_hard, relaxed);
      s = z;
    } else {
      const Tensor pre = qs * delta + qb - c.leak;
      Tensor half;
      switch (p.quantum_map) {
        case QuantumMap::Sigmoid:
          half = std::numbers::pi / 2.0 * torch::sigmoid(pre * sm);
          break;
        case QuantumMap::Linear:
          half = torch::clamp(pre * sm, 0.0, std::numbers::pi) / 2.0;
          break;
        case QuantumMap::Tanh:
          half = ((qb - c.leak) + c.theta_max * torch::tanh(c.tanh_gain * qs * sm * delta)) / 2.0;
          break;
      }
      Tensor prob = torch::sin(half).square();
      if (c.clamp_p_on != 0.0) prob = torch::clamp(prob, 1e-5, 1.0 - 1e-5);
      Tensor ones = torch::zeros_like(prob);
      for (int k = 0; k < shots; ++k) ones = ones + (r.u[k][t] < prob).to(dtype);
      const Tensor z_hard = (2.0 * ones >= static_cast<double>(shots)).to(dtype);
      z = straight_through(prob, z_hard, relaxed);
      s = c.p_drives_on != 0.0 ? prob : z;
      D = D * c.dsp_twice_decay + c.dsp_twice_on * s;
    }
    V = v - c.reset_k * s * (v - c.V_reset);
    R = R * c.ref_decay + c.r_jump * s;
    H = torch::clamp_max(H * c.ahp_decay + c.ahp_jump * (c.ahp_sample_on != 0.0 ? z : s),
                         c.ahp_max);
    A = A * c.adaptation_decay + c.spike_increase * s;
    E = torch::clamp(E * (1.0 - c.depression_rate * s) + c.recovery_rate * (1.0 - E), 0.0, 1.0);
    Th = Th + eta_t * s - eta_t * Th * (1.0 - s);
    sp = s;
    zs.push_back(z);
    vs.push_back(V);
  }
  state_ = {V, A, E, H, R, D, Th, m, sp};
  t_ += static_cast<uint64_t>(T);
  if (T == 0) return {torch::empty_like(input), torch::empty_like(input)};
  return {torch::stack(zs), torch::stack(vs)};
}

}  // namespace qneuro::snn
