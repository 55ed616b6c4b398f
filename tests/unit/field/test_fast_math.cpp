// fast_sincos against libm over the angle range the phase step uses.
#include <gtest/gtest.h>

#include <cmath>

#include "qneuro/field/fast_math.hpp"

namespace qneuro::field {
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

}  // namespace
}  // namespace qneuro::field
