// core/philox.hpp, the Philox the CUDA kernels share with their host references: Random123's
// known answers, and the words of rng::Philox (Random123 itself) at coordinates that use every
// counter and key word.
#include <gtest/gtest.h>

#include <random>

#include "philox_kats.hpp"
#include "qneuro/core/philox.hpp"
#include "qneuro/core/rng.hpp"

namespace qneuro {
namespace {

TEST(PhiloxHd, MatchesRandom123KnownAnswers) {
  for (const auto& k : test_kats::kPhiloxKats) {
    const PhiloxWords w = philox4x32_10(k.seed, k.stream, k.step, k.entity);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(w.w[i], k.expect[i]) << "word " << i;
  }
}

TEST(PhiloxHd, EqualsTheCoreGeneratorEverywhere) {
  std::mt19937_64 gen(2026);
  for (int i = 0; i < 20000; ++i) {
    const auto seed = static_cast<uint32_t>(gen()), stream = static_cast<uint32_t>(gen());
    const uint64_t step = gen(), entity = gen();
    const rng::Words ref = rng::Philox(seed, stream).words(step, entity);
    const PhiloxWords w = philox4x32_10(seed, stream, step, entity);
    for (int q = 0; q < 4; ++q) ASSERT_EQ(w.w[q], ref[q]) << "draw " << i << " word " << q;
  }
}

}  // namespace
}  // namespace qneuro
