// Case 4: a displaced harmonic ground state (coherent state) oscillates as a classical particle,
// <x>(t) = x0 cos(omega t) (Ehrenfest's theorem is exact for a quadratic potential), and a
// virtual electrode at x0 sees a 10 Hz signal that the Welch PSD resolves.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numbers>

#include "field_validation.hpp"
#include "qneuro/eeg/welch.hpp"
#include "qneuro/field/readout.hpp"

namespace qneuro::field {
namespace {

using namespace validation;

// max_t |<x>(t) - x0 cos(omega t)| / x0 over the first two periods (0.2 s), sampled at the same
// 50 physical times on every level; also the most negative <x> seen.
std::pair<double, double> orbit_error(const CoherentCase& c) {
  const Grid g = c.grid();
  FieldSolver<double> s(g, c.model, c.dt, 1.0, SolverKind::Adi, Precision::Double);
  s.set_state(initial_state(g, c.model, c.init));
  const auto steps = static_cast<uint64_t>(std::llround(0.2 / c.dt));
  const uint64_t every = steps / 50;
  double max_err = 0.0, min_x = 1e300;
  for (uint64_t k = 0; k + every <= steps; k += every) {
    advance(s, k, every);
    const double t = static_cast<double>(k + every) * c.dt;
    const double x = s.diagnostics(k + every).mean_position[0];
    max_err = std::max(max_err, std::abs(x - c.x0 * std::cos(c.omega * t)));
    min_x = std::min(min_x, x);
  }
  return {max_err / c.x0, min_x};
}

// The orbit error is discretisation error, O(h^2) from the dispersion of the discrete Laplacian
// at the packet's momentum plus O(dt^2) from the Crank-Nicolson and splitting phase errors:
// refining h and dt together by 2 divides it by 4 (observed orders within [1.8, 2.2]). Measured
// 5.5e-2, 1.4e-2, 3.4e-3 of x0 at (h, dt) = (0.01, 1/2048), (0.005, 1/4096), (0.0025, 1/8192);
// the default level (0.005, 1/4096) is asserted < 2e-2 of x0 (1.5x margin), and the packet must
// reach -0.98 x0 half a period later (it really oscillates, with the classical amplitude).
TEST(CoherentState, MeanPositionFollowsClassicalOrbitWithSecondOrderError) {
  std::vector<double> err;
  for (const double refine : {1.0, 2.0, 4.0}) {
    CoherentCase c;
    c.h = 0.01 / refine;
    c.dt = 1.0 / (2048.0 * refine);
    const auto [e, min_x] = orbit_error(c);
    err.push_back(e);
    std::cout << "COHERENT mean_position h " << c.h << " dt " << c.dt << " max_rel_error " << e
              << " min_x " << min_x << "\n";
    if (refine == 2.0) {
      EXPECT_LT(e, 2e-2);
      EXPECT_LT(min_x, -0.98 * c.x0);
    }
  }
  for (std::size_t i = 0; i + 1 < err.size(); ++i) {
    const double order = std::log2(err[i] / err[i + 1]);
    std::cout << "COHERENT mean_position order " << order << "\n";
    EXPECT_GE(order, 1.8);
    EXPECT_LE(order, 2.2);
  }
}

// 2 s of signal (1024 samples at 512 Hz), Welch with 512-sample Hann segments (df = 1 Hz, 3
// segments at 50 % overlap): the PSD maximum must be within one bin of omega / 2 pi = 10 Hz.
// The electrode signal is a 10 Hz pulse train (the packet passes x0 once per period) whose
// fundamental dominates its harmonics because each pulse lasts a good fraction of the period.
TEST(CoherentState, ElectrodeSignalPeaksAtTheOscillatorFrequency) {
  const CoherentCase c;
  const Grid g = c.grid();
  FieldSolver<double> s(g, c.model, c.dt, 1.0, SolverKind::Adi, Precision::Double);
  s.set_state(initial_state(g, c.model, c.init));
  const std::vector<double> signal = coherent_electrode_signal(s, c, 1024);
  const auto r =
      eeg::welch({signal}, c.fs_hz, {512, 256, eeg::Window::Hann, eeg::Detrend::Constant});
  std::size_t peak = 1;
  for (std::size_t k = 1; k < r.freqs.size(); ++k) {
    if (r.psd(0, k) > r.psd(0, peak)) peak = k;
  }
  const double f_expected = c.omega / (2.0 * std::numbers::pi);
  std::cout << "COHERENT welch peak " << r.freqs[peak] << " Hz (expected " << f_expected
            << " Hz, df " << r.df() << " Hz), peak/psd[1 Hz] " << r.psd(0, peak) / r.psd(0, 1)
            << "\n";
  EXPECT_LE(std::abs(r.freqs[peak] - f_expected), r.df());
  // The signal really oscillates: the 10 Hz peak stands far above the near-DC bins.
  EXPECT_GT(r.psd(0, peak), 100.0 * r.psd(0, 1));
}

}  // namespace
}  // namespace qneuro::field
