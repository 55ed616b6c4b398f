// The score function of the flux model's geometric attention (attention.hpp), from the
// similarities sim [B, h, T, T] to the scores A [B, h, T, T], for the causal threshold:
//   n_i = i + 1, mu_i = sum_{j<=i} sim_ij / n_i, var_i = sum_{j<=i} sim_ij^2 / n_i - mu_i^2,
//   thr_i = mu_i + k sqrt(max(var_i, 0) + 1e-6),
//   logit_ij = sim_ij + log sigmoid(tau (sim_ij - thr_i)) + bias[b, i, j]   (j <= i),
//   A_ij = softmax_{j<=i}(logit_ij), A_ij = 0 for j > i.
// Two implementations:
//   geometric_scores_reference: tensor operations (about ten passes over [B, h, T, T] each way;
//     any dtype; also the non-causal threshold, statistics over all j with the biased variance);
//   geometric_scores_fused: one pass per row forward and two backward, float only, with a
//     hand-written backward (derivation in geometric_scores.cpp). The attention uses it for
//     float tensors on the CPU with the causal threshold.
#pragma once

#include <torch/torch.h>

namespace qneuro::flux {

/// bias [B, T, T] or undefined; tau a one-element tensor (learned); k the threshold factor.
torch::Tensor geometric_scores_reference(const torch::Tensor& sim, const torch::Tensor& bias,
                                         const torch::Tensor& tau, double k, bool causal);

/// The same for causal = true, fused (float, CPU); differentiable in sim, bias and tau.
torch::Tensor geometric_scores_fused(const torch::Tensor& sim, const torch::Tensor& bias,
                                     const torch::Tensor& tau, double k);

}  // namespace qneuro::flux
