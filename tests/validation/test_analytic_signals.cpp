// Validation of the EEG estimators against signals whose answers are known analytically
// (DESIGN.md §4; issue "Foundation, and qneuro analyze": tests section).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "qneuro/core/parallel.hpp"
#include "qneuro/core/rng.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/eeg/synth.hpp"

namespace {

using namespace qneuro::eeg;
constexpr double kPi = std::numbers::pi;

qneuro::io::Recording make_recording(double fs, std::vector<std::vector<double>> data) {
  qneuro::io::Recording rec;
  rec.source = "generated";
  rec.format = "generated";
  rec.sfreq_hz = fs;
  for (std::size_t c = 0; c < data.size(); ++c) rec.channels.push_back("ch" + std::to_string(c));
  rec.data = std::move(data);
  return rec;
}

std::vector<double> white_noise(std::size_t n, double sigma, uint64_t entity, uint32_t seed = 5) {
  const qneuro::rng::Philox gen(seed, qneuro::rng::Stream::Test);
  std::vector<double> x(n);
  for (std::size_t t = 0; t < n; ++t) x[t] = sigma * gen.normal_pair(t, entity).first;
  return x;
}

std::vector<double> sines(std::size_t n, double fs,
                          const std::vector<std::pair<double, double>>& fa, double phase = 0.0) {
  std::vector<double> x(n, 0.0);
  for (const auto& [f, a] : fa) {
    for (std::size_t t = 0; t < n; ++t) {
      x[t] += a * std::sin(2 * kPi * f * static_cast<double>(t) / fs + phase);
    }
  }
  return x;
}

// A sine of amplitude A exactly on a Welch bin: peak at f0, total power A^2/2 within 1 %.
TEST(AnalyticSignals, SineOnBinHasPeakAndPowerAOver2) {
  const double fs = 256, f0 = 10.0, A = 30.0;  // uV
  const auto rec = make_recording(fs, {sines(256 * 60, fs, {{f0, A}})});
  const auto r = analyze(rec, AnalysisParams{});
  EXPECT_DOUBLE_EQ(r.per_channel[0].peak_hz, f0);
  double total = 0;
  for (double p : r.welch.psd.row(0)) total += p * r.welch.df();
  EXPECT_NEAR(total, A * A / 2, 0.01 * A * A / 2);
  EXPECT_NEAR(r.per_channel[0].total_power, A * A / 2, 0.01 * A * A / 2);
  ASSERT_FALSE(r.per_channel[0].peaks.empty());
  EXPECT_DOUBLE_EQ(r.per_channel[0].peaks[0].freq_hz, f0);
  // Hann leakage keeps the power within the neighbouring bins: alpha holds it all.
  EXPECT_NEAR(r.per_channel[0].relative_power[2], 1.0, 1e-3);
}

// White noise of variance s^2: one-sided density 2 s^2 / fs, flat, within 5 %.
TEST(AnalyticSignals, WhiteNoiseDensityIsTwoSigmaSquaredOverFs) {
  const double fs = 200, sigma = 10.0;
  const auto rec = make_recording(fs, {white_noise(200 * 600, sigma, 0)});
  AnalysisParams p;
  p.connectivity = false;
  const auto r = analyze(rec, p);
  const double expect = 2 * sigma * sigma / fs;
  const auto psd = r.welch.psd.row(0);
  double mean = 0;
  std::size_t count = 0;
  for (std::size_t k = 1; k + 1 < psd.size(); ++k) {
    mean += psd[k];
    ++count;
  }
  mean /= static_cast<double>(count);
  EXPECT_NEAR(mean, expect, 0.05 * expect);
  // Every band's mean density too (bands are 8..36 bins wide at 0.5 Hz: ~1-5 % scatter).
  for (std::size_t b = 0; b < p.bands.size(); ++b) {
    const double width = p.bands[b].hi - p.bands[b].lo;
    EXPECT_NEAR(r.per_channel[0].band_power[b] / width, expect, 0.05 * expect) << p.bands[b].name;
  }
}

// Spectral entropy: a sine concentrates its power, noise spreads it. With a boxcar window an
// on-bin sine occupies one bin (H = 0 < 0.1). With the default Hann window it occupies exactly
// three bins with powers 1/4 : 1 : 1/4 (p = 1/6, 2/3, 1/6), so H = h3 / ln K with
// h3 = -(2/6 ln 1/6 + 2/3 ln 2/3) = 0.8676 nats and K the bins in the range: 89 bins at 0.5 Hz
// give H = 0.193; only K > 5800 bins would bring a Hann-windowed tone below 0.1.
TEST(AnalyticSignals, EntropyOfSineLowOfNoiseHigh) {
  const double fs = 160;
  const auto rec =
      make_recording(fs, {sines(160 * 60, fs, {{10.0, 20.0}}), white_noise(160 * 60, 20.0, 1)});
  AnalysisParams p;
  p.connectivity = false;
  p.window = Window::Boxcar;
  const auto boxcar = analyze(rec, p);
  EXPECT_LT(boxcar.per_channel[0].spectral_entropy, 0.1);
  EXPECT_GT(boxcar.per_channel[1].spectral_entropy, 0.95);

  p.window = Window::Hann;
  const auto hann = analyze(rec, p);
  const double h3 = -(2.0 / 6.0 * std::log(1.0 / 6.0) + 2.0 / 3.0 * std::log(2.0 / 3.0));
  const double K = 89.0;  // bins 0.5, 1.0, ..., 44.5 Hz
  EXPECT_NEAR(hann.per_channel[0].spectral_entropy, h3 / std::log(K), 1e-6);
  EXPECT_GT(hann.per_channel[1].spectral_entropy, 0.95);
}

// A constant phase lag of pi/4 (plus independent noise) gives PLI > 0.95; independent noise
// gives PLI < 0.1 in every band. For independent narrow-band noise PLI is |mean| of a sign
// process with about (bandwidth x duration) independent values: 5 minutes puts the narrowest band
// (delta, 3.5 Hz) near a standard deviation of 0.03.
TEST(AnalyticSignals, ConstantLagHighPliIndependentNoiseLow) {
  const double fs = 160;
  const std::size_t n = 160 * 300;
  auto a = sines(n, fs, {{10.0, 20.0}});
  auto b = sines(n, fs, {{10.0, 20.0}}, -kPi / 4);
  const auto na = white_noise(n, 2.0, 10), nb = white_noise(n, 2.0, 11);
  for (std::size_t t = 0; t < n; ++t) {
    a[t] += na[t];
    b[t] += nb[t];
  }
  const auto rec = make_recording(fs, {a, b, white_noise(n, 20.0, 12), white_noise(n, 20.0, 13)});
  const auto r = analyze(rec, AnalysisParams{});
  ASSERT_TRUE(r.has_connectivity);
  const std::size_t alpha = 2;
  EXPECT_GT(r.phase_lag.pli[alpha](0, 1), 0.95);
  EXPECT_GT(r.phase_lag.wpli[alpha](0, 1), 0.95);
  for (std::size_t band = 0; band < r.params.bands.size(); ++band) {
    EXPECT_LT(r.phase_lag.pli[band](2, 3), 0.1) << r.params.bands[band].name;
  }
}

// Band powers of a known multi-sine (one sine per band, on bins, well inside the bands).
TEST(AnalyticSignals, MultiSineBandPowersWithinTwoPercent) {
  const double fs = 160;
  const std::vector<std::pair<double, double>> fa = {
      {2.0, 40.0}, {6.0, 25.0}, {10.0, 30.0}, {20.0, 10.0}, {38.0, 5.0}};
  const auto rec = make_recording(fs, {sines(160 * 120, fs, fa)});
  AnalysisParams p;
  p.connectivity = false;
  const auto r = analyze(rec, p);
  double total = 0;
  for (const auto& [f, a] : fa) total += a * a / 2;
  for (std::size_t b = 0; b < fa.size(); ++b) {
    const double expect = fa[b].second * fa[b].second / 2;
    EXPECT_NEAR(r.per_channel[0].band_power[b], expect, 0.02 * expect) << p.bands[b].name;
    EXPECT_NEAR(r.per_channel[0].relative_power[b], expect / total, 0.02 * expect / total);
  }
}

// The aperiodic exponent of noise shaped to 1/f^1.5 (the synthetic background) is recovered.
TEST(AnalyticSignals, AperiodicExponentOfShapedNoise) {
  SynthParams sp;
  sp.channels = 4;
  sp.duration_s = 120;
  sp.fs_hz = 160;
  sp.alpha_uv = sp.beta_uv = sp.theta_uv = 0.0;
  sp.aperiodic_exponent = 1.5;
  const auto r = analyze(synthesize_eeg(sp), AnalysisParams{});
  for (const auto& ch : r.per_channel) EXPECT_NEAR(ch.aperiodic.exponent, 1.5, 0.1) << ch.name;
}

// The whole analysis is bit-identical for 1 and 2 threads (and synthesis too).
TEST(AnalyticSignals, AnalysisIdenticalForAnyThreadCount) {
  SynthParams sp;
  sp.channels = 12;
  sp.duration_s = 30;
  auto run = [&](int threads) {
    qneuro::parallel::ScopedThreads scope(threads);
    return summary_json(analyze(synthesize_eeg(sp), AnalysisParams{}));
  };
  auto one = run(1), two = run(2);
  one.erase("timing_s");
  two.erase("timing_s");
  EXPECT_EQ(one.dump(), two.dump());
}

// The synthetic demo recording has the structure it claims: posterior alpha peak near 10 Hz,
// travelling alpha gives a consistent lag, hence high PLI, between Pz and Oz.
TEST(AnalyticSignals, SyntheticRecordingHasItsAdvertisedStructure) {
  SynthParams sp;
  const auto rec = synthesize_eeg(sp);
  ASSERT_EQ(rec.n_channels(), 64u);
  ASSERT_EQ(rec.annotations.size(), 2u);
  const auto r = analyze(rec, AnalysisParams{});
  const auto idx = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(rec.channels.begin(), rec.channels.end(), name) -
                                    rec.channels.begin());
  };
  const auto& oz = r.per_channel[idx("Oz")];
  EXPECT_NEAR(oz.peak_hz, 10.0, 0.5);
  EXPECT_GT(oz.relative_power[2], r.per_channel[idx("Fz")].relative_power[2]);
  EXPECT_GT(r.phase_lag.pli[2](idx("Oz"), idx("Pz")), 0.5);
}

}  // namespace
