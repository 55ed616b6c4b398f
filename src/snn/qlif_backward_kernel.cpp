// Backward of the fused QLIF kernel (qlif_kernel.hpp, qlif_sequence.hpp): per block of
// kBackLanes neurons, replay the forward into a tape, then run qlif_adjoint backwards in time,
// one vectorised loop over the lanes per step (target clones as in the forward).
#include <algorithm>
#include <memory>
#include <vector>

#include "qlif_kernel.hpp"
#include "qneuro/core/denormals.hpp"
#include "qneuro/core/target_clones.hpp"
#include "qneuro/snn/qlif_adjoint.hpp"

namespace qneuro::snn::kernel {

namespace {

constexpr std::size_t L = kBackLanes;

/// The replayed forward of one block: state after each step, the integrated voltage and the
/// spike, (T, L) each.
struct Tape {
  explicit Tape(std::size_t T) : data(11 * T * L) {
    float* p = data.data();
    for (float** f : {&V, &A, &E, &H, &R, &D, &Theta, &m, &s, &v, &z}) {
      *f = p;
      p += T * L;
    }
  }
  std::vector<float> data;
  float *V, *A, *E, *H, *R, *D, *Theta, *m, *s, *v, *z;
};

/// Adjoints, parameter-gradient accumulators and the initial state of one block (SoA).
struct alignas(64) BackScratch {
  float lV[L], lA[L], lE[L], lH[L], lR[L], lD[L], lTh[L], lm[L], ls[L];
  float gvth[L], gqs[L], gqb[L], gtau[L], geta[L];
  float iV[L], iA[L], iE[L], iH[L], iR[L], iD[L], iTh[L], im[L], is[L];
  float zeros[L], sink[L], mod_row[L];
  float V_th0[L], q_scale[L], q_bias[L];
};

template <Mode M, QuantumMap Map, Surrogate S, bool HasMod>
__attribute__((always_inline)) inline void reverse_body(const BlockArgs& f, const BackwardArgs& g,
                                                        const Tape& tp, BackScratch& bs) {
  const StepConstants<float> c = *f.c;
  const std::size_t n = f.len;
  const float* k_vth = f.V_th0 != nullptr ? f.V_th0 + f.n0 : bs.V_th0;
  const float* k_qs = f.q_scale != nullptr ? f.q_scale + f.n0 : bs.q_scale;
  const float* k_qb = f.q_bias != nullptr ? f.q_bias + f.n0 : bs.q_bias;
  for (std::size_t t = f.T; t-- > 0;) {
    const bool first = t == 0;
    const std::size_t prev = first ? 0 : (t - 1) * L;
    const float* __restrict pV = first ? bs.iV : tp.V + prev;
    const float* __restrict pA = first ? bs.iA : tp.A + prev;
    const float* __restrict pE = first ? bs.iE : tp.E + prev;
    const float* __restrict pH = first ? bs.iH : tp.H + prev;
    const float* __restrict pR = first ? bs.iR : tp.R + prev;
    const float* __restrict pD = first ? bs.iD : tp.D + prev;
    const float* __restrict pTh = first ? bs.iTh : tp.Theta + prev;
    const float* __restrict pm = first ? bs.im : tp.m + prev;
    const float* __restrict ps = first ? bs.is : tp.s + prev;
    const float* __restrict vt = tp.v + t * L;
    const float* __restrict zt = tp.z + t * L;
    const std::size_t row = (t * f.B + f.b) * f.N + f.n0;
    const float* __restrict in_row = f.input + row;
    const float* __restrict mod_row = bs.mod_row;
    if constexpr (HasMod) {
      const float* src = f.mod + (t * f.mod_B + (f.mod_B == 1 ? 0 : f.b)) * f.mod_N;
      if (f.mod_N == 1) {
        std::fill(bs.mod_row, bs.mod_row + n, src[0]);
      } else {
        mod_row = src + f.n0;
      }
    }
    const float* __restrict gz = g.gz + row;
    const float* __restrict gv = g.gv != nullptr ? g.gv + row : bs.zeros;
    float* __restrict gi = g.g_input + row;
    float* __restrict gm = g.g_mod != nullptr ? g.g_mod + row : bs.sink;
    const float* __restrict kv = k_vth;
    const float* __restrict kq = k_qs;
    const float* __restrict kb = k_qb;
    // Local restrict pointers: the vectoriser does not see through the scratch struct.
    float* __restrict lV = bs.lV;
    float* __restrict lA = bs.lA;
    float* __restrict lE = bs.lE;
    float* __restrict lH = bs.lH;
    float* __restrict lR = bs.lR;
    float* __restrict lD = bs.lD;
    float* __restrict lTh = bs.lTh;
    float* __restrict lm = bs.lm;
    float* __restrict ls = bs.ls;
    float* __restrict avth = bs.gvth;
    float* __restrict aqs = bs.gqs;
    float* __restrict aqb = bs.gqb;
    float* __restrict atau = bs.gtau;
    float* __restrict aeta = bs.geta;
#pragma GCC ivdep
    for (std::size_t j = 0; j < n; ++j) {
      NeuronState<float> st;
      st.V = pV[j];
      st.A = pA[j];
      st.E = pE[j];
      st.H = pH[j];
      st.R = pR[j];
      st.D = pD[j];
      st.Theta = pTh[j];
      st.m = pm[j];
      st.s_prev = ps[j];
      StateAdjoint<float> lam;
      lam.V = lV[j];
      lam.A = lA[j];
      lam.E = lE[j];
      lam.H = lH[j];
      lam.R = lR[j];
      lam.D = lD[j];
      lam.Theta = lTh[j];
      lam.m = lm[j];
      lam.s_prev = ls[j];
      const float mod = HasMod ? mod_row[j] : 0.0f;
      const AdjointResult<float> r =
          qlif_adjoint<M, Map, S, HasMod>(c, NeuronCoefs<float>{kv[j], kq[j], kb[j]}, st, in_row[j],
                                          mod, vt[j], zt[j], gz[j], gv[j], lam);
      lV[j] = r.lam.V;
      lA[j] = r.lam.A;
      lE[j] = r.lam.E;
      lH[j] = r.lam.H;
      lR[j] = r.lam.R;
      lD[j] = r.lam.D;
      lTh[j] = r.lam.Theta;
      lm[j] = r.lam.m;
      ls[j] = r.lam.s_prev;
      gi[j] = r.g.I;
      gm[j] = r.g.mod;
      avth[j] += r.g.V_th0;
      aqs[j] += r.g.q_scale;
      aqb[j] += r.g.q_bias;
      atau[j] += r.g.tau;
      aeta[j] += r.g.eta;
    }
  }
}

#define QNEURO_CLONES QNEURO_TARGET_CLONES
#define QNEURO_REVERSE(name, M, MAP, S)                                                      \
  QNEURO_CLONES void name##_plain(const BlockArgs& f, const BackwardArgs& g, const Tape& tp, \
                                  BackScratch& bs) {                                         \
    reverse_body<M, MAP, S, false>(f, g, tp, bs);                                            \
  }                                                                                          \
  QNEURO_CLONES void name##_mod(const BlockArgs& f, const BackwardArgs& g, const Tape& tp,   \
                                BackScratch& bs) {                                           \
    reverse_body<M, MAP, S, true>(f, g, tp, bs);                                             \
  }                                                                                          \
  void name(const BlockArgs& f, const BackwardArgs& g, const Tape& tp, BackScratch& bs) {    \
    f.mod != nullptr ? name##_mod(f, g, tp, bs) : name##_plain(f, g, tp, bs);                \
  }

