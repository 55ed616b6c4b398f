// The flux language models behind one interface: `faithful` (the seed's code), `flux` (the model
// its text describes, made to work) and `transformer` (the baseline). Equations, shapes and
// conventions of each are stated in their source files and in docs/flux.md.
//
// Conventions: token ids are int64 [B, T]; logits are float [B, T, V] and logits[:, t] predict
// token t + 1. A "polar state" is the (x, y) = (r cos theta, r sin theta) point each model keeps
// per token (faithful: the whole state; flux: the first pair of the state; transformer: the first
// two coordinates of its residual stream, for the same plots).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "qneuro/flux/params.hpp"

namespace qneuro::flux {

struct ForwardResult {
  torch::Tensor logits;     ///< [B, T, V]
  torch::Tensor readout;    ///< [B, T, D], the features the output layer reads (detached)
  torch::Tensor geometric;  ///< scalar, sum over layers of (1 - coherence), no gradient
  // Filled when forward(..., record = true):
  std::vector<torch::Tensor> states;  ///< L + 1 polar states [B, T, 2] (input, after each layer)
  std::vector<torch::Tensor> scores;  ///< L score matrices [B, T, T] (head-averaged)
  std::vector<torch::Tensor> head_scores;  ///< L per-head matrices [B, H, T, T] (flux, transformer)
  std::vector<double> coherence;           ///< per layer
};

/// When the output Hebbian (LMS) rule is applied relative to the optimiser step.
enum class OutputRuleTiming { BeforeStep, AfterStep };

class LanguageModel : public torch::nn::Module {
 public:
  LanguageModel(ModelParams params, int64_t vocab) : params_(std::move(params)), vocab_(vocab) {}
  virtual ForwardResult forward(const torch::Tensor& ids, bool record = false) = 0;
  /// The output weights [V, D] the LMS rule updates (undefined if the model has none).
  virtual torch::Tensor output_weight() = 0;
  [[nodiscard]] virtual OutputRuleTiming output_rule_timing() const {
    return OutputRuleTiming::AfterStep;
  }
  /// The output rule W += rate (onehot(targets) - softmax(logits))^T H / N, in place, without
  /// gradient; no-op when output_hebbian_rate is 0.
  void apply_output_rule(const ForwardResult& r, const torch::Tensor& targets);
  [[nodiscard]] const ModelParams& params() const { return params_; }
  [[nodiscard]] int64_t vocab() const { return vocab_; }

 protected:
  ModelParams params_;
  int64_t vocab_;
};

/// Builds the model params.kind names (InputError for bad sizes), its weights drawn from torch's
/// default CPU generator seeded with `seed`: the same seed gives the same weights whoever calls
/// it. The caller's generator state is restored afterwards (not thread-safe against other
/// threads drawing from that generator meanwhile).
std::shared_ptr<LanguageModel> make_model(const ModelParams& params, int64_t vocab,
                                          uint32_t seed = 1);

/// The seed's fixed token points: theta_v = 2 pi v / V + pi / 4, rho_v = 0.5 + 0.5 sin theta_v,
/// (rho cos theta, rho sin theta); [V, 2] float.
torch::Tensor cardioid_points(int64_t vocab);

/// Phase coherence of polar states [B, T, 2]: |mean_t (x, y) / r| averaged over the batch
/// (1: all angles equal; about 1/sqrt(T) for random angles).
torch::Tensor phase_coherence(const torch::Tensor& polar);

}  // namespace qneuro::flux
