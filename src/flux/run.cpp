// The flux run API (run.hpp): the training loop with its evaluation and checkpoint schedule, the
// train / held-out split, evaluation, generation and the model benchmark.
#include "qneuro/flux/run.hpp"

#include <chrono>
#include <cmath>

#include "flux_internal.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/timing.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/json.hpp"
#include "qneuro/io/run_record.hpp"

namespace qneuro::flux {

namespace fs = std::filesystem;

namespace {

int64_t parameter_count(LanguageModel& m) {
  int64_t n = 0;
  for (const auto& t : m.parameters()) n += t.numel();
  return n;
}

struct Split {
  std::vector<int64_t> train, val;
};

/// The last `val_fraction` of the ids is held out (contiguous, so no window straddles both).
Split split_ids(const std::vector<int64_t>& ids, double val_fraction) {
  const auto n = ids.size();
  const auto n_val = static_cast<std::size_t>(static_cast<double>(n) * val_fraction);
  Split s;
  s.train.assign(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(n_val));
  s.val.assign(ids.end() - static_cast<std::ptrdiff_t>(n_val), ids.end());
  return s;
}

std::string text_label(const std::string& name) {
  return name.empty() ? std::string("the text") : "'" + name + "'";
}

}  // namespace

std::string read_text(const fs::path& path) {
  if (!fs::exists(path)) throw InputError("--text: no such file '" + path.string() + "'");
  std::string text = io::read_file(path);
  if (text.empty()) throw InputError("--text: '" + path.string() + "' is empty");
  return text;
}

TrainRunResult train(const std::string& text, const config::Config& cfg,
                     const TrainRunOptions& options, TrainObserver* observer) {
  TrainRunResult r;
  const fs::path& out = options.out;
  const fs::path ck_dir = out / "checkpoint";
  const bool files = !out.empty();
  std::optional<LoadedCheckpoint> ck;
  if (files && options.resume && fs::exists(ck_dir / "checkpoint.json")) {
    ck = load_checkpoint(ck_dir);
    if (cfg.get_enum<ModelKind>("model.kind") != ck->config.model.kind) {
      throw InputError("--resume: the checkpoint in " + ck_dir.string() + " is a " +
                       to_string(ck->config.model.kind) + " model, but this run asks for " +
                       cfg.get_string("model.kind") + " (use its preset or another --out)");
    }
    r.config_toml = ck->config_toml;
    r.config = ck->config;
    // The step budget may be extended on resume; everything else comes from the checkpoint.
    r.config.train.steps = cfg.get_int("train.steps");
    r.resumed = true;
  } else {
    r.config_toml = cfg.to_toml();
    r.config = flux_config_from(cfg);
  }
  const FluxConfig& fc = r.config;
  r.tokenizer = ck ? ck->tokenizer : Tokenizer::build(fc.train.tokenizer, text);
  const Tokenizer& tok = r.tokenizer;
  const std::vector<int64_t> ids = tok.encode(text, text_label(options.text_name));
  const Split split = split_ids(ids, fc.train.val_fraction);
  r.train_tokens = split.train.size();
  r.held_out_tokens = split.val.size();
  const int64_t T = fc.model.max_seq_length;
  if (static_cast<int64_t>(split.train.size()) < T + 1 || split.val.size() < 2) {
    throw InputError(text_label(options.text_name) + " has " + std::to_string(ids.size()) +
                     " tokens: too few for windows of " + std::to_string(T + 1) +
                     " tokens and a held-out part");
  }
  if (files) {
    fs::create_directories(out);
    io::write_file_atomic(out / "config.resolved.toml", r.config_toml);
  }
  io::RunRecord run("flux train", options.command_line);

  // One seed for the whole run: the model's weights, then the generator's draws in training
  // (the faithful model's Beta-sampled dt), continued from the checkpoint on resume.
  torch::manual_seed(fc.train.seed);
  r.model = ck ? ck->model : build_model(fc.model, tok.vocab_size());
  LanguageModel& model = *r.model;
  Trainer trainer(r.model, fc.train);
  if (ck) restore_training_state(*ck, trainer);
  log::info(
      "flux train: {} ({} tokens, vocabulary {} {}), {} model, {} parameters, {} steps x {} "
      "x {} tokens{}, {} threads",
      options.text_name, ids.size(), tok.vocab_size(), to_string(tok.kind()),
      to_string(fc.model.kind), parameter_count(model), fc.train.steps, fc.train.batch, T,
      ck ? fmt::format(", resumed at step {}", trainer.history.step) : std::string(),
      parallel::max_threads());

  auto checkpoint = [&] {
    if (!files) return;
    save_checkpoint(ck_dir, trainer, tok, r.config_toml);
    if (observer != nullptr) observer->on_checkpoint(trainer.history.step, ck_dir);
  };
  const int64_t total = fc.train.steps;
  double last_bpc = std::nan("");
  double recent_tps = 0;
  while (trainer.history.step < total) {
    const MetricRow m = trainer.step(split.train);
    recent_tps = recent_tps == 0 ? m.tokens_per_s : 0.9 * recent_tps + 0.1 * m.tokens_per_s;
    const int64_t s = trainer.history.step;
    if (observer != nullptr) observer->on_step(m);
    if (fc.train.eval_every > 0 && s % fc.train.eval_every == 0 && s < total) {
      const EvalResult e = evaluate(model, tok, split.val, T, fc.train.batch,
                                    fc.train.batch * fc.train.eval_batches);
      trainer.history.evals.push_back({s, e.bits_per_char});
      last_bpc = e.bits_per_char;
      log::debug("step {}: held-out {:.3f} bits/char", s, e.bits_per_char);
      if (observer != nullptr) observer->on_eval(trainer.history.evals.back());
    }
    if (fc.train.checkpoint_every > 0 && s % fc.train.checkpoint_every == 0 && s < total) {
      checkpoint();
    }
    if (observer != nullptr) {
      const std::string detail = fmt::format(
          "loss {:.3f} {:.0f} tok/s{}", m.loss, recent_tps,
          std::isnan(last_bpc) ? std::string() : fmt::format(" val {:.2f} bpc", last_bpc));
      observer->on_progress(
          {static_cast<uint64_t>(s), static_cast<uint64_t>(total), "steps", detail});
      if (s < total && observer->stop_requested()) {
        r.status = RunStatus::Interrupted;
        log::warn("flux train: interrupted at step {} of {}; {}", s, total,
                  files ? "checkpoint written (continue with --resume)" : "nothing written");
        break;
      }
    }
  }
  // Final evaluation on the whole held-out text.
  r.held_out = evaluate(model, tok, split.val, T, 64);
  const EvalResult& e = r.held_out;
  trainer.history.evals.push_back({trainer.history.step, e.bits_per_char});
  if (observer != nullptr) observer->on_eval(trainer.history.evals.back());
  checkpoint();
  if (files) {
    const std::vector<int64_t> window(
        split.val.begin(),
        split.val.begin() +
            std::min<std::ptrdiff_t>(T, static_cast<std::ptrdiff_t>(split.val.size())));
    write_viz(out / "viz.h5", model, tok, window, trainer.history);
  }
  r.history = trainer.history;

  double tps = 0;
  for (const auto& m : trainer.history.metrics) tps += m.tokens_per_s;
  tps /= static_cast<double>(std::max<std::size_t>(1, trainer.history.metrics.size()));
  nlohmann::ordered_json& s = r.summary;
  s["schema"] = "qneuro.flux.train/1";
  s["text"] = options.text_name;
  s["tokenizer"] = {{"kind", to_string(tok.kind())}, {"vocab_size", tok.vocab_size()}};
  s["tokens"] = {{"train", split.train.size()}, {"held_out", split.val.size()}};
  s["model"] = {{"kind", to_string(fc.model.kind)},
                {"embed_dim", fc.model.embed_dim},
                {"layers", fc.model.num_layers},
                {"max_seq_length", T},
                {"parameters", parameter_count(model)}};
  s["steps"] = trainer.history.step;
  if (r.status != RunStatus::Completed) s["status"] = to_string(r.status);
  s["batch"] = fc.train.batch;
  s["train_tokens_per_s"] = tps;
  s["train_seconds"] = trainer.history.seconds;
  nlohmann::ordered_json evals = nlohmann::ordered_json::array();
  for (const auto& row : trainer.history.evals) {
    evals.push_back({{"step", row.step}, {"bits_per_char", row.bits_per_char}});
  }
  s["evals"] = evals;
  s["held_out"] = {{"bits_per_char", e.bits_per_char},
                   {"nats_per_token", e.nats_per_token},
                   {"perplexity", std::exp(e.nats_per_token)},
                   {"tokens", e.tokens}};
  s["bits_per_char"] = e.bits_per_char;
  // Count models on the same split (bits per token; per character for the char tokenizer).
  s["references"] = {
      {"unigram_bits_per_token", count_model_bits(split.train, split.val, tok.vocab_size(), 1)},
      {"bigram_bits_per_token", count_model_bits(split.train, split.val, tok.vocab_size(), 2)}};
  if (files) {
    io::write_json(out / "summary.json", s);
    run.extra()["bits_per_char"] = e.bits_per_char;
    run.write(out);
  }
  return r;
}

fs::path checkpoint_dir(const fs::path& given) {
  if (given.empty()) throw UsageError("--checkpoint DIR is required");
  if (fs::exists(given / "checkpoint" / "checkpoint.json")) return given / "checkpoint";
  return given;
}

EvalRunResult evaluate_text(const LoadedCheckpoint& ck, const std::string& text,
                            const EvalRunOptions& options) {
  const std::vector<int64_t> ids = ck.tokenizer.encode(text, text_label(options.text_name));
  EvalRunResult r;
  r.result = evaluate(*ck.model, ck.tokenizer, ids, ck.config.model.max_seq_length, 64);
  const EvalResult& e = r.result;
  nlohmann::ordered_json& s = r.summary;
  s["schema"] = "qneuro.flux.eval/1";
  s["checkpoint"] = ck.dir.string();
  s["kind"] = to_string(ck.config.model.kind);
  s["text"] = options.text_name;
  s["bits_per_char"] = e.bits_per_char;
  s["nats_per_token"] = e.nats_per_token;
  s["perplexity"] = std::exp(e.nats_per_token);
  s["tokens"] = e.tokens;
  s["characters"] = e.characters;
  if (!options.out.empty()) {
    fs::create_directories(options.out);
    io::write_json(options.out / "summary.json", s);
    io::RunRecord run("flux eval", options.command_line);
    run.write(options.out);
  }
  return r;
}

std::string generate_text(const LoadedCheckpoint& ck, const std::string& prompt,
                          const GenerateOverrides& o) {
  if (prompt.empty()) throw UsageError("--prompt TEXT is required (at least one character)");
  const GenerateParams& g = ck.config.generate;
  const std::vector<int64_t> ids = ck.tokenizer.encode(prompt, "--prompt");
  // The configured top-k (50) is capped at the vocabulary; an explicit one is not.
  const int64_t top_k = o.top_k.value_or(std::min(g.top_k, ck.tokenizer.vocab_size()));
  const std::vector<int64_t> out =
      generate(*ck.model, ids, o.tokens.value_or(g.tokens), o.temperature.value_or(g.temperature),
               top_k, o.seed.value_or(g.seed));
  return ck.tokenizer.decode(out);
}

void bench_models(const BenchParams& o,
                  const std::function<void(const nlohmann::ordered_json&)>& row) {
  for (const ModelKind kind : o.kinds) {
    // The radial steps are a flux option: other kinds run once.
    const std::vector<RadialStep> variants =
        kind == ModelKind::Flux ? o.radial : std::vector<RadialStep>{RadialStep::Off};
    const std::vector<FlowIntegrator> steps =
        kind == ModelKind::Flux ? o.integrators : std::vector<FlowIntegrator>{FlowIntegrator::Heun};
    for (const RadialStep radial_step : variants) {
      for (const FlowIntegrator integrator : steps) {
        for (const int64_t T : o.lengths) {
          ModelParams p;
          p.kind = kind;
          p.max_seq_length = T;
          p.radial_step = radial_step;
          p.integrator = integrator;
          p.validate();
          torch::manual_seed(1);
          auto model = build_model(p, o.vocab);
          TrainParams tp;
          tp.batch = o.batch;
          tp.warmup = 0;
          Trainer trainer(model, tp);
          const std::vector<int64_t> ids = [&] {
            const torch::Tensor r = torch::randint(0, o.vocab, {T * 64 + 1}, torch::kLong);
            return std::vector<int64_t>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
          }();
          auto timed = [&](auto&& f) {
            f();
            std::vector<double> t;
            for (int64_t i = 0; i < o.repeats; ++i) t.push_back(seconds_of(f));
            return median_seconds(t);
          };
          const double train_s = timed([&] { trainer.step(ids); });
          const torch::Tensor x = batch_windows(ids, T, o.batch, 7, 0).narrow(1, 0, T);
          model->eval();
          const double infer_s = timed([&] {
            torch::NoGradGuard ng;
            (void)model->forward(x);
          });
          nlohmann::ordered_json j;
          j["bench"] = "flux";
          j["kind"] = to_string(kind);
          if (kind == ModelKind::Flux) {
            j["radial_step"] = to_string(radial_step);
            j["integrator"] = to_string(integrator);
          }
          j["T"] = T;
          j["batch"] = o.batch;
          j["threads"] = parallel::max_threads();
          j["parameters"] = parameter_count(*model);
          j["train_tokens_per_s"] = static_cast<double>(o.batch * T) / train_s;
          j["inference_tokens_per_s"] = static_cast<double>(o.batch * T) / infer_s;
          row(j);
        }
      }
    }
  }
}

}  // namespace qneuro::flux
