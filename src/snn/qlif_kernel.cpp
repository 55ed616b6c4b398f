#include "qlif_kernel.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "qneuro/core/denormals.hpp"
#include "qneuro/core/rng.hpp"
#include "qneuro/core/target_clones.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace qneuro::snn::kernel {

namespace {

__attribute__((always_inline)) inline void philox_body(uint32_t key0, uint32_t key1, uint64_t step,
                                                       uint32_t entity_hi, uint32_t entity_lo0,
                                                       std::size_t n,
                                                       uint32_t (*__restrict w)[kLanes]) {
  const auto step_lo = static_cast<uint32_t>(step);
  const auto step_hi = static_cast<uint32_t>(step >> 32);
#pragma omp simd
  for (std::size_t j = 0; j < n; ++j) {
    uint32_t c0 = step_lo, c1 = step_hi, c2 = entity_lo0 + static_cast<uint32_t>(j), c3 = entity_hi;
    uint32_t k0 = key0, k1 = key1;
#pragma GCC unroll 10
    for (int r = 0; r < 10; ++r) {
      const uint64_t p0 = uint64_t{0xD2511F53u} * c0;
      const uint64_t p1 = uint64_t{0xCD9E8D57u} * c2;
      const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
      const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
      c1 = static_cast<uint32_t>(p1);
      c3 = static_cast<uint32_t>(p0);
      c0 = n0;
      c2 = n2;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    w[0][j] = c0;
    w[1][j] = c1;
    w[2][j] = c2;
    w[3][j] = c3;
  }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define QNEURO_PHILOX_AVX512 1
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_epi32() as the merge operand, which
// -Wmaybe-uninitialized reports at every call (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
/// philox_body with AVX-512 intrinsics, 16 lanes per vector. GCC vectorises the scalar body's
/// 32 x 32 -> 64-bit products by widening every lane to 64 bits and permuting the halves back
/// (vpmovzxdq, vpmullq, vpermt2d); here each product is two vpmuludq (even and odd lanes) and
/// two blends, about twice as fast. Bit-identical to philox_body (tests/unit/snn).
__attribute__((target("avx512f"))) void philox_avx512(uint32_t key0, uint32_t key1, uint64_t step,
                                                      uint32_t entity_hi, uint32_t entity_lo0,
                                                      std::size_t n, uint32_t (*w)[kLanes]) {
  const __m512i m0 = _mm512_set1_epi64(0xD2511F53);
  const __m512i m1 = _mm512_set1_epi64(0xCD9E8D57);
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i k0[10], k1[10];
  uint32_t a = key0, b = key1;
  for (int r = 0; r < 10; ++r) {
    k0[r] = _mm512_set1_epi32(static_cast<int>(a));
    k1[r] = _mm512_set1_epi32(static_cast<int>(b));
    a += 0x9E3779B9u;
    b += 0xBB67AE85u;
  }
  constexpr __mmask16 kOdd = 0xAAAA;
  for (std::size_t j = 0; j < n; j += 16) {
    __m512i c0 = _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(step)));
    __m512i c1 = _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(step >> 32)));
    __m512i c2 = _mm512_add_epi32(
        _mm512_set1_epi32(static_cast<int>(entity_lo0 + static_cast<uint32_t>(j))), iota);
    __m512i c3 = _mm512_set1_epi32(static_cast<int>(entity_hi));
    for (int r = 0; r < 10; ++r) {
      const __m512i e0 = _mm512_mul_epu32(c0, m0);
      const __m512i o0 = _mm512_mul_epu32(_mm512_srli_epi64(c0, 32), m0);
      const __m512i e1 = _mm512_mul_epu32(c2, m1);
      const __m512i o1 = _mm512_mul_epu32(_mm512_srli_epi64(c2, 32), m1);
      const __m512i hi0 = _mm512_mask_blend_epi32(kOdd, _mm512_srli_epi64(e0, 32), o0);
      const __m512i lo0 = _mm512_mask_blend_epi32(kOdd, e0, _mm512_slli_epi64(o0, 32));
      const __m512i hi1 = _mm512_mask_blend_epi32(kOdd, _mm512_srli_epi64(e1, 32), o1);
      const __m512i lo1 = _mm512_mask_blend_epi32(kOdd, e1, _mm512_slli_epi64(o1, 32));
      c0 = _mm512_ternarylogic_epi32(hi1, c1, k0[r], 0x96);  // three-way xor
      c2 = _mm512_ternarylogic_epi32(hi0, c3, k1[r], 0x96);
      c1 = lo1;
      c3 = lo0;
    }
    const auto left = static_cast<unsigned>(std::min<std::size_t>(16, n - j));
    const auto mask = static_cast<__mmask16>(left == 16 ? 0xFFFFu : (1u << left) - 1u);
    _mm512_mask_storeu_epi32(w[0] + j, mask, c0);
    _mm512_mask_storeu_epi32(w[1] + j, mask, c1);
    _mm512_mask_storeu_epi32(w[2] + j, mask, c2);
    _mm512_mask_storeu_epi32(w[3] + j, mask, c3);
  }
}
#pragma GCC diagnostic pop
#endif

