// Case 5: norm conservation, and the exact norm balance with absorption.
//
// Without absorption every factor of a step is unitary for sum |psi|^2 dV: the half phases are
// pointwise multiplications by unit-modulus numbers (whatever the potential: harmonic,
// stimulus, MQP or connectivity, all real), and each Cayley factor is unitary because T is real
// symmetric (grid.hpp). So the norm is conserved up to rounding only: ~1e-16 per operation,
// accumulated over 1000 steps as a random walk (~1e-14) or at worst linearly (~1e-12). 1e-10
// leaves a margin of 100 over the worst case while any O(dt^p) leak would show at >= 1e-6.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "field_validation.hpp"

namespace qneuro::field {
namespace {

using namespace validation;

// x periodic, y Neumann, r Dirichlet; a moving packet that reaches every wall (width 0.5 in a
// box of +-1.2 x +-0.9 x +-0.6) so the boundary closures are exercised.
struct NormCase {
  Grid grid = make_grid(Axis{16, 0.15, Boundary::Periodic}, Axis{12, 0.15, Boundary::Neumann},
                        Axis{8, 0.15, Boundary::Dirichlet});
  ModelParams model = ModelParams::plain();
  double dt = 0.005;
  InitialParams init;

  NormCase() {
    model.harmonic_omega = {3.0, 2.0, 4.0};
    model.gamma_r = 0.7;
    init.center = {0.2, -0.1, 0.05};
    init.width = {0.5, 0.5, 0.5};
    init.k0 = {3.0, -2.0, 1.0};
  }
};

// Max |norm - 1| over 1000 steps (checked every 50 steps); also requires finite diagnostics.
double norm_drift(const NormCase& c) {
  FieldSolver<double> s(c.grid, c.model, c.dt, 1.0, SolverKind::Adi, Precision::Double);
  s.set_state(initial_state(c.grid, c.model, c.init));
  double drift = 0.0;
  for (uint64_t k = 0; k < 1000; k += 50) {
    advance(s, k, 50);
    const Diagnostics d = s.diagnostics(k + 50);
    EXPECT_TRUE(d.finite);
    drift = std::max(drift, std::abs(d.norm - 1.0));
  }
  return drift;
}

TEST(NormConservation, LinearWithHarmonicPotential) {
  const double drift = norm_drift(NormCase{});
  std::cout << "CONSERVATION norm linear " << drift << "\n";
  EXPECT_LT(drift, 1e-10);
}

// A stiff MQP (eps_rel = 1e-3: |Q| reaches hundreds, several radians of phase per step) is still
// exactly unitary: the phase factors have unit modulus whatever their angle.
TEST(NormConservation, WithMacroscopicQuantumPotential) {
  NormCase c;
  c.model.mqp_coupling = 1.0;
  c.model.mqp_scale = 2.0;
  c.model.mqp_eps_rel = 1e-3;
  const double drift = norm_drift(c);
  std::cout << "CONSERVATION norm mqp " << drift << "\n";
  EXPECT_LT(drift, 1e-10);
}

TEST(NormConservation, WithHartreeConnectivity) {
  NormCase c;
  c.model.conn_beta = 5.0;
  const double drift = norm_drift(c);
  std::cout << "CONSERVATION norm conn-hartree " << drift << "\n";
  EXPECT_LT(drift, 1e-10);
}

TEST(NormConservation, WithLaplacianConnectivity) {
  NormCase c;
  c.model.conn_beta = 0.05;  // acts on lap rho ~ rho / w^2: a comparable potential
  c.model.conn_form = ConnectivityForm::Laplacian;
  c.model.conn_kernel = KernelKind::PowerLaw;
  const double drift = norm_drift(c);
  std::cout << "CONSERVATION norm conn-laplacian " << drift << "\n";
  EXPECT_LT(drift, 1e-10);
}

TEST(NormConservation, WithEverythingButAbsorptionIncludingStimulusAndSplitStep) {
  NormCase c;
  c.model.mqp_coupling = 1.0;
  c.model.conn_beta = 5.0;
  c.model.stim_amplitude = 20.0;
  c.model.stim_freq_hz = 8.0;
  c.model.stim_width = 0.5;
  c.model.sponge_w0 = 3.0;  // a sponge with alpha = 0 (wake) absorbs nothing
  const double drift = norm_drift(c);
  std::cout << "CONSERVATION norm mqp+conn+stim " << drift << "\n";
  EXPECT_LT(drift, 1e-10);
  // The split-step solver is unitary too (FFT round trip with an exact phase).
  c.grid.axes[1].bc = Boundary::Periodic;
  c.grid.axes[2].bc = Boundary::Periodic;
  FieldSolver<double> s(c.grid, c.model, c.dt, 1.0, SolverKind::SplitStep, Precision::Double);
  s.set_state(initial_state(c.grid, c.model, c.init));
  advance(s, 0, 1000);
  EXPECT_NEAR(s.diagnostics(1000).norm, 1.0, 1e-10);
}

// With absorption the norm is not conserved, but the loss per step is known exactly. A step is
// psi' = P1 K P0 psi with K unitary and |P0| = exp(-dt W(t_n) / 2D), |P1| = exp(-dt W(t_{n+1}) /
// 2D) pointwise (the other phase factors have unit modulus, also in the nonlinear case). Hence
//   sum exp(+dt W(t_{n+1}) / D) |psi'|^2 = ||K P0 psi||^2 = sum exp(-dt W(t_n) / D) |psi|^2
// exactly, for every step. W = alpha(t) W0 sum_a s_a^2 with the per-axis sponge profile
// s_a^2 = u^2, u = 1 - d / width in the layers (d the cell centre's distance from the edge in
// cells, width = sponge_width * n), 0 elsewhere. The identity holds to rounding (1e-12 relative
// per step; measured ~1e-16), with the schedule ramping alpha from wake to deep during the run
// (so alpha differs at the two ends of a step) and with MQP + connectivity on. It is the
// discrete form of d(norm)/dt = -(2/D) sum W rho dV.
std::vector<double> sponge_s2(const Axis& a, double fraction) {
  std::vector<double> s(a.n, 0.0);
  if (a.n <= 1) return s;
  const double width = fraction * static_cast<double>(a.n);
  for (std::size_t i = 0; i < a.n; ++i) {
    const double d = std::min(static_cast<double>(i) + 0.5, static_cast<double>(a.n - i) - 0.5);
    if (d < width) s[i] = std::pow(1.0 - d / width, 2);
  }
  return s;
}

TEST(Absorption, NormDecreasesMonotonicallyWithTheExactPerStepBalance) {
  NormCase c;
  c.model.mqp_coupling = 1.0;
  c.model.conn_beta = 5.0;
  c.model.sponge_w0 = 20.0;
  c.model.sponge_width = 0.25;
  c.model.schedule = {{"wake", 0.0, 0.0}, {"deep", 0.8, 0.2}};
  c.model.transition_s = 0.5;
  const double time_unit_s = 2.0;    // t_s = 2 t: the ramp covers steps 20 .. 70 of 200
  c.init.kind = InitialKind::Noise;  // fills the whole box, sponge layers included
  c.init.width = {0.2, 0.2, 0.2};
  std::array<std::vector<double>, 3> s2;
  for (int a = 0; a < 3; ++a) s2[a] = sponge_s2(c.grid.axes[a], c.model.sponge_width);
  auto weighted = [&](const State& psi, double alpha, double sign) {
    double sum = 0.0;
    for (std::size_t ir = 0; ir < c.grid.nr(); ++ir) {
      for (std::size_t iy = 0; iy < c.grid.ny(); ++iy) {
        for (std::size_t ix = 0; ix < c.grid.nx(); ++ix) {
          const double w = alpha * c.model.sponge_w0 * (s2[0][ix] + s2[1][iy] + s2[2][ir]);
          sum += std::exp(sign * c.dt * w / c.model.D) * std::norm(psi[c.grid.index(ix, iy, ir)]);
        }
      }
    }
    return sum * c.grid.dV();
  };
  auto alpha_at_step = [&](uint64_t k) {
    return c.model.alpha_at(static_cast<double>(k) * c.dt * time_unit_s);
  };
  FieldSolver<double> s(c.grid, c.model, c.dt, time_unit_s, SolverKind::Adi, Precision::Double);
  s.set_state(initial_state(c.grid, c.model, c.init));
  State psi = s.state();
  double norm = grid_norm(c.grid, psi), worst_balance = 0.0;
  for (uint64_t k = 0; k < 200; ++k) {
    s.step(k);
    const State next = s.state();
    const double lhs = weighted(next, alpha_at_step(k + 1), +1.0);
    const double rhs = weighted(psi, alpha_at_step(k), -1.0);
    worst_balance = std::max(worst_balance, std::abs(lhs - rhs) / rhs);
    const double next_norm = grid_norm(c.grid, next);
    // Non-increasing up to rounding: before the ramp (alpha = 0) the norm is conserved and
    // wobbles by ~1e-16 per step, so allow 1e-14 relative.
    EXPECT_LE(next_norm, norm * (1.0 + 1e-14)) << "step " << k;
    psi = next;
    norm = next_norm;
  }
  std::cout << "CONSERVATION absorption balance worst " << worst_balance << ", final norm " << norm
            << "\n";
  EXPECT_LT(worst_balance, 1e-12);
  EXPECT_LT(norm, 0.9) << "the sponge must absorb a visible fraction for the test to mean much";
  EXPECT_NEAR(s.diagnostics(200).norm, norm, 1e-14) << "Diagnostics::norm is sum |psi|^2 dV";
}

}  // namespace
}  // namespace qneuro::field
