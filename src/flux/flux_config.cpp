#include "qneuro/core/config_bindings.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/flux/params.hpp"

namespace qneuro::flux {

namespace {

using config::Bounds;

// The `qneuro flux` keys, each bound to the FluxConfig member it sets (params.hpp holds the
// defaults). Where key and member names differ: hebbian.decay / strength / clamp / score_gain /
// min_score -> model.hebbian_decay / hebbian_strength / connection_clamp / hebbian_score_gain /
// hebbian_min_score; attention.* and flux.* -> model.<same name>; radius.min / max /
// update_rate -> model.min_radius / max_radius / radius_update_rate; integrator.* ->
// model.<same name>; loss.geometric_weight -> model.geometric_weight; output_hebbian.rate ->
// model.output_hebbian_rate; data.val_fraction / tokenizer -> train.val_fraction / tokenizer.
config::BoundSchema<FluxConfig> build_keys() {
  config::BoundSchema<FluxConfig> b("flux");
  const Bounds positive{0.0, std::nullopt, true, false};
  const Bounds unit{0.0, 1.0};
  b.bind("model.kind", QNEURO_MEMBER(model.kind),
         {"", "architecture: the working flux model, the seed's code, or the baseline"});
  b.bind("model.embed_dim", QNEURO_MEMBER(model.embed_dim), {"", "state dimension D"},
         Bounds{2.0, 4096.0});
  b.bind("model.max_seq_length", QNEURO_MEMBER(model.max_seq_length),
         {"tokens", "context length T_max"}, Bounds{2.0, 65536.0});
  b.bind("model.num_layers", QNEURO_MEMBER(model.num_layers), {"", "layers"}, Bounds{1.0, 64.0});
  b.bind("model.heads", QNEURO_MEMBER(model.heads),
         {"", "attention heads (flux, transformer); divides embed_dim"}, Bounds{1.0, 256.0});
  b.bind("model.ffn_mult", QNEURO_MEMBER(model.ffn_mult),
         {"", "feed-forward width / D (flux, transformer)"}, Bounds{1.0, 64.0});
  b.bind("hebbian.decay", QNEURO_MEMBER(model.hebbian_decay),
         {"", "connection strength decay per update"}, unit);
  b.bind("hebbian.strength", QNEURO_MEMBER(model.hebbian_strength),
         {"", "connection strength gain per update"}, Bounds{0.0, 10.0});
  b.bind("hebbian.clamp", QNEURO_MEMBER(model.connection_clamp),
         {"", "connection strengths clamped to [-clamp, clamp]"}, positive);
  b.bind("hebbian.score_gain", QNEURO_MEMBER(model.hebbian_score_gain),
         {"", "faithful: score += gain C; flux: initial learned gain of C in the logits"},
         Bounds{0.0, 10.0});
  b.bind("hebbian.min_score", QNEURO_MEMBER(model.hebbian_min_score),
         {"", "faithful: scores above this reinforce C"}, unit);
  b.bind("attention.threshold_k", QNEURO_MEMBER(model.threshold_k),
         {"", "row threshold mu_i + k sigma_i"}, Bounds{-10.0, 10.0});
  b.bind("attention.gate_sharpness", QNEURO_MEMBER(model.gate_sharpness),
         {"", "flux: initial tau of the threshold gate sigma(tau (sim - thr))"}, positive);
  b.bind("attention.causal_threshold", QNEURO_MEMBER(model.causal_threshold),
         {"", "flux: threshold statistics over j <= i only (faithful: all j)"});
  b.bind("flux.position_phase", QNEURO_MEMBER(model.position_phase),
         {"", "flux: position t rotates the phase of every (x, y) pair (RoPE-like)"});
  b.bind("flux.vocab_hebbian", QNEURO_MEMBER(model.vocab_hebbian),
         {"", "flux: persistent [V, V] connection strengths between token ids feed the scores"});
  b.bind("flux.readout_all_layers", QNEURO_MEMBER(model.readout_all_layers),
         {"", "flux: logits read a learned mix of every layer's state"});
  b.bind("flux.learn_dt", QNEURO_MEMBER(model.learn_dt),
         {"", "flux: per-layer dt = sigmoid(a), a learned"});
  b.bind("flux.dt_init", QNEURO_MEMBER(model.dt_init), {"", "flux: initial integrator step"},
         Bounds{0.0, 1.0, true, true});
  b.bind("flux.integrator", QNEURO_MEMBER(model.integrator),
         {"",
          "flux: step of the attention flow: heun (two score evaluations per layer, second "
          "order) or euler (one, first order, faster)"});
  b.bind("flux.radial_step", QNEURO_MEMBER(model.radial_step),
         {"",
          "flux: radial part of the integrator, Strang-split with the Heun step: none, "
          "radial diffusion, or imaginary-time Schrodinger over each head's pairs"});
  b.bind("flux.radial_alpha", QNEURO_MEMBER(model.radial_alpha),
         {"", "flux: initial radial diffusion coefficient alpha"}, Bounds{0.0, 100.0, true, false});
  b.bind("flux.radial_potential", QNEURO_MEMBER(model.radial_potential),
         {"", "flux: initial potential V of the schrodinger step (learned, > 0)"},
         Bounds{0.0, 100.0, true, false});
  b.bind("radius.min", QNEURO_MEMBER(model.min_radius), {"", "faithful: smallest radius"},
         positive);
  b.bind("radius.max", QNEURO_MEMBER(model.max_radius), {"", "faithful: largest radius"}, positive);
  b.bind("radius.update_rate", QNEURO_MEMBER(model.radius_update_rate),
         {"", "faithful: radius += rate sum_j score_ij"}, Bounds{0.0, 10.0});
  b.bind("integrator.skip_beta", QNEURO_MEMBER(model.skip_beta),
         {"", "faithful: skip lambda = sigmoid(beta (dt - dt_scale))"}, Bounds{0.0, 1e6});
  b.bind("integrator.dt_scale", QNEURO_MEMBER(model.dt_scale),
         {"", "faithful: dt = clamp(dt_scale / clamp(x), ...)"}, positive);
  b.bind("integrator.dt_max", QNEURO_MEMBER(model.dt_max), {"", "faithful: largest dt"}, positive);
  b.bind("integrator.epsilon", QNEURO_MEMBER(model.epsilon),
         {"", "faithful: smallest dt and radius guard"}, positive);
  b.bind("integrator.fixed_dt", QNEURO_MEMBER(model.fixed_dt),
         {"", "faithful: > 0 replaces the Beta-sampled dt (0: sample, as the seed)"},
         Bounds{0.0, 1.0});
  b.bind("loss.geometric_weight", QNEURO_MEMBER(model.geometric_weight),
         {"", "reported loss adds weight * sum_l (1 - coherence_l) (no gradient)"},
         Bounds{0.0, 100.0});
  b.bind("output_hebbian.rate", QNEURO_MEMBER(model.output_hebbian_rate),
         {"", "LMS rule W += rate (onehot - softmax)^T H / N on the output weights (0: off)"},
         Bounds{0.0, 1.0});
  b.bind("train.steps", QNEURO_MEMBER(train.steps), {"", "optimiser steps"}, Bounds{1.0, 1e9});
  b.bind("train.batch", QNEURO_MEMBER(train.batch), {"", "windows per step"}, Bounds{1.0, 1e6});
  b.bind("train.lr", QNEURO_MEMBER(train.lr), {"", "AdamW peak learning rate"},
         Bounds{0.0, 10.0, true, false});
  b.bind("train.weight_decay", QNEURO_MEMBER(train.weight_decay), {"", "AdamW weight decay"},
         Bounds{0.0, 10.0});
  b.bind("train.clip", QNEURO_MEMBER(train.clip), {"", "gradient norm clip (0: off)"},
         Bounds{0.0, 1e6});
  b.bind("train.warmup", QNEURO_MEMBER(train.warmup), {"", "linear warm-up steps"},
         Bounds{0.0, 1e9});
  b.bind("train.lr_final_ratio", QNEURO_MEMBER(train.lr_final_ratio),
         {"", "cosine schedule ends at lr * ratio"}, unit);
  b.bind("train.eval_every", QNEURO_MEMBER(train.eval_every),
         {"", "evaluate on held-out text every this many steps (0: end)"}, Bounds{0.0, 1e9});
  b.bind("train.eval_batches", QNEURO_MEMBER(train.eval_batches),
         {"", "periodic evaluation: batches of held-out windows"}, Bounds{1.0, 1e9});
  b.bind("train.checkpoint_every", QNEURO_MEMBER(train.checkpoint_every),
         {"", "write a checkpoint every this many steps (0: end)"}, Bounds{0.0, 1e9});
  b.bind("data.val_fraction", QNEURO_MEMBER(train.val_fraction),
         {"", "the last fraction of the text is held out"}, Bounds{0.0, 0.9, true, false});
  b.bind("data.tokenizer", QNEURO_MEMBER(train.tokenizer),
         {"", "characters (UTF-8 code points of the training text) or bytes (256)"});
  b.bind("train.seed", QNEURO_MEMBER(train.seed), {"", "seed of weights, batches and dt samples"},
         Bounds{0.0, 4294967295.0});
  b.bind("generate.tokens", QNEURO_MEMBER(generate.tokens), {"tokens", "tokens to generate"},
         Bounds{0.0, 1e7});
  b.bind("generate.temperature", QNEURO_MEMBER(generate.temperature), {"", "sampling temperature"},
         positive);
  b.bind("generate.top_k", QNEURO_MEMBER(generate.top_k),
         {"", "sample among the k likeliest tokens (0: all)"}, Bounds{0.0, 1e9});
  b.bind("generate.seed", QNEURO_MEMBER(generate.seed), {"", "sampling seed"},
         Bounds{0.0, 4294967295.0});
  config::Schema& s = b.schema();
  s.add_preset("flux", "", "the Quantum Flux model made to work (docs/flux.md)");
  s.add_preset("faithful", "[model]\nkind = \"faithful\"\n[train]\nlr = 1e-4\nwarmup = 0\n",
               "the seed's code exactly, with its AdamW lr 1e-4 and no warm-up");
  s.add_preset("transformer", "[model]\nkind = \"transformer\"\n[output_hebbian]\nrate = 0.0\n",
               "a causal pre-LN transformer of the same width and depth (learned positions)");
  s.add_preset("test",
               "[model]\nembed_dim = 16\nmax_seq_length = 16\nheads = 2\n[train]\nsteps = 20\n"
               "batch = 4\neval_every = 10\neval_batches = 2\ncheckpoint_every = 10\n",
               "tiny flux run for tests");
  return b;
}

const config::BoundSchema<FluxConfig>& flux_keys() {
  static const config::BoundSchema<FluxConfig> keys = build_keys();
  return keys;
}

}  // namespace

void ModelParams::validate() const {
  if (kind != ModelKind::Faithful && embed_dim % heads != 0) {
    throw InputError("model.heads = " + std::to_string(heads) +
                     " must divide model.embed_dim = " + std::to_string(embed_dim));
  }
  if (kind == ModelKind::Flux && (embed_dim / heads) % 2 != 0) {
    throw InputError("flux: model.embed_dim / model.heads = " + std::to_string(embed_dim / heads) +
                     " must be even (each head's state is made of (x, y) pairs)");
  }
  if (kind == ModelKind::Flux && radial_step != RadialStep::Off && embed_dim / heads < 4) {
    throw InputError("flux: flux.radial_step = " + to_string(radial_step) +
                     " needs at least 2 (x, y) pairs per head; model.embed_dim / model.heads = " +
                     std::to_string(embed_dim / heads));
  }
  if (!(radial_alpha > 0.0) || !(radial_potential > 0.0)) {
    throw InputError(
        "flux.radial_alpha and flux.radial_potential must be > 0 (they are learned "
        "in log space)");
  }
  if (min_radius > max_radius) {
    throw InputError("radius.min = " + std::to_string(min_radius) +
                     " is larger than radius.max = " + std::to_string(max_radius));
  }
}

const config::Schema& flux_schema() {
  return flux_keys().schema();
}

FluxConfig flux_config_from(const config::Config& cfg) {
  FluxConfig c;
  flux_keys().read(cfg, c);
  c.model.validate();
  return c;
}

}  // namespace qneuro::flux
