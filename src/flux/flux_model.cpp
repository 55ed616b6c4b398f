// The `flux` preset: the model seeds/quantum-flux.md describes, made to work. docs/flux.md gives
// each choice with its measured effect. Shapes: B batch, T tokens, D state, h heads, d = D / h.
//
// State. Token v has a learned state e_v in R^D, read as D/2 (x, y) pairs; the first pair is the
// polar point (r cos theta, r sin theta), initialised on the seed's cardioid, the rest N(0, 0.1^2).
// S^0_t = e_{v_t}: the residual stream of the layers.
// Layer l (pre-normalised, residual):
//   X = LayerNorm(S)                                   [B, T, D], heads X_h [B, h, T, d]
//   Geometric scores of a state Y: U = rot_t(Y W_l) (W_l: a learned D x D frame; rot_t rotates
//     pair k of position t by the phase t omega_k, omega_k = 10000^(-2k/d), when position_phase),
//     sim_ij = U_i . U_j / sqrt(d) = sum_k r_ik r_jk cos(theta_ik - theta_jk) / sqrt(d);
//     thr_i = mu_i + k sigma_i over j <= i (causal_threshold; else over all j);
//     logit_ij = sim_ij + log sigmoid(tau_l (sim_ij - thr_i)) + g_l C_l[v_i, v_j] for j <= i,
//     A(Y) = softmax_j(logit) (rows sum to 1: the flow below is a convex combination, so the
//     state stays bounded by its inputs; the seed's unnormalised clamp(score) let it drift).
//   Flow dX/dt = A(X) X - X per head, one Heun step with dt_l = sigmoid(a_l) (learn_dt):
//     k1 = A(X) X - X, X1 = X + dt k1, k2 = A(X1) X1 - X1, Y = X + dt (k1 + k2) / 2.
//     For dt in (0, 1] Y is a convex combination of the rows of X (coefficients
//     1 - dt + dt^2/2, dt (1 - dt)/2 and dt/2 of X, A X and A1 X1).
//   S <- S + (Y - X) W_o  (per-layer projection);  S <- S + FFN(LayerNorm(S)) (GELU, width
//     ffn_mult D): the per-layer projection and normalisation of the seed's layer.
//   Hebbian memory C_l [V, V] (vocab_hebbian; a buffer saved with checkpoints), updated only in
//     training, without gradient, from the head-averaged A(X):
//     M[a, b] = sum over (i, j) with v_i = a, v_j = b of A_ij / #{i : v_i = a},
//     C <- clamp(decay C + strength M, -clamp, clamp) on the rows a that occur in the batch.
// Readout (readout_all_layers): F = sum_l w_l S^l with learned w (initially the last layer
// only), logits = Linear(LayerNorm(F)). geometric = sum_l (1 - coherence of the first pair).
// Output rule after the optimiser step: W += rate (onehot - softmax)^T LayerNorm(F) / N.
#include <cmath>

#include "flux_internal.hpp"

