// Parameters of the Quantum Flux language models (flux, faithful, transformer) and of their
// trainer, and the `qneuro flux` configuration schema. docs/flux.md states every equation and
// carries the key table (checked by a test).
#pragma once

#include <cstdint>
#include <string>

#include "qneuro/core/config.hpp"
#include "qneuro/core/enum_names.hpp"

namespace qneuro::flux {
/// The architecture: the model the seed describes made to work, the seed's code, or a baseline.
enum class ModelKind { Flux, Faithful, Transformer };
/// The radial part of the flux integrator (integrator.hpp): none, radial diffusion, or the
/// imaginary-time Schrodinger step.
enum class RadialStep { Off, Diffusion, Schrodinger };
/// The step of the attention flow (integrator.hpp): Heun (two score evaluations per layer,
/// second order) or explicit Euler (one evaluation, first order; 1.4 to 1.6x the training speed).
enum class FlowIntegrator { Heun, Euler };
/// Characters (the code points of the training text) or the 256 byte values.
enum class TokenizerKind { Char, Byte };
}  // namespace qneuro::flux

namespace qneuro {
template <>
inline constexpr std::array enum_names<flux::ModelKind>{
    EnumName{flux::ModelKind::Flux, "flux"}, EnumName{flux::ModelKind::Faithful, "faithful"},
    EnumName{flux::ModelKind::Transformer, "transformer"}};
template <>
inline constexpr std::array enum_names<flux::RadialStep>{
    EnumName{flux::RadialStep::Off, "off"}, EnumName{flux::RadialStep::Diffusion, "diffusion"},
    EnumName{flux::RadialStep::Schrodinger, "schrodinger"}};
template <>
inline constexpr std::array enum_names<flux::FlowIntegrator>{
    EnumName{flux::FlowIntegrator::Heun, "heun"}, EnumName{flux::FlowIntegrator::Euler, "euler"}};
template <>
inline constexpr std::array enum_names<flux::TokenizerKind>{
    EnumName{flux::TokenizerKind::Char, "char"}, EnumName{flux::TokenizerKind::Byte, "byte"}};
}  // namespace qneuro

namespace qneuro::flux {

using qneuro::to_string;

/// The model. `kind` selects the architecture; each documented switch below applies to `flux`
/// only unless its comment says otherwise.
struct ModelParams {
  ModelKind kind = ModelKind::Flux;
  int64_t embed_dim = 64;  ///< D
  int64_t max_seq_length = 64;
  int64_t num_layers = 2;
  int64_t heads = 4;     ///< flux and transformer attention heads (D divisible by heads)
  int64_t ffn_mult = 4;  ///< flux and transformer feed-forward width, in units of D
  // Hebbian connection strengths (faithful: [B, T, T] per layer; flux: [V, V] per layer)
  double hebbian_decay = 0.99;
  double hebbian_strength = 0.1;
  double connection_clamp = 0.5;
  double hebbian_score_gain = 0.3;  ///< faithful: score += gain C; flux: initial learned gain
  double hebbian_min_score = 0.1;   ///< faithful: only scores above this reinforce C
  double threshold_k = 0.5;         ///< row threshold mu + k sigma
  // faithful radius rule and integrator
  double min_radius = 0.1, max_radius = 2.0, radius_update_rate = 0.01;
  double skip_beta = 5.0, dt_scale = 1e-5, dt_max = 0.05, epsilon = 1e-6;
  double fixed_dt = 0.0;  ///< faithful: > 0 replaces the Beta-sampled dt (tests)
  double geometric_weight = 0.01;
  double output_hebbian_rate = 1e-4;  ///< LMS rule on the output weights (0: off)
  // flux switches
  bool causal_threshold = true;    ///< threshold statistics over j <= i (faithful: all j)
  bool position_phase = true;      ///< positions rotate the phase of every (x, y) pair
  bool vocab_hebbian = true;       ///< persistent [V, V] connection strengths feed the scores
  bool readout_all_layers = true;  ///< logits read a learned mix of every layer's state
  bool learn_dt = true;            ///< per-layer dt = sigmoid(a), a learned
  double dt_init = 0.5;            ///< initial dt of the flux integrator
  double gate_sharpness = 4.0;     ///< initial tau of the soft threshold gate sigma(tau (s - thr))
  RadialStep radial_step = RadialStep::Off;  ///< radial part of the integrator (docs/flux.md)
  FlowIntegrator integrator = FlowIntegrator::Heun;  ///< the attention flow's step
  double radial_alpha = 1e-3;                        ///< initial radial diffusion coefficient alpha
  double radial_potential = 0.01;                    ///< initial potential V (schrodinger), > 0

  /// Throws InputError for heads that do not divide embed_dim (flux, transformer), an odd
  /// per-head width (flux: its states are (x, y) pairs), a radial step with fewer than 2 pairs
  /// per head, or radius.min > radius.max.
  void validate() const;
};

struct TrainParams {
  int64_t steps = 3000;
  int64_t batch = 8;
  double lr = 3e-3;
  double weight_decay = 0.01;
  double clip = 1.0;
  int64_t warmup = 100;
  double lr_final_ratio = 0.01;  ///< cosine schedule from lr to lr * ratio
  int64_t eval_every = 500;
  int64_t eval_batches = 20;  ///< periodic evaluation: this many windows of the held-out text
  int64_t checkpoint_every = 1000;
  double val_fraction = 0.1;  ///< the last fraction of the text is held out
  TokenizerKind tokenizer = TokenizerKind::Char;
  uint32_t seed = 1;
};

struct GenerateParams {
  int64_t tokens = 200;
  double temperature = 0.8;
  int64_t top_k = 50;
  uint32_t seed = 1;
};

struct FluxConfig {
  ModelParams model;
  TrainParams train;
  GenerateParams generate;
};

/// Schema "flux" with presets flux (default), faithful, transformer and test.
const config::Schema& flux_schema();
FluxConfig flux_config_from(const config::Config& cfg);

}  // namespace qneuro::flux
