// Case 9: results are bit-identical for 1 and 2 threads.
//
// The solver's contract (solver.hpp): every node's arithmetic is independent of the partition and
// reductions combine per-slab partials in a fixed order. These tests run the same configuration
// under parallel::ScopedThreads(1) and (2) and compare the states bit for bit (operator== on
// every complex value, i.e. exactly), plus the diagnostics. nr >= 2 and ny >= 2 so that the
// r-slab and y-plane loops are really split between the threads.
//
// The rest of the suite runs single-threaded (the environment below): its grids are tiny, so
// OpenMP barriers cost more than the work, and on a busy 2-core machine spinning threads slow
// the suite down by 10-50x. Because results do not depend on the thread count -- which is what
// this file checks, for every code path the other tests use (ADI linear and nonlinear, split-step,
// double, float, mixed) -- running them on one thread loses no coverage.
#include <gtest/gtest.h>

#include <cstring>

#include "field_validation.hpp"
#include "qneuro/core/parallel.hpp"

namespace qneuro::field {
namespace {

using namespace validation;

class SingleThreadEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    previous_ = parallel::max_threads();
    parallel::set_threads(1);
  }
  void TearDown() override { parallel::set_threads(previous_); }

 private:
  int previous_ = 1;
};

[[maybe_unused]] ::testing::Environment* const kSingleThread =
    ::testing::AddGlobalTestEnvironment(new SingleThreadEnvironment);

struct ThreadCase {
  Grid grid = make_grid(Axis{20, 0.12, Boundary::Periodic}, Axis{16, 0.12, Boundary::Neumann},
                        Axis{6, 0.15, Boundary::Dirichlet});
  ModelParams model = ModelParams::plain();
  InitialParams init;
  SolverKind solver = SolverKind::Adi;
  Precision precision = Precision::Double;
  double dt = 0.004;
  // Few steps: enough for every term to act (the stimulus switches on at step 8, alpha ramps
  // from step 5 to 15), and cheap even when the two threads compete with other processes for
  // the cores (each OpenMP barrier may then wait a scheduler time slice).
  uint64_t steps = 24;

  /// MQP + connectivity + absorption (ramping in) + stimulus (switching on mid-run).
  ThreadCase() {
    model.harmonic_omega = {2.0, 3.0, 1.0};
    model.mqp_coupling = 1.0;
    model.mqp_scale = 2.0;
    model.conn_beta = 4.0;
    model.schedule = {{"wake", 0.0, 0.0}, {"light", 0.3, 0.02}};
    model.transition_s = 0.04;
    model.sponge_w0 = 5.0;
    model.sponge_width = 0.2;
    model.stim_amplitude = 15.0;
    model.stim_center = {0.3, -0.2, 0.0};
    model.stim_freq_hz = 5.0;
    model.stim_t0_s = 0.03;
    init.kind = InitialKind::Noise;
    init.width = {0.2, 0.2, 0.2};
    init.center = {0.0, 0.0, 0.0};
  }
};

struct RunResult {
  State psi;
  Diagnostics diag;
};

RunResult run_with_threads(const ThreadCase& c, int threads) {
  const parallel::ScopedThreads scoped(threads);
  EXPECT_EQ(parallel::max_threads(), threads);
  auto s = make_solver(c.grid, c.model, c.dt, 1.0, c.solver, c.precision);
  s->set_state(initial_state(c.grid, c.model, c.init));
  advance(*s, 0, c.steps);
  return {s->state(), s->diagnostics(c.steps)};
}

void expect_bit_identical(const ThreadCase& c, const char* what) {
  const RunResult one = run_with_threads(c, 1);
  const RunResult two = run_with_threads(c, 2);
  ASSERT_EQ(one.psi.size(), two.psi.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < one.psi.size(); ++i) {
    if (one.psi[i] != two.psi[i]) ++differing;
  }
  EXPECT_EQ(differing, 0u) << what << ": nodes differing between 1 and 2 threads";
  EXPECT_TRUE(one.diag.finite) << what;
  // Diagnostics reduce per slab in a fixed order: identical too.
  EXPECT_EQ(std::memcmp(&one.diag.norm, &two.diag.norm, sizeof(double)), 0) << what;
  EXPECT_EQ(std::memcmp(&one.diag.energy, &two.diag.energy, sizeof(double)), 0) << what;
  EXPECT_EQ(one.diag.mean_position, two.diag.mean_position) << what;
  // The run did something: absorption removed norm, the state moved away from the start.
  EXPECT_LT(one.diag.norm, 1.0) << what;
}

TEST(Threads, AdiWithMqpConnectivityAbsorptionAndStimulusIsBitIdentical) {
  expect_bit_identical(ThreadCase{}, "adi double");
}

TEST(Threads, AdiLinearFusedPathIsBitIdentical) {
  ThreadCase c;  // no MQP / connectivity: the fused phase + kinetic path of adi_kinetic
  c.model.mqp_coupling = 0.0;
  c.model.conn_beta = 0.0;
  expect_bit_identical(c, "adi linear");
}

TEST(Threads, FloatAndMixedAreBitIdentical) {
  ThreadCase c;
  c.precision = Precision::Float;
  expect_bit_identical(c, "adi float");
  c.precision = Precision::Mixed;
  expect_bit_identical(c, "adi mixed");
}

TEST(Threads, SplitStepIsBitIdentical) {
  ThreadCase c;
  c.grid.axes[1].bc = Boundary::Periodic;
  c.grid.axes[2].bc = Boundary::Periodic;
  c.solver = SolverKind::SplitStep;
  expect_bit_identical(c, "splitstep double");
}

}  // namespace
}  // namespace qneuro::field
