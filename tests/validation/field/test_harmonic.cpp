// Case 3: the harmonic ground state is stationary.
//
// With V = omega^2/4 x^2 per axis the equation i D psi_t = -D^2 psi'' + V psi has the ground
// state exp(-omega x^2 / (4D)) (|psi|^2 std sqrt(D / omega)), energy omega D / 2, so rho is
// constant in time. On the grid the sampled continuum ground state differs from the discrete
// ground state by O(h^2) and the Strang step's invariant state differs from it by O(dt^2), so
// rho breathes with a relative amplitude O(h^2) + O(dt^2); the tests measure that amplitude,
// bound it, and check that it falls by ~4 when h and dt are halved.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numbers>

#include "field_validation.hpp"

namespace qneuro::field {
namespace {

using namespace validation;

struct GroundCase {
  Grid grid;
  ModelParams model = ModelParams::plain();
  double dt = 0.0;
  uint64_t steps = 0;  // one period of the slowest axis
};

// Per axis: h = sigma / cells_per_std, box +-box_std sigma. The box truncates the state: with
// +-6 sigma (|psi| = e^-9 ~ 1e-4 at the wall) the box alone makes rho move by ~1e-4 of its peak
// (measured), with +-8 sigma (|psi| ~ 1e-7) by < 1e-7.
GroundCase ground_case(std::array<double, 3> omega, std::array<bool, 3> active,
                       double cells_per_std, int steps_per_period, double box_std,
                       double gamma_r = 1.0) {
  GroundCase c;
  c.model.D = 0.3;
  c.model.gamma_r = gamma_r;
  c.model.harmonic_omega = omega;
  const std::array<Boundary, 3> bc{Boundary::Dirichlet, Boundary::Neumann, Boundary::Periodic};
  std::array<Axis, 3> ax{flat(), flat(), flat()};
  double omega_min = 1e300;
  for (int a = 0; a < 3; ++a) {
    if (!active[a]) continue;
    const double sigma = std::sqrt(c.model.D / omega[a]);
    const double h = sigma / cells_per_std;
    ax[a] = Axis{static_cast<std::size_t>(std::llround(2.0 * box_std * cells_per_std)), h, bc[a]};
    omega_min = std::min(omega_min, omega[a]);
  }
  c.grid = make_grid(ax[0], ax[1], ax[2]);
  const double period = 2.0 * std::numbers::pi / omega_min;
  c.dt = period / steps_per_period;
  c.steps = static_cast<uint64_t>(steps_per_period);
  return c;
}

std::vector<double> density(const State& psi) {
  std::vector<double> rho(psi.size());
  for (std::size_t i = 0; i < psi.size(); ++i) rho[i] = std::norm(psi[i]);
  return rho;
}

// max_t max_p |rho(t) - rho(0)| / max rho(0), sampled every `every` steps over the run.
double breathing(const GroundCase& c, uint64_t every) {
  InitialParams init;
  init.kind = InitialKind::Harmonic;
  init.modes = {{0, 0, 0}};
  init.center = {0.0, 0.0, 0.0};
  FieldSolver<double> s(c.grid, c.model, c.dt, 1.0, SolverKind::Adi, Precision::Double);
  s.set_state(initial_state(c.grid, c.model, init));
  const std::vector<double> rho0 = density(s.state());
  const double peak = *std::max_element(rho0.begin(), rho0.end());
  double dev = 0.0;
  for (uint64_t k = 0; k < c.steps; k += every) {
    advance(s, k, every);
    const std::vector<double> rho = density(s.state());
    for (std::size_t p = 0; p < rho.size(); ++p) dev = std::max(dev, std::abs(rho[p] - rho0[p]));
  }
  return dev / peak;
}

// 3-D, three different frequencies, mixed boundaries, 3.5 cells per std, box +-6 std and 100
// steps per period of the slowest axis. Each axis contributes its own O(h^2) breathing: 7.0e-3
// per axis at 3 cells per std (1-D test below), so ~5e-3 at 3.5 cells, and the three axes add
// up to the measured 1.43e-2; asserted < 2e-2. A Gaussian whose width is off by 5 % breathes by
// 0.107 (measured in 1-D) and fails.
TEST(HarmonicGroundState, StaysStationaryOverAPeriodIn3D) {
  const double w = 2.0 * std::numbers::pi;
  const GroundCase c = ground_case({w, 1.5 * w, 0.75 * w}, {true, true, true}, 3.5, 100, 6.0);
  const double dev = breathing(c, 10);
  std::cout << "HARMONIC ground 3d grid " << c.grid.describe() << " max|drho|/max rho " << dev
            << "\n";
  EXPECT_LT(dev, 2e-2);
}

// The deviation is discretisation error: halving h and dt together divides it by ~4 (observed
// order in [1.8, 2.2]). Box +-8 std so that the truncation (< 1e-7) stays below the finest
// level's ~1e-4. Sampled 20 times per period at the same physical times on every level.
TEST(HarmonicGroundState, DeviationFallsAsSecondOrderIn1D) {
  const double w = 2.0 * std::numbers::pi;
  std::vector<double> dev;
  for (const auto& [cells, steps] : {std::pair{3.0, 100}, {6.0, 200}, {12.0, 400}, {24.0, 800}}) {
    dev.push_back(
        breathing(ground_case({w, 0, 0}, {true, false, false}, cells, steps, 8.0), steps / 20));
  }
  for (std::size_t i = 0; i + 1 < dev.size(); ++i) {
    const double order = std::log2(dev[i] / dev[i + 1]);
    std::cout << "HARMONIC ground 1d deviation " << dev[i] << " -> " << dev[i + 1] << " order "
              << order << "\n";
    EXPECT_GE(order, 1.8);
    EXPECT_LE(order, 2.2);
  }
}

// On the r axis the kinetic coefficient is D gamma_r, so the ground state of
// -D^2 gamma_r d_r^2 + omega^2/4 r^2 is exp(-omega r^2 / (4 D sqrt(gamma_r))) (std
// sqrt(D sqrt(gamma_r) / omega)). initial.hpp promises harmonic-oscillator eigenstates on every
// axis with omega > 0, so the r-axis ground state must also be stationary for gamma_r != 1. Same
// resolution as the 3-D case (~5e-3 per axis there), asserted < 1e-2 (measured 4.7e-3). An initial
// state built with D instead of D sqrt(gamma_r) on r (as in an earlier version) breathes by 0.28.
TEST(HarmonicGroundState, StaysStationaryOnTheRAxisWithGammaR) {
  const double w = 2.0 * std::numbers::pi;
  const GroundCase c = ground_case({0, 0, w}, {false, false, true}, 3.5, 100, 6.0, 2.0);
  const double dev = breathing(c, 10);
  std::cout << "HARMONIC ground r-axis gamma_r=2 max|drho|/max rho " << dev << "\n";
  EXPECT_LT(dev, 1e-2);
}

}  // namespace
}  // namespace qneuro::field
