// Issue 20: the state-dependent dephasing (field/dephasing.hpp) against its analytic rates.
//
//   coherence  On a periodic box the kinetic step leaves the k = 0 amplitude c0 = <psi> unchanged
//              (the discrete Laplacian and its Cayley factors annihilate constants), and the kick
//              of step n is independent of the state it multiplies, so
//              E[c0(n+1)] = E[c0(n)] <exp(-i phi)> = E[c0(n)] exp(-Gamma dt_s)   exactly:
//              |c0(t)| / |c0(0)| = exp(-Gamma t) up to the sampling noise of one realisation.
//   heating    One white-noise kick of variance s^2 on a uniform state raises the discrete
//              kinetic energy from 0 to D^2 norm sum_a gamma_a (2/h_a^2) (1 - exp(-s^2)) in
//              expectation (each bond's phase difference has variance 2 s^2).
//   noise      The correlated field xi has unit variance at every node, is correlated over the
//              lattice spacing and independent beyond it.
//   contract   The norm is conserved to rounding; runs are bit-identical for 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "field_validation.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/field/dephasing.hpp"

namespace qneuro::field {
namespace {

using namespace validation;

Grid periodic_box() {
  return make_grid(Axis{32, 0.1, Boundary::Periodic}, Axis{32, 0.1, Boundary::Periodic},
                   Axis{16, 0.1, Boundary::Periodic});
}

ModelParams dephasing_model(double rate_hz, double length) {
  ModelParams m = ModelParams::plain();
  m.dephasing_rate_hz = rate_hz;
  m.dephasing_length = length;
  m.schedule = {{"wake", 0.0, 0.0, 1.0}};
  return m;
}

State uniform_state(const Grid& g) {
  return State(g.size(), Cd(1.0 / std::sqrt(static_cast<double>(g.size()) * g.dV()), 0.0));
}

Cd mean_amplitude(const State& psi) {
  Cd s = 0.0;
  for (const Cd& z : psi) s += z;
  return s / static_cast<double>(psi.size());
}

TEST(Dephasing, CoherentAmplitudeDecaysAtTheAnalyticRate) {
  const Grid g = make_grid(Axis{48, 0.1, Boundary::Periodic}, Axis{48, 0.1, Boundary::Periodic},
                           Axis{16, 0.1, Boundary::Periodic});
  const double rate = 5.0, dt = 1.0 / 512.0;
  const ModelParams m = dephasing_model(rate, 0.0);
  auto solver = make_solver(g, m, dt, 1.0, SolverKind::Adi, Precision::Double);
  // A uniform state plus a plane wave: the wave keeps the kinetic step busy (it must not
  // disturb c0), the uniform part is the coherent amplitude being measured.
  State psi = uniform_state(g);
  for (std::size_t ix = 0; ix < g.nx(); ++ix) {
    for (std::size_t i = 0; i < g.ny() * g.nr(); ++i) {
      psi[i * g.nx() + ix] += 0.5 * psi[0] *
                              std::polar(1.0, 2.0 * std::numbers::pi * 3.0 * double(ix) /
                                                  double(g.nx()));
    }
  }
  solver->set_state(psi);
  const Cd c0 = mean_amplitude(psi);
  double worst = 0.0;
  for (uint64_t n = 0; n < 96; ++n) {
    solver->step(n);
    if ((n + 1) % 16 == 0) {
      const double t = double(n + 1) * dt;
      const double measured = std::abs(mean_amplitude(solver->state())) / std::abs(c0);
      const double expected = std::exp(-rate * t);
      std::printf("DEPHASING t = %.4f s  |c0| ratio %.5f  exp(-Gamma t) %.5f\n", t, measured,
                  expected);
      worst = std::max(worst, std::abs(measured - expected) / expected);
    }
  }
  // Sampling error of one realisation: step n adds to c0 a term of variance
  // s^2 <|psi|^2> / N (s^2 = 2 Gamma dt, N = 36864 independent kicks), so the relative error
  // of |c0(t)| has variance about sum_n s^2 (<|psi|^2> / |c0(0)|^2) e^{2 Gamma t_n} / (2N):
  // 1.0 % at Gamma t = 0.94 (<|psi|^2> = 1.25 |c0(0)|^2 with the wave). Allow 4 %.
  EXPECT_LT(worst, 0.04);
  // The rate really acts: after 96 steps exp(-Gamma t) = 0.39.
  EXPECT_LT(std::abs(mean_amplitude(solver->state())) / std::abs(c0), 0.45);
}

TEST(Dephasing, CorrelatedNoiseDecaysAtTheSameRate) {
  // With l = 0.4 (8 cells) the lattice holds 8 x 8 x 4 values per step: fewer independent
  // kicks, so average |c0| over 6 seeds. The rate does not depend on l (unit variance per node).
  // |c0| slightly overestimates |E c0|: pairs of nodes closer than l share their phase, so
  // E|c0|^2 = exp(-2 Gamma t) + f (1 - exp(-2 Gamma t)) with f ~ 1/256 the fraction of such
  // pairs, a bias of about 3 % at Gamma t = 1; the tolerance is 10 %.
  const Grid g = periodic_box();
  const double rate = 4.0, dt = 1.0 / 512.0;
  const uint64_t steps = 128;
  double mean_ratio = 0.0;
  const int seeds = 6;
  for (int seed = 1; seed <= seeds; ++seed) {
    ModelParams m = dephasing_model(rate, 0.4);
    m.dephasing_seed = static_cast<uint32_t>(seed);
    auto solver = make_solver(g, m, dt, 1.0, SolverKind::Adi, Precision::Double);
    solver->set_state(uniform_state(g));
    advance(*solver, 0, steps);
    mean_ratio += std::abs(mean_amplitude(solver->state())) /
                  std::abs(mean_amplitude(uniform_state(g))) / seeds;
  }
  const double expected = std::exp(-rate * double(steps) * dt);
  std::printf("DEPHASING correlated l = 0.4: mean |c0| ratio %.4f, exp(-Gamma t) %.4f\n",
              mean_ratio, expected);
  EXPECT_NEAR(mean_ratio / expected, 1.0, 0.1);
}

TEST(Dephasing, OneKickHeatsAUniformStateAsPredicted) {
  const Grid g = make_grid(Axis{40, 0.1, Boundary::Periodic}, Axis{40, 0.1, Boundary::Periodic},
                           Axis{20, 0.2, Boundary::Periodic});
  const double dt = 1.0 / 256.0, rate = 40.0;  // kick variance s^2 = 2 Gamma dt = 0.3125
  ModelParams m = dephasing_model(rate, 0.0);
  m.gamma_r = 0.5;
  auto solver = make_solver(g, m, dt, 1.0, SolverKind::Adi, Precision::Double);
  solver->set_state(uniform_state(g));
  const Diagnostics before = solver->diagnostics(0);
  solver->step(0);  // the kinetic part leaves a uniform state unchanged; then one kick
  const Diagnostics after = solver->diagnostics(1);
  const double s2 = 2.0 * rate * dt;
  double bonds = 0.0;
  const double gamma[3] = {1.0, 1.0, m.gamma_r};
  for (int a = 0; a < 3; ++a) bonds += gamma[a] * 2.0 / (g.axes[a].h * g.axes[a].h);
  const double expected = m.D * m.D * after.norm * bonds * (1.0 - std::exp(-s2));
  std::printf("DEPHASING heating: E_kin %.6g -> %.6g, expected %.6g\n", before.e_kinetic,
              after.e_kinetic, expected);
  EXPECT_NEAR(before.e_kinetic, 0.0, 1e-12);
  EXPECT_NEAR(after.e_kinetic / expected, 1.0, 0.02);  // 32000 nodes: ~0.5 % sampling error
  EXPECT_NEAR(after.norm, before.norm, 1e-13);         // a pure phase
}

TEST(Dephasing, CorrelatedNoiseHasUnitVarianceAndItsCorrelationLength) {
  const Grid g = make_grid(Axis{64, 0.05, Boundary::Periodic}, Axis{8, 0.05, Boundary::Neumann},
                           Axis{1, 1.0, Boundary::Periodic});
  const ModelParams m = dephasing_model(1.0, 0.4);  // 8 cells per lattice interval along x
  const Dephasing d(g, m);
  EXPECT_EQ(d.lattice()[0], 8u);  // periodic: m = 3.2 / 0.4 intervals, wrapping
  EXPECT_EQ(d.lattice()[1], 2u);  // Neumann: L = 0.4 -> m = 1 interval, 2 nodes
  EXPECT_EQ(d.lattice()[2], 1u);  // one cell
  const int samples = 4000;
  const std::size_t probe[] = {0, 3, 4, 37};  // on, between and off lattice nodes
  std::vector<double> xi;
  double var[4] = {0, 0, 0, 0}, c1 = 0.0, c16 = 0.0;
  for (int n = 0; n < samples; ++n) {
    d.noise(static_cast<uint64_t>(n), xi);
    for (int i = 0; i < 4; ++i) var[i] += xi[probe[i]] * xi[probe[i]] / samples;
    c1 += xi[10] * xi[11] / samples;   // neighbours
    c16 += xi[10] * xi[26] / samples;  // two lattice intervals apart
  }
  for (int i = 0; i < 4; ++i) {
    std::printf("DEPHASING var(xi) at node %zu: %.3f\n", probe[i], var[i]);
    EXPECT_NEAR(var[i], 1.0, 0.1);  // standard error sqrt(2/4000) = 0.022
  }
  std::printf("DEPHASING corr 1 cell %.3f, 16 cells %.3f\n", c1, c16);
  EXPECT_GT(c1, 0.9);
  EXPECT_NEAR(c16, 0.0, 0.1);
}

TEST(Dephasing, KeepsTheNormAndIsThreadIndependent) {
  const Grid g = make_grid(Axis{20, 0.12, Boundary::Periodic}, Axis{16, 0.12, Boundary::Neumann},
                           Axis{6, 0.15, Boundary::Dirichlet});
  for (const double length : {0.0, 0.5}) {
    ModelParams m = dephasing_model(8.0, length);
    m.harmonic_omega = {2.0, 3.0, 1.0};
    m.mqp_coupling = 1.0;
    m.conn_beta = 4.0;
    InitialParams init;
    init.center = {0.2, 0.1, 0.0};
    init.width = {0.3, 0.3, 0.2};
    State out[2];
    for (int threads : {1, 2}) {
      const parallel::ScopedThreads scoped(threads);
      auto solver = make_solver(g, m, 0.004, 1.0, SolverKind::Adi, Precision::Double);
      solver->set_state(initial_state(g, m, init));
      advance(*solver, 0, 40);
      out[threads - 1] = solver->state();
      const double norm = grid_norm(g, out[threads - 1]);
      EXPECT_NEAR(norm, 1.0, 1e-11) << "l = " << length;
    }
    EXPECT_TRUE(out[0] == out[1]) << "1 and 2 threads differ, l = " << length;
  }
}

}  // namespace
}  // namespace qneuro::field
