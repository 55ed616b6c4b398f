#include "qneuro/snn/qlif_sequence.hpp"

#include <string>
#include <vector>

#include "qlif_kernel.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/snn/qlif_adjoint.hpp"

namespace qneuro::snn {

namespace {

template <typename Real>
void check_args(const SequenceArgs<Real>& a) {
  if (a.c == nullptr || a.input == nullptr || a.V_th0 == nullptr || a.q_scale == nullptr ||
      a.q_bias == nullptr) {
    throw InputError("QLIF sequence: constants, input and per-neuron coefficients are required");
  }
  if (a.mod != nullptr && ((a.mod_B != 1 && a.mod_B != a.B) || (a.mod_N != 1 && a.mod_N != a.N))) {
    throw InputError("QLIF sequence: modulation must have shape (T, 1 or B, 1 or N)");
  }
  if (!sequence_uses_kernel(a) && a.c->mode != Mode::Deterministic &&
      (a.xi == nullptr || a.u == nullptr)) {
    throw InputError("QLIF sequence: the scalar driver needs explicit noise and uniforms");
  }
}

template <typename Real>
Real mod_value(const SequenceArgs<Real>& a, std::size_t t, std::size_t b, std::size_t n) {
  return a.mod[(t * a.mod_B + (a.mod_B == 1 ? 0 : b)) * a.mod_N + (a.mod_N == 1 ? 0 : n)];
}

/// One step of neuron (b, n) at row t with the scalar driver's explicit random numbers.
template <typename Real>
StepResult<Real> scalar_step(const SequenceArgs<Real>& a, const NeuronState<Real>& st,
                             std::size_t t, std::size_t b, std::size_t n) {
  const std::size_t idx = (t * a.B + b) * a.N + n;
  const std::size_t plane = a.T * a.B * a.N;
  StepInput<Real> in;
  in.I = a.input[idx];
  in.has_mod = a.mod != nullptr;
  if (in.has_mod) in.mod = mod_value(a, t, b, n);
  if (a.xi != nullptr) in.xi = a.xi[idx];
  if (a.u != nullptr) {
    in.u0 = a.u[idx];
    if (a.c->shots > 1) {  // u is (K, T, B, N): shot k at u[k plane + idx]
      in.u_more = a.u + plane + idx;
      in.u_stride = plane;
    }
  }
  in.training = a.training;
  const NeuronCoefs<Real> k{a.V_th0[n], a.q_scale[n], a.q_bias[n]};
  const StepConstants<Real>& c = *a.c;
  constexpr auto S = QuantumMap::Sigmoid;
  const bool multi = c.shots > 1;
  auto quantum = [&]<QuantumMap Map, bool R>() {
    return multi ? qlif_advance<Mode::Quantum, Map, true, R>(c, st, in, k)
                 : qlif_advance<Mode::Quantum, Map, false, R>(c, st, in, k);
  };
  auto step = [&]<bool R>() -> StepResult<Real> {
    switch (c.mode) {
      case Mode::Deterministic:
        return qlif_advance<Mode::Deterministic, S, false, R>(c, st, in, k);
      case Mode::Stochastic:
        return qlif_advance<Mode::Stochastic, S, false, R>(c, st, in, k);
      case Mode::Quantum:
        switch (c.map) {
          case QuantumMap::Sigmoid:
            return quantum.template operator()<QuantumMap::Sigmoid, R>();
          case QuantumMap::Tanh:
            return quantum.template operator()<QuantumMap::Tanh, R>();
          case QuantumMap::Linear:
            return quantum.template operator()<QuantumMap::Linear, R>();
        }
    }
    return {};
  };
  return a.relaxed ? step.template operator()<true>() : step.template operator()<false>();
}

template <typename Real, bool HasMod>
AdjointResult<Real> scalar_adjoint(const SequenceArgs<Real>& a, const NeuronCoefs<Real>& k,
                                   const NeuronState<Real>& st, Real I, Real mod, Real v, Real z,
                                   Real gz, Real gv, const StateAdjoint<Real>& lam) {
  const StepConstants<Real>& c = *a.c;
  constexpr auto Sg = QuantumMap::Sigmoid;
  constexpr auto Hs = Surrogate::Heaviside;
  switch (c.mode) {
    case Mode::Deterministic:
      switch (c.surrogate) {
        case Surrogate::Heaviside:
          return qlif_adjoint<Mode::Deterministic, Sg, Surrogate::Heaviside, HasMod>(
              c, k, st, I, mod, v, z, gz, gv, lam);
        case Surrogate::FastSigmoid:
          return qlif_adjoint<Mode::Deterministic, Sg, Surrogate::FastSigmoid, HasMod>(
              c, k, st, I, mod, v, z, gz, gv, lam);
        case Surrogate::Gaussian:
          return qlif_adjoint<Mode::Deterministic, Sg, Surrogate::Gaussian, HasMod>(
              c, k, st, I, mod, v, z, gz, gv, lam);
        case Surrogate::Arctan:
          return qlif_adjoint<Mode::Deterministic, Sg, Surrogate::Arctan, HasMod>(
              c, k, st, I, mod, v, z, gz, gv, lam);
      }
      break;
    case Mode::Stochastic:
      return qlif_adjoint<Mode::Stochastic, Sg, Hs, HasMod>(c, k, st, I, mod, v, z, gz, gv, lam);
    case Mode::Quantum:
      switch (c.map) {
        case QuantumMap::Sigmoid:
          return qlif_adjoint<Mode::Quantum, QuantumMap::Sigmoid, Hs, HasMod>(c, k, st, I, mod, v,
                                                                              z, gz, gv, lam);
        case QuantumMap::Tanh:
          return qlif_adjoint<Mode::Quantum, QuantumMap::Tanh, Hs, HasMod>(c, k, st, I, mod, v, z,
                                                                           gz, gv, lam);
        case QuantumMap::Linear:
          return qlif_adjoint<Mode::Quantum, QuantumMap::Linear, Hs, HasMod>(c, k, st, I, mod, v, z,
                                                                             gz, gv, lam);
      }
  }
  return {};
}

kernel::BlockArgs kernel_args(const SequenceArgs<float>& a) {
  kernel::BlockArgs base;
  base.c = a.c;
  base.input = a.input;
  base.mod = a.mod;
  base.mod_B = a.mod_B;
  base.mod_N = a.mod_N;
  base.V_th0 = a.V_th0;
  base.q_scale = a.q_scale;
  base.q_bias = a.q_bias;
  base.T = a.T;
  base.B = a.B;
  base.N = a.N;
  base.out_stride = a.B * a.N;
  base.t0 = a.t0;
  base.episode = a.episode;
  base.seed = a.seed;
  base.layer = a.layer;
  base.training = a.training;
  return base;
}

}  // namespace

template <typename Real>
bool sequence_uses_kernel(const SequenceArgs<Real>& a) {
  if constexpr (std::is_same_v<Real, float>) {
    return a.xi == nullptr && a.u == nullptr && !a.relaxed;
  } else {
    return false;
  }
}

template <typename Real>
void sequence_forward(const SequenceArgs<Real>& a, NeuronState<Real>* state, Real* z, Real* voltage,
                      uint8_t* spike_bytes) {
  check_args(a);
  if (a.T == 0) return;
  if constexpr (std::is_same_v<Real, float>) {
    if (sequence_uses_kernel(a)) {
      kernel::BlockArgs base = kernel_args(a);
      base.spikes = spike_bytes;
      base.z = z;
      base.voltage = voltage;
      kernel::run_all_blocks(base, state);
      return;
    }
  }
  const auto BN = static_cast<long long>(a.B * a.N);
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < BN; ++i) {
    const auto b = static_cast<std::size_t>(i) / a.N;
    const auto n = static_cast<std::size_t>(i) % a.N;
    NeuronState<Real> st = state[i];
    for (std::size_t t = 0; t < a.T; ++t) {
      const StepResult<Real> r = scalar_step(a, st, t, b, n);
      st = r.state;
      const std::size_t idx = (t * a.B + b) * a.N + n;
      z[idx] = r.out.z;
      voltage[idx] = st.V;
      if (spike_bytes != nullptr) spike_bytes[idx] = r.out.z > Real(0.5) ? 1 : 0;
    }
    state[i] = st;
  }
}

