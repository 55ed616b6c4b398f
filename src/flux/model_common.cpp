#include <cmath>
#include <numbers>

#include "flux_internal.hpp"
#include "qneuro/core/error.hpp"

namespace qneuro::flux {

using torch::Tensor;

void check_ids(const Tensor& ids, int64_t vocab, int64_t max_len) {
  if (!ids.defined() || ids.dim() != 2 || ids.scalar_type() != torch::kLong) {
    throw InputError("flux model input must be int64 token ids [B, T]");
  }
  if (ids.size(0) < 1 || ids.size(1) < 1 || ids.size(1) > max_len) {
    throw InputError("flux model input has T = " + std::to_string(ids.size(1)) +
                     "; allowed 1 .. max_seq_length = " + std::to_string(max_len));
  }
  if (ids.min().item<int64_t>() < 0 || ids.max().item<int64_t>() >= vocab) {
    throw InputError("flux model input has token ids outside [0, " + std::to_string(vocab) + ")");
  }
}

Tensor causal_mask(int64_t T) {
  return torch::ones({T, T}, torch::kBool).tril();
}

Tensor cardioid_points(int64_t vocab) {
  const Tensor v = torch::arange(vocab, torch::kDouble);
  const Tensor theta =
      2.0 * std::numbers::pi * v / static_cast<double>(vocab) + std::numbers::pi / 4;
  const Tensor rho = 0.5 + 0.5 * torch::sin(theta);
  return torch::stack({rho * torch::cos(theta), rho * torch::sin(theta)}, 1).to(torch::kFloat);
}

Tensor phase_coherence(const Tensor& polar) {
  torch::NoGradGuard no_grad;
  const Tensor unit = polar / polar.norm(2, -1, true).clamp_min(1e-12);
  return unit.mean(1).norm(2, -1).mean();
}

double finish_layer(ForwardResult& r, const Tensor& polar, const Tensor& scores, bool record,
                    const Tensor& head_scores) {
  const double coh = phase_coherence(polar).item<double>();
  if (record) {
    r.states.push_back(polar.detach().clone());
    r.scores.push_back(scores.detach().clone());
    if (head_scores.defined()) r.head_scores.push_back(head_scores.detach().clone());
    r.coherence.push_back(coh);
  }
  return 1.0 - coh;
}

void finish_forward(ForwardResult& r, const Tensor& H, const Tensor& logits, double geometric) {
  r.logits = logits;
  r.readout = H.detach();
  r.geometric = torch::scalar_tensor(geometric, torch::kDouble);
}

void LanguageModel::apply_output_rule(const ForwardResult& r, const Tensor& targets) {
  const double rate = params_.output_hebbian_rate;
  Tensor W = output_weight();
  if (rate == 0.0 || !W.defined()) return;
  torch::NoGradGuard no_grad;
  const Tensor Z = torch::softmax(r.logits.detach().reshape({-1, vocab_}), -1);
  const Tensor onehot = torch::one_hot(targets.reshape({-1}), vocab_).to(Z.scalar_type());
  const Tensor H = r.readout.reshape({Z.size(0), -1});
  W.add_((onehot - Z).t().mm(H), rate / static_cast<double>(Z.size(0)));
}

std::shared_ptr<LanguageModel> build_model(const ModelParams& p, int64_t vocab) {
  if (vocab < 2) throw InputError("a language model needs a vocabulary of at least 2 tokens");
  p.validate();
  switch (p.kind) {
    case ModelKind::Faithful:
      return make_faithful(p, vocab);
    case ModelKind::Flux:
      return make_flux_model(p, vocab);
    case ModelKind::Transformer:
      break;
  }
  return make_transformer(p, vocab);
}

std::shared_ptr<LanguageModel> make_model(const ModelParams& p, int64_t vocab, uint32_t seed) {
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  const torch::Tensor caller_state = gen.get_state();
  torch::manual_seed(seed);
  std::shared_ptr<LanguageModel> model;
  try {
    model = build_model(p, vocab);
  } catch (...) {
    gen.set_state(caller_state);
    throw;
  }
  gen.set_state(caller_state);
  return model;
}

}  // namespace qneuro::flux
