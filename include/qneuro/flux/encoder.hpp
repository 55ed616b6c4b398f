// The flux encoder: token v -> a learned state e_v in R^D, read as D/2 (x, y) pairs. The first
// pair is the token's polar point (r cos theta, r sin theta), initialised on the seed's cardioid
// (cardioid_points); the other coordinates start N(0, 0.1^2). Positions are not added here: the
// attention rotates the phase of every pair by the position (GeometricAttention).
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace qneuro::flux {

struct PolarEncoderImpl : torch::nn::Module {
  PolarEncoderImpl(int64_t vocab, int64_t embed_dim);
  /// States [B, T, D] of token ids [B, T] (ids are checked by the model).
  torch::Tensor forward(const torch::Tensor& ids);

  torch::Tensor embedding;  ///< [V, D]
};
TORCH_MODULE(PolarEncoder);

}  // namespace qneuro::flux