constexpr auto kSig = QuantumMap::Sigmoid;
constexpr auto kHs = Surrogate::Heaviside;
QNEURO_REVERSE(det_heaviside, Mode::Deterministic, kSig, Surrogate::Heaviside)
QNEURO_REVERSE(det_fast_sigmoid, Mode::Deterministic, kSig, Surrogate::FastSigmoid)
QNEURO_REVERSE(det_gaussian, Mode::Deterministic, kSig, Surrogate::Gaussian)
QNEURO_REVERSE(det_arctan, Mode::Deterministic, kSig, Surrogate::Arctan)
QNEURO_REVERSE(sto, Mode::Stochastic, kSig, kHs)
QNEURO_REVERSE(qua_sigmoid, Mode::Quantum, QuantumMap::Sigmoid, kHs)
QNEURO_REVERSE(qua_tanh, Mode::Quantum, QuantumMap::Tanh, kHs)
QNEURO_REVERSE(qua_linear, Mode::Quantum, QuantumMap::Linear, kHs)

void reverse(const BlockArgs& f, const BackwardArgs& g, const Tape& tp, BackScratch& bs) {
  switch (f.c->mode) {
    case Mode::Deterministic:
      switch (g.surrogate) {
        case Surrogate::Heaviside:
          return det_heaviside(f, g, tp, bs);
        case Surrogate::FastSigmoid:
          return det_fast_sigmoid(f, g, tp, bs);
        case Surrogate::Gaussian:
          return det_gaussian(f, g, tp, bs);
        case Surrogate::Arctan:
          return det_arctan(f, g, tp, bs);
      }
      return;
    case Mode::Stochastic:
      return sto(f, g, tp, bs);
    case Mode::Quantum:
      switch (f.c->map) {
        case QuantumMap::Sigmoid:
          return qua_sigmoid(f, g, tp, bs);
        case QuantumMap::Tanh:
          return qua_tanh(f, g, tp, bs);
        case QuantumMap::Linear:
          return qua_linear(f, g, tp, bs);
      }
  }
}

