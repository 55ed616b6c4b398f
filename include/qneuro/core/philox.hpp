// Philox4x32-10 (Salmon et al. 2011, Random123) as one QNEURO_HD function, so that CPU drivers,
// CUDA kernels and their host-side references compute the draws of core/rng.hpp's contract with
// the same code: key = (seed, stream), counter = (step_lo, step_hi, entity_lo, entity_hi).
// philox4x32_10(seed, stream, step, entity) equals rng::Philox(seed, stream).words(step, entity)
// (tests/unit/core/test_philox_hd.cpp, which also checks Random123's published known answers).
#pragma once

#include <cstdint>

#include "qneuro/core/hd.hpp"

namespace qneuro {

struct PhiloxWords {
  uint32_t w[4];
};

/// High and low halves of the 32 x 32 -> 64-bit product.
QNEURO_HD_INLINE void mul_hilo32(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
#if defined(__CUDA_ARCH__)
  hi = __umulhi(a, b);
  lo = a * b;
#else
  const uint64_t p = uint64_t{a} * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
#endif
}

/// The four 32-bit words of Philox4x32 with 10 rounds at (step, entity) under key (seed, stream).
QNEURO_HD_INLINE PhiloxWords philox4x32_10(uint32_t seed, uint32_t stream, uint64_t step,
                                           uint64_t entity) {
  uint32_t c0 = static_cast<uint32_t>(step), c1 = static_cast<uint32_t>(step >> 32);
  uint32_t c2 = static_cast<uint32_t>(entity), c3 = static_cast<uint32_t>(entity >> 32);
  uint32_t k0 = seed, k1 = stream;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0 = 0, lo0 = 0, hi1 = 0, lo1 = 0;
    mul_hilo32(0xD2511F53u, c0, hi0, lo0);
    mul_hilo32(0xCD9E8D57u, c2, hi1, lo1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

}  // namespace qneuro
