// Case 7: n steps forward, then n steps with -dt from the end state, return to psi0.
//
// Linear, time-independent U: a step is S = P K P with P = exp(-i dt U / 2D) and K the product of
// Cayley factors; with -dt, P(-dt) = P(dt)^{-1} and each Cayley factor with -mu is the inverse of
// the one with +mu (cayley.hpp), and S(-dt) = P^{-1} K^{-1} P^{-1} = S(dt)^{-1} because the
// half phases sit symmetrically. So the round trip is the identity up to rounding.
//
// Nonlinear (MQP, connectivity): the forward step is psi_a = P[rho(psi_n)] psi_n, psi_b = K psi_a,
// psi_{n+1} = P[rho(psi_b)] psi_b. Unit-modulus phases leave rho unchanged, so
// rho(psi_{n+1}) = rho(psi_b) and rho(psi_a) = rho(psi_n): the reversed step evaluates exactly
// the same potentials and undoes the three factors in reverse order. The round trip is again
// exact in exact arithmetic (not only up to the splitting error); what remains is rounding,
// possibly amplified by the nonlinear dynamics' sensitivity to perturbations, which is measured.
//
// Steps use their own index k (t = k dt) in both directions; with time-independent potentials
// the index does not matter.
#include <gtest/gtest.h>

#include <iostream>

#include "field_validation.hpp"

namespace qneuro::field {
namespace {

using namespace validation;

struct ReverseCase {
  Grid grid = make_grid(Axis{20, 0.12, Boundary::Periodic}, Axis{14, 0.12, Boundary::Neumann},
                        Axis{8, 0.15, Boundary::Dirichlet});
  ModelParams model = ModelParams::plain();
  InitialParams init;
  double dt = 0.004;
  uint64_t steps = 200;
  SolverKind solver = SolverKind::Adi;

