// The custom autograd function behind QLIFLayer (private to qneuro_snn_torch).
#pragma once

#include <cstdint>

#include <torch/torch.h>

#include "qneuro/snn/params.hpp"

namespace qneuro::snn::detail {

/// What one forward call needs besides its tensors.
struct QLIFCall {
  NeuronParams params;  ///< tau and eta are replaced by the tensors' values
  uint32_t seed = 0, layer = 0;
  uint64_t episode = 0, t0 = 0;
  bool training = true;
  bool relaxed = false;
  torch::Tensor state;  ///< (B, N, 9), read; the final state is written to final_state
  /// True if `state` is StepConstants::initial_state() everywhere (the first call after a
  /// reset): the backward rebuilds it instead of the forward saving a copy.
  bool state_is_initial = false;
  torch::Tensor* final_state = nullptr;
};

/// Outputs: spikes (T, B, N), voltage (T, B, N). Inputs that need no gradient may be undefined:
/// modulation (T, Bm, Nm), xi and u (explicit random numbers, else Philox; required for double).
torch::autograd::variable_list qlif_apply(const torch::Tensor& input,
                                          const torch::Tensor& modulation,
                                          const torch::Tensor& V_th, const torch::Tensor& tau,
                                          const torch::Tensor& eta, const torch::Tensor& q_scale,
                                          const torch::Tensor& q_bias, const torch::Tensor& xi,
                                          const torch::Tensor& u, const QLIFCall& call);

}  // namespace qneuro::snn::detail
