// QLIFLayer's behaviour around the gradient: state carried across calls equals one long call,
// reset() starts a new episode of noise from the initial state, results and gradients do not
// depend on the thread count, the float kernel agrees with the scalar driver on the same Philox
// numbers, unused parameters get zero gradients, and bad shapes are InputErrors.
#include <gtest/gtest.h>

#include <omp.h>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/qlif_step.hpp"
#include "qneuro/snn/torch/qlif_layer.hpp"

namespace qneuro::snn {
namespace {

using torch::Tensor;

QLIFLayer quantum_layer(int64_t n) {
  NeuronParams p;
  p.tau = 5.0;
  return QLIFLayer(QLIFOptions(n).params(p).seed(5));
}

TEST(QLIFLayer, CarriedStateEqualsOneLongCall) {
  torch::manual_seed(1);
  const Tensor input = (1.5 * torch::rand({30, 3, 70})).requires_grad_(true);
  const Tensor w = torch::randn({30, 3, 70});
  auto whole = quantum_layer(70);
  auto pieces = quantum_layer(70);
  const QLIFOutput a = whole->forward(input);
  const Tensor first = input.slice(0, 0, 13).detach().requires_grad_(true);
  const Tensor second = input.slice(0, 13, 30).detach().requires_grad_(true);
  const QLIFOutput b1 = pieces->forward(first);  // cuts a four-step group
  const QLIFOutput b2 = pieces->forward(second);
  EXPECT_TRUE(torch::equal(a.spikes, torch::cat({b1.spikes, b2.spikes})));
  EXPECT_TRUE(torch::equal(a.voltage, torch::cat({b1.voltage, b2.voltage})));
  EXPECT_EQ(pieces->time(), 30u);
  EXPECT_GT(a.spikes.sum().item<double>(), 0.0);
  // The second call's backward replays from the state it saved (the first call's replays from
  // the rebuilt initial state): the gradient of its input equals the long call's, since the
  // adjoint of steps 13.. never looks further back.
  ((a.spikes + a.voltage) * w).sum().backward();
  ((b2.spikes + b2.voltage) * w.slice(0, 13, 30)).sum().backward();
  EXPECT_TRUE(torch::equal(input.grad().slice(0, 13, 30), second.grad()));
}

TEST(QLIFLayer, ResetStartsFromTheInitialStateWithNewNoise) {
  torch::manual_seed(2);
  const Tensor input = 1.5 * torch::rand({20, 2, 64});
  auto layer = quantum_layer(64);
  const QLIFOutput first = layer->forward(input);
  layer->reset();
  EXPECT_FALSE(layer->state().defined());
  EXPECT_EQ(layer->time(), 0u);
  const QLIFOutput second = layer->forward(input);
  EXPECT_FALSE(torch::equal(first.spikes, second.spikes));  // a new episode of random numbers
  auto fresh = quantum_layer(64);
  fresh->reset();
  EXPECT_TRUE(torch::equal(fresh->forward(input).spikes, second.spikes));   // same episode 1
  EXPECT_THROW(layer->forward(1.5 * torch::rand({5, 3, 64})), InputError);  // batch changed
  EXPECT_THROW(layer->forward(torch::rand({5, 2, 63})), InputError);
  EXPECT_THROW(layer->forward(torch::rand({5, 2, 64}, torch::kDouble)), InputError);
}

std::vector<Tensor> grads_with_threads(int threads) {
  omp_set_num_threads(threads);
  torch::manual_seed(3);
  const Tensor input = (1.5 * torch::rand({25, 4, 300})).requires_grad_(true);
  const Tensor w = torch::randn({25, 4, 300});
  auto layer = quantum_layer(300);
  const QLIFOutput out = layer->forward(input);
  ((out.spikes * w).sum() + out.voltage.sum()).backward();
  return {out.spikes, input.grad(), layer->V_th.grad(), layer->q_scale.grad(),
          layer->q_bias.grad()};
}

TEST(QLIFLayer, ResultsAndGradientsDoNotDependOnThreads) {
  const int saved = omp_get_max_threads();
  const auto one = grads_with_threads(1);
  const auto two = grads_with_threads(2);
  omp_set_num_threads(saved);
  for (std::size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(torch::equal(one[i], two[i])) << i;
}

TEST(QLIFLayer, KernelAgreesWithTheScalarDriverOnTheSamePhiloxNumbers) {
  torch::manual_seed(4);
  const Tensor input = 1.5 * torch::rand({24, 3, 80});
  const Tensor w = torch::randn({24, 3, 80});
  auto kernel_layer = quantum_layer(80);
  auto scalar_layer = quantum_layer(80);
  const QLIFRandoms r = scalar_layer->next_randoms(24, 3, torch::kFloat);
  const Tensor x1 = input.clone().requires_grad_(true);
  const Tensor x2 = input.clone().requires_grad_(true);
  const QLIFOutput a = kernel_layer->forward(x1);
  const QLIFOutput b = scalar_layer->forward_with(x2, {}, r);
  EXPECT_TRUE(torch::equal(a.spikes, b.spikes));
  EXPECT_TRUE(torch::equal(a.voltage, b.voltage));
  ((a.spikes * w).sum() + a.voltage.sum()).backward();
  ((b.spikes * w).sum() + b.voltage.sum()).backward();
  EXPECT_TRUE(torch::allclose(x1.grad(), x2.grad(), 1e-5, 1e-6));
  EXPECT_TRUE(
      torch::allclose(kernel_layer->q_scale.grad(), scalar_layer->q_scale.grad(), 1e-4, 1e-5));
}

TEST(QLIFLayer, UnusedParametersGetZeroGradients) {
  NeuronParams p;
  p.mode = Mode::Deterministic;
  p.use_adaptive_threshold = false;
  QLIFLayer layer(QLIFOptions(16).params(p).learnable_eta(true).learnable_tau(true));
  const Tensor input = (3.0 * torch::rand({20, 2, 16})).requires_grad_(true);
  const QLIFOutput out = layer->forward(input);
  out.spikes.sum().backward();
  for (const Tensor& t : {layer->q_scale, layer->q_bias, layer->eta}) {
    ASSERT_TRUE(t.grad().defined());
    EXPECT_EQ(t.grad().abs().sum().item<double>(), 0.0);
  }
  EXPECT_NE(layer->V_th.grad().abs().sum().item<double>(), 0.0);
  EXPECT_NE(layer->tau.grad().item<double>(), 0.0);
  const int64_t fixed = 3 * 16 * 4 + 2 * 4 + static_cast<int64_t>(sizeof(StepConstants<double>));
  EXPECT_EQ(qlif_saved_bytes(20, 2, 16, torch::kFloat, false), 20 * 2 * 16 * 5 + fixed);
  EXPECT_EQ(qlif_saved_bytes(20, 2, 16, torch::kFloat, true),
            20 * 2 * 16 * 5 + 2 * 16 * 9 * 4 + fixed);
}

}  // namespace
}  // namespace qneuro::snn