  ReverseCase() {
    model.harmonic_omega = {4.0, 3.0, 5.0};
    model.gamma_r = 0.8;
    init.center = {0.3, -0.2, 0.1};
    init.width = {0.35, 0.3, 0.3};
    init.k0 = {4.0, 2.0, -1.0};
  }
};

// rel L2 distance between psi0 and the state after `steps` forward and `steps` backward steps,
// and between psi0 and the turning point (to show that the state really changed).
std::pair<double, double> round_trip(const ReverseCase& c) {
  const State psi0 = initial_state(c.grid, c.model, c.init);
  FieldSolver<double> fwd(c.grid, c.model, c.dt, 1.0, c.solver, Precision::Double);
  fwd.set_state(psi0);
  advance(fwd, 0, c.steps);
  const State turn = fwd.state();
  FieldSolver<double> back(c.grid, c.model, -c.dt, 1.0, c.solver, Precision::Double);
  back.set_state(turn);
  advance(back, 0, c.steps);
  return {rel_l2(back.state(), psi0), rel_l2(turn, psi0)};
}

// 200 steps each way: rounding accumulates to ~400 steps x 1e-16 x O(10) per step ~ 1e-13
// (measured 2.2e-13 for ADI, 1.9e-14 for split-step); 1e-12 as requested. The state moves by
// O(1) in between (relative distance ~1.4 at the turning point).
TEST(Reversibility, LinearAdiRoundTripReturnsToInitialState) {
  const auto [err, moved] = round_trip(ReverseCase{});
  std::cout << "REVERSIBILITY linear adi " << err << " (moved " << moved << ")\n";
  EXPECT_LT(err, 1e-12);
  EXPECT_GT(moved, 0.5);
}

TEST(Reversibility, LinearSplitStepRoundTripReturnsToInitialState) {
  ReverseCase c;
  c.grid.axes[1].bc = Boundary::Periodic;
  c.grid.axes[2].bc = Boundary::Periodic;
  c.solver = SolverKind::SplitStep;
  const auto [err, moved] = round_trip(c);
  std::cout << "REVERSIBILITY linear splitstep " << err << " (moved " << moved << ")\n";
  EXPECT_LT(err, 1e-12);
  EXPECT_GT(moved, 0.5);
}

// Absorption is reversible too in the linear case: with -dt the damping factors become the
// exact inverse amplifications. The amplification (by up to exp(dt W_max / D) per step on the
// sponge nodes) also amplifies rounding, so the bound is looser: 1e-10 (measured 2.3e-13: with
// W0 = 2 the amplification stays small).
TEST(Reversibility, LinearWithAbsorptionRoundTripReturnsToInitialState) {
  ReverseCase c;
  c.model.schedule = {{"deep", 0.8, 0.0}};
  c.model.sponge_w0 = 2.0;
  c.model.sponge_width = 0.2;
  const auto [err, moved] = round_trip(c);
  std::cout << "REVERSIBILITY linear absorption " << err << " (moved " << moved << ")\n";
  EXPECT_LT(err, 1e-10);
}

// MQP (lambda_Q 1, kappa 2) with a small regularisation, eps_rel = 1e-3, alone and with Hartree
// connectivity, 20 steps each way. This is a stiff case (|Q| reaches 250 .. 600, a phase
// dt |Q| / 2D of 2 .. 4 rad per step), yet the round trip is exact up to rounding as argued
// above: measured 1.9e-14 and 2.0e-14, asserted 1e-12 (a splitting-level error would be
// >= dt^2 ~ 1e-5).
//
// Longer round trips in this stiff case do not come back (measured after 50 + 50, 100 + 100,
// 200 + 200 steps: 6e-6, 0.15, 0.23 with MQP; 0.02, 0.18, 0.29 with MQP + connectivity). That is
// not a reversal defect: the forward flow itself amplifies a 7e-14 perturbation of psi0 to 1e-5
// within 50 steps and to 0.08 within 100 (amplification 1e8 .. 1e12), so the rounding errors of
// the two passes are blown up. The next test shows that with a tamer Q the long round trip
// comes back.
TEST(Reversibility, NonlinearRoundTripIsExactUpToRounding) {
  ReverseCase c;
  c.steps = 20;
  c.model.mqp_coupling = 1.0;
  c.model.mqp_scale = 2.0;
  c.model.mqp_eps_rel = 1e-3;
  const auto [err_mqp, moved_mqp] = round_trip(c);
  std::cout << "REVERSIBILITY mqp(eps_rel 1e-3) 20 steps " << err_mqp << " (moved " << moved_mqp
            << ")\n";
  EXPECT_LT(err_mqp, 1e-12);
  EXPECT_GT(moved_mqp, 0.1);
  c.model.conn_beta = 5.0;
  const auto [err_all, moved_all] = round_trip(c);
  std::cout << "REVERSIBILITY mqp(eps_rel 1e-3)+connectivity 20 steps " << err_all << " (moved "
            << moved_all << ")\n";
  EXPECT_LT(err_all, 1e-12);
}

// 200 + 200 steps with a tamer Q. (a) MQP with the default-sized regularisation eps_rel = 0.05
// (|Q| <= ~50): the forward flow amplifies perturbations by ~1e4 over 200 steps, the round trip
// measures 1.5e-11. (b) eps_rel = 1e-3 but |Q| clamped to 30 (dt |Q| / 2D <= 0.2), with
// connectivity: measured 2.0e-11. Asserted 2e-10 for both (10x margin).
TEST(Reversibility, TameMqpLongRoundTripReturnsToInitialState) {
  ReverseCase c;
  c.model.mqp_coupling = 1.0;
  c.model.mqp_scale = 2.0;
  c.model.mqp_eps_rel = 0.05;
  const auto [err_mqp, moved_mqp] = round_trip(c);
  std::cout << "REVERSIBILITY mqp(eps_rel 0.05) 200 steps " << err_mqp << " (moved " << moved_mqp
            << ")\n";
  EXPECT_LT(err_mqp, 2e-10);
  EXPECT_GT(moved_mqp, 0.5);
  c.model.mqp_eps_rel = 1e-3;
  c.model.mqp_clamp = 30.0;
  c.model.conn_beta = 5.0;
  const auto [err, moved] = round_trip(c);
  std::cout << "REVERSIBILITY mqp(eps_rel 1e-3, clamp 30)+connectivity 200 steps " << err
            << " (moved " << moved << ")\n";
  EXPECT_LT(err, 2e-10);
  EXPECT_GT(moved, 0.5);
}

}  // namespace
}  // namespace qneuro::field
