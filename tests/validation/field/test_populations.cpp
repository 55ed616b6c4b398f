// Issue 20: several populations (params.populations, simulation.hpp).
//
//   zero coupling   With W = identity each population evolves exactly (bit for bit) like a
//                   single-population run of its own parameters, and the electrodes read
//                   sum_j c_j rho_j.
//   energy budget   With a symmetric W and a symmetric connectivity operator (g E = 1 everywhere)
//                   the coupled system has the Hamiltonian
//                     H = sum_j (E_kin,j + E_ext,j) + 1/2 sum_jk W_jk <rho_j, V_conn[rho_k]>,
//                   which the Strang scheme conserves to O(dt^2); each population's norm is
//                   conserved to rounding (a unitary step per population).
//   coupling acts   A nonzero W_jk changes population j.
//   contract        bit-identical for 1 and 2 threads; a checkpoint resumes bit-identically.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "field_validation.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/field/simulation.hpp"

namespace qneuro::field {
namespace {

using namespace validation;

FieldParams small_run() {
  FieldParams p;
  p.grid = make_grid(Axis{24, 0.08, Boundary::Periodic}, Axis{20, 0.08, Boundary::Periodic},
                     Axis{8, 0.1, Boundary::Neumann});
  p.model.harmonic_omega = {20.0, 20.0, 12.0};
  p.model.mqp_coupling = 0.1;
  p.model.conn_beta = 2.0;
  p.model.conn_length = 0.2;
  p.time.dt = 1.0 / 1024.0;
  p.time.steps = 96;
  p.readout.fs_hz = 256.0;
  p.readout.electrodes = {{-0.3, 0.0}, {0.3, 0.2}};
  p.initial.center = {0.2, 0.0, 0.1};
  p.initial.width = {0.2, 0.2, 0.2};
  p.output.diag_every = 32;
  return p;
}

FieldParams two_populations(FieldParams p, std::vector<double> coupling) {
  PopulationParams exc, inh;
  exc.name = "exc";
  exc.D = p.model.D;
  exc.harmonic_omega = p.model.harmonic_omega;
  exc.initial_center = p.initial.center;
  exc.readout = 1.0;
  inh = exc;
  inh.name = "inh";
  inh.D = 0.2;
  inh.harmonic_omega = {16.0, 24.0, 10.0};
  inh.initial_center = {-0.2, 0.1, -0.1};
  inh.readout = -0.5;
  exc.coupling = {coupling[0], coupling[1]};
  inh.coupling = {coupling[2], coupling[3]};
  p.populations = {exc, inh};
  return p;
}

/// The single-population run equal to population j of `multi`.
FieldParams alone(const FieldParams& multi, std::size_t j) {
  FieldParams p = multi;
  p.model = multi.population_model(j);
  p.model.population = 0;
  p.initial = multi.population_initial(j);
  p.populations.clear();
  return p;
}

TEST(Populations, ZeroCouplingEqualsSingleRuns) {
  const FieldParams multi = two_populations(small_run(), {1.0, 0.0, 0.0, 1.0});
  Simulation sim(multi);
  sim.start();
  ASSERT_EQ(sim.run(), RunStatus::Completed) << sim.stop_reason();
  std::vector<std::vector<double>> expected_uv(multi.readout.electrodes.size());
  for (std::size_t j = 0; j < 2; ++j) {
    Simulation single(alone(multi, j));
    single.start();
    ASSERT_EQ(single.run(), RunStatus::Completed);
    EXPECT_TRUE(sim.solver(j).state() == single.solver().state()) << "population " << j;
    const auto& rows = sim.record().population_diagnostics[j];
    ASSERT_EQ(rows.size(), single.record().diagnostics.size());
    EXPECT_EQ(rows.back().energy, single.record().diagnostics.back().energy);
    for (std::size_t e = 0; e < expected_uv.size(); ++e) {
      const auto& s = single.record().signals_uv[e];
      expected_uv[e].resize(s.size(), 0.0);
      for (std::size_t i = 0; i < s.size(); ++i) expected_uv[e][i] += multi.populations[j].readout * s[i];
    }
  }
  // The electrodes read c_exc rho_exc + c_inh rho_inh (equal up to the order of the sums).
  for (std::size_t e = 0; e < expected_uv.size(); ++e) {
    EXPECT_LT(rel_rms(sim.record().signals_uv[e], expected_uv[e]), 1e-12) << "electrode " << e;
  }
  EXPECT_NEAR(sim.record().diagnostics.back().norm, 1.0, 1e-10);
}

/// Relative drift of the system energy over a coupled run, and the worst population norm error.
std::pair<double, double> coupled_drift(double dt, uint64_t steps) {
  FieldParams p = two_populations(small_run(), {1.0, 0.6, 0.6, -0.5});
  p.model.mqp_coupling = 0.0;
  // g E = 1 on every site: V_conn = beta K * rho is a symmetric operator.
  p.model.conn_sigma = 0.0;
  p.model.conn_mu = 0.0;
  p.model.conn_threshold = 0.0;
  p.model.conn_p_exc = 1.0;
  p.model.conn_beta = 6.0;
  p.time.dt = dt;
  p.time.steps = steps;
  p.readout.fs_hz = 1.0 / (dt * 4.0);
  p.output.diag_every = steps;
  Simulation sim(p);
  sim.start();
  EXPECT_EQ(sim.run(), RunStatus::Completed) << sim.stop_reason();
  const auto& d = sim.record().diagnostics;
  double norm_err = 0.0;
  for (const auto& rows : sim.record().population_diagnostics) {
    norm_err = std::max(norm_err, std::abs(rows.back().norm - rows.front().norm));
  }
  EXPECT_NE(d.back().e_connectivity, 0.0);
  return {(d.back().energy - d.front().energy) / std::abs(d.front().energy), norm_err};
}

TEST(Populations, SymmetricCouplingConservesTheSystemEnergy) {
  const double T = 0.125;
  const auto [coarse, norm_c] = coupled_drift(1.0 / 512.0, static_cast<uint64_t>(T * 512));
  const auto [fine, norm_f] = coupled_drift(1.0 / 1024.0, static_cast<uint64_t>(T * 1024));
  std::printf("POPULATIONS energy drift over %.3f: dt 1/512 %.3e, dt 1/1024 %.3e (ratio %.2f); "
              "norm error %.1e\n",
              T, coarse, fine, coarse / fine, std::max(norm_c, norm_f));
  EXPECT_LT(std::abs(fine), 1e-3);
  // Second order in dt: halving dt divides the drift by about 4.
  EXPECT_GT(std::abs(coarse / fine), 2.5);
  EXPECT_LT(std::max(norm_c, norm_f), 1e-11);
}

TEST(Populations, CouplingChangesThePopulations) {
  Simulation uncoupled(two_populations(small_run(), {1.0, 0.0, 0.0, 1.0}));
  Simulation coupled(two_populations(small_run(), {1.0, -3.0, 3.0, 1.0}));
  uncoupled.start();
  coupled.start();
  ASSERT_EQ(uncoupled.run(), RunStatus::Completed);
  ASSERT_EQ(coupled.run(), RunStatus::Completed) << coupled.stop_reason();
  for (std::size_t j = 0; j < 2; ++j) {
    const double d = rel_l2(coupled.solver(j).state(), uncoupled.solver(j).state());
    std::printf("POPULATIONS coupling moves population %zu by %.3e (relative L2)\n", j, d);
    EXPECT_GT(d, 1e-4);
  }
}

// Regression: with absorption, each population's norm was checked against the previous *mean*
// norm, so a population kept away from the sponges (norm ~1) "grew" past a decaying mean and the
// run stopped (found in the sleep-cycle sweep with state.w0 = 10).
TEST(Populations, AbsorptionHealthCheckFollowsEachPopulation) {
  FieldParams p = two_populations(small_run(), {1.0, 0.0, 0.0, 1.0});
  p.model.schedule = {{"deep", 0.8, 0.0, 0.05}};
  p.model.sponge_w0 = 200.0;
  p.grid.axes[2] = Axis{16, 0.1, Boundary::Neumann};
  p.model.sponge_width = 0.1;  // the outer 0.19 of each end of x and y, 0.16 of r
  p.initial.width = {0.12, 0.12, 0.12};
  p.populations[0].initial_center = {0.0, 0.0, 0.0};     // in the middle: hardly absorbed
  p.populations[1].initial_center = {0.85, -0.85, 0.0};  // in the sponge layers
  p.populations[1].harmonic_omega = {0.0, 0.0, 0.0};
  p.output.diag_every = 8;
  p.output.checkpoint_every = 16;
  Simulation sim(p);
  sim.start();
  Simulation::Callbacks cb;
  cb.checkpoint = [](uint64_t) {};  // run the pre-checkpoint health check too
  ASSERT_EQ(sim.run(cb), RunStatus::Completed) << sim.stop_reason();
  const auto& rows = sim.record().population_diagnostics;
  std::printf("POPULATIONS absorbed: exc norm %.4f, inh norm %.4f\n", rows[0].back().norm,
              rows[1].back().norm);
  EXPECT_GT(rows[0].back().norm, 0.99);
  EXPECT_LT(rows[1].back().norm, 0.9);
}

TEST(Populations, ThreadCountDoesNotChangeACoupledRun) {
  FieldParams p = two_populations(small_run(), {1.0, -0.7, 0.5, 0.8});
  p.model.dephasing_rate_hz = 3.0;
  p.model.dephasing_length = 0.3;
  p.model.schedule = {{"wake", 0.0, 0.0, 1.0}};
  p.time.steps = 24;
  State out[2][2];
  for (int threads : {1, 2}) {
    const parallel::ScopedThreads scoped(threads);
    Simulation sim(p);
    sim.start();
    ASSERT_EQ(sim.run(), RunStatus::Completed);
    for (std::size_t j = 0; j < 2; ++j) out[threads - 1][j] = sim.solver(j).state();
  }
  EXPECT_TRUE(out[0][0] == out[1][0]);
  EXPECT_TRUE(out[0][1] == out[1][1]);
  // The two populations draw different dephasing kicks (the population is part of the entity).
  EXPECT_FALSE(out[0][0] == out[0][1]);
}

TEST(Populations, CheckpointResumesBitIdentically) {
  FieldParams p = two_populations(small_run(), {1.0, -0.7, 0.5, 0.8});
  const auto dir = std::filesystem::temp_directory_path() /
                   ("qneuro_populations_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Simulation full(p);
  full.start();
  ASSERT_EQ(full.run(), RunStatus::Completed);
  FieldParams half = p;
  half.time.steps = 48;
  Simulation first(half);
  first.start();
  ASSERT_EQ(first.run(), RunStatus::Completed);
  first.write_checkpoint(dir / "c.h5", "fp");
  Simulation second(p);
  second.resume(dir / "c.h5", "fp");
  ASSERT_EQ(second.run(), RunStatus::Completed);
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_TRUE(second.solver(j).state() == full.solver(j).state()) << "population " << j;
  }
  EXPECT_EQ(second.record().signals_uv, full.record().signals_uv);
  // Every diagnostics row: the system's (a checkpoint once overwrote them with population 0's)
  // and each population's.
  auto same_rows = [](const std::vector<Diagnostics>& a, const std::vector<Diagnostics>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i].step != b[i].step || a[i].norm != b[i].norm || a[i].energy != b[i].energy ||
          a[i].e_connectivity != b[i].e_connectivity) {
        return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(same_rows(second.record().diagnostics, full.record().diagnostics));
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_TRUE(same_rows(second.record().population_diagnostics[j],
                          full.record().population_diagnostics[j]))
        << "population " << j;
  }
  EXPECT_NE(full.record().diagnostics.back().energy,
            full.record().population_diagnostics[0].back().energy);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace qneuro::field