/// Philox for the lanes of a block: the AVX-512 version where the CPU has it, else the
/// auto-vectorised clones of philox_body.
void philox_dispatch(uint32_t key0, uint32_t key1, uint64_t step, uint32_t entity_hi,
                     uint32_t entity_lo0, std::size_t n, uint32_t (*w)[kLanes]);

/// Whether a block records nothing but spikes and the voltage (a plain forward run).
bool lean_outputs(const BlockArgs& a) {
  return a.p == nullptr && a.D == nullptr && a.A == nullptr && a.E == nullptr &&
         a.Theta == nullptr && a.z == nullptr && a.v_pre == nullptr && a.H == nullptr &&
         a.R == nullptr && a.m == nullptr && a.s == nullptr;
}

uint32_t stream_of(uint32_t block, uint32_t layer) {
  return qlif_stream(block, layer);
}

/// Fills s.u, s.xi (if noisy) and s.u_shots for the group of absolute step ta.
template <Mode M, bool MultiShot>
__attribute__((always_inline)) inline void draw_group(const BlockArgs& a, BlockScratch& s,
                                                      uint64_t group) {
  const auto ent_hi = static_cast<uint32_t>(a.b);
  const auto ent_lo = static_cast<uint32_t>(a.first_neuron + a.n0);
  const std::size_t n = a.len;
  group = group_counter(a.episode, group);
  philox_dispatch(a.seed, stream_of(0, a.layer), group, ent_hi, ent_lo, n, s.w);
  for (int q = 0; q < 4; ++q) {
    float* __restrict u = s.u[q];
    const uint32_t* __restrict w = s.w[q];
#pragma omp simd
    for (std::size_t j = 0; j < n; ++j) u[j] = uniform_of(w[j]);
  }
  if (a.c->noise_coef != 0.0f) {
    philox_dispatch(a.seed, stream_of(1, a.layer), group, ent_hi, ent_lo, n, s.w);
    for (int h = 0; h < 2; ++h) {
      float* __restrict xc = s.xi[2 * h];
      float* __restrict xs = s.xi[2 * h + 1];
      const uint32_t* __restrict wa = s.w[2 * h];
      const uint32_t* __restrict wb = s.w[2 * h + 1];
#pragma omp simd
      for (std::size_t j = 0; j < n; ++j) box_muller(wa[j], wb[j], xc[j], xs[j]);
    }
  }
  if constexpr (MultiShot) {
    for (int k = 1; k < a.c->shots; ++k) {
      philox_dispatch(a.seed, stream_of(1 + static_cast<uint32_t>(k), a.layer), group, ent_hi,
                      ent_lo, n, s.w);
      for (int q = 0; q < 4; ++q) {
        float* __restrict u = s.u_shots + (static_cast<std::size_t>(k - 1) * 4 + q) * kLanes;
        const uint32_t* __restrict w = s.w[q];
#pragma omp simd
        for (std::size_t j = 0; j < n; ++j) u[j] = uniform_of(w[j]);
      }
    }
  }
}

