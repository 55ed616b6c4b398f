// The flux run API: what `qneuro flux train | eval | generate | bench` do, callable from any
// front end.
//
//   const config::Config cfg = config::Config::resolve(flux::flux_schema(), "flux", {}, {});
//   flux::TrainRunOptions opt;
//   opt.out = "lm";                                      // optional: empty writes nothing
//   const flux::TrainRunResult r = flux::train(flux::read_text("input.txt"), cfg, opt, &obs);
//
// Reproducibility: train() seeds torch's default CPU generator with train.seed before it builds
// the model (so the same seed gives the same weights and, for `faithful`, the same dt draws),
// draws batches from Philox (trainer.hpp), and checkpoints the generator with the model; a
// resumed run continues exactly. Threads: LibTorch's intra-op thread count is the caller's
// (the CLI sets it from --threads).
//
// train() with options.out set writes config.resolved.toml, checkpoint/ (every
// train.checkpoint_every steps and at the end), viz.h5, summary.json (qneuro.flux.train/1) and
// run.json (docs/flux.md). If the observer asks to stop, training ends after the current step
// with status Interrupted, after a final evaluation and checkpoint (resume continues from it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"
#include "qneuro/core/observer.hpp"
#include "qneuro/flux/model.hpp"
#include "qneuro/flux/params.hpp"
#include "qneuro/flux/tokenizer.hpp"
#include "qneuro/flux/trainer.hpp"

namespace qneuro::flux {

/// Live data of a training run (the contract is in core/observer.hpp). Progress counts
/// optimiser steps, with "loss L N tok/s [val B bpc]" as detail.
class TrainObserver : public RunObserver {
 public:
  /// An optimiser step finished (its loss, learning rate, tokens/s).
  virtual void on_step(const MetricRow& /*row*/) {}
  /// A held-out evaluation finished (periodic, and the final one over the whole held-out text).
  virtual void on_eval(const EvalRow& /*row*/) {}
  /// A checkpoint was written to `dir`.
  virtual void on_checkpoint(int64_t /*step*/, const std::filesystem::path& /*dir*/) {}
};

/// The contents of a text file (UTF-8 or bytes). InputError if it is missing or empty.
std::string read_text(const std::filesystem::path& path);

struct TrainRunOptions {
  std::filesystem::path out;  ///< output directory (checkpoints in out/checkpoint); empty: none
  bool resume = false;        ///< continue from out/checkpoint if it exists (train.steps may grow)
  std::string text_name;      ///< what summary.json calls the text (e.g. its path)
  std::string command_line;   ///< how the run was started, for run.json
};

struct TrainRunResult {
  RunStatus status = RunStatus::Completed;
  FluxConfig config;
  std::string config_toml;
  Tokenizer tokenizer;
  std::shared_ptr<LanguageModel> model;
  TrainHistory history;
  EvalResult held_out;  ///< the final evaluation on the whole held-out text
  std::size_t train_tokens = 0, held_out_tokens = 0;
  bool resumed = false;
  nlohmann::ordered_json summary;  ///< summary.json
};

/// Trains the model of `cfg` (a config of flux_schema()) on `text`.
TrainRunResult train(const std::string& text, const config::Config& cfg,
                     const TrainRunOptions& options, TrainObserver* observer = nullptr);

/// A checkpoint given as a training output directory (holding checkpoint/) or as the checkpoint
/// directory itself.
std::filesystem::path checkpoint_dir(const std::filesystem::path& given);

struct EvalRunOptions {
  std::filesystem::path out;  ///< output directory for summary.json and run.json; empty: none
  std::string text_name;
  std::string command_line;
};
struct EvalRunResult {
  EvalResult result;
  nlohmann::ordered_json summary;  ///< summary.json (qneuro.flux.eval/1)
};
/// Bits per character and perplexity of a loaded checkpoint on `text` (windows of the model's
/// context, 64 at a time).
EvalRunResult evaluate_text(const LoadedCheckpoint& checkpoint, const std::string& text,
                            const EvalRunOptions& options);

/// Overrides of the checkpoint's generate.* keys.
struct GenerateOverrides {
  std::optional<int64_t> tokens, top_k;
  std::optional<double> temperature;
  std::optional<uint32_t> seed;
};
/// The text `checkpoint` generates after `prompt` (InputError for an empty prompt or characters
/// outside the vocabulary). The configured top-k is capped at the vocabulary; an explicit one is
/// not.
std::string generate_text(const LoadedCheckpoint& checkpoint, const std::string& prompt,
                          const GenerateOverrides& overrides = {});

/// `qneuro flux bench`: training and inference tokens/s of each model kind at each context
/// length (random tokens, medians of `repeats` timed repeats after a warm-up).
struct BenchParams {
  std::vector<ModelKind> kinds{ModelKind::Flux, ModelKind::Faithful, ModelKind::Transformer};
  std::vector<int64_t> lengths{64, 256, 1024};
  std::vector<RadialStep> radial{RadialStep::Off};                ///< flux variants to time
  std::vector<FlowIntegrator> integrators{FlowIntegrator::Heun};  ///< flux variants to time
  int64_t batch = 8, repeats = 5, vocab = 65;
};
/// Calls `row` with one JSON object per (kind, radial step, T) as soon as it is measured.
void bench_models(const BenchParams& params,
                  const std::function<void(const nlohmann::ordered_json&)>& row);

}  // namespace qneuro::flux
