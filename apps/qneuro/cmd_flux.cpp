// `qneuro flux train | eval | generate | bench`: the Quantum Flux language models (flux/run.hpp,
// docs/flux.md). In qneuro-torch.
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/flux/run.hpp"

namespace qneuro::cli {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  if (path.empty()) throw UsageError("--text FILE is required");
  return flux::read_text(path);
}

struct TrainOptions {
  std::string text, out = "flux-out";
  bool resume = false;
  ConfigOptions config;
};

int run_train(const TrainOptions& opt, const GlobalOptions& global) {
  ConfigOptions copt = opt.config;
  if (copt.preset.empty() && !copt.file) copt.preset = "flux";
  if (copt.handle_info_flags(flux::flux_schema())) return kExitOk;
  const std::string text = read_text(opt.text);
  const config::Config cfg = copt.resolve(flux::flux_schema());
  flux::TrainRunOptions run;
  run.out = opt.out;
  run.resume = opt.resume;
  run.text_name = opt.text;
  run.command_line = global.command_line;
  const InterruptGuard ctrl_c;  // Ctrl-C stops after the current step, with a checkpoint
  ProgressObserver<flux::TrainObserver> progress("train", global);
  const flux::TrainRunResult r = flux::train(text, cfg, run, &progress);
  progress.finish();
  if (!global.quiet) {
    double tps = 0;
    for (const auto& m : r.history.metrics) tps += m.tokens_per_s;
    tps /= static_cast<double>(std::max<std::size_t>(1, r.history.metrics.size()));
    std::cout << fmt::format(
        "{} model: held-out {:.3f} bits/char ({} tokens) after {} steps, {:.0f} tokens/s; "
        "outputs in {}\n",
        to_string(r.config.model.kind), r.held_out.bits_per_char, r.held_out.tokens, r.history.step,
        tps, opt.out);
  }
  return r.status == RunStatus::Interrupted ? kExitRuntime : kExitOk;
}

struct EvalOptions {
  std::string checkpoint, text, out;
};

int run_eval(const EvalOptions& opt, const GlobalOptions& global) {
  const flux::LoadedCheckpoint ck = flux::load_checkpoint(flux::checkpoint_dir(opt.checkpoint));
  const std::string text = read_text(opt.text);
  flux::EvalRunOptions run;
  run.out = opt.out.empty() ? fs::path("flux-eval-out") : fs::path(opt.out);
  run.text_name = opt.text;
  run.command_line = global.command_line;
  const flux::EvalResult e = flux::evaluate_text(ck, text, run).result;
  std::cout << fmt::format(
      "{:.4f} bits/char, {:.4f} nats/token, perplexity {:.3f} over {} tokens\n", e.bits_per_char,
      e.nats_per_token, std::exp(e.nats_per_token), e.tokens);
  return kExitOk;
}

struct GenerateOptions {
  std::string checkpoint, prompt;
  flux::GenerateOverrides overrides;
};

int run_generate(const GenerateOptions& opt) {
  const flux::LoadedCheckpoint ck = flux::load_checkpoint(flux::checkpoint_dir(opt.checkpoint));
  const std::string text = flux::generate_text(ck, opt.prompt, opt.overrides);
  std::cout << opt.prompt << text << "\n";
  return kExitOk;
}

struct BenchOptions {
  std::vector<std::string> kinds{"flux", "faithful", "transformer"};
  std::vector<std::string> radial{"off"};
  std::vector<std::string> integrators{"heun"};
  flux::BenchParams params;
};

int run_bench(const BenchOptions& o) {
  flux::BenchParams p = o.params;
  p.kinds.clear();
  for (const auto& k : o.kinds) p.kinds.push_back(parse_enum<flux::ModelKind>(k, "--kinds"));
  p.radial.clear();
  for (const auto& r : o.radial) p.radial.push_back(parse_enum<flux::RadialStep>(r, "--radial"));
  p.integrators.clear();
  for (const auto& s : o.integrators) {
    p.integrators.push_back(parse_enum<flux::FlowIntegrator>(s, "--integrators"));
  }
  flux::bench_models(
      p, [](const nlohmann::ordered_json& row) { std::cout << row.dump() << std::endl; });
  return kExitOk;
}

}  // namespace

Command register_flux(CLI::App& root, const GlobalOptions& global) {
  CLI::App* sub = root.add_subcommand("flux", kFluxDescription);
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
  flux::GenerateOverrides& go = gopt->overrides;
  CLI::App* g = sub->add_subcommand("generate", "Sample text from a checkpoint after a prompt.");
  g->add_option("--checkpoint", gopt->checkpoint, "training output directory or checkpoint");
  g->add_option("--prompt", gopt->prompt, "prompt text (characters of the model's vocabulary)");
  g->add_option("--tokens", go.tokens, "tokens to generate (default: generate.tokens, 200)")
      ->check(CLI::Range(int64_t{0}, int64_t{10000000}));
  g->add_option("--temperature", go.temperature, "sampling temperature (default 0.8)")
      ->check(CLI::PositiveNumber);
  g->add_option("--top-k", go.top_k,
                "sample among the k likeliest (default: min(50, vocabulary); 0: all)")
      ->check(CLI::NonNegativeNumber);
  g->add_option("--seed", go.seed, "sampling seed (default 1)");

  auto bopt = std::make_shared<BenchOptions>();
  CLI::App* b = sub->add_subcommand(
      "bench",
      "Training and inference tokens/s of each model at each context length (random tokens,\n"
      "medians of --steps timed repeats): one JSON line per (kind, T).");
  // Defaults shown as [a,b] whatever headers make vectors streamable (CLI11 would switch style).
  auto listed = [](const std::vector<std::string>& v) { return "[" + strings::join(v, ",") + "]"; };
  b->add_option("--kinds", bopt->kinds, "models")->delimiter(',')->default_str(listed(bopt->kinds));
  b->add_option("--lengths", bopt->params.lengths, "context lengths T")
      ->delimiter(',')
      ->capture_default_str();
  b->add_option("--radial", bopt->radial,
                "flux radial steps to time (off, diffusion, schrodinger; flux.radial_step)")
      ->delimiter(',')
      ->default_str(listed(bopt->radial));
  b->add_option("--integrators", bopt->integrators,
                "flux flow steps to time (heun, euler; flux.integrator)")
      ->delimiter(',')
      ->default_str(listed(bopt->integrators));
  b->add_option("--batch", bopt->params.batch, "windows per step")->capture_default_str();
  b->add_option("--steps", bopt->params.repeats, "timed repeats")->capture_default_str();

  return {sub, [t, e, g, b, topt, eopt, gopt, bopt, &global]() -> int {
            if (t->parsed()) return run_train(*topt, global);
            if (e->parsed()) return run_eval(*eopt, global);
            if (g->parsed()) return run_generate(*gopt);
            if (b->parsed()) return run_bench(*bopt);
            throw UsageError("flux: name a subcommand (train, eval, generate, bench)");
          }};
}

}  // namespace qneuro::cli
