// Case 1: exact per-mode propagation of the discrete scheme.
//
// For U = 0 one ADI step is K_r K_y K_x with K_a = (I - i mu T_a)^{-1} (I + i mu T_a) acting on
// axis a only. A separable eigenmode v_x(ix) v_y(iy) v_r(ir) of the boundary-aware difference
// operators (Axis::mode / Axis::eigenvalue) is therefore multiplied by exactly
//   G = prod_a (1 + i a_a dt lambda_a / 2) / (1 - i a_a dt lambda_a / 2),
// a_a = D (x, y) or D gamma_r (r), per step, with no truncation error at all. After 50 steps the
// state must match G^50 v to rounding: the tridiagonal solves cost O(10) flops per node and step,
// so 50 steps accumulate ~50 * 10 * 1e-16 ~ 1e-13 relative; 1e-12 leaves a margin of ~10 while
// still catching any O(h^2) or O(dt^2) mistake (those are >= 1e-4 here) or a wrong coefficient.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <numbers>

#include "field_validation.hpp"

namespace qneuro::field {
namespace {

using namespace validation;

constexpr double kModeTolerance = 1e-12;

class ModesPerBoundary : public ::testing::TestWithParam<Boundary> {};

// Every axis with the same boundary kind; anisotropic spacings and gamma_r != 1 so that a
// coefficient applied to the wrong axis shows. Modes include k = 0 (lambda = 0 except on
// Dirichlet axes), low and middle ones, and the highest frequencies: k ~ n/2 on periodic axes,
// k = n - 1 on Neumann and Dirichlet axes, where |a dt lambda / 2| ~ 3 on x and Crank-Nicolson
// is far from the exact exponential, so only the exact Cayley multiplier matches.
TEST_P(ModesPerBoundary, SeparableModeMatchesCayleyMultiplierOver50Steps) {
  const Boundary bc = GetParam();
  ModeCase c;
  c.grid = make_grid(Axis{9, 0.1, bc}, Axis{7, 0.15, bc}, Axis{6, 0.2, bc});
  c.model.gamma_r = 0.6;
  c.weights = {1.0};
  for (const std::array<std::size_t, 3> k :
       {std::array<std::size_t, 3>{0, 0, 0}, {1, 0, 2}, {4, 3, 1}, {8, 6, 5}, {5, 1, 4}}) {
    c.modes = {k};
    FieldSolver<double> s(c.grid, c.model, c.dt, 1.0, SolverKind::Adi, Precision::Double);
    s.set_state(c.initial());
    advance(s, 0, c.steps);
    const double err = rel_max(s.state(), c.exact());
    EXPECT_LT(err, kModeTolerance)
        << to_string(bc) << " mode " << k[0] << "," << k[1] << "," << k[2];
  }
}

INSTANTIATE_TEST_SUITE_P(AllBoundaries, ModesPerBoundary,
                         ::testing::Values(Boundary::Periodic, Boundary::Neumann,
                                           Boundary::Dirichlet),
                         [](const ::testing::TestParamInfo<Boundary>& p) {
                           return to_string(p.param);
                         });

// Mixed boundaries (x periodic, y Neumann, r Dirichlet): a superposition of a low mode and one
// with the highest y and r frequencies, each with its own multiplier (linearity and
// independence of the modes). Measured max error 2.7e-14 of the peak amplitude.
TEST(Modes, MixedBoundarySuperpositionMatchesExactDiscreteEvolution) {
  const ModeCase c;
  FieldSolver<double> s(c.grid, c.model, c.dt, 1.0, SolverKind::Adi, Precision::Double);
  s.set_state(c.initial());
  advance(s, 0, c.steps);
  const double err = rel_max(s.state(), c.exact());
  std::cout << "MODES mixed-bc rel_max_error " << err << "\n";
  EXPECT_LT(err, kModeTolerance);
}

// A constant potential: a stimulus whose Gaussian profile is flat on the grid (width 1e9, so the
// profile is 1 to within 1e-16) and time dependent, A sin(2 pi f t), switched on in [t0, t1).
// Constant-in-space phases commute with the kinetic factors, so a step multiplies each mode by
//   G * exp(-i dt (S(t_n) + S(t_{n+1})) / (2D)),   S(t) = A sin(2 pi f t) in the window else 0
// (the Strang half phases use the potential at both ends of the step: the trapezoidal rule).
// t0 and t1 are not multiples of dt, so no comparison sits on a rounding edge.
TEST(Modes, UniformStimulusGivesTrapezoidalPhaseOnTopOfCayleyMultiplier) {
  ModeCase c;
  c.dt = 0.01;
  c.model.stim_amplitude = 40.0;
  c.model.stim_width = 1e9;
  c.model.stim_freq_hz = 7.0;
  c.model.stim_t0_s = 0.1055;
  c.model.stim_t1_s = 0.3555;
  const double time_unit_s = 0.5;  // t_s = t_model * 0.5: the window spans steps 22 .. 71
  c.steps = 100;
  auto stim = [&](uint64_t k) {
    const double t_s = static_cast<double>(k) * c.dt * time_unit_s;
    if (t_s < c.model.stim_t0_s || t_s >= c.model.stim_t1_s) return 0.0;
    return c.model.stim_amplitude * std::sin(2.0 * std::numbers::pi * c.model.stim_freq_hz * t_s);
  };
  double phase = 0.0;
  for (uint64_t k = 0; k < c.steps; ++k)
    phase += c.dt / (2.0 * c.model.D) * (stim(k) + stim(k + 1));
  State expected = c.exact();
  for (auto& z : expected) z *= std::polar(1.0, -phase);
  FieldSolver<double> s(c.grid, c.model, c.dt, time_unit_s, SolverKind::Adi, Precision::Double);
  s.set_state(c.initial());
  advance(s, 0, c.steps);
  EXPECT_GT(std::abs(phase), 1.0) << "the stimulus must matter for the test to mean anything";
  EXPECT_LT(rel_max(s.state(), expected), kModeTolerance);
}

// The split-step solver's kinetic factor is the exact exponential of the spectral Laplacian:
// a Fourier mode e^{2 pi i m j / n} is multiplied by exp(-i a dt (2 pi m' / L)^2) per step, with
// m' the signed index (m' = m - n above n/2). Periodic on all axes; odd and even n.
TEST(Modes, SplitStepFourierModeGetsSpectralPhase) {
  ModeCase c;
  c.grid = make_grid(Axis{9, 0.1, Boundary::Periodic}, Axis{8, 0.15, Boundary::Periodic},
                     Axis{6, 0.2, Boundary::Periodic});
  c.weights = {1.0};
  for (const std::array<std::size_t, 3> k :
       {std::array<std::size_t, 3>{0, 0, 0}, {2, 3, 1}, {8, 4, 5}, {5, 7, 3}}) {
    c.modes = {k};
    Cd g = 1.0;
    for (int a = 0; a < 3; ++a) {
      const Axis& ax = c.grid.axes[a];
      const long n = static_cast<long>(ax.n);
      const long m =
          static_cast<long>(k[a]) <= n / 2 ? static_cast<long>(k[a]) : static_cast<long>(k[a]) - n;
      const double kk = 2.0 * std::numbers::pi * static_cast<double>(m) / ax.length();
      g *= std::polar(1.0, -c.coefficient(a) * c.dt * kk * kk);
    }
    State expected = c.mode(k);
    const Cd gn = std::pow(g, static_cast<double>(c.steps));
    for (auto& z : expected) z *= gn;
    FieldSolver<double> s(c.grid, c.model, c.dt, 1.0, SolverKind::SplitStep, Precision::Double);
    s.set_state(c.initial());
    advance(s, 0, c.steps);
    // FFTs cost O(log n) roundings per node and step; same budget as above.
    EXPECT_LT(rel_max(s.state(), expected), kModeTolerance)
        << "mode " << k[0] << "," << k[1] << "," << k[2];
  }
}

}  // namespace
}  // namespace qneuro::field
