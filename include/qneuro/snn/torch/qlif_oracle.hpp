// QLIFOracle: the QLIF layer written as plain LibTorch operations, one time step at a time, and
// differentiated by autograd (as the seed's code was). It implements the same equations, gradient
// conventions and random numbers as QLIFLayer (qlif_step.hpp, qlif_adjoint.hpp) and is kept as
// the test oracle of the fused layer's backward and as the reference of the training benchmark;
// it is much slower and saves far more memory per neuron-step. Parameters, options, state,
// reset() and train()/eval() behave as in QLIFLayer.
#pragma once

#include <torch/torch.h>

#include "qneuro/snn/torch/qlif_layer.hpp"

namespace qneuro::snn {

class QLIFOracleImpl : public torch::nn::Module, public QLIFParameters {
 public:
  explicit QLIFOracleImpl(QLIFOptions options);

  QLIFOutput forward(const torch::Tensor& input, const torch::Tensor& modulation = {});
  QLIFOutput forward_with(const torch::Tensor& input, const torch::Tensor& modulation,
                          const QLIFRandoms& randoms);
  void reset();
  [[nodiscard]] const QLIFOptions& options() const { return options_; }

 private:
  QLIFOptions options_;
  std::vector<torch::Tensor> state_;  ///< V, A, E, H, R, D, Theta, m, s_prev, each (B, N)
  uint64_t t_ = 0;
  uint64_t episode_ = 0;
};
TORCH_MODULE(QLIFOracle);

}  // namespace qneuro::snn
