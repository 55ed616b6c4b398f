// Training, evaluation, generation and checkpoints of the flux language models.
//
// Data: the token ids of one text, split contiguously (the last val_fraction held out). A
// training batch is B windows of T + 1 tokens at offsets drawn from Philox (stream FluxBatches,
// step = optimiser step, entity = window), so a run, and a resumed run, sees the same batches.
// Optimiser: AdamW (betas 0.9, 0.999), linear warm-up, cosine decay to lr * lr_final_ratio,
// gradient-norm clip. Loss: cross-entropy (nats per token); the reported loss adds
// geometric_weight * geometric (no gradient). The output Hebbian rule runs where the model says.
// Evaluation: non-overlapping windows of T + 1 tokens over the held-out ids, every target
// counted once; bits per character = total bits / characters predicted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "qneuro/flux/model.hpp"
#include "qneuro/flux/params.hpp"
#include "qneuro/flux/tokenizer.hpp"

namespace qneuro::flux {

struct EvalResult {
  double nats_per_token = 0;
  double bits_per_char = 0;
  int64_t tokens = 0;      ///< predicted tokens
  int64_t characters = 0;  ///< characters they encode
};

/// Evaluates `ids` (at least 2) in windows of up to T + 1 tokens, `batch` windows at a time;
/// max_windows > 0 stops after that many. The model is put in eval mode and restored.
EvalResult evaluate(LanguageModel& model, const Tokenizer& tok, const std::vector<int64_t>& ids,
                    int64_t T, int64_t batch, int64_t max_windows = 0);

/// Held-out bits per token of a count model fitted on `train`: order 1 (unigram) or 2 (bigram,
/// context = previous token), additive smoothing alpha (0.5: Krichevsky-Trofimov), scored on the
/// held-out tokens after the first (the targets evaluate() scores).
double count_model_bits(const std::vector<int64_t>& train, const std::vector<int64_t>& held_out,
                        int64_t vocab, int order, double alpha = 0.5);

struct MetricRow {
  int64_t step = 0;
  double loss = 0, cross_entropy = 0, geometric = 0, lr = 0, tokens_per_s = 0;
};
struct EvalRow {
  int64_t step = 0;
  double bits_per_char = 0;
};

/// What a training run knows; a checkpoint stores it and resume continues from it.
struct TrainHistory {
  int64_t step = 0;  ///< optimiser steps done
  double seconds = 0;
  std::vector<MetricRow> metrics;
  std::vector<EvalRow> evals;
};

/// A history as columns (one entry per logged step, one per evaluation): what viz.h5's /train
/// and /eval groups and the Python package's FluxModel.history hold.
struct HistoryColumns {
  std::vector<int64_t> step, eval_step;
  std::vector<double> loss, cross_entropy, geometric, lr, tokens_per_s, eval_bits_per_char;
};
HistoryColumns history_columns(const TrainHistory& history);

struct Trainer {
  Trainer(std::shared_ptr<LanguageModel> model, TrainParams params);
  std::shared_ptr<LanguageModel> model;
  TrainParams params;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  TrainHistory history;

  /// Learning rate at optimiser step `step` (0-based).
  [[nodiscard]] double lr_at(int64_t step) const;
  /// Runs one optimiser step on the batch drawn for history.step; returns its metrics.
  MetricRow step(const std::vector<int64_t>& train_ids);
};

/// The B x (T + 1) windows of optimiser step `step` (rows: inputs then the next token).
torch::Tensor batch_windows(const std::vector<int64_t>& ids, int64_t T, int64_t B, uint32_t seed,
                            int64_t step);

// ---- checkpoints: a directory ----
//   config.toml      the resolved configuration (model, train and generate keys)
//   tokenizer.json   the vocabulary
//   model.pt         the module's parameters and buffers (torch::serialize archive)
//   optimizer.pt     AdamW state;  rng.pt: torch's generator state (faithful dt draws)
//   checkpoint.json  "schema": "qneuro.flux.checkpoint/1", kind, vocab_size, step, history;
//                    written last (a directory without it is not a checkpoint)
void save_checkpoint(const std::filesystem::path& dir, const Trainer& trainer, const Tokenizer& tok,
                     const std::string& config_toml);

struct LoadedCheckpoint {
  std::string config_toml;
  FluxConfig config;
  Tokenizer tokenizer;
  std::shared_ptr<LanguageModel> model;
  TrainHistory history;
  std::filesystem::path dir;
};
/// Loads a checkpoint directory into a fresh model (InputError naming what is missing or wrong).
LoadedCheckpoint load_checkpoint(const std::filesystem::path& dir);
/// Restores the optimiser and generator state of a checkpoint into `trainer`.
void restore_training_state(const LoadedCheckpoint& ck, Trainer& trainer);

/// Samples `count` tokens after `prompt` (temperature, top-k over the vocabulary; k = 0: all),
/// cropping the context to max_seq_length; deterministic for a seed.
std::vector<int64_t> generate(LanguageModel& model, const std::vector<int64_t>& prompt,
                              int64_t count, double temperature, int64_t top_k, uint32_t seed);

/// Visualisation data (HDF5, schema qneuro.flux.viz/1) for the seed's four figures:
///   /tokens [T] int64, /text (attribute): the window recorded
///   /states [L + 1, T, 2] float: polar states (input, after each layer)   -> polar-plane plot
///   /scores [L, T, T] float: score matrices of sample 0 (head-averaged)  -> attention heat map
///   /head_scores [L, H, T, T] float: the same per head (flux and transformer only)
///   /coherence [L]; /train/{step, loss, cross_entropy, geometric, lr, tokens_per_s}
///   /eval/{step, bits_per_char}                                             -> training metrics
///   /states over layers is also the state-evolution figure's data.
void write_viz(const std::filesystem::path& path, LanguageModel& model, const Tokenizer& tok,
               const std::vector<int64_t>& window, const TrainHistory& history);

}  // namespace qneuro::flux
