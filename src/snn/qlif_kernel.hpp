// The fused QLIF population kernel (private to qneuro_snn): one block of up to kLanes contiguous
// neurons of one batch row, advanced over T steps. See population.hpp for the random-number
// layout and the blocking; the per-lane update is qlif_step_mode (qlif_step.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "qneuro/snn/qlif_randoms.hpp"
#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn::kernel {

inline constexpr std::size_t kLanes = 256;

/// Everything one block needs; pointers to outputs may be null (not recorded).
/// Inputs are (T, B, N) arrays; outputs of step t and lane j are written at
/// out[t * out_stride + out_col + j] (for (T, B, N) outputs: out_stride = B N, out_col = b N + n0;
/// the backward's per-block tape uses out_stride = kLanes, out_col = 0).
struct BlockArgs {
  const StepConstants<float>* c = nullptr;
  const float* input = nullptr;  ///< (T, B, N)
  const float* mod = nullptr;    ///< (T, mod_B, mod_N) or null
  std::size_t mod_B = 1, mod_N = 1;
  /// Per-neuron coefficients, (N) each, or null for the scalars of *c.
  const float *V_th0 = nullptr, *q_scale = nullptr, *q_bias = nullptr;
  uint8_t* spikes = nullptr;
  float* z = nullptr;      ///< spikes as 0/1 floats
  float* v_pre = nullptr;  ///< V after integration, before reset
  float *voltage = nullptr, *p = nullptr, *D = nullptr, *A = nullptr, *E = nullptr,
        *Theta = nullptr, *H = nullptr, *R = nullptr, *m = nullptr, *s = nullptr;
  std::size_t out_stride = 0, out_col = 0;
  std::size_t T = 0, B = 0, N = 0;
  std::size_t b = 0, n0 = 0, len = 0;  ///< the block: row b, neurons [n0, n0 + len)
  uint64_t t0 = 0;                     ///< absolute step of the first input row
  uint64_t episode = 0;                ///< high word of the Philox step counter (population.hpp)
  uint32_t seed = 0, layer = 0;
  uint64_t first_neuron = 0;  ///< global index of neuron 0 of this population
  bool training = true;
};

/// Per-thread scratch: the block's state as structure of arrays, the random numbers of the
/// current four-step group, and sinks for outputs that are not recorded.
struct alignas(64) BlockScratch {
  float V[kLanes], A[kLanes], E[kLanes], H[kLanes], R[kLanes], D[kLanes], Theta[kLanes], m[kLanes],
      s_prev[kLanes];
  float u[4][kLanes], xi[4][kLanes], mod_row[kLanes];
  uint32_t w[4][kLanes];
  float sink_v[kLanes], sink_p[kLanes], sink_D[kLanes], sink_A[kLanes], sink_E[kLanes],
      sink_Theta[kLanes], sink_z[kLanes], sink_vpre[kLanes], sink_H[kLanes], sink_R[kLanes],
      sink_m[kLanes], sink_s[kLanes];
  uint8_t sink_spikes[kLanes];
  float V_th0[kLanes], q_scale[kLanes], q_bias[kLanes];  ///< constant coefficients
  float* u_shots = nullptr;                              ///< (K - 1) x 4 x kLanes for K > 1 shots
};

/// Advances one block; `state` holds its len NeuronStates (read at entry, written at exit).
void run_block(const BlockArgs& a, BlockScratch& s, NeuronState<float>* state);

/// Runs every block of base.B rows x base.N neurons (blocks of kLanes, OpenMP over blocks,
/// denormals flushed); base.out_stride must be B N (out_col is set per block). `states` holds
/// B N NeuronStates, read and advanced.
void run_all_blocks(const BlockArgs& base, NeuronState<float>* states);

// ---- backward (qlif_backward_kernel.cpp) ----

/// Lanes per block in the backward: its tape (11 floats per lane and step) stays in L2.
inline constexpr std::size_t kBackLanes = 64;

/// What the backward of the whole layer needs besides the forward's BlockArgs.
struct BackwardArgs {
  const uint8_t* spikes = nullptr;  ///< the forward's spikes (T, B, N)
  const float* gz = nullptr;        ///< dLoss/dz (T, B, N)
  const float* gv = nullptr;        ///< dLoss/dV (T, B, N) or null
  float* g_input = nullptr;         ///< (T, B, N)
  float* g_mod = nullptr;           ///< (T, B, N) or null
  float *g_V_th0 = nullptr, *g_q_scale = nullptr, *g_q_bias = nullptr, *g_tau = nullptr,
        *g_eta = nullptr;  ///< (B, N) partial sums over t
  Surrogate surrogate = Surrogate::Heaviside;
};

/// Backward of every block (OpenMP over blocks of kBackLanes): replays the forward of each block
/// from `initial` (B N states) into a tape, then runs qlif_adjoint backwards in time. Returns
/// the number of replayed spikes that differ from the saved ones (0 unless something is broken).
std::size_t backward_all_blocks(const BlockArgs& base, const BackwardArgs& g,
                                const NeuronState<float>* initial);

using snn::group_counter;

/// Philox4x32-10 for n <= kLanes consecutive entities (entity_lo0 + j, entity_hi) at one step
/// counter, four output words per entity: w[q][j] = word q of entity j (the words of
/// rng::Philox, tested in tests/unit/snn/test_qlif_kernel_philox.cpp). Runs the AVX-512
/// intrinsics version where the CPU has AVX-512F, else the auto-vectorised portable one.
void philox_lanes(uint32_t key0, uint32_t key1, uint64_t step, uint32_t entity_hi,
                  uint32_t entity_lo0, std::size_t n, uint32_t (*w)[kLanes]);
/// The portable (auto-vectorised) version of philox_lanes, for the test that both agree.
void philox_lanes_portable(uint32_t key0, uint32_t key1, uint64_t step, uint32_t entity_hi,
                           uint32_t entity_lo0, std::size_t n, uint32_t (*w)[kLanes]);

using snn::box_muller;
using snn::uniform_of;

}  // namespace qneuro::snn::kernel
