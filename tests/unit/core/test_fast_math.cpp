// fast_sincos, fast_exp and fast_log against libm (in double) over the ranges their users need:
// the field's phase angles, sigmoid/tanh arguments, and Box-Muller's log of uniforms in (0, 1).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "qneuro/core/fast_math.hpp"

namespace qneuro {
namespace {

TEST(FastSincos, DoubleMatchesLibmToOneUlpScale) {
  double worst = 0.0;
  for (int i = -200000; i <= 200000; ++i) {
    const double x = i * 1.7e-3;  // [-340, 340] rad, every quadrant many times
    double s = 0, c = 0;
    fast_sincos(x, s, c);
    worst = std::max({worst, std::abs(s - std::sin(x)), std::abs(c - std::cos(x))});
  }
  EXPECT_LT(worst, 4e-16);
}

TEST(FastSincos, FloatMatchesLibm) {
  float worst = 0.0f;
  for (int i = -20000; i <= 20000; ++i) {
    const float x = static_cast<float>(i) * 1.3e-2f;  // [-260, 260] rad
    float s = 0, c = 0;
    fast_sincos(x, s, c);
    const double xd = static_cast<double>(x);
    worst = std::max({worst, static_cast<float>(std::abs(static_cast<double>(s) - std::sin(xd))),
                      static_cast<float>(std::abs(static_cast<double>(c) - std::cos(xd)))});
  }
  EXPECT_LT(worst, 3e-6f);  // float reduction error grows with |x| (x ulp ~ 1.5e-5 at 260)
}

TEST(FastSincos, ExactAtQuadrantPoints) {
  double s = 1, c = 0;
  fast_sincos(0.0, s, c);
  EXPECT_EQ(s, 0.0);
  EXPECT_EQ(c, 1.0);
  fast_sincos(M_PI, s, c);
  EXPECT_NEAR(s, 0.0, 1e-15);
  EXPECT_NEAR(c, -1.0, 1e-15);
}

TEST(FastExp, FloatRelativeErrorBelowTwoUlpOverTheFullRange) {
  double worst = 0.0;
  for (int i = -870000; i <= 880000; ++i) {
    const float x = static_cast<float>(i) * 1e-4f;
    const double ref = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(static_cast<double>(fast_exp(x)) - ref) / ref);
  }
  EXPECT_LT(worst, 2.4e-7);
  EXPECT_EQ(fast_exp(0.0f), 1.0f);
}

TEST(FastExp, ClampsInsteadOfOverflowing) {
  EXPECT_TRUE(std::isfinite(fast_exp(1000.0f)));
  EXPECT_GT(fast_exp(1000.0f), 1e38f);
  EXPECT_GT(fast_exp(-1000.0f), 0.0f);  // a normal float, never a denormal
  EXPECT_GE(fast_exp(-1000.0f), std::numeric_limits<float>::min());
}

TEST(FastLog, FloatMatchesLibmOnUniformsAndBeyond) {
  double worst_abs = 0.0, worst_rel = 0.0;
  // every float of the form (k + 0.5) 2^-23 that Philox uniforms take, subsampled, and [1, 1e6]
  for (uint32_t k = 0; k < (1u << 23); k += 7) {
    const float u = (static_cast<float>(k) + 0.5f) * 0x1.0p-23f;
    const double ref = std::log(static_cast<double>(u));
    const double err = std::abs(static_cast<double>(fast_log(u)) - ref);
    if (std::abs(ref) <= 0.1) {
      worst_abs = std::max(worst_abs, err);  // near u = 1: absolute, log -> 0
    } else {
      worst_rel = std::max(worst_rel, err / std::abs(ref));
    }
  }
  for (int i = 1; i < 100000; ++i) {
    const float x = 1.0f + static_cast<float>(i) * 10.0f;
    const double ref = std::log(static_cast<double>(x));
    worst_rel = std::max(worst_rel, std::abs(static_cast<double>(fast_log(x)) - ref) / ref);
  }
  EXPECT_LT(worst_abs, 1.2e-7);
  EXPECT_LT(worst_rel, 2.4e-7);
  EXPECT_EQ(fast_log(1.0f), 0.0f);
}

}  // namespace
}  // namespace qneuro
