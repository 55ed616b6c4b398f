// One QLIF neuron over a whole input sequence, as one QNEURO_HD function (core/hd.hpp): the body
// of the CUDA kernel (one thread per neuron, the time loop inside, state in registers) and, on
// the host, the scalar reference that tests hold against Population's vectorised CPU kernel
// bit for bit (tests/unit/snn/test_qlif_neuron_sequence.cpp). Same update (qlif_advance), same
// random numbers (the layout of snn/population.hpp: one Philox call per stream serves the four
// steps of a group g = t >> 2, step word q = t & 3), same output layout (T, B, N).
#pragma once

#include <cstddef>
#include <cstdint>

#include "qneuro/core/hd.hpp"
#include "qneuro/core/philox.hpp"
#include "qneuro/snn/params.hpp"
#include "qneuro/snn/qlif_randoms.hpp"
#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn {

/// Four values of a step group in registers: v[q] without an indexed array (which a GPU would
/// keep in local memory).
struct Quad {
  float v0, v1, v2, v3;
  [[nodiscard]] QNEURO_HD_INLINE float operator[](uint32_t q) const {
    return q == 0 ? v0 : (q == 1 ? v1 : (q == 2 ? v2 : v3));
  }
};

/// Where a sequence reads and writes (host or device pointers, as the caller runs it).
struct NeuronSequenceArgs {
  /// Input current at input[t * input_t_stride + b * N + n]: input_t_stride = B N for a
  /// (T, B, N) input, 0 for one (B, N) current held over all T steps.
  const float* input = nullptr;
  std::size_t input_t_stride = 0;
  /// Modulation (T, mod_B, mod_N) with mod_B in {1, B}, mod_N in {1, N}, or null.
  const float* mod = nullptr;
  std::size_t mod_B = 1, mod_N = 1;
  /// Outputs (T, B, N); spikes may be null only when nothing is read back (benchmarks of the
  /// state alone); the float outputs are null when not recorded.
  uint8_t* spikes = nullptr;
  float *voltage = nullptr, *p = nullptr, *D = nullptr, *A = nullptr, *E = nullptr,
        *Theta = nullptr;
  std::size_t T = 0, B = 0, N = 0;
  uint64_t t0 = 0;       ///< absolute step of the first step (since the population's reset)
  uint64_t episode = 0;  ///< the Philox episode (0 for a Population)
  uint32_t seed = 0, layer = 0;
  uint64_t first_neuron = 0;  ///< the population's offset in a larger one (Philox entity)
  bool training = true;
};

