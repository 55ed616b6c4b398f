// Time-resolved analysis: the spectrogram follows a rhythm that switches on, PLI/wPLI in one
// window spanning the whole signal equal the whole-recording values, and phase-amplitude
// coupling rises monotonically with the coupling strength of a Tort-style synthetic signal while
// uncoupled signals stay at the surrogate level (the SciPy comparisons are in
// tests/validation/test_time_resolved_reference.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/eeg/connectivity.hpp"
#include "qneuro/eeg/pac.hpp"
#include "qneuro/eeg/spectrogram.hpp"

namespace qneuro::eeg {
namespace {

constexpr double kPi = std::numbers::pi;

TEST(Spectrogram, BandPowerOverTimeFollowsARhythmThatSwitchesOn) {
  io::Recording rec;
  rec.source = "test";
  rec.sfreq_hz = 100.0;
  rec.channels = {"Oz"};
  rec.data.assign(1, std::vector<double>(6000));  // 60 s; 10 Hz of amplitude 4 from 30 s
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(0.0, 0.5);
  for (std::size_t i = 0; i < 6000; ++i) {
    const double t = static_cast<double>(i) / 100.0;
    rec.data[0][i] = (t >= 30.0 ? 4.0 * std::sin(2 * kPi * 10.0 * t) : 0.0) + noise(gen);
  }
  const std::vector<Band> bands = {{"alpha", 8.0, 12.0}};
  const SpectrogramResult r =
      spectrogram(rec, {4.0, 1.0}, 0, 0.5, Window::Hann, Detrend::Constant, bands, 0.5, 45.0);
  ASSERT_EQ(r.windows(), 57u);  // (6000 - 400) / 100 + 1
  EXPECT_DOUBLE_EQ(r.times_s.front(), 2.0);
  EXPECT_EQ(r.nperseg, 200u);
  EXPECT_LT(r.band_power[10], 0.1);         // window centred at 12 s: noise only
  EXPECT_NEAR(r.band_power[40], 8.0, 0.5);  // centred at 42 s: the sine's variance 4^2 / 2
  EXPECT_GT(r.relative_power[40], 0.9);
  EXPECT_THROW((void)spectrogram(rec, {100.0, 1.0}, 0, 0.5, Window::Hann, Detrend::Constant, bands,
                                 0.5, 45.0),
               InputError);
}

TEST(Spectrogram, SharedSegmentsGiveTheBitsOfAWelchPerWindow) {
  // step 1 s = a multiple of the segment step (1 s): the shared-segment path; step 0.75 s: the
  // per-window path. Both must equal welch() of the window, bit for bit.
  io::Recording rec;
  rec.source = "test";
  rec.sfreq_hz = 100.0;
  rec.channels = {"A", "B"};
  std::mt19937_64 gen(5);
  std::normal_distribution<double> noise(0.0, 1.0);
  rec.data.assign(2, std::vector<double>(3000));
  for (auto& x : rec.data) {
    for (auto& v : x) v = noise(gen);
  }
  const std::vector<Band> bands = {{"alpha", 8.0, 12.0}};
  for (const double step : {1.0, 0.75}) {
    const SpectrogramResult r =
        spectrogram(rec, {4.0, step}, 0, 0.5, Window::Hann, Detrend::Constant, bands, 0.5, 45.0);
    const std::size_t F = r.freqs.size(), W = r.windows();
    for (const std::size_t w : {std::size_t{0}, std::size_t{3}, W - 1}) {
      std::vector<std::vector<double>> slices(2);
      for (std::size_t c = 0; c < 2; ++c) {
        const auto begin = rec.data[c].begin() + static_cast<std::ptrdiff_t>(w * r.step_samples);
        slices[c].assign(begin, begin + 400);
      }
      const WelchResult ref =
          welch(slices, 100.0, {r.nperseg, r.noverlap, Window::Hann, Detrend::Constant});
      for (std::size_t c = 0; c < 2; ++c) {
        for (std::size_t f = 0; f < F; ++f) {
          ASSERT_EQ(r.psd[(c * W + w) * F + f], ref.psd(c, f)) << "step " << step << " w " << w;
        }
      }
    }
  }
}

TEST(PhaseLagOverTime, OneWindowOverEverythingEqualsTheWholeRecording) {
  std::vector<std::vector<double>> x(3, std::vector<double>(2000));
  std::mt19937_64 gen(8);
  std::normal_distribution<double> noise(0.0, 0.3);
  for (std::size_t i = 0; i < 2000; ++i) {
    const double t = static_cast<double>(i) / 100.0;
    for (std::size_t c = 0; c < 3; ++c) {
      x[c][i] = std::sin(2 * kPi * 10.0 * t + 0.4 * static_cast<double>(c)) + noise(gen);
    }
  }
  const std::vector<Band> bands = {{"alpha", 8.0, 12.0}};
  const PhaseLagResult whole = phase_lag_index(x, 100.0, bands, 1.0);
  const PhaseLagOverTime one = phase_lag_over_time(x, 100.0, bands, 1.0, 18.0, 1.0);
  ASSERT_EQ(one.times_s.size(), 1u);
  EXPECT_DOUBLE_EQ(one.times_s[0], 10.0);
  for (std::size_t a = 0; a < 3; ++a) {
    for (std::size_t b = 0; b < 3; ++b) {
      EXPECT_DOUBLE_EQ(one.pli[0][0](a, b), whole.pli[0](a, b));
      EXPECT_DOUBLE_EQ(one.wpli[0][0](a, b), whole.wpli[0](a, b));
    }
  }
  EXPECT_GT(whole.pli[0](0, 1), 0.8);  // a constant lag of 0.4 rad
  const PhaseLagOverTime many = phase_lag_over_time(x, 100.0, bands, 1.0, 4.0, 2.0);
  EXPECT_EQ(many.times_s.size(), 8u);  // (1800 - 400) / 200 + 1
  EXPECT_THROW((void)phase_lag_over_time(x, 100.0, bands, 1.0, 30.0, 1.0), InputError);
}

/// Tort et al. (2010)'s synthetic signal: a slow rhythm whose phase modulates the amplitude of
/// a 60 Hz one, envelope ((1 - chi) sin phi + 1 + chi) / 2, plus noise. Their chi is the part of
/// the amplitude left unmodulated: `strength` = 1 - chi (0: none, 1: full modulation). The slow
/// rhythm's frequency wanders around 6 Hz (an AR(1) deviation of about 1 Hz): with a strictly
/// periodic rhythm a time shift would only rotate the preferred phase, and the time-shift
/// surrogates would keep the coupling (the MI does not depend on the preferred phase).
io::Recording coupled(double strength, uint64_t seed) {
  const double chi = 1.0 - strength;
  io::Recording rec;
  rec.source = "pac";
  rec.sfreq_hz = 250.0;
  rec.channels = {"Cz"};
  const std::size_t n = 15000;  // 60 s
  rec.data.assign(1, std::vector<double>(n));
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> noise(0.0, 0.5), drift(0.0, 0.05);
  double phi = 0.0, deviation = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rec.sfreq_hz;
    deviation = std::clamp(0.998 * deviation + drift(gen), -1.5, 1.5);
    phi += 2 * kPi * (6.0 + deviation) / rec.sfreq_hz;
    const double slow = std::sin(phi);
    const double envelope = ((1.0 - chi) * slow + 1.0 + chi) / 2.0;
    rec.data[0][i] = 2.0 * slow + envelope * std::sin(2 * kPi * 60.0 * t) + noise(gen);
  }
  return rec;
}

TEST(PhaseAmplitudeCoupling, ModulationIndexRisesWithCouplingAndNullStaysAtSurrogateLevel) {
  PacParams p;
  p.phase_centers_hz = {6.0};
  p.phase_width_hz = 4.0;
  p.amp_centers_hz = {60.0};
  p.amp_width_hz = 20.0;
  p.surrogates = 100;
  double previous = -1.0;
  for (const double strength : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const PacResult r = phase_amplitude_coupling(coupled(strength, 11), p);
    ASSERT_EQ(r.mi.size(), 1u);
    EXPECT_GT(r.mi[0], previous) << "strength " << strength;
    previous = r.mi[0];
    if (strength == 0.0) {
      EXPECT_LT(std::abs(r.mi_z[0]), 3.0);  // no coupling: within the surrogate spread
      EXPECT_GT(r.mi_p[0], 0.01);
    } else if (strength >= 0.5) {
      EXPECT_GT(r.mi_z[0], 10.0) << "strength " << strength;
      EXPECT_NEAR(r.mi_p[0], 1.0 / 101.0, 1e-12);  // above every surrogate
      EXPECT_GT(r.mvl_z[0], 10.0) << "strength " << strength;
    }
  }
  // A phase band the amplitude does not follow: no coupling.
  p.phase_centers_hz = {11.0};
  const PacResult off = phase_amplitude_coupling(coupled(1.0, 11), p);
  EXPECT_LT(off.mi_z[0], 5.0);
}

TEST(PhaseAmplitudeCoupling, BadGridsNameTheirKey) {
  PacParams p;
  p.amp_centers_hz = {120.0};  // above Nyquist at 250 Hz with its width
  try {
    (void)phase_amplitude_coupling(coupled(0.5, 1), p);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pac.amp_centers_hz"), std::string::npos) << e.what();
  }
  p = PacParams{};
  p.channels = {"O9"};
  try {
    (void)phase_amplitude_coupling(coupled(0.5, 1), p);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pac.channels"), std::string::npos) << e.what();
  }
  p = PacParams{};
  p.min_shift_s = 40.0;  // 2 x 40 s of the 58 s left
  EXPECT_THROW((void)phase_amplitude_coupling(coupled(0.5, 1), p), InputError);
}

}  // namespace
}  // namespace qneuro::eeg