namespace qneuro::flux {

namespace {

using torch::Tensor;
namespace F = torch::nn::functional;

struct FluxLayerImpl : torch::nn::Module {
  FluxLayerImpl(const ModelParams& p, int64_t vocab) {
    const int64_t D = p.embed_dim;
    frame = register_module("frame", torch::nn::Linear(torch::nn::LinearOptions(D, D).bias(false)));
    mix = register_module("mix", torch::nn::Linear(D, D));
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
    ffn1 = register_module("ffn1", torch::nn::Linear(D, p.ffn_mult * D));
    ffn2 = register_module("ffn2", torch::nn::Linear(p.ffn_mult * D, D));
    const double a0 = std::log(p.dt_init / (1.0 - p.dt_init));
    dt_logit = p.learn_dt ? register_parameter("dt_logit", torch::full({1}, a0))
                          : register_buffer("dt_logit", torch::full({1}, a0));
    log_tau = register_parameter("log_tau", torch::full({1}, std::log(p.gate_sharpness)));
    if (p.vocab_hebbian) {
      hebbian_gain = register_parameter("hebbian_gain", torch::full({1}, p.hebbian_score_gain));
      memory = register_buffer("memory", torch::zeros({vocab, vocab}));
    }
  }
  torch::nn::Linear frame{nullptr}, mix{nullptr}, ffn1{nullptr}, ffn2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  Tensor dt_logit, log_tau, hebbian_gain, memory;
};
TORCH_MODULE(FluxLayer);

class FluxModel : public LanguageModel {
 public:
  FluxModel(const ModelParams& p, int64_t vocab) : LanguageModel(p, vocab) {
    const int64_t D = p.embed_dim;
    Tensor e = 0.1 * torch::randn({vocab, D});
    e.narrow(1, 0, 2).copy_(cardioid_points(vocab));
    embedding_ = register_parameter("embedding", e);
    for (int64_t l = 0; l < p.num_layers; ++l) {
      layers_.push_back(register_module("layer" + std::to_string(l), FluxLayer(p, vocab)));
    }
    if (p.readout_all_layers) {
      Tensor w = torch::zeros({p.num_layers});
      w[p.num_layers - 1] = 1.0;
      readout_mix_ = register_parameter("readout_mix", w);
    }
    final_norm_ =
        register_module("final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
    out_ = register_module("out", torch::nn::Linear(D, vocab));
    // Phases of the position rotation: pair k of a head turns by t omega_k.
    const int64_t d = D / p.heads;
    const Tensor omega = torch::pow(
        10000.0, -torch::arange(0, d / 2, torch::kDouble) * 2.0 / static_cast<double>(d));
    const Tensor angle = torch::arange(p.max_seq_length, torch::kDouble).unsqueeze(1) * omega;
    cos_ = register_buffer("rot_cos", torch::cos(angle).to(torch::kFloat));
    sin_ = register_buffer("rot_sin", torch::sin(angle).to(torch::kFloat));
  }

  ForwardResult forward(const Tensor& ids, bool record) override {
    check_ids(ids, vocab_, params_.max_seq_length);
    const ModelParams& p = params_;
    const int64_t B = ids.size(0), T = ids.size(1), D = p.embed_dim, h = p.heads, d = D / h;
    const Tensor mask = causal_mask(T);
    Tensor S = embedding_.index_select(0, ids.reshape({-1})).reshape({B, T, D});
    ForwardResult r;
    if (record) r.states.push_back(S.narrow(2, 0, 2).detach().clone());
    std::vector<Tensor> outputs;
    double geometric = 0;
    for (auto& layer : layers_) {
      const Tensor X = layer->norm1(S);
      const Tensor bias = hebbian_bias(*layer, ids);
      const double k = p.threshold_k;
      auto scores = [&](const Tensor& Y) {
        Tensor U = layer->frame(Y).reshape({B, T, h, d}).transpose(1, 2);  // [B, h, T, d]
        if (p.position_phase) U = rotate(U, T);
        const Tensor sim =
            torch::matmul(U, U.transpose(-1, -2)) / std::sqrt(static_cast<double>(d));
        Tensor mu, var;
        if (p.causal_threshold) {
          const Tensor masked = sim.masked_fill(mask.logical_not(), 0.0);
          const Tensor count = torch::arange(1, T + 1, sim.options()).unsqueeze(1);
          mu = masked.sum(-1, true) / count;
          var = (masked * masked).sum(-1, true) / count - mu * mu;
        } else {
          mu = sim.mean(-1, true);
          var = sim.var(-1, false, true);
        }
        const Tensor thr = mu + k * torch::sqrt(var.clamp_min(0.0) + 1e-6);
        Tensor logit = sim + F::logsigmoid(layer->log_tau.exp() * (sim - thr));
        if (bias.defined()) logit = logit + bias.unsqueeze(1);
        logit = logit.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
        return torch::softmax(logit, -1);
      };
      const Tensor dt = torch::sigmoid(layer->dt_logit);
      const Tensor Xh = X.reshape({B, T, h, d}).transpose(1, 2);
      const Tensor A1 = scores(X);
      const Tensor k1 = torch::matmul(A1, Xh) - Xh;
      const Tensor X1h = Xh + dt * k1;
      const Tensor X1 = X1h.transpose(1, 2).reshape({B, T, D});
      const Tensor A2 = scores(X1);
      const Tensor k2 = torch::matmul(A2, X1h) - X1h;
      const Tensor Yh = Xh + 0.5 * dt * (k1 + k2);
      S = S + layer->mix((Yh - Xh).transpose(1, 2).reshape({B, T, D}));
      S = S + layer->ffn2(F::gelu(layer->ffn1(layer->norm2(S))));
      outputs.push_back(S);
      if (is_training() && layer->memory.defined()) update_memory(*layer, A1.mean(1), ids);
      geometric += finish_layer(r, S.narrow(2, 0, 2), A1.mean(1), record);
    }
    Tensor feat = S;
    if (readout_mix_.defined()) {
      feat = torch::zeros_like(S);
      for (std::size_t l = 0; l < outputs.size(); ++l) {
        feat = feat + readout_mix_[static_cast<int64_t>(l)] * outputs[l];
      }
    }
    const Tensor H = final_norm_(feat);
    finish_forward(r, H, out_(H), geometric);
    return r;
  }

  Tensor output_weight() override { return out_->weight; }

 private:
  Tensor embedding_, readout_mix_, cos_, sin_;
  std::vector<FluxLayer> layers_;
  torch::nn::LayerNorm final_norm_{nullptr};
  torch::nn::Linear out_{nullptr};

  /// Rotates pair k = (U[..., 2k], U[..., 2k + 1]) of position t by t omega_k.
  Tensor rotate(const Tensor& U, int64_t T) const {
    const Tensor c = cos_.narrow(0, 0, T), s = sin_.narrow(0, 0, T);  // [T, d/2]
    const Tensor x = U.slice(-1, 0, c.size(1) * 2, 2), y = U.slice(-1, 1, c.size(1) * 2, 2);
    return torch::stack({x * c - y * s, x * s + y * c}, -1).flatten(-2);
  }

  /// g_l C_l[v_i, v_j] as [B, T, T], or undefined without the memory.
  static Tensor hebbian_bias(FluxLayerImpl& layer, const Tensor& ids) {
    if (!layer.memory.defined()) return {};
    const int64_t B = ids.size(0), T = ids.size(1);
    const Tensor rows = layer.memory.index_select(0, ids.reshape({-1})).reshape({B, T, -1});
    return layer.hebbian_gain * rows.gather(2, ids.unsqueeze(1).expand({B, T, T}));
  }

  void update_memory(FluxLayerImpl& layer, const Tensor& A, const Tensor& ids) const {
    torch::NoGradGuard no_grad;
    const ModelParams& p = params_;
    const Tensor O = torch::one_hot(ids, vocab_).to(A.scalar_type());                  // [B, T, V]
    const Tensor M = torch::bmm(O.transpose(1, 2), torch::bmm(A.detach(), O)).sum(0);  // [V, V]
    const Tensor count = O.sum(std::vector<int64_t>{0, 1});                            // [V]
    const Tensor seen = count.gt(0).unsqueeze(1);
    const Tensor mean = M / count.clamp_min(1.0).unsqueeze(1);
    const Tensor updated = torch::clamp(p.hebbian_decay * layer.memory + p.hebbian_strength * mean,
                                        -p.connection_clamp, p.connection_clamp);
    layer.memory.copy_(torch::where(seen, updated, layer.memory));
  }
};

}  // namespace

std::shared_ptr<LanguageModel> make_flux_model(const ModelParams& p, int64_t vocab) {
  return std::make_shared<FluxModel>(p, vocab);
}

}  // namespace qneuro::flux