/// Advances neuron (b, n) through a.T steps from `st` (updated in place) and writes its outputs.
/// M, Map, HasMod (a.mod != null) and MultiShot (quantum with c.shots > 1) must match the run.
template <Mode M, QuantumMap Map, bool HasMod, bool MultiShot>
QNEURO_HD_INLINE void qlif_neuron_sequence(const StepConstants<float>& c,
                                           const NeuronSequenceArgs& a, std::size_t b,
                                           std::size_t n, NeuronState<float>& st) {
  const uint64_t entity = (static_cast<uint64_t>(b) << 32) | (a.first_neuron + n);
  const std::size_t col = b * a.N + n;
  const std::size_t out_stride = a.B * a.N;
  const NeuronCoefs<float> k = c.coefs();
  const bool noisy = c.noise_coef != 0.0f;
  Quad u{0.5f, 0.5f, 0.5f, 0.5f};
  Quad xi{0.0f, 0.0f, 0.0f, 0.0f};
  uint64_t group = 0;
  for (std::size_t t = 0; t < a.T; ++t) {
    const uint64_t ta = a.t0 + t;
    const auto q = static_cast<uint32_t>(ta & 3u);
    if constexpr (M != Mode::Deterministic) {
      if (q == 0 || t == 0) {
        group = group_counter(a.episode, ta >> 2);
        const PhiloxWords w0 = philox4x32_10(a.seed, qlif_stream(0, a.layer), group, entity);
        u = {uniform_of(w0.w[0]), uniform_of(w0.w[1]), uniform_of(w0.w[2]), uniform_of(w0.w[3])};
        if (noisy) {
          const PhiloxWords w1 = philox4x32_10(a.seed, qlif_stream(1, a.layer), group, entity);
          box_muller(w1.w[0], w1.w[1], xi.v0, xi.v1);
          box_muller(w1.w[2], w1.w[3], xi.v2, xi.v3);
        }
      }
    }
    StepInput<float> in;
    in.I = a.input[t * a.input_t_stride + col];
    if constexpr (HasMod) {
      in.has_mod = true;
      in.mod = a.mod[(t * a.mod_B + (a.mod_B == 1 ? 0 : b)) * a.mod_N + (a.mod_N == 1 ? 0 : n)];
    }
    in.xi = xi[q];
    in.u0 = u[q];
    in.training = a.training;
    if constexpr (MultiShot) {
      in.shot_seed = a.seed;
      in.shot_layer = a.layer;
      in.shot_q = q;
      in.shot_group = group;
      in.shot_entity = entity;
    }
    const StepResult<float> r = qlif_advance<M, Map, MultiShot, false, true>(c, st, in, k);
    st = r.state;
    const std::size_t at = t * out_stride + col;
    if (a.spikes != nullptr) a.spikes[at] = r.out.z != 0.0f ? uint8_t{1} : uint8_t{0};
    if (a.voltage != nullptr) a.voltage[at] = st.V;
    if (a.p != nullptr) a.p[at] = r.out.p;
    if (a.D != nullptr) a.D[at] = st.D;
    if (a.A != nullptr) a.A[at] = st.A;
    if (a.E != nullptr) a.E[at] = st.E;
    if (a.Theta != nullptr) a.Theta[at] = st.Theta;
  }
}

/// Calls f.template operator()<M, Map, HasMod, MultiShot>() for the mode and map of `c`
/// (host code: the CUDA launcher and run_neuron_sequences pick their instantiation with it).
template <typename F>
void dispatch_neuron_sequence(const StepConstants<float>& c, bool has_mod, F&& f) {
  auto with_mod = [&]<Mode M, QuantumMap Map, bool MultiShot>() {
    if (has_mod) {
      f.template operator()<M, Map, true, MultiShot>();
    } else {
      f.template operator()<M, Map, false, MultiShot>();
    }
  };
  auto quantum = [&]<QuantumMap Map>() {
    if (c.shots > 1) {
      with_mod.template operator()<Mode::Quantum, Map, true>();
    } else {
      with_mod.template operator()<Mode::Quantum, Map, false>();
    }
  };
  switch (c.mode) {
    case Mode::Deterministic:
      with_mod.template operator()<Mode::Deterministic, QuantumMap::Sigmoid, false>();
      return;
    case Mode::Stochastic:
      with_mod.template operator()<Mode::Stochastic, QuantumMap::Sigmoid, false>();
      return;
    case Mode::Quantum:
      switch (c.map) {
        case QuantumMap::Sigmoid:
          quantum.template operator()<QuantumMap::Sigmoid>();
          return;
        case QuantumMap::Tanh:
          quantum.template operator()<QuantumMap::Tanh>();
          return;
        case QuantumMap::Linear:
          quantum.template operator()<QuantumMap::Linear>();
          return;
      }
  }
}

/// Every neuron of a.B x a.N through qlif_neuron_sequence on the host (OpenMP over neurons,
/// denormals flushed as in the kernels); `states` holds B N states, advanced in place. The
/// scalar reference of the CUDA kernel (and a plain, unvectorised CPU path).
void run_neuron_sequences(const StepConstants<float>& c, const NeuronSequenceArgs& a,
                          NeuronState<float>* states);

}  // namespace qneuro::snn
