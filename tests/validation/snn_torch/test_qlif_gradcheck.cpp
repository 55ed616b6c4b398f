// Gradient checks of the fused QLIF layer's hand-written backward (reverse-time adjoint).
//
// 1. Finite differences (what torch.autograd.gradcheck does; LibTorch's C++ API has no gradcheck,
//    so gradcheck() below is its equivalent): in double, with fixed noise and uniforms and the
//    relaxed decision (qlif_step.hpp: the hard spike replaced by a smooth function whose
//    derivative is the surrogate, or z = p for the straight-through modes), the analytic
//    gradient of a random linear functional of (spikes, voltage) with respect to the input, the
//    modulation and every parameter equals central differences, for every case of qlif_cases.hpp.
// 2. The oracle: with hard spikes (the real training forward) the fused layer's gradients equal
//    autograd's through QLIFOracle (plain LibTorch ops), in double and in float.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "qlif_cases.hpp"
#include "qneuro/snn/torch/qlif_layer.hpp"
#include "qneuro/snn/torch/qlif_oracle.hpp"

namespace qneuro::snn {
namespace {

using testing::all_cases;
using testing::all_learnable;
using testing::Case;
using torch::Tensor;

constexpr int64_t kT = 7, kB = 2, kN = 3;

struct Problem {
  Tensor input, mod, xi, u, w_spikes, w_voltage;
};

Problem make_problem(const Case& c, torch::ScalarType dtype, int64_t T = kT, int64_t B = kB,
                     int64_t N = kN, double drive = 1.0) {
  torch::manual_seed(11);
  Problem pr;
  const auto opt = torch::TensorOptions().dtype(dtype);
  pr.input = drive * (0.6 + 1.4 * torch::rand({T, B, N}, opt));
  if (c.modulation) pr.mod = torch::randn({T, B, N}, opt);
  const int shots = c.params.mode == Mode::Quantum ? c.params.quantum_shots : 1;
  pr.xi = torch::randn({T, B, N}, opt);
  pr.u = 0.05 + 0.9 * torch::rand({shots, T, B, N}, opt);
  pr.w_spikes = torch::randn({T, B, N}, opt);
  pr.w_voltage = torch::randn({T, B, N}, opt);
  return pr;
}

/// Sets distinct per-neuron parameter values (so that neurons differ).
template <typename Layer>
void spread_parameters(Layer& layer) {
  torch::NoGradGuard no_grad;
  const auto n = layer->V_th.size(0);
  layer->V_th.add_(0.1 * torch::linspace(-1, 1, n, layer->V_th.options()));
  layer->q_scale.mul_(1.0 + 0.2 * torch::linspace(-1, 1, n, layer->q_scale.options()));
  layer->q_bias.add_(0.05 * torch::linspace(-1, 1, n, layer->q_bias.options()));
}

/// The scalar functional L = <w_s, spikes> + <w_v, voltage> of one fresh forward pass.
template <typename Layer>
Tensor functional(Layer& layer, const Problem& pr, const Tensor& input, const Tensor& mod,
                  bool relaxed) {
  layer->reset();
  QLIFRandoms r{pr.xi, pr.u, relaxed};
  const QLIFOutput out = layer->forward_with(input, mod, r);
  return (out.spikes * pr.w_spikes).sum() + (out.voltage * pr.w_voltage).sum();
}

/// Central differences of functional() with respect to every element of `target` (a leaf that
/// the functional reads), compared with the analytic gradient `analytic`.
template <typename Layer>
void check_against_differences(Layer& layer, const Problem& pr, Tensor input, Tensor mod,
                               Tensor target, const Tensor& analytic, const std::string& what) {
  torch::NoGradGuard no_grad;
  const double eps = 1e-6;
  Tensor flat = target.view({-1});
  const Tensor a = analytic.defined() ? analytic.reshape({-1}) : torch::zeros_like(flat);
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double x0 = flat[i].item<double>();
    flat[i] = x0 + eps;
    const double lp = functional(layer, pr, input, mod, true).item().toDouble();
    flat[i] = x0 - eps;
    const double lm = functional(layer, pr, input, mod, true).item().toDouble();
    flat[i] = x0;
    const double numeric = (lp - lm) / (2 * eps);
    const double got = a[i].item<double>();
    EXPECT_NEAR(got, numeric, 1e-6 + 1e-5 * std::abs(numeric)) << what << "[" << i << "]";
  }
}

class GradCheck : public ::testing::TestWithParam<Case> {};

TEST_P(GradCheck, AnalyticGradientEqualsCentralDifferences) {
  const Case& c = GetParam();
  QLIFLayer layer(all_learnable(c.params, kN));
  layer->to(torch::kDouble);
  spread_parameters(layer);
  const Problem pr = make_problem(c, torch::kDouble);
  Tensor input = pr.input.clone().requires_grad_(true);
  Tensor mod = c.modulation ? pr.mod.clone().requires_grad_(true) : Tensor();
  const Tensor loss = functional(layer, pr, input, mod, true);
  loss.backward();
  check_against_differences(layer, pr, input, mod, input.detach(), input.grad(), "input");
  if (c.modulation) {
    check_against_differences(layer, pr, input, mod, mod.detach(), mod.grad(), "modulation");
  }
  for (auto& item : layer->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key() << " has no gradient";
    check_against_differences(layer, pr, input, mod, item.value().detach(), item.value().grad(),
                              item.key());
  }
}

INSTANTIATE_TEST_SUITE_P(EveryMode, GradCheck, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

/// Gradients of (input, modulation, each parameter) after backward of the functional.
template <typename Layer>
std::vector<Tensor> gradients(Layer& layer, const Problem& pr, bool relaxed, Tensor* spikes) {
  Tensor input = pr.input.clone().requires_grad_(true);
  Tensor mod = pr.mod.defined() ? pr.mod.clone().requires_grad_(true) : Tensor();
  layer->reset();
  const QLIFOutput out = layer->forward_with(input, mod, QLIFRandoms{pr.xi, pr.u, relaxed});
  *spikes = out.spikes.detach();
  ((out.spikes * pr.w_spikes).sum() + (out.voltage * pr.w_voltage).sum()).backward();
  std::vector<Tensor> g{input.grad(), mod.defined() ? mod.grad() : Tensor()};
  for (auto& item : layer->named_parameters()) {
    const Tensor& gr = item.value().grad();
    g.push_back(gr.defined() ? gr : torch::zeros_like(item.value()));  // oracle: unused -> none
  }
  return g;
}

void expect_close(const std::vector<Tensor>& a, const std::vector<Tensor>& b, double rtol,
                  double atol) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].defined() && !b[i].defined()) continue;
    ASSERT_TRUE(a[i].defined() && b[i].defined()) << "gradient " << i;
    EXPECT_TRUE(torch::allclose(a[i], b[i], rtol, atol))
        << "gradient " << i << ": max |diff| = " << (a[i] - b[i]).abs().max().item<double>()
        << ", max |oracle| = " << b[i].abs().max().item<double>();
  }
}

