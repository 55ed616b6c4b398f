// The fused geometric scores (src/flux/geometric_scores.cpp) against the tensor-operation
// reference: values and the gradients in sim, bias and tau (against the reference in double, so
// the check does not share the float rounding of either), exact zeros above the diagonal, and
// bit-identical results for 1 and 2 threads.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include "geometric_scores.hpp"

namespace qneuro::flux {
namespace {

using torch::Tensor;

struct Case {
  int64_t B, H, T;
  bool bias;
};

struct Result {
  Tensor A, d_sim, d_bias, d_tau;
};

/// Scores and the gradients of sum(w * A) for the inputs of seed `seed`, by either path.
Result run(const Case& c, bool fused, torch::Dtype dtype, uint64_t seed) {
  torch::manual_seed(static_cast<int64_t>(seed));
  const Tensor sim0 = 2.0 * torch::randn({c.B, c.H, c.T, c.T});
  const Tensor bias0 = 0.3 * torch::randn({c.B, c.T, c.T});
  const Tensor w = torch::randn({c.B, c.H, c.T, c.T}).to(dtype);
  Tensor sim = sim0.to(dtype).requires_grad_(true);
  Tensor bias = c.bias ? bias0.to(dtype).requires_grad_(true) : Tensor();
  Tensor tau = torch::full({1}, 3.0, dtype).requires_grad_(true);
  const Tensor A = fused ? geometric_scores_fused(sim, bias, tau, 0.5)
                         : geometric_scores_reference(sim, bias, tau, 0.5, true);
  (w * A).sum().backward();
  return {A.detach(), sim.grad(), c.bias ? bias.grad() : Tensor(), tau.grad()};
}

double max_diff(const Tensor& a, const Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

TEST(GeometricScores, FusedMatchesTheReferenceInValuesAndGradients) {
  for (const Case c : {Case{2, 3, 1, true}, Case{2, 3, 7, true}, Case{1, 2, 37, false},
                       Case{3, 4, 64, true}, Case{1, 1, 130, true}}) {
    const Result f = run(c, true, torch::kFloat, 1);
    const Result r = run(c, false, torch::kDouble, 1);
    const std::string what = "T " + std::to_string(c.T);
    EXPECT_LT(max_diff(f.A, r.A), 2e-6) << what;
    EXPECT_TRUE(torch::equal(f.A.triu(1), torch::zeros_like(f.A))) << what;
    const Tensor rows = f.A.sum(-1);
    EXPECT_LT(max_diff(rows, torch::ones_like(rows)), 1e-5) << what;
    const double scale = r.d_sim.abs().max().item<double>();
    // (For T = 1 the one score is 1 whatever its inputs: every gradient is 0 on both paths.)
    EXPECT_LE(max_diff(f.d_sim, r.d_sim), 2e-5 * scale) << what;
    if (c.bias) {
      EXPECT_LE(max_diff(f.d_bias, r.d_bias), 2e-5 * r.d_bias.abs().max().item<double>()) << what;
    }
    EXPECT_NEAR(f.d_tau.item<double>(), r.d_tau.item<double>(),
                1e-4 * (1.0 + std::abs(r.d_tau.item<double>())))
        << what;
  }
}

TEST(GeometricScores, FusedIsBitIdenticalForOneAndTwoThreads) {
  const int threads = at::get_num_threads();
  const Case c{3, 4, 50, true};
  at::set_num_threads(1);
  const Result one = run(c, true, torch::kFloat, 2);
  at::set_num_threads(2);
  const Result two = run(c, true, torch::kFloat, 2);
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one.A, two.A));
  EXPECT_TRUE(torch::equal(one.d_sim, two.d_sim));
  EXPECT_TRUE(torch::equal(one.d_bias, two.d_bias));
  EXPECT_TRUE(torch::equal(one.d_tau, two.d_tau));
}

}  // namespace
}  // namespace qneuro::flux
