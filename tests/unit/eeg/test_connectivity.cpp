#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/eeg/connectivity.hpp"

namespace {

using namespace qneuro::eeg;
constexpr double kPi = std::numbers::pi;

std::vector<double> sine(std::size_t n, double fs, double f, double phase, double amp = 1.0) {
  std::vector<double> x(n);
  for (std::size_t t = 0; t < n; ++t)
    x[t] = amp * std::sin(2 * kPi * f * static_cast<double>(t) / fs + phase);
  return x;
}

TEST(PhaseLag, SignOfLagGivesUnitPliAndZeroDiagonal) {
  const double fs = 100;
  const std::size_t n = 1000;  // 10 Hz is on a bin: exact analytic signal
  const std::vector<std::vector<double>> x = {sine(n, fs, 10, 0), sine(n, fs, 10, kPi / 3),
                                              sine(n, fs, 10, 0, 2.0)};
  const auto r = phase_lag_index(x, fs, {{"alpha", 8, 12}}, 1.0);
  EXPECT_EQ(r.edge_samples, 100u);
  EXPECT_EQ(r.used_samples, 800u);
  EXPECT_NEAR(r.pli[0](0, 1), 1.0, 1e-12);
  EXPECT_NEAR(r.wpli[0](0, 1), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(r.pli[0](0, 1), r.pli[0](1, 0));
  EXPECT_DOUBLE_EQ(r.pli[0](1, 1), 0.0);
  // Zero lag: channel 2 is channel 0 doubled, and the FFT is exactly linear under scaling by 2,
  // so Im(z0 conj z2) is exactly 0: PLI and wPLI ignore zero-lag (volume-conducted) coupling.
  EXPECT_DOUBLE_EQ(r.pli[0](0, 2), 0.0);
  EXPECT_DOUBLE_EQ(r.wpli[0](0, 2), 0.0);
  EXPECT_NEAR(r.pli[0](1, 2), 1.0, 1e-12);
}

TEST(PhaseLag, FlatChannelGivesZeroNotNan) {
  const double fs = 100;
  const std::size_t n = 1000;
  const std::vector<std::vector<double>> x = {sine(n, fs, 10, 0), std::vector<double>(n, 0.0)};
  const auto r = phase_lag_index(x, fs, {{"alpha", 8, 12}}, 0.5);
  EXPECT_EQ(r.pli[0](0, 1), 0.0);
  EXPECT_EQ(r.wpli[0](0, 1), 0.0);  // 0/0 is defined as 0
}

TEST(PhaseLag, RejectsEdgesThatLeaveNothing) {
  const std::vector<std::vector<double>> x = {std::vector<double>(100, 1.0),
                                              std::vector<double>(100, 2.0)};
  EXPECT_THROW(phase_lag_index(x, 100.0, {{"a", 1, 10}}, 0.5), qneuro::InputError);
  EXPECT_THROW(phase_lag_index(x, 100.0, {{"a", 1, 60}}, 0.1), qneuro::InputError);
}

}  // namespace
