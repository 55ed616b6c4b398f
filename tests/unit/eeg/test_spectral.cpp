#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "qneuro/eeg/spectral.hpp"

namespace {

using namespace qneuro::eeg;

std::vector<double> freqs_0_to(std::size_t n, double df) {
  std::vector<double> f(n);
  for (std::size_t k = 0; k < n; ++k) f[k] = static_cast<double>(k) * df;
  return f;
}

TEST(Spectral, BinsAreHalfOpen) {
  const auto f = freqs_0_to(11, 1.0);  // 0..10 Hz
  const auto r = bins_in(f, 2.0, 5.0);
  EXPECT_EQ(r.first, 2u);
  EXPECT_EQ(r.last, 5u);  // 2, 3, 4 (5 excluded)
  EXPECT_EQ(bins_in(f, 2.5, 2.9).count(), 0u);
}

TEST(Spectral, BandPowerIsSumTimesDf) {
  const auto f = freqs_0_to(11, 0.5);
  std::vector<double> P(11, 2.0);
  EXPECT_DOUBLE_EQ(band_power(f, P, 1.0, 3.0), 4 * 2.0 * 0.5);  // bins 1.0, 1.5, 2.0, 2.5
}

TEST(Spectral, EntropyBounds) {
  const auto f = freqs_0_to(101, 1.0);
  std::vector<double> flat(101, 1.0), spike(101, 0.0);
  spike[40] = 5.0;
  EXPECT_NEAR(spectral_entropy(f, flat, 1.0, 50.0), 1.0, 1e-12);
  EXPECT_NEAR(spectral_entropy(f, spike, 1.0, 50.0), 0.0, 1e-12);
  std::vector<double> two(101, 0.0);
  two[10] = two[20] = 1.0;  // H = ln 2 / ln 49
  EXPECT_NEAR(spectral_entropy(f, two, 1.0, 50.0), std::log(2.0) / std::log(49.0), 1e-12);
}

TEST(Spectral, PeakFrequencyFirstMaximumInRange) {
  const auto f = freqs_0_to(20, 1.0);
  std::vector<double> P(20, 1.0);
  P[0] = 100.0;  // outside the range
  P[7] = P[9] = 5.0;
  EXPECT_DOUBLE_EQ(peak_frequency(f, P, 1.0, 19.0), 7.0);
}

TEST(Spectral, PeaksLikeScipyFindPeaks) {
  const auto f = freqs_0_to(12, 1.0);
  // dB values: 0, 10, 0, 3, 3, 3, 1, 20, 20, 5, 6, 0 (a plateau at 3..5 and one at 7..8)
  const std::vector<double> db = {0, 10, 0, 3, 3, 3, 1, 20, 20, 5, 6, 0};
  std::vector<double> P;
  for (double d : db) P.push_back(std::pow(10.0, d / 10.0));
  const auto peaks = find_peaks(f, P, 0.0, 12.0, 1.5, 10);
  ASSERT_EQ(peaks.size(), 3u);
  EXPECT_DOUBLE_EQ(peaks[0].freq_hz, 1.0);
  EXPECT_NEAR(peaks[0].prominence_db, 10.0, 1e-9);
  EXPECT_DOUBLE_EQ(peaks[1].freq_hz, 4.0);         // plateau middle
  EXPECT_NEAR(peaks[1].prominence_db, 2.0, 1e-9);  // 3 - max(0, 1)
  EXPECT_DOUBLE_EQ(peaks[2].freq_hz, 7.0);         // (7 + 8) / 2 rounded down
  EXPECT_NEAR(peaks[2].prominence_db, 20.0, 1e-9);
  // 10 Hz (6 dB) has prominence 1 dB < 1.5: dropped. Keep the single most prominent:
  const auto top = find_peaks(f, P, 0.0, 12.0, 0.0, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_DOUBLE_EQ(top[0].freq_hz, 7.0);
}

TEST(Spectral, AperiodicFitRecoversPowerLaw) {
  const auto f = freqs_0_to(200, 0.5);
  std::vector<double> P(f.size());
  for (std::size_t k = 0; k < f.size(); ++k) P[k] = k == 0 ? 0.0 : 50.0 * std::pow(f[k], -1.7);
  const auto fit = fit_aperiodic(f, P, 1.0, 40.0);
  EXPECT_NEAR(fit.exponent, 1.7, 1e-12);
  EXPECT_NEAR(fit.offset, std::log10(50.0), 1e-12);
  EXPECT_EQ(fit.n_bins, 79u);  // 1.0, 1.5, ..., 40.0 (closed interval)
  EXPECT_TRUE(std::isnan(fit_aperiodic(f, P, 200.0, 300.0).exponent));
}

TEST(Spectral, ClassicBands) {
  const auto b = classic_bands();
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b[2].name, "alpha");
  EXPECT_DOUBLE_EQ(b[2].lo, 8.0);
  EXPECT_DOUBLE_EQ(b[4].hi, 45.0);
}

}  // namespace