/// Full = false: only spikes and (optionally) the voltage are recorded, so the step skips the
/// stores of the ten other outputs instead of writing them to sinks (a plain forward run stores
/// 2 values per neuron-step instead of 12, besides the state).
template <Mode M, QuantumMap Map, bool HasMod, bool MultiShot, bool Full>
__attribute__((always_inline)) inline void block_body(const BlockArgs& a, BlockScratch& s) {
  // A local copy: its members become loop invariants the vectoriser can if-convert (loads
  // through a.c could alias the outputs as far as the compiler knows).
  const StepConstants<float> c = *a.c;
  const std::size_t n = a.len;
  const float* vth0 = a.V_th0 != nullptr ? a.V_th0 + a.n0 : s.V_th0;
  const float* qscale = a.q_scale != nullptr ? a.q_scale + a.n0 : s.q_scale;
  const float* qbias = a.q_bias != nullptr ? a.q_bias + a.n0 : s.q_bias;
  for (std::size_t t = 0; t < a.T; ++t) {
    const uint64_t ta = a.t0 + t;
    const auto q = static_cast<std::size_t>(ta & 3u);
    if constexpr (M != Mode::Deterministic) {
      if (q == 0 || t == 0) draw_group<M, MultiShot>(a, s, ta >> 2);
    }
    const std::size_t row = (t * a.B + a.b) * a.N + a.n0;
    const std::size_t orow = t * a.out_stride + a.out_col;
    const float* __restrict in_row = a.input + row;
    const float* __restrict mod_row = s.mod_row;
    if constexpr (HasMod) {
      const float* src = a.mod + (t * a.mod_B + (a.mod_B == 1 ? 0 : a.b)) * a.mod_N;
      if (a.mod_N == 1) {
        std::fill(s.mod_row, s.mod_row + n, src[0]);
      } else {
        mod_row = src + a.n0;
      }
    }
    auto out = [orow](float* dst, float* sink) { return dst != nullptr ? dst + orow : sink; };
    uint8_t* __restrict spk = a.spikes != nullptr ? a.spikes + orow : s.sink_spikes;
    float* __restrict v_out = out(a.voltage, s.sink_v);
    float* __restrict p_out = out(a.p, s.sink_p);
    float* __restrict d_out = out(a.D, s.sink_D);
    float* __restrict a_out = out(a.A, s.sink_A);
    float* __restrict e_out = out(a.E, s.sink_E);
    float* __restrict th_out = out(a.Theta, s.sink_Theta);
    float* __restrict z_out = out(a.z, s.sink_z);
    float* __restrict vpre_out = out(a.v_pre, s.sink_vpre);
    float* __restrict h_out = out(a.H, s.sink_H);
    float* __restrict r_out = out(a.R, s.sink_R);
    float* __restrict m_out = out(a.m, s.sink_m);
    float* __restrict s_out = out(a.s, s.sink_s);
    const float* __restrict uq = s.u[q];
    const float* __restrict xq = s.xi[q];
    const float* u_more = MultiShot ? s.u_shots + q * kLanes : nullptr;
    float* __restrict V = s.V;
    float* __restrict A = s.A;
    float* __restrict E = s.E;
    float* __restrict H = s.H;
    float* __restrict R = s.R;
    float* __restrict D = s.D;
    float* __restrict Th = s.Theta;
    float* __restrict m = s.m;
    float* __restrict sp = s.s_prev;
    const float* __restrict k_vth = vth0;
    const float* __restrict k_qs = qscale;
    const float* __restrict k_qb = qbias;
    const bool training = a.training;
    // ivdep, not omp simd: omp simd turns every local whose address is taken (the state and
    // result structs of qlif_advance) into per-lane arrays of structs, which do not vectorise.
#pragma GCC ivdep
    for (std::size_t j = 0; j < n; ++j) {
      NeuronState<float> st;
      st.V = V[j];
      st.A = A[j];
      st.E = E[j];
      st.H = H[j];
      st.R = R[j];
      st.D = D[j];
      st.Theta = Th[j];
      st.m = m[j];
      st.s_prev = sp[j];
      StepInput<float> in;
      in.I = in_row[j];
      in.has_mod = HasMod;
      if constexpr (HasMod) in.mod = mod_row[j];
      in.xi = xq[j];
      in.u0 = uq[j];
      if constexpr (MultiShot) {
        in.u_more = u_more + j;
        in.u_stride = 4 * kLanes;
      }
      in.training = training;
      const NeuronCoefs<float> k{k_vth[j], k_qs[j], k_qb[j]};
      const StepResult<float> r = qlif_advance<M, Map, MultiShot>(c, st, in, k);
      st = r.state;
      const StepOutput<float> o = r.out;
      V[j] = st.V;
      A[j] = st.A;
      E[j] = st.E;
      H[j] = st.H;
      R[j] = st.R;
      D[j] = st.D;
      Th[j] = st.Theta;
      m[j] = st.m;
      sp[j] = st.s_prev;
      spk[j] = o.z != 0.0f ? uint8_t{1} : uint8_t{0};
      v_out[j] = st.V;
      if constexpr (Full) {
        p_out[j] = o.p;
        d_out[j] = st.D;
        a_out[j] = st.A;
        e_out[j] = st.E;
        th_out[j] = st.Theta;
        z_out[j] = o.z;
        vpre_out[j] = o.v;
        h_out[j] = st.H;
        r_out[j] = st.R;
        m_out[j] = st.m;
        s_out[j] = st.s_prev;
      }
    }
  }
}

