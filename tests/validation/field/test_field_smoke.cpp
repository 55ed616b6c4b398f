// Placeholder-free smoke check: a Gaussian packet keeps its norm over a few ADI steps.
#include <gtest/gtest.h>

#include "qneuro/field/initial.hpp"
#include "qneuro/field/solver.hpp"

namespace qneuro::field {
namespace {

TEST(FieldSmoke, GaussianPacketKeepsNormOverTenSteps) {
  Grid g;
  g.axes = {Axis{16, 0.2, Boundary::Periodic}, Axis{16, 0.2, Boundary::Neumann},
            Axis{8, 0.2, Boundary::Dirichlet}};
  ModelParams m;
  InitialParams init;
  init.k0 = {2.0, 0.0, 0.0};
  FieldSolver<double> s(g, m, 1e-3, 1.0, SolverKind::Adi, Precision::Double);
  s.set_state(initial_state(g, m, init));
  for (uint64_t k = 0; k < 10; ++k) s.step(k);
  EXPECT_NEAR(s.diagnostics(10).norm, 1.0, 1e-12);
}

}  // namespace
}  // namespace qneuro::field
