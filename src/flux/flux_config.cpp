#include "qneuro/core/error.hpp"
#include "qneuro/flux/params.hpp"

namespace qneuro::flux {

namespace {

using config::Bounds;

config::Schema build_schema() {
  config::Schema s("flux");
  const Bounds positive{0.0, std::nullopt, true, false};
  const Bounds unit{0.0, 1.0};
  s.add_choice("model.kind", "flux", {"flux", "faithful", "transformer"},
               {"", "architecture: the working flux model, the seed's code, or the baseline"});
  s.add_int("model.embed_dim", 64, {"", "state dimension D"}, Bounds{2.0, 4096.0});
  s.add_int("model.max_seq_length", 64, {"tokens", "context length T_max"}, Bounds{2.0, 65536.0});
  s.add_int("model.num_layers", 2, {"", "layers"}, Bounds{1.0, 64.0});
  s.add_int("model.heads", 4, {"", "attention heads (flux, transformer); divides embed_dim"},
            Bounds{1.0, 256.0});
  s.add_int("model.ffn_mult", 4, {"", "feed-forward width / D (flux, transformer)"},
            Bounds{1.0, 64.0});
  s.add_float("hebbian.decay", 0.99, {"", "connection strength decay per update"}, unit);
  s.add_float("hebbian.strength", 0.1, {"", "connection strength gain per update"},
              Bounds{0.0, 10.0});
  s.add_float("hebbian.clamp", 0.5, {"", "connection strengths clamped to [-clamp, clamp]"},
              positive);
  s.add_float("hebbian.score_gain", 0.3,
              {"", "faithful: score += gain C; flux: initial learned gain of C in the logits"},
              Bounds{0.0, 10.0});
  s.add_float("hebbian.min_score", 0.1, {"", "faithful: scores above this reinforce C"}, unit);
  s.add_float("attention.threshold_k", 0.5, {"", "row threshold mu_i + k sigma_i"},
              Bounds{-10.0, 10.0});
  s.add_float("attention.gate_sharpness", 4.0,
              {"", "flux: initial tau of the threshold gate sigma(tau (sim - thr))"}, positive);
  s.add_bool("attention.causal_threshold", true,
             {"", "flux: threshold statistics over j <= i only (faithful: all j)"});
  s.add_bool("flux.position_phase", true,
             {"", "flux: position t rotates the phase of every (x, y) pair (RoPE-like)"});
  s.add_bool(
      "flux.vocab_hebbian", true,
      {"", "flux: persistent [V, V] connection strengths between token ids feed the scores"});
  s.add_bool("flux.readout_all_layers", true,
             {"", "flux: logits read a learned mix of every layer's state"});
  s.add_bool("flux.learn_dt", true, {"", "flux: per-layer dt = sigmoid(a), a learned"});
  s.add_float("flux.dt_init", 0.5, {"", "flux: initial integrator step"},
              Bounds{0.0, 1.0, true, true});
  s.add_choice("flux.radial_step", "off", {"off", "diffusion", "schrodinger"},
               {"",
                "flux: radial part of the integrator, Strang-split with the Heun step: none, "
                "radial diffusion, or imaginary-time Schrodinger over each head's pairs"});
  s.add_float("flux.radial_alpha", 1e-3, {"", "flux: initial radial diffusion coefficient alpha"},
              Bounds{0.0, 100.0, true, false});
  s.add_float("flux.radial_potential", 0.01,
              {"", "flux: initial potential V of the schrodinger step (learned, > 0)"},
              Bounds{0.0, 100.0, true, false});
  s.add_float("radius.min", 0.1, {"", "faithful: smallest radius"}, positive);
  s.add_float("radius.max", 2.0, {"", "faithful: largest radius"}, positive);
  s.add_float("radius.update_rate", 0.01, {"", "faithful: radius += rate sum_j score_ij"},
              Bounds{0.0, 10.0});
  s.add_float("integrator.skip_beta", 5.0,
              {"", "faithful: skip lambda = sigmoid(beta (dt - dt_scale))"}, Bounds{0.0, 1e6});
  s.add_float("integrator.dt_scale", 1e-5, {"", "faithful: dt = clamp(dt_scale / clamp(x), ...)"},
              positive);
  s.add_float("integrator.dt_max", 0.05, {"", "faithful: largest dt"}, positive);
  s.add_float("integrator.epsilon", 1e-6, {"", "faithful: smallest dt and radius guard"}, positive);
  s.add_float("integrator.fixed_dt", 0.0,
              {"", "faithful: > 0 replaces the Beta-sampled dt (0: sample, as the seed)"},
              Bounds{0.0, 1.0});
  s.add_float("loss.geometric_weight", 0.01,
              {"", "reported loss adds weight * sum_l (1 - coherence_l) (no gradient)"},
              Bounds{0.0, 100.0});
  s.add_float("output_hebbian.rate", 1e-4,
              {"", "LMS rule W += rate (onehot - softmax)^T H / N on the output weights (0: off)"},
              Bounds{0.0, 1.0});
  s.add_int("train.steps", 3000, {"", "optimiser steps"}, Bounds{1.0, 1e9});
  s.add_int("train.batch", 8, {"", "windows per step"}, Bounds{1.0, 1e6});
  s.add_float("train.lr", 3e-3, {"", "AdamW peak learning rate"}, Bounds{0.0, 10.0, true, false});
  s.add_float("train.weight_decay", 0.01, {"", "AdamW weight decay"}, Bounds{0.0, 10.0});
  s.add_float("train.clip", 1.0, {"", "gradient norm clip (0: off)"}, Bounds{0.0, 1e6});
  s.add_int("train.warmup", 100, {"", "linear warm-up steps"}, Bounds{0.0, 1e9});
  s.add_float("train.lr_final_ratio", 0.01, {"", "cosine schedule ends at lr * ratio"}, unit);
  s.add_int("train.eval_every", 500,
            {"", "evaluate on held-out text every this many steps (0: end)"}, Bounds{0.0, 1e9});
  s.add_int("train.eval_batches", 20, {"", "periodic evaluation: batches of held-out windows"},
            Bounds{1.0, 1e9});
  s.add_int("train.checkpoint_every", 1000,
            {"", "write a checkpoint every this many steps (0: end)"}, Bounds{0.0, 1e9});
  s.add_float("data.val_fraction", 0.1, {"", "the last fraction of the text is held out"},
              Bounds{0.0, 0.9, true, false});
  s.add_choice("data.tokenizer", "char", {"char", "byte"},
               {"", "characters (UTF-8 code points of the training text) or bytes (256)"});
  s.add_int("train.seed", 1, {"", "seed of weights, batches and dt samples"},
            Bounds{0.0, 4294967295.0});
  s.add_int("generate.tokens", 200, {"tokens", "tokens to generate"}, Bounds{0.0, 1e7});
  s.add_float("generate.temperature", 0.8, {"", "sampling temperature"}, positive);
  s.add_int("generate.top_k", 50, {"", "sample among the k likeliest tokens (0: all)"},
            Bounds{0.0, 1e9});
  s.add_int("generate.seed", 1, {"", "sampling seed"}, Bounds{0.0, 4294967295.0});
  s.add_preset("flux", "", "the Quantum Flux model made to work (docs/flux.md)");
  s.add_preset("faithful", "[model]\nkind = \"faithful\"\n[train]\nlr = 1e-4\nwarmup = 0\n",
               "the seed's code exactly, with its AdamW lr 1e-4 and no warm-up");
  s.add_preset("transformer", "[model]\nkind = \"transformer\"\n[output_hebbian]\nrate = 0.0\n",
               "a causal pre-LN transformer of the same width and depth (learned positions)");
  s.add_preset("test",
               "[model]\nembed_dim = 16\nmax_seq_length = 16\nheads = 2\n[train]\nsteps = 20\n"
               "batch = 4\neval_every = 10\neval_batches = 2\ncheckpoint_every = 10\n",
               "tiny flux run for tests");
  return s;
}

}  // namespace

void ModelParams::validate() const {
  if (kind != "flux" && kind != "faithful" && kind != "transformer") {
    throw InputError("unknown model.kind '" + kind + "' (allowed: flux, faithful, transformer)");
  }
  if (kind != "faithful" && embed_dim % heads != 0) {
    throw InputError("model.heads = " + std::to_string(heads) +
                     " must divide model.embed_dim = " + std::to_string(embed_dim));
  }
  if (kind == "flux" && (embed_dim / heads) % 2 != 0) {
    throw InputError("flux: model.embed_dim / model.heads = " + std::to_string(embed_dim / heads) +
                     " must be even (each head's state is made of (x, y) pairs)");
  }
  if (kind == "flux" && radial_step != RadialStep::Off && embed_dim / heads < 4) {
    throw InputError(std::string("flux: flux.radial_step = ") + radial_step_name(radial_step) +
                     " needs at least 2 (x, y) pairs per head; model.embed_dim / model.heads = " +
                     std::to_string(embed_dim / heads));
  }
  if (!(radial_alpha > 0.0) || !(radial_potential > 0.0)) {
    throw InputError(
        "flux.radial_alpha and flux.radial_potential must be > 0 (they are learned "
        "in log space)");
  }
}

const char* radial_step_name(RadialStep s) {
  switch (s) {
    case RadialStep::Diffusion:
      return "diffusion";
    case RadialStep::Schrodinger:
      return "schrodinger";
    case RadialStep::Off:
      break;
  }
  return "off";
}

RadialStep radial_step_from(const std::string& name, const std::string& what) {
  for (const auto r : {RadialStep::Off, RadialStep::Diffusion, RadialStep::Schrodinger}) {
    if (name == radial_step_name(r)) return r;
  }
  throw InputError(what + " = '" + name +
                   "' is not a radial step (allowed: off, diffusion, schrodinger)");
}

const config::Schema& flux_schema() {
  static const config::Schema schema = build_schema();
  return schema;
}

FluxConfig flux_config_from(const config::Config& cfg) {
  FluxConfig c;
  ModelParams& m = c.model;
  m.kind = cfg.get_string("model.kind");
  m.embed_dim = cfg.get_int("model.embed_dim");
  m.max_seq_length = cfg.get_int("model.max_seq_length");
  m.num_layers = cfg.get_int("model.num_layers");
  m.heads = cfg.get_int("model.heads");
  m.ffn_mult = cfg.get_int("model.ffn_mult");
  m.hebbian_decay = cfg.get_float("hebbian.decay");
  m.hebbian_strength = cfg.get_float("hebbian.strength");
  m.connection_clamp = cfg.get_float("hebbian.clamp");
  m.hebbian_score_gain = cfg.get_float("hebbian.score_gain");
  m.hebbian_min_score = cfg.get_float("hebbian.min_score");
  m.threshold_k = cfg.get_float("attention.threshold_k");
  m.gate_sharpness = cfg.get_float("attention.gate_sharpness");
  m.causal_threshold = cfg.get_bool("attention.causal_threshold");
  m.position_phase = cfg.get_bool("flux.position_phase");
  m.vocab_hebbian = cfg.get_bool("flux.vocab_hebbian");
  m.readout_all_layers = cfg.get_bool("flux.readout_all_layers");
  m.learn_dt = cfg.get_bool("flux.learn_dt");
  m.dt_init = cfg.get_float("flux.dt_init");
  m.radial_step = radial_step_from(cfg.get_string("flux.radial_step"), "flux.radial_step");
  m.radial_alpha = cfg.get_float("flux.radial_alpha");
  m.radial_potential = cfg.get_float("flux.radial_potential");
  m.min_radius = cfg.get_float("radius.min");
  m.max_radius = cfg.get_float("radius.max");
  if (m.min_radius > m.max_radius) {
    throw InputError("radius.min = " + std::to_string(m.min_radius) +
                     " is larger than radius.max = " + std::to_string(m.max_radius));
  }
  m.radius_update_rate = cfg.get_float("radius.update_rate");
  m.skip_beta = cfg.get_float("integrator.skip_beta");
  m.dt_scale = cfg.get_float("integrator.dt_scale");
  m.dt_max = cfg.get_float("integrator.dt_max");
  m.epsilon = cfg.get_float("integrator.epsilon");
  m.fixed_dt = cfg.get_float("integrator.fixed_dt");
  m.geometric_weight = cfg.get_float("loss.geometric_weight");
  m.output_hebbian_rate = cfg.get_float("output_hebbian.rate");
  m.validate();
  TrainParams& t = c.train;
  t.steps = cfg.get_int("train.steps");
  t.batch = cfg.get_int("train.batch");
  t.lr = cfg.get_float("train.lr");
  t.weight_decay = cfg.get_float("train.weight_decay");
  t.clip = cfg.get_float("train.clip");
  t.warmup = cfg.get_int("train.warmup");
  t.lr_final_ratio = cfg.get_float("train.lr_final_ratio");
  t.eval_every = cfg.get_int("train.eval_every");
  t.eval_batches = cfg.get_int("train.eval_batches");
  t.checkpoint_every = cfg.get_int("train.checkpoint_every");
  t.val_fraction = cfg.get_float("data.val_fraction");
  t.tokenizer = cfg.get_string("data.tokenizer");
  t.seed = static_cast<uint32_t>(cfg.get_int("train.seed"));
  GenerateParams& g = c.generate;
  g.tokens = cfg.get_int("generate.tokens");
  g.temperature = cfg.get_float("generate.temperature");
  g.top_k = cfg.get_int("generate.top_k");
  g.seed = static_cast<uint32_t>(cfg.get_int("generate.seed"));
  return c;
}

}  // namespace qneuro::flux
