// The fused kernel's Philox (src/snn/qlif_kernel.hpp, a private header): both the AVX-512
// intrinsics version (used where the CPU has AVX-512F) and the portable auto-vectorised one
// produce exactly the words of rng::Philox (itself checked against Random123's known answers in
// tests/unit/core), for every block length, including those that are not a multiple of the
// vector width, and for step counters that use the high 32 bits (the episode).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "qlif_kernel.hpp"
#include "qneuro/core/rng.hpp"

namespace qneuro::snn::kernel {
namespace {

TEST(KernelPhilox, BothVersionsMatchTheCoreGeneratorForEveryBlockLength) {
  const uint32_t seed = 0x5EEDu, stream = 1031u;
  for (const std::size_t n : {1u, 7u, 15u, 16u, 17u, 33u, 64u, 100u, 255u, 256u}) {
    for (const uint64_t step : {uint64_t{0}, uint64_t{5}, (uint64_t{3} << 32) | 17u}) {
      const uint32_t entity_hi = 2, entity_lo0 = 0xFFFFFFF0u;  // wraps around within a block
      std::vector<uint32_t> a(4 * kLanes, 0), b(4 * kLanes, 0);
      auto* wa = reinterpret_cast<uint32_t(*)[kLanes]>(a.data());
      auto* wb = reinterpret_cast<uint32_t(*)[kLanes]>(b.data());
      philox_lanes(seed, stream, step, entity_hi, entity_lo0, n, wa);
      philox_lanes_portable(seed, stream, step, entity_hi, entity_lo0, n, wb);
      const rng::Philox ref(seed, stream);
      for (std::size_t j = 0; j < kLanes; ++j) {
        const uint64_t entity = (uint64_t{entity_hi} << 32) |
                                static_cast<uint32_t>(entity_lo0 + static_cast<uint32_t>(j));
        const rng::Words w = ref.words(step, entity);
        for (std::size_t q = 0; q < 4; ++q) {
          if (j < n) {
            ASSERT_EQ(wa[q][j], w[q]) << "n " << n << " step " << step << " lane " << j;
            ASSERT_EQ(wb[q][j], w[q]) << "n " << n << " step " << step << " lane " << j;
          } else {  // lanes past n are not written
            ASSERT_EQ(wa[q][j], 0u) << "n " << n << " lane " << j;
            ASSERT_EQ(wb[q][j], 0u) << "n " << n << " lane " << j;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace qneuro::snn::kernel
