// Pieces shared by the flux models (private to qneuro_flux).
#pragma once

#include <memory>

#include <torch/torch.h>

#include "qneuro/flux/model.hpp"

namespace qneuro::flux {

/// InputError unless ids is int64 [B, T] with 1 <= T <= max_len and 0 <= id < vocab.
void check_ids(const torch::Tensor& ids, int64_t vocab, int64_t max_len);

/// [T, T] bool, true where j <= i.
torch::Tensor causal_mask(int64_t T);

/// The end of a layer, common to the models: returns 1 - coherence(polar) (the layer's geometric
/// term) and, when recording, keeps the polar state [B, T, 2], the scores [B, T, T] and the
/// coherence in r.
double finish_layer(ForwardResult& r, const torch::Tensor& polar, const torch::Tensor& scores,
                    bool record, const torch::Tensor& head_scores = {});
/// Fills logits, readout (H, detached) and the geometric term of r.
void finish_forward(ForwardResult& r, const torch::Tensor& H, const torch::Tensor& logits,
                    double geometric);

/// The model p.kind names, its weights drawn from torch's default CPU generator as it stands
/// (make_model seeds it first and restores it after; the trainer seeds it once for the run).
std::shared_ptr<LanguageModel> build_model(const ModelParams& p, int64_t vocab);
std::shared_ptr<LanguageModel> make_faithful(const ModelParams& p, int64_t vocab);
std::shared_ptr<LanguageModel> make_flux_model(const ModelParams& p, int64_t vocab);
std::shared_ptr<LanguageModel> make_transformer(const ModelParams& p, int64_t vocab);

}  // namespace qneuro::flux
