#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <set>
#include <vector>

#include "qneuro/core/parallel.hpp"
#include "qneuro/core/rng.hpp"

namespace {

using qneuro::rng::Philox;

// Known-answer tests from Random123's kat_vectors (philox4x32, 10 rounds): counter, key, output.
TEST(Philox, MatchesRandom123KnownAnswers) {
  using Gen = r123::Philox4x32_R<10>;
  struct Kat {
    Gen::ctr_type ctr;
    Gen::key_type key;
    std::array<uint32_t, 4> expect;
  };
  const Kat kats[] = {
      {{{0, 0, 0, 0}}, {{0, 0}}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
       {{0xffffffff, 0xffffffff}},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
       {{0xa4093822, 0x299f31d0}},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const auto& k : kats) {
    const auto out = Gen()(k.ctr, k.key);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], k.expect[i]) << "word " << i;
  }
  // Our wrapper maps (seed, stream) to the key and (step, entity) to the counter words.
  const Philox p(0xa4093822u, 0x299f31d0u);
  const auto w = p.words(0x85a308d3243f6a88ull, 0x0370734413198a2eull);
  EXPECT_EQ(w[0], 0xd16cfe09u);
  EXPECT_EQ(w[3], 0x24126ea1u);
}

// The contract: a draw depends only on (seed, stream, step, entity), so filling an array in
// parallel gives the same bits for any thread count and any schedule.
TEST(Philox, BitIdenticalForAnyThreadCount) {
  const Philox gen(42, 7);
  const std::size_t n = 100000;
  auto fill = [&](int threads) {
    qneuro::parallel::ScopedThreads scope(threads);
    std::vector<double> v(n);
#pragma omp parallel for schedule(dynamic, 97)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i) {
      v[static_cast<std::size_t>(i)] =
          gen.normal_pair(static_cast<uint64_t>(i) / 10, static_cast<uint64_t>(i) % 10).first;
    }
    return v;
  };
  const auto one = fill(1);
  EXPECT_EQ(one, fill(2));
  EXPECT_EQ(one, fill(4));
}

TEST(Philox, StreamsAndSeedsAreIndependent) {
  const Philox a(1, 0), b(1, 1), c(2, 0);
  EXPECT_NE(a.words(0, 0), b.words(0, 0));
  EXPECT_NE(a.words(0, 0), c.words(0, 0));
  EXPECT_NE(a.words(0, 1), a.words(1, 0));
  EXPECT_EQ(a.words(123, 456), Philox(1, 0).words(123, 456));
}

TEST(Philox, UniformsInOpenIntervalWithCorrectMoments) {
  EXPECT_GT(Philox::uniform01(0, 0), 0.0);
  EXPECT_LT(Philox::uniform01(0xffffffff, 0xffffffff), 1.0);
  EXPECT_GT(Philox::uniform01f(0), 0.0f);
  EXPECT_LT(Philox::uniform01f(0xffffffff), 1.0f);
  const Philox gen(3, 3);
  const int n = 200000;
  double s = 0, s2 = 0, g = 0, g2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = gen.uniform_pair(static_cast<uint64_t>(i), 0).first;
    s += u;
    s2 += u * u;
    const double z = gen.normal_pair(static_cast<uint64_t>(i), 1).second;
    g += z;
    g2 += z * z;
  }
  // Standard errors: uniform mean 0.00065, normal mean 0.0022, normal variance 0.0032.
  EXPECT_NEAR(s / n, 0.5, 0.004);
  EXPECT_NEAR(s2 / n - (s / n) * (s / n), 1.0 / 12.0, 0.002);
  EXPECT_NEAR(g / n, 0.0, 0.012);
  EXPECT_NEAR(g2 / n, 1.0, 0.02);
}

}  // namespace
