// `qneuro flux train | eval | generate | bench`: the Quantum Flux language models (docs/flux.md).
#include <torch/torch.h>

#include <chrono>
#include <iostream>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/progress.hpp"
#include "qneuro/flux/model.hpp"
#include "qneuro/flux/trainer.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/json.hpp"

namespace qneuro::cli {

namespace {

namespace fs = std::filesystem;
using flux::LanguageModel;

std::string read_text(const std::string& path, const char* option) {
  if (path.empty()) throw UsageError(std::string(option) + " FILE is required");
  if (!fs::exists(path)) throw InputError(std::string(option) + ": no such file '" + path + "'");
  std::string text = io::read_file(path);
  if (text.empty()) throw InputError(std::string(option) + ": '" + path + "' is empty");
  return text;
}

int64_t parameter_count(LanguageModel& m) {
  int64_t n = 0;
  for (const auto& t : m.parameters()) n += t.numel();
  return n;
}

/// A checkpoint given as a training output directory (with checkpoint/) or as the checkpoint.
fs::path checkpoint_dir(const std::string& given) {
  if (given.empty()) throw UsageError("--checkpoint DIR is required");
  const fs::path p(given);
  if (fs::exists(p / "checkpoint" / "checkpoint.json")) return p / "checkpoint";
  return p;
}

struct TrainOptions {
  std::string text, out = "flux-out";
  bool resume = false;
  ConfigOptions config;
};

struct Split {
  std::vector<int64_t> train, val;
};

Split split_ids(const std::vector<int64_t>& ids, double val_fraction) {
  const auto n = ids.size();
  const auto n_val = static_cast<std::size_t>(static_cast<double>(n) * val_fraction);
  Split s;
  s.train.assign(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(n_val));
  s.val.assign(ids.end() - static_cast<std::ptrdiff_t>(n_val), ids.end());
  return s;
}

int run_train(const TrainOptions& opt, const GlobalOptions& global) {
  const auto& schema = flux::flux_schema();
  ConfigOptions copt = opt.config;
  if (copt.preset.empty() && !copt.file) copt.preset = "flux";
  if (copt.handle_info_flags(schema)) return kExitOk;
  const std::string text = read_text(opt.text, "--text");
  const fs::path out(opt.out);
  const fs::path ck_dir = out / "checkpoint";
  torch::set_num_threads(parallel::max_threads());

  std::string config_toml;
  flux::FluxConfig fc;
  std::optional<flux::LoadedCheckpoint> ck;
  if (opt.resume && fs::exists(ck_dir / "checkpoint.json")) {
    ck = flux::load_checkpoint(ck_dir);
    const config::Config cfg = copt.resolve(schema);
    if (cfg.get_string("model.kind") != ck->config.model.kind) {
      throw InputError("--resume: the checkpoint in " + ck_dir.string() + " is a " +
                       ck->config.model.kind + " model, but this run asks for " +
                       cfg.get_string("model.kind") + " (use its preset or another --out)");
    }
    config_toml = ck->config_toml;
    fc = ck->config;
    // The step budget may be extended on resume; everything else comes from the checkpoint.
    fc.train.steps = cfg.get_int("train.steps");
  } else {
    const config::Config cfg = copt.resolve(schema);
    config_toml = cfg.to_toml();
    fc = flux::flux_config_from(cfg);
  }
  const flux::Tokenizer tok = ck ? ck->tokenizer : flux::Tokenizer::build(fc.train.tokenizer, text);
  const std::vector<int64_t> ids = tok.encode(text, "--text " + opt.text);
  const Split split = split_ids(ids, fc.train.val_fraction);
  const int64_t T = fc.model.max_seq_length;
  if (static_cast<int64_t>(split.train.size()) < T + 1 || split.val.size() < 2) {
    throw InputError("--text " + opt.text + " has " + std::to_string(ids.size()) +
                     " tokens: too few for windows of " + std::to_string(T + 1) +
                     " tokens and a held-out part");
  }
  fs::create_directories(out);
  io::write_file_atomic(out / "config.resolved.toml", config_toml);
  RunRecord run("flux train", global);

  torch::manual_seed(fc.train.seed);
  std::shared_ptr<LanguageModel> model =
      ck ? ck->model : flux::make_model(fc.model, tok.vocab_size());
  flux::Trainer trainer(model, fc.train);
  if (ck) flux::restore_training_state(*ck, trainer);
  log::info(
      "flux train: {} ({} tokens, vocabulary {} {}), {} model, {} parameters, {} steps x {} "
      "x {} tokens{}, {} threads",
      opt.text, ids.size(), tok.vocab_size(), tok.kind(), fc.model.kind, parameter_count(*model),
      fc.train.steps, fc.train.batch, T,
      ck ? fmt::format(", resumed at step {}", trainer.history.step) : std::string(),
      parallel::max_threads());

  const int64_t total = fc.train.steps;
  ProgressBar bar("train", static_cast<uint64_t>(total), "steps", !global.quiet);
  double last_bpc = std::nan("");
  double recent_tps = 0;
  while (trainer.history.step < total) {
    const flux::MetricRow m = trainer.step(split.train);
    recent_tps = recent_tps == 0 ? m.tokens_per_s : 0.9 * recent_tps + 0.1 * m.tokens_per_s;
    const int64_t s = trainer.history.step;
    if (fc.train.eval_every > 0 && s % fc.train.eval_every == 0 && s < total) {
      const flux::EvalResult e = flux::evaluate(*model, tok, split.val, T, fc.train.batch,
                                                fc.train.batch * fc.train.eval_batches);
      trainer.history.evals.push_back({s, e.bits_per_char});
      last_bpc = e.bits_per_char;
      log::debug("step {}: held-out {:.3f} bits/char", s, e.bits_per_char);
    }
    if (fc.train.checkpoint_every > 0 && s % fc.train.checkpoint_every == 0 && s < total) {
      flux::save_checkpoint(ck_dir, trainer, tok, config_toml);
    }
    bar.update(static_cast<uint64_t>(s),
               fmt::format("loss {:.3f} {:.0f} tok/s{}", m.loss, recent_tps,
                           std::isnan(last_bpc) ? std::string()
                                                : fmt::format(" val {:.2f} bpc", last_bpc)));
  }
  bar.finish();
  // Final evaluation on the whole held-out text.
  const flux::EvalResult e = flux::evaluate(*model, tok, split.val, T, 64);
  trainer.history.evals.push_back({trainer.history.step, e.bits_per_char});
  flux::save_checkpoint(ck_dir, trainer, tok, config_toml);
  const std::vector<int64_t> window(
      split.val.begin(), split.val.begin() + std::min<std::ptrdiff_t>(
                                                 T, static_cast<std::ptrdiff_t>(split.val.size())));
  flux::write_viz(out / "viz.h5", *model, tok, window, trainer.history);

  double tps = 0;
  for (const auto& m : trainer.history.metrics) tps += m.tokens_per_s;
  tps /= static_cast<double>(std::max<std::size_t>(1, trainer.history.metrics.size()));
  nlohmann::ordered_json s;
  s["schema"] = "qneuro.flux.train/1";
  s["text"] = opt.text;
  s["tokenizer"] = {{"kind", tok.kind()}, {"vocab_size", tok.vocab_size()}};
  s["tokens"] = {{"train", split.train.size()}, {"held_out", split.val.size()}};
  s["model"] = {{"kind", fc.model.kind},
                {"embed_dim", fc.model.embed_dim},
                {"layers", fc.model.num_layers},
                {"max_seq_length", T},
                {"parameters", parameter_count(*model)}};
  s["steps"] = trainer.history.step;
  s["batch"] = fc.train.batch;
  s["train_tokens_per_s"] = tps;
  s["train_seconds"] = trainer.history.seconds;
  nlohmann::ordered_json evals = nlohmann::ordered_json::array();
  for (const auto& r : trainer.history.evals) {
    evals.push_back({{"step", r.step}, {"bits_per_char", r.bits_per_char}});
  }
  s["evals"] = evals;
  s["held_out"] = {{"bits_per_char", e.bits_per_char},
                   {"nats_per_token", e.nats_per_token},
                   {"perplexity", std::exp(e.nats_per_token)},
                   {"tokens", e.tokens}};
  s["bits_per_char"] = e.bits_per_char;
  // Count models on the same split (bits per token; per character for the char tokenizer).
  s["references"] = {{"unigram_bits_per_token",
                      flux::count_model_bits(split.train, split.val, tok.vocab_size(), 1)},
                     {"bigram_bits_per_token",
                      flux::count_model_bits(split.train, split.val, tok.vocab_size(), 2)}};
  io::write_json(out / "summary.json", s);
  run.extra()["bits_per_char"] = e.bits_per_char;
  run.write(out);
  if (!global.quiet) {
    std::cout << fmt::format(
        "{} model: held-out {:.3f} bits/char ({} tokens) after {} steps, {:.0f} tokens/s; "
        "outputs in {}\n",
        fc.model.kind, e.bits_per_char, e.tokens, trainer.history.step, tps, out.string());
  }
  return kExitOk;
}

struct EvalOptions {
  std::string checkpoint, text, out;
};

int run_eval(const EvalOptions& opt, const GlobalOptions& global) {
  const flux::LoadedCheckpoint ck = flux::load_checkpoint(checkpoint_dir(opt.checkpoint));
  const std::string text = read_text(opt.text, "--text");
  torch::set_num_threads(parallel::max_threads());
  const std::vector<int64_t> ids = ck.tokenizer.encode(text, "--text " + opt.text);
  const flux::EvalResult e =
      flux::evaluate(*ck.model, ck.tokenizer, ids, ck.config.model.max_seq_length, 64);
  nlohmann::ordered_json s;
  s["schema"] = "qneuro.flux.eval/1";
  s["checkpoint"] = ck.dir.string();
  s["kind"] = ck.config.model.kind;
  s["text"] = opt.text;
  s["bits_per_char"] = e.bits_per_char;
  s["nats_per_token"] = e.nats_per_token;
  s["perplexity"] = std::exp(e.nats_per_token);
  s["tokens"] = e.tokens;
  s["characters"] = e.characters;
  const fs::path out = opt.out.empty() ? fs::path("flux-eval-out") : fs::path(opt.out);
  fs::create_directories(out);
  io::write_json(out / "summary.json", s);
  RunRecord run("flux eval", global);
  run.write(out);
  std::cout << fmt::format(
      "{:.4f} bits/char, {:.4f} nats/token, perplexity {:.3f} over {} tokens\n", e.bits_per_char,
      e.nats_per_token, std::exp(e.nats_per_token), e.tokens);
  return kExitOk;
}

struct GenerateOptions {
  std::string checkpoint, prompt;
  std::optional<int64_t> tokens, top_k;
  std::optional<double> temperature;
  std::optional<uint32_t> seed;
};

int run_generate(const GenerateOptions& opt) {
  const flux::LoadedCheckpoint ck = flux::load_checkpoint(checkpoint_dir(opt.checkpoint));
  if (opt.prompt.empty()) throw UsageError("--prompt TEXT is required (at least one character)");
  torch::set_num_threads(parallel::max_threads());
  const flux::GenerateParams& g = ck.config.generate;
  const std::vector<int64_t> prompt = ck.tokenizer.encode(opt.prompt, "--prompt");
  // The configured top-k (50) is capped at the vocabulary; an explicit --top-k is not.
  const int64_t top_k = opt.top_k.value_or(std::min(g.top_k, ck.tokenizer.vocab_size()));
  const std::vector<int64_t> out =
      flux::generate(*ck.model, prompt, opt.tokens.value_or(g.tokens),
                     opt.temperature.value_or(g.temperature), top_k, opt.seed.value_or(g.seed));
  std::cout << opt.prompt << ck.tokenizer.decode(out) << "\n";
  return kExitOk;
}

struct BenchOptions {
  std::vector<std::string> kinds{"flux", "faithful", "transformer"};
  std::vector<int64_t> lengths{64, 256, 1024};
  std::vector<std::string> radial{"off"};
  int64_t batch = 8, steps = 5, vocab = 65;
};

/// Training and inference tokens/s of each model at each length, medians of `steps` timed
/// repeats after a warm-up, on random tokens.
int run_bench(const BenchOptions& o) {
  torch::set_num_threads(parallel::max_threads());
  std::vector<flux::RadialStep> radial;
  for (const std::string& r : o.radial)
    radial.push_back(flux::radial_step_from(r, "flux bench --radial"));
  for (const std::string& kind : o.kinds) {
    // The radial steps are a flux option: other kinds run once.
    const std::vector<flux::RadialStep> variants =
        kind == "flux" ? radial : std::vector<flux::RadialStep>{flux::RadialStep::Off};
    for (const flux::RadialStep radial_step : variants) {
      for (const int64_t T : o.lengths) {
        flux::ModelParams p;
        p.kind = kind;
        p.max_seq_length = T;
        p.radial_step = radial_step;
        p.validate();
        torch::manual_seed(1);
        auto model = flux::make_model(p, o.vocab);
        flux::TrainParams tp;
        tp.batch = o.batch;
        tp.warmup = 0;
        flux::Trainer trainer(model, tp);
        const std::vector<int64_t> ids = [&] {
          const torch::Tensor r = torch::randint(0, o.vocab, {T * 64 + 1}, torch::kLong);
          return std::vector<int64_t>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
        }();
        auto timed = [&](auto&& f) {
          f();
          std::vector<double> t;
          for (int64_t i = 0; i < o.steps; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            f();
            t.push_back(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
          }
          return median_seconds(t);
        };
        const double train_s = timed([&] { trainer.step(ids); });
        const torch::Tensor x = flux::batch_windows(ids, T, o.batch, 7, 0).narrow(1, 0, T);
        model->eval();
        const double infer_s = timed([&] {
          torch::NoGradGuard ng;
          (void)model->forward(x);
        });
        nlohmann::ordered_json j;
        j["bench"] = "flux";
        j["kind"] = kind;
        if (kind == "flux") j["radial_step"] = flux::radial_step_name(radial_step);
        j["T"] = T;
        j["batch"] = o.batch;
        j["threads"] = parallel::max_threads();
        j["parameters"] = parameter_count(*model);
        j["train_tokens_per_s"] = static_cast<double>(o.batch * T) / train_s;
        j["inference_tokens_per_s"] = static_cast<double>(o.batch * T) / infer_s;
        std::cout << j.dump() << std::endl;
      }
    }
  }
  return kExitOk;
}

}  // namespace

Command register_flux(CLI::App& root, const GlobalOptions& global) {
  CLI::App* sub = root.add_subcommand(
      "flux",
      "The Quantum Flux language model (docs/flux.md): train, evaluate, generate, bench.\n"
      "Presets: flux (the model the seed describes, made to work), faithful (the seed's code),\n"
      "transformer (a same-size causal transformer baseline).");
  sub->require_subcommand(1);

  auto topt = std::make_shared<TrainOptions>();
  CLI::App* t = sub->add_subcommand(
      "train",
      "Train on a text file (character tokenizer by default; the last 10 % held out).\n"
      "Progress bar with loss, tokens/s and ETA; periodic held-out evaluation; checkpoints in\n"
      "OUT/checkpoint (resume with --resume). Writes OUT/summary.json (qneuro.flux.train/1,\n"
      "with the final held-out bits_per_char), OUT/viz.h5 (polar states, score matrices,\n"
      "metric histories), config.resolved.toml and run.json.");
  t->add_option("--text", topt->text, "training text (UTF-8 or bytes)");
  t->add_option("--out,-o", topt->out, "output directory")->capture_default_str();
  t->add_flag("--resume", topt->resume, "continue from OUT/checkpoint if it exists");
  topt->config.add_to(*t, flux::flux_schema());

  auto eopt = std::make_shared<EvalOptions>();
  CLI::App* e = sub->add_subcommand(
      "eval",
      "Bits per character and perplexity of a checkpoint on a text; prints them and writes\n"
      "OUT/summary.json (qneuro.flux.eval/1: bits_per_char, nats_per_token, tokens).");
  e->add_option("--checkpoint", eopt->checkpoint, "training output directory or checkpoint");
  e->add_option("--text", eopt->text, "text to evaluate");
  e->add_option("--out,-o", eopt->out, "output directory (default flux-eval-out)");

  auto gopt = std::make_shared<GenerateOptions>();
  CLI::App* g = sub->add_subcommand("generate", "Sample text from a checkpoint after a prompt.");
  g->add_option("--checkpoint", gopt->checkpoint, "training output directory or checkpoint");
  g->add_option("--prompt", gopt->prompt, "prompt text (characters of the model's vocabulary)");
  g->add_option("--tokens", gopt->tokens, "tokens to generate (default: generate.tokens, 200)")
      ->check(CLI::Range(int64_t{0}, int64_t{10000000}));
  g->add_option("--temperature", gopt->temperature, "sampling temperature (default 0.8)")
      ->check(CLI::PositiveNumber);
  g->add_option("--top-k", gopt->top_k,
                "sample among the k likeliest (default: min(50, vocabulary); 0: all)")
      ->check(CLI::NonNegativeNumber);
  g->add_option("--seed", gopt->seed, "sampling seed (default 1)");

  auto bopt = std::make_shared<BenchOptions>();
  CLI::App* b = sub->add_subcommand(
      "bench",
      "Training and inference tokens/s of each model at each context length (random tokens,\n"
      "medians of --steps timed repeats): one JSON line per (kind, T).");
  b->add_option("--kinds", bopt->kinds, "models")->delimiter(',')->capture_default_str();
  b->add_option("--lengths", bopt->lengths, "context lengths T")
      ->delimiter(',')
      ->capture_default_str();
  b->add_option("--radial", bopt->radial,
                "flux radial steps to time (off, diffusion, schrodinger; flux.radial_step)")
      ->delimiter(',')
      ->capture_default_str();
  b->add_option("--batch", bopt->batch, "windows per step")->capture_default_str();
  b->add_option("--steps", bopt->steps, "timed repeats")->capture_default_str();

  return {sub, [sub, t, e, g, b, topt, eopt, gopt, bopt, &global]() -> int {
            (void)sub;
            if (t->parsed()) return run_train(*topt, global);
            if (e->parsed()) return run_eval(*eopt, global);
            if (g->parsed()) return run_generate(*gopt);
            if (b->parsed()) return run_bench(*bopt);
            throw UsageError("flux: name a subcommand (train, eval, generate, bench)");
          }};
}

}  // namespace qneuro::cli
