#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/core/rng.hpp"
#include "qneuro/eeg/welch.hpp"

namespace {

using namespace qneuro::eeg;

std::vector<double> noise(std::size_t n, uint64_t entity) {
  const qneuro::rng::Philox gen(11, qneuro::rng::Stream::Test);
  std::vector<double> x(n);
  for (std::size_t t = 0; t < n; ++t) x[t] = 3.0 + gen.normal_pair(t, entity).first;
  return x;
}

// Welch written straight from its definition with an O(L^2) DFT: the independent oracle.
std::vector<double> naive_welch(const std::vector<double>& x, double fs, std::size_t L,
                                std::size_t noverlap, Window w, Detrend d) {
  const auto win = make_window(w, L);
  double wsq = 0;
  for (double v : win) wsq += v * v;
  const std::size_t step = L - noverlap, M = (x.size() - noverlap) / step, nf = L / 2 + 1;
  std::vector<double> P(nf, 0.0);
  for (std::size_t m = 0; m < M; ++m) {
    double mean = 0;
    if (d == Detrend::Constant) {
      for (std::size_t j = 0; j < L; ++j) mean += x[m * step + j];
      mean /= static_cast<double>(L);
    }
    for (std::size_t k = 0; k < nf; ++k) {
      std::complex<double> X = 0;
      for (std::size_t j = 0; j < L; ++j) {
        const double ang =
            -2.0 * std::numbers::pi * static_cast<double>(j * k) / static_cast<double>(L);
        X += (x[m * step + j] - mean) * win[j] * std::polar(1.0, ang);
      }
      const bool unpaired = k == 0 || (L % 2 == 0 && k == L / 2);
      P[k] += std::norm(X) * (unpaired ? 1.0 : 2.0) / (fs * wsq * static_cast<double>(M));
    }
  }
  return P;
}

TEST(Welch, PeriodicWindows) {
  const auto hann = make_window(Window::Hann, 4);
  EXPECT_NEAR(hann[0], 0.0, 1e-15);
  EXPECT_NEAR(hann[1], 0.5, 1e-15);
  EXPECT_NEAR(hann[2], 1.0, 1e-15);
  EXPECT_NEAR(hann[3], 0.5, 1e-15);
  EXPECT_NEAR(make_window(Window::Hamming, 4)[0], 0.08, 1e-15);
  EXPECT_EQ(make_window(Window::Boxcar, 3), (std::vector<double>{1, 1, 1}));
}

struct WelchCase {
  std::size_t L, noverlap;
  Window w;
  Detrend d;
};

class WelchVsDefinition : public ::testing::TestWithParam<WelchCase> {};

TEST_P(WelchVsDefinition, MatchesNaiveDft) {
  const auto c = GetParam();
  const double fs = 100.0;
  const std::vector<std::vector<double>> x = {noise(257, 0), noise(257, 1)};
  const auto r = welch(x, fs, {c.L, c.noverlap, c.w, c.d});
  ASSERT_EQ(r.freqs.size(), c.L / 2 + 1);
  EXPECT_DOUBLE_EQ(r.freqs[1], fs / static_cast<double>(c.L));
  EXPECT_EQ(r.n_segments, (257 - c.noverlap) / (c.L - c.noverlap));
  for (std::size_t ch = 0; ch < 2; ++ch) {
    const auto ref = naive_welch(x[ch], fs, c.L, c.noverlap, c.w, c.d);
    for (std::size_t k = 0; k < ref.size(); ++k) {
      EXPECT_NEAR(r.psd(ch, k), ref[k], 1e-12 * (1.0 + std::abs(ref[k]))) << "bin " << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, WelchVsDefinition,
                         ::testing::Values(WelchCase{32, 16, Window::Hann, Detrend::Constant},
                                           WelchCase{31, 15, Window::Hann, Detrend::Constant},
                                           WelchCase{40, 0, Window::Boxcar, Detrend::None},
                                           WelchCase{25, 20, Window::Hamming, Detrend::Constant}));

TEST(Welch, ConstantDetrendRemovesDc) {
  const std::vector<std::vector<double>> x = {std::vector<double>(512, 7.0)};
  const auto r = welch(x, 128.0, {128, 64, Window::Hann, Detrend::Constant});
  for (double p : r.psd.row(0)) EXPECT_NEAR(p, 0.0, 1e-20);
}

TEST(Welch, RejectsBadSegmentSizes) {
  const std::vector<std::vector<double>> x = {noise(100, 0)};
  EXPECT_THROW(welch(x, 10.0, {101, 0, Window::Hann, Detrend::Constant}), qneuro::InputError);
  EXPECT_THROW(welch(x, 10.0, {50, 50, Window::Hann, Detrend::Constant}), qneuro::InputError);
  EXPECT_THROW(welch(x, 0.0, {50, 25, Window::Hann, Detrend::Constant}), qneuro::InputError);
}

}  // namespace
