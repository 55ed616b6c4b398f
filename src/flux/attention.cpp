#include "qneuro/flux/attention.hpp"

#include <cmath>

#include "geometric_scores.hpp"

namespace qneuro::flux {

using torch::Tensor;

GeometricAttentionImpl::GeometricAttentionImpl(const ModelParams& p, int64_t vocab) : params(p) {
  const int64_t D = p.embed_dim, d = D / p.heads;
  frame = register_module("frame", torch::nn::Linear(torch::nn::LinearOptions(D, D).bias(false)));
  log_tau = register_parameter("log_tau", torch::full({1}, std::log(p.gate_sharpness)));
  if (p.vocab_hebbian) {
    hebbian_gain = register_parameter("hebbian_gain", torch::full({1}, p.hebbian_score_gain));
    memory = register_buffer("memory", torch::zeros({vocab, vocab}));
  }
  // Phases of the position rotation: pair k of a head turns by t omega_k.
  const Tensor omega =
      torch::pow(10000.0, -torch::arange(0, d / 2, torch::kDouble) * 2.0 / static_cast<double>(d));
  const Tensor angle = torch::arange(p.max_seq_length, torch::kDouble).unsqueeze(1) * omega;
  rot_cos = register_buffer("rot_cos", torch::cos(angle).to(torch::kFloat));
  rot_sin = register_buffer("rot_sin", torch::sin(angle).to(torch::kFloat));
}

Tensor GeometricAttentionImpl::rotate(const Tensor& U) const {
  const int64_t T = U.size(-2);
  const Tensor c = rot_cos.narrow(0, 0, T), s = rot_sin.narrow(0, 0, T);  // [T, d/2]
  const Tensor x = U.slice(-1, 0, c.size(1) * 2, 2), y = U.slice(-1, 1, c.size(1) * 2, 2);
  return torch::stack({x * c - y * s, x * s + y * c}, -1).flatten(-2);
}

Tensor GeometricAttentionImpl::forward(const Tensor& Y, const Tensor& bias) {
  const int64_t B = Y.size(0), T = Y.size(1), h = params.heads, d = params.embed_dim / h;
  Tensor U = frame(Y).reshape({B, T, h, d}).transpose(1, 2);  // [B, h, T, d]
  if (params.position_phase) U = rotate(U);
  const Tensor sim = torch::matmul(U, U.transpose(-1, -2)) / std::sqrt(static_cast<double>(d));
  const Tensor tau = log_tau.exp();
  if (params.causal_threshold && sim.scalar_type() == torch::kFloat && sim.device().is_cpu()) {
    return geometric_scores_fused(sim, bias, tau, params.threshold_k);
  }
  return geometric_scores_reference(sim, bias, tau, params.threshold_k, params.causal_threshold);
}

Tensor GeometricAttentionImpl::hebbian_bias(const Tensor& ids) const {
  if (!memory.defined()) return {};
  const int64_t B = ids.size(0), T = ids.size(1);
  const Tensor rows = memory.index_select(0, ids.reshape({-1})).reshape({B, T, -1});
  return hebbian_gain * rows.gather(2, ids.unsqueeze(1).expand({B, T, T}));
}

void GeometricAttentionImpl::update_memory(const Tensor& A, const Tensor& ids) {
  if (!memory.defined()) return;
  torch::NoGradGuard no_grad;
  const int64_t V = memory.size(0);
  const Tensor O = torch::one_hot(ids, V).to(A.scalar_type());                       // [B, T, V]
  const Tensor M = torch::bmm(O.transpose(1, 2), torch::bmm(A.detach(), O)).sum(0);  // [V, V]
  const Tensor count = O.sum(std::vector<int64_t>{0, 1});                            // [V]
  const Tensor seen = count.gt(0).unsqueeze(1);
  const Tensor mean = M / count.clamp_min(1.0).unsqueeze(1);
  const Tensor updated =
      torch::clamp(params.hebbian_decay * memory + params.hebbian_strength * mean,
                   -params.connection_clamp, params.connection_clamp);
  memory.copy_(torch::where(seen, updated, memory));
}

}  // namespace qneuro::flux
