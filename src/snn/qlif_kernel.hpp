// The fused QLIF population kernel (private to qneuro_snn): one block of up to kLanes contiguous
// neurons of one batch row, advanced over T steps. See population.hpp for the random-number
// layout and the blocking; the per-lane update is qlif_step_mode (qlif_step.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn::kernel {

inline constexpr std::size_t kLanes = 256;

/// Everything one block needs; pointers to outputs may be null (not recorded).
struct BlockArgs {
  const StepConstants<float>* c = nullptr;
  const float* input = nullptr;  ///< (T, B, N)
  const float* mod = nullptr;    ///< (T, mod_B, mod_N) or null
  std::size_t mod_B = 1, mod_N = 1;
  uint8_t* spikes = nullptr;
  float *voltage = nullptr, *p = nullptr, *D = nullptr, *A = nullptr, *E = nullptr,
        *Theta = nullptr;
  std::size_t T = 0, B = 0, N = 0;
  std::size_t b = 0, n0 = 0, len = 0;  ///< the block: row b, neurons [n0, n0 + len)
  uint64_t t0 = 0;                     ///< absolute step of the first input row
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
      sink_Theta[kLanes];
  float* u_shots = nullptr;  ///< (K - 1) x 4 x kLanes for K > 1 shots
};

/// Advances one block; `state` holds its len NeuronStates (read at entry, written at exit).
void run_block(const BlockArgs& a, BlockScratch& s, NeuronState<float>* state);

/// Philox4x32-10 for n consecutive entities (entity_lo0 + j, entity_hi) at one step counter,
/// four output words per entity (tested against Random123 in tests/unit/snn).
void philox_lanes(uint32_t key0, uint32_t key1, uint64_t step, uint32_t entity_hi,
                  uint32_t entity_lo0, std::size_t n, uint32_t (*w)[kLanes]);

/// Box-Muller of two Philox words (the membrane noise of population.hpp): the cos and sin normals.
inline void box_muller(uint32_t wa, uint32_t wb, float& c, float& s) {
  const float ua = (static_cast<float>(static_cast<int32_t>(wa >> 9)) + 0.5f) * 0x1.0p-23f;
  const float ub = (static_cast<float>(static_cast<int32_t>(wb >> 9)) + 0.5f) * 0x1.0p-23f;
  const float r = std::sqrt(-2.0f * fast_log(ua));
  float sn = 0, cs = 0;
  fast_sincos(6.28318530717958648f * ub, sn, cs);
  c = r * cs;
  s = r * sn;
}

inline float uniform_of(uint32_t w) {
  return (static_cast<float>(static_cast<int32_t>(w >> 9)) + 0.5f) * 0x1.0p-23f;
}

}  // namespace qneuro::snn::kernel