/// Replay + reverse sweep of one block; returns the number of spikes the replay changed.
std::size_t backward_block(const BlockArgs& fwd, const BackwardArgs& g,
                           const NeuronState<float>* initial, BlockScratch& fs, BackScratch& bs,
                           Tape& tp) {
  const std::size_t n = fwd.len;
  // 1. replay the forward into the tape
  BlockArgs f = fwd;
  f.spikes = nullptr;
  f.p = nullptr;
  f.voltage = tp.V;
  f.A = tp.A;
  f.E = tp.E;
  f.H = tp.H;
  f.R = tp.R;
  f.D = tp.D;
  f.Theta = tp.Theta;
  f.m = tp.m;
  f.s = tp.s;
  f.v_pre = tp.v;
  f.z = tp.z;
  f.out_stride = L;
  f.out_col = 0;
  NeuronState<float> state[L];
  std::copy(initial, initial + n, state);
  run_block(f, fs, state);
  unsigned mismatches = 0;
  for (std::size_t t = 0; t < f.T; ++t) {
    const uint8_t* __restrict saved = g.spikes + (t * f.B + f.b) * f.N + f.n0;
    const float* __restrict z = tp.z + t * L;
#pragma omp simd reduction(+ : mismatches)
    for (std::size_t j = 0; j < n; ++j) {
      mismatches += static_cast<unsigned>(z[j] != 0.0f) ^ static_cast<unsigned>(saved[j] != 0);
    }
  }
  // 2. the adjoint, backwards in time
  for (std::size_t j = 0; j < n; ++j) {
    const NeuronState<float>& s0 = initial[j];
    bs.iV[j] = s0.V;
    bs.iA[j] = s0.A;
    bs.iE[j] = s0.E;
    bs.iH[j] = s0.H;
    bs.iR[j] = s0.R;
    bs.iD[j] = s0.D;
    bs.iTh[j] = s0.Theta;
    bs.im[j] = s0.m;
    bs.is[j] = s0.s_prev;
  }
  for (float* a : {bs.lV, bs.lA, bs.lE, bs.lH, bs.lR, bs.lD, bs.lTh, bs.lm, bs.ls, bs.gvth, bs.gqs,
                   bs.gqb, bs.gtau, bs.geta, bs.zeros}) {
    std::fill(a, a + L, 0.0f);
  }
  std::fill(bs.V_th0, bs.V_th0 + n, f.c->V_th0);
  std::fill(bs.q_scale, bs.q_scale + n, f.c->q_scale);
  std::fill(bs.q_bias, bs.q_bias + n, f.c->q_bias);
  reverse(fwd, g, tp, bs);
  const std::size_t o = f.b * f.N + f.n0;
  std::copy(bs.gvth, bs.gvth + n, g.g_V_th0 + o);
  std::copy(bs.gqs, bs.gqs + n, g.g_q_scale + o);
  std::copy(bs.gqb, bs.gqb + n, g.g_q_bias + o);
  std::copy(bs.gtau, bs.gtau + n, g.g_tau + o);
  std::copy(bs.geta, bs.geta + n, g.g_eta + o);
  return mismatches;
}

}  // namespace

std::size_t backward_all_blocks(const BlockArgs& base, const BackwardArgs& g,
                                const NeuronState<float>* initial) {
  const std::size_t N = base.N;
  const std::size_t blocks_per_row = (N + L - 1) / L;
  const auto n_blocks = static_cast<long long>(base.B * blocks_per_row);
  const int shots = base.c->mode == Mode::Quantum ? base.c->shots : 1;
  std::size_t mismatches = 0;
#pragma omp parallel reduction(+ : mismatches)
  {
    const DenormalGuard ftz(true);
    auto fs = std::make_unique<BlockScratch>();
    auto bs = std::make_unique<BackScratch>();
    Tape tape(base.T);
    std::vector<float> shots_buffer;
    if (shots > 1) {
      shots_buffer.assign(static_cast<std::size_t>(shots - 1) * 4 * kLanes, 0.5f);
      fs->u_shots = shots_buffer.data();
    }
#pragma omp for schedule(static)
    for (long long blk = 0; blk < n_blocks; ++blk) {
      BlockArgs a = base;
      a.b = static_cast<std::size_t>(blk) / blocks_per_row;
      a.n0 = (static_cast<std::size_t>(blk) % blocks_per_row) * L;
      a.len = std::min(L, N - a.n0);
      mismatches += backward_block(a, g, initial + a.b * N + a.n0, *fs, *bs, tape);
    }
  }
  return mismatches;
}

}  // namespace qneuro::snn::kernel