template <typename Real>
void sequence_backward(const SequenceArgs<Real>& a, const NeuronState<Real>* initial,
                       const uint8_t* spike_bytes, const Real* gz, const Real* gv,
                       const SequenceGrads<Real>& g) {
  check_args(a);
  if (a.T == 0) return;
  if constexpr (std::is_same_v<Real, float>) {
    if (sequence_uses_kernel(a)) {
      if (spike_bytes == nullptr) throw InputError("QLIF backward: the saved spikes are required");
      kernel::BackwardArgs ba;
      ba.spikes = spike_bytes;
      ba.gz = gz;
      ba.gv = gv;
      ba.g_input = g.input;
      ba.g_mod = g.mod;
      ba.g_V_th0 = g.V_th0;
      ba.g_q_scale = g.q_scale;
      ba.g_q_bias = g.q_bias;
      ba.g_tau = g.tau;
      ba.g_eta = g.eta;
      ba.surrogate = a.c->surrogate;
      const std::size_t bad = kernel::backward_all_blocks(kernel_args(a), ba, initial);
      if (bad != 0) {
        throw RuntimeError("QLIF backward: the replayed forward changed " + std::to_string(bad) +
                           " spike(s); the input or the parameters were modified in place "
                           "between forward and backward");
      }
      return;
    }
  }
  const auto BN = static_cast<long long>(a.B * a.N);
  const bool has_mod = a.mod != nullptr;
#pragma omp parallel
  {
    // The replayed forward of one neuron: state before each step, v and z per step.
    std::vector<NeuronState<Real>> before(a.T);
    std::vector<Real> v(a.T), zz(a.T);
#pragma omp for schedule(static)
    for (long long i = 0; i < BN; ++i) {
      const auto b = static_cast<std::size_t>(i) / a.N;
      const auto n = static_cast<std::size_t>(i) % a.N;
      NeuronState<Real> st = initial[i];
      for (std::size_t t = 0; t < a.T; ++t) {
        before[t] = st;
        const StepResult<Real> r = scalar_step(a, st, t, b, n);
        st = r.state;
        v[t] = r.out.v;
        zz[t] = r.out.z;
      }
      const NeuronCoefs<Real> k{a.V_th0[n], a.q_scale[n], a.q_bias[n]};
      StateAdjoint<Real> lam;
      StepGrads<Real> acc;
      for (std::size_t t = a.T; t-- > 0;) {
        const std::size_t idx = (t * a.B + b) * a.N + n;
        const Real mod = has_mod ? mod_value(a, t, b, n) : Real(0);
        const Real gvt = gv != nullptr ? gv[idx] : Real(0);
        const AdjointResult<Real> r =
            has_mod ? scalar_adjoint<Real, true>(a, k, before[t], a.input[idx], mod, v[t], zz[t],
                                                 gz[idx], gvt, lam)
                    : scalar_adjoint<Real, false>(a, k, before[t], a.input[idx], mod, v[t], zz[t],
                                                  gz[idx], gvt, lam);
        lam = r.lam;
        g.input[idx] = r.g.I;
        if (g.mod != nullptr) g.mod[idx] = r.g.mod;
        acc.V_th0 += r.g.V_th0;
        acc.q_scale += r.g.q_scale;
        acc.q_bias += r.g.q_bias;
        acc.tau += r.g.tau;
        acc.eta += r.g.eta;
      }
      g.V_th0[i] = acc.V_th0;
      g.q_scale[i] = acc.q_scale;
      g.q_bias[i] = acc.q_bias;
      g.tau[i] = acc.tau;
      g.eta[i] = acc.eta;
    }
  }
}

template bool sequence_uses_kernel(const SequenceArgs<float>&);
template bool sequence_uses_kernel(const SequenceArgs<double>&);
template void sequence_forward(const SequenceArgs<float>&, NeuronState<float>*, float*, float*,
                               uint8_t*);
template void sequence_forward(const SequenceArgs<double>&, NeuronState<double>*, double*, double*,
                               uint8_t*);
template void sequence_backward(const SequenceArgs<float>&, const NeuronState<float>*,
                                const uint8_t*, const float*, const float*,
                                const SequenceGrads<float>&);
template void sequence_backward(const SequenceArgs<double>&, const NeuronState<double>*,
                                const uint8_t*, const double*, const double*,
                                const SequenceGrads<double>&);

}  // namespace qneuro::snn
