// The per-axis Crank-Nicolson (Cayley) factor against a dense reference solve, for each boundary.
#include <gtest/gtest.h>

#include <complex>
#include <vector>

#include "qneuro/field/cayley.hpp"

namespace qneuro::field {
namespace {

using Cd = std::complex<double>;

// Dense (I - i mu T)^{-1} (I + i mu T) psi by Gaussian elimination.
std::vector<Cd> dense_cayley(std::size_t n, Boundary bc, double mu, std::vector<Cd> psi) {
  std::vector<std::vector<double>> T(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    T[i][i] = -2.0;
    if (i > 0) T[i][i - 1] += 1.0;
    if (i + 1 < n) T[i][i + 1] += 1.0;
  }
  if (bc == Boundary::Periodic) {
    T[0][n - 1] += 1.0;
    T[n - 1][0] += 1.0;
  } else if (bc == Boundary::Neumann) {
    T[0][0] += 1.0;
    T[n - 1][n - 1] += 1.0;
  }
  const Cd i_mu(0.0, mu);
  std::vector<Cd> rhs(n, 0.0);
  std::vector<std::vector<Cd>> A(n, std::vector<Cd>(n, 0.0));
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < n; ++c) {
      rhs[r] += ((r == c ? 1.0 : 0.0) + i_mu * T[r][c]) * psi[c];
      A[r][c] = (r == c ? 1.0 : 0.0) - i_mu * T[r][c];
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t r = k + 1; r < n; ++r) {
      const Cd f = A[r][k] / A[k][k];
      for (std::size_t c = k; c < n; ++c) A[r][c] -= f * A[k][c];
      rhs[r] -= f * rhs[k];
    }
  }
  std::vector<Cd> x(n);
  for (std::size_t k = n; k-- > 0;) {
    Cd s = rhs[k];
    for (std::size_t c = k + 1; c < n; ++c) s -= A[k][c] * x[c];
    x[k] = s / A[k][k];
  }
  return x;
}

class CayleyBoundary : public ::testing::TestWithParam<Boundary> {};

TEST_P(CayleyBoundary, LineAndBatchedMatchDenseSolve) {
  const std::size_t n = 13, count = 5;
  const double mu = 0.37;
  CayleyAxis<double> axis(n, GetParam(), mu);
  std::vector<Cd> lines(n * count), work(n * count);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t l = 0; l < count; ++l) {
      lines[j * count + l] = Cd(std::sin(0.3 * double(j + 7 * l)), std::cos(1.1 * double(j * l)));
    }
  }
  std::vector<Cd> batched = lines;
  axis.apply_lines(batched.data(), count, count, work.data());
  for (std::size_t l = 0; l < count; ++l) {
    std::vector<Cd> line(n);
    for (std::size_t j = 0; j < n; ++j) line[j] = lines[j * count + l];
    const auto ref = dense_cayley(n, GetParam(), mu, line);
    std::vector<Cd> single = line;
    axis.apply_line(single.data(), work.data());
    double norm_in = 0, norm_out = 0;
    for (std::size_t j = 0; j < n; ++j) {
      EXPECT_NEAR(std::abs(single[j] - ref[j]), 0.0, 1e-13) << "line " << l << " j " << j;
      EXPECT_NEAR(std::abs(batched[j * count + l] - ref[j]), 0.0, 1e-13);
      norm_in += std::norm(line[j]);
      norm_out += std::norm(single[j]);
    }
    EXPECT_NEAR(norm_out / norm_in, 1.0, 1e-14) << "the factor is unitary";
  }
}

INSTANTIATE_TEST_SUITE_P(AllBoundaries, CayleyBoundary,
                         ::testing::Values(Boundary::Periodic, Boundary::Neumann,
                                           Boundary::Dirichlet));

TEST(Cayley, NegativeMuInvertsTheFactor) {
  const std::size_t n = 9;
  CayleyAxis<double> fwd(n, Boundary::Periodic, 0.8), back(n, Boundary::Periodic, -0.8);
  std::vector<Cd> psi(n), work(n);
  for (std::size_t j = 0; j < n; ++j) psi[j] = Cd(double(j % 3), 1.0 / double(j + 1));
  const auto orig = psi;
  fwd.apply_line(psi.data(), work.data());
  back.apply_line(psi.data(), work.data());
  for (std::size_t j = 0; j < n; ++j) EXPECT_NEAR(std::abs(psi[j] - orig[j]), 0.0, 1e-14);
}

}  // namespace
}  // namespace qneuro::field