class OracleAgreement : public ::testing::TestWithParam<Case> {};

TEST_P(OracleAgreement, HardSpikesDoubleMatchAutogradThroughPlainOps) {
  const Case& c = GetParam();
  QLIFLayer fused(all_learnable(c.params, 5));
  QLIFOracle oracle(all_learnable(c.params, 5));
  fused->to(torch::kDouble);
  oracle->to(torch::kDouble);
  spread_parameters(fused);
  spread_parameters(oracle);
  const Problem pr = make_problem(c, torch::kDouble, 30, 3, 5, 2.0);
  Tensor s_fused, s_oracle;
  const auto g_fused = gradients(fused, pr, false, &s_fused);
  const auto g_oracle = gradients(oracle, pr, false, &s_oracle);
  ASSERT_TRUE(torch::equal(s_fused, s_oracle));
  EXPECT_GT(s_fused.sum().item<double>(), 0.0) << "no spikes: the case tests too little";
  expect_close(g_fused, g_oracle, 1e-9, 1e-11);
}

TEST_P(OracleAgreement, FloatKernelMatchesOracleWithThePhiloxNumbers) {
  const Case& c = GetParam();
  QLIFLayer fused(all_learnable(c.params, 16, 3));
  QLIFOracle oracle(all_learnable(c.params, 16, 3));
  spread_parameters(fused);
  spread_parameters(oracle);
  Problem pr = make_problem(c, torch::kFloat, 30, 4, 16, 2.0);
  // The fused layer draws from Philox itself (the kernel); the oracle gets the same numbers.
  fused->reset();
  const QLIFRandoms r = fused->next_randoms(30, 4, torch::kFloat);
  pr.xi = r.xi;
  pr.u = r.u;
  Tensor input = pr.input.clone().requires_grad_(true);
  Tensor mod = pr.mod.defined() ? pr.mod.clone().requires_grad_(true) : Tensor();
  const QLIFOutput out = fused->forward(input, mod);
  ((out.spikes * pr.w_spikes).sum() + (out.voltage * pr.w_voltage).sum()).backward();
  std::vector<Tensor> g_fused{input.grad(), mod.defined() ? mod.grad() : Tensor()};
  for (auto& item : fused->named_parameters()) g_fused.push_back(item.value().grad());
  Tensor s_oracle;
  const auto g_oracle = gradients(oracle, pr, false, &s_oracle);
  // float elementary functions differ (the kernel's fast_math vs ATen's) by ~1 ulp; no spike
  // of this problem sits that close to its threshold
  const double flips = (out.spikes.detach() != s_oracle).sum().item<double>();
  ASSERT_EQ(flips, 0.0) << "spikes differ between the kernel and the oracle";
  EXPECT_GT(out.spikes.sum().item<double>(), 0.0) << "no spikes: the case tests too little";
  expect_close(g_fused, g_oracle, 2e-3, 2e-4);
}

INSTANTIATE_TEST_SUITE_P(EveryMode, OracleAgreement, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

}  // namespace
}  // namespace qneuro::snn