#define QNEURO_CLONES QNEURO_TARGET_CLONES
#define QNEURO_BLOCK(name, M, MAP, HM, MS)                              \
  QNEURO_CLONES void name##_full(const BlockArgs& a, BlockScratch& s) { \
    block_body<M, MAP, HM, MS, true>(a, s);                             \
  }                                                                     \
  QNEURO_CLONES void name##_lean(const BlockArgs& a, BlockScratch& s) { \
    block_body<M, MAP, HM, MS, false>(a, s);                            \
  }                                                                     \
  void name(const BlockArgs& a, BlockScratch& s) {                      \
    lean_outputs(a) ? name##_lean(a, s) : name##_full(a, s);            \
  }
#define QNEURO_QUANTUM_BLOCKS(tag, MAP)                                       \
  QNEURO_BLOCK(qua_##tag##_plain, Mode::Quantum, MAP, false, false)           \
  QNEURO_BLOCK(qua_##tag##_mod, Mode::Quantum, MAP, true, false)              \
  QNEURO_BLOCK(qua_##tag##_plain_shots, Mode::Quantum, MAP, false, true)      \
  QNEURO_BLOCK(qua_##tag##_mod_shots, Mode::Quantum, MAP, true, true)         \
  void qua_##tag(const BlockArgs& a, BlockScratch& s, bool mod, bool shots) { \
    if (shots) {                                                              \
      mod ? qua_##tag##_mod_shots(a, s) : qua_##tag##_plain_shots(a, s);      \
    } else {                                                                  \
      mod ? qua_##tag##_mod(a, s) : qua_##tag##_plain(a, s);                  \
    }                                                                         \
  }

constexpr auto kSig = QuantumMap::Sigmoid;
QNEURO_BLOCK(det_plain, Mode::Deterministic, kSig, false, false)
QNEURO_BLOCK(det_mod, Mode::Deterministic, kSig, true, false)
QNEURO_BLOCK(sto_plain, Mode::Stochastic, kSig, false, false)
QNEURO_BLOCK(sto_mod, Mode::Stochastic, kSig, true, false)
QNEURO_QUANTUM_BLOCKS(sigmoid, QuantumMap::Sigmoid)
QNEURO_QUANTUM_BLOCKS(tanh, QuantumMap::Tanh)
QNEURO_QUANTUM_BLOCKS(linear, QuantumMap::Linear)

QNEURO_CLONES void philox_clone(uint32_t key0, uint32_t key1, uint64_t step, uint32_t entity_hi,
                                uint32_t entity_lo0, std::size_t n, uint32_t (*w)[kLanes]) {
  philox_body(key0, key1, step, entity_hi, entity_lo0, n, w);
}

void philox_dispatch(uint32_t key0, uint32_t key1, uint64_t step, uint32_t entity_hi,
                     uint32_t entity_lo0, std::size_t n, uint32_t (*w)[kLanes]) {
#ifdef QNEURO_PHILOX_AVX512
  static const bool avx512 = __builtin_cpu_supports("avx512f") != 0;
  if (avx512) return philox_avx512(key0, key1, step, entity_hi, entity_lo0, n, w);
#endif
  philox_clone(key0, key1, step, entity_hi, entity_lo0, n, w);
}

}  // namespace

void philox_lanes(uint32_t key0, uint32_t key1, uint64_t step, uint32_t entity_hi,
                  uint32_t entity_lo0, std::size_t n, uint32_t (*w)[kLanes]) {
  philox_dispatch(key0, key1, step, entity_hi, entity_lo0, n, w);
}

void philox_lanes_portable(uint32_t key0, uint32_t key1, uint64_t step, uint32_t entity_hi,
                           uint32_t entity_lo0, std::size_t n, uint32_t (*w)[kLanes]) {
  philox_clone(key0, key1, step, entity_hi, entity_lo0, n, w);
}

void run_block(const BlockArgs& a, BlockScratch& s, NeuronState<float>* state) {
  const std::size_t n = a.len;
  if (a.V_th0 == nullptr) std::fill(s.V_th0, s.V_th0 + n, a.c->V_th0);
  if (a.q_scale == nullptr) std::fill(s.q_scale, s.q_scale + n, a.c->q_scale);
  if (a.q_bias == nullptr) std::fill(s.q_bias, s.q_bias + n, a.c->q_bias);
  for (std::size_t j = 0; j < n; ++j) {
    s.V[j] = state[j].V;
    s.A[j] = state[j].A;
    s.E[j] = state[j].E;
    s.H[j] = state[j].H;
    s.R[j] = state[j].R;
    s.D[j] = state[j].D;
    s.Theta[j] = state[j].Theta;
    s.m[j] = state[j].m;
    s.s_prev[j] = state[j].s_prev;
  }
  const bool has_mod = a.mod != nullptr;
  const bool multi = a.c->mode == Mode::Quantum && a.c->shots > 1;
  switch (a.c->mode) {
    case Mode::Deterministic:
      has_mod ? det_mod(a, s) : det_plain(a, s);
      break;
    case Mode::Stochastic:
      has_mod ? sto_mod(a, s) : sto_plain(a, s);
      break;
    case Mode::Quantum:
      switch (a.c->map) {
        case QuantumMap::Sigmoid:
          qua_sigmoid(a, s, has_mod, multi);
          break;
        case QuantumMap::Tanh:
          qua_tanh(a, s, has_mod, multi);
          break;
        case QuantumMap::Linear:
          qua_linear(a, s, has_mod, multi);
          break;
      }
      break;
  }
  for (std::size_t j = 0; j < n; ++j) {
    state[j].V = s.V[j];
    state[j].A = s.A[j];
    state[j].E = s.E[j];
    state[j].H = s.H[j];
    state[j].R = s.R[j];
    state[j].D = s.D[j];
    state[j].Theta = s.Theta[j];
    state[j].m = s.m[j];
    state[j].s_prev = s.s_prev[j];
  }
}

void run_all_blocks(const BlockArgs& base, NeuronState<float>* states) {
  const std::size_t N = base.N;
  const std::size_t blocks_per_row = (N + kLanes - 1) / kLanes;
  const auto n_blocks = static_cast<long long>(base.B * blocks_per_row);
  const int shots = base.c->mode == Mode::Quantum ? base.c->shots : 1;
#pragma omp parallel
  {
    const DenormalGuard ftz(true);
    auto scratch = std::make_unique<BlockScratch>();
    std::vector<float> shots_buffer;
    if (shots > 1) {
      shots_buffer.assign(static_cast<std::size_t>(shots - 1) * 4 * kLanes, 0.5f);
      scratch->u_shots = shots_buffer.data();
    }
#pragma omp for schedule(static)
    for (long long blk = 0; blk < n_blocks; ++blk) {
      BlockArgs a = base;
      a.b = static_cast<std::size_t>(blk) / blocks_per_row;
      a.n0 = (static_cast<std::size_t>(blk) % blocks_per_row) * kLanes;
      a.len = std::min(kLanes, N - a.n0);
      a.out_col = a.b * N + a.n0;
      run_block(a, *scratch, states + a.b * N + a.n0);
    }
  }
}

}  // namespace qneuro::snn::kernel
