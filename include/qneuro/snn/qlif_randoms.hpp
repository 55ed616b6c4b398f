// The random numbers of a QLIF neuron-step (the layout is specified in snn/population.hpp):
// stream ids, the episode/group step counter, and the conversions of Philox words to uniforms and
// to Box-Muller normals. QNEURO_HD (core/hd.hpp): the CPU kernels, their scalar references and the
// CUDA kernel share this code, so every backend draws the same numbers.
#pragma once

#include <cstdint>

#include "qneuro/core/fast_math.hpp"
#include "qneuro/core/hd.hpp"
#include "qneuro/core/philox.hpp"

namespace qneuro::snn {

/// rng::Stream::SnnLayer0 (core/rng.hpp); block 0: spike uniforms, 1: membrane noise, 1 + k:
/// measurement shot k.
inline constexpr uint32_t kSnnLayer0Stream = 1u << 16;

QNEURO_HD_INLINE uint32_t qlif_stream(uint32_t block, uint32_t layer) {
  return kSnnLayer0Stream + 1024u * block + layer;
}

/// The Philox step counter of the four-step group g in an episode.
QNEURO_HD_INLINE uint64_t group_counter(uint64_t episode, uint64_t group) {
  return (episode << 32) | group;
}

/// uniform01f of core/rng.hpp: ((w >> 9) + 0.5) 2^-23 in (0, 1) (through int32 because x86 has
/// no vector unsigned-to-float conversion before AVX-512; the value is below 2^23 either way).
QNEURO_HD_INLINE float uniform_of(uint32_t w) {
  return (static_cast<float>(static_cast<int32_t>(w >> 9)) + 0.5f) * 0x1.0p-23f;
}

/// Box-Muller of two Philox words: the cos and sin normals sqrt(-2 ln ua) (cos | sin)(2 pi ub).
QNEURO_HD_INLINE void box_muller(uint32_t wa, uint32_t wb, float& c, float& s) {
  const float ua = uniform_of(wa);
  const float ub = uniform_of(wb);
  const float r = hd::sqrt(-2.0f * fast_log(ua));
  float sn = 0, cs = 0;
  fast_sincos(6.28318530717958648f * ub, sn, cs);
  c = r * cs;
  s = r * sn;
}

}  // namespace qneuro::snn
