// Geometric attention of the flux model, with its Hebbian connection strengths. Shapes: B batch,
// T tokens, D state, h heads, d = D / h per head (d even: d / 2 (x, y) pairs), V vocabulary.
//
// Scores of (layer-normalised) states Y [B, T, D]:
//   U = rot_t(Y W)         W a learned D x D frame; rot_t turns pair k of a head at position t by
//                          the phase t omega_k, omega_k = 10000^(-2k/d) (position_phase);
//   sim_ij = U_i . U_j / sqrt(d) = sum_k r_ik r_jk cos(theta_ik - theta_jk) / sqrt(d)  per head;
//   thr_i = mu_i + k sigma_i, statistics over j <= i (causal_threshold) or over all j;
//   logit_ij = sim_ij + log sigmoid(tau (sim_ij - thr_i)) + g C[v_i, v_j]   for j <= i;
//   A = softmax_j(logit): rows sum to 1, so A X is a convex combination of the rows of X.
// tau (initially gate_sharpness) and g (initially hebbian_score_gain) are learned. With the
// causal threshold and float tensors on the CPU, sim -> A runs as one fused kernel with a
// hand-written backward (src/flux/geometric_scores.hpp); otherwise as tensor operations.
//
// Hebbian memory C [V, V] (vocab_hebbian; a buffer, saved with checkpoints), updated only in
// training, without gradient, from head-averaged scores A [B, T, T]:
//   M[a, b] = sum over (i, j) with v_i = a, v_j = b of A_ij / #{i : v_i = a},
//   C <- clamp(decay C + strength M, -clamp, clamp) on the rows a that occur in the batch.
#pragma once

#include <cstdint>

#include <torch/torch.h>

#include "qneuro/flux/params.hpp"

namespace qneuro::flux {

struct GeometricAttentionImpl : torch::nn::Module {
  GeometricAttentionImpl(const ModelParams& p, int64_t vocab);

  /// Scores A(Y) [B, h, T, T] (zero above the diagonal) of states Y [B, T, D]; `bias` is
  /// hebbian_bias(ids) or undefined.
  torch::Tensor forward(const torch::Tensor& Y, const torch::Tensor& bias);
  /// g C[v_i, v_j] as [B, T, T]; undefined without the memory.
  [[nodiscard]] torch::Tensor hebbian_bias(const torch::Tensor& ids) const;
  /// The Hebbian update above from head-averaged scores A [B, T, T]; no-op without the memory.
  void update_memory(const torch::Tensor& A, const torch::Tensor& ids);
  /// Rotates pair k of position t of U [..., T, d] by t omega_k.
  [[nodiscard]] torch::Tensor rotate(const torch::Tensor& U) const;

  ModelParams params;
  torch::nn::Linear frame{nullptr};
  torch::Tensor log_tau, hebbian_gain, memory, rot_cos, rot_sin;
};
TORCH_MODULE(GeometricAttention);

}  // namespace qneuro::flux
