// The `flux` preset: the model seeds/quantum-flux.md describes, made to work. docs/flux.md gives
// each choice with its measured effect. Shapes: B batch, T tokens, D state, h heads, d = D / h.
//
// Modules: PolarEncoder (encoder.hpp), GeometricAttention with the Hebbian memory
// (attention.hpp), HeunIntegrator (integrator.hpp), the layer and the model below.
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
//   Flow dX/dt = A(X) X - X - H X per head, one step with dt_l = sigmoid(a_l) (learn_dt), the
//     HeunIntegrator (integrator.hpp): Heun for the attention flow,
//     k1 = A(X) X - X, X1 = X + dt k1, k2 = A(X1) X1 - X1, Y = X + dt (k1 + k2) / 2,
//     Strang-split with the radial part H (radial_step: off, radial diffusion or imaginary-time
//     Schrodinger over the pairs of a head). For dt in (0, 1] the Heun step is a convex
//     combination of the rows of X (coefficients 1 - dt + dt^2/2, dt (1 - dt)/2 and dt/2 of X,
//     A X and A1 X1), and the radial part does not increase the r-weighted norm.
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
#include "qneuro/flux/attention.hpp"
#include "qneuro/flux/encoder.hpp"
#include "qneuro/flux/integrator.hpp"

namespace qneuro::flux {

namespace {

using torch::Tensor;
namespace F = torch::nn::functional;

/// One flux layer: pre-normalised geometric attention flow, integrated, then the per-layer
/// projection and the feed-forward block, both residual.
struct FluxLayerImpl : torch::nn::Module {
  FluxLayerImpl(const ModelParams& p, int64_t vocab) {
    const int64_t D = p.embed_dim;
    attention = register_module("attention", GeometricAttention(p, vocab));
    integrator = register_module("integrator", HeunIntegrator(p));
    mix = register_module("mix", torch::nn::Linear(D, D));
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
    ffn1 = register_module("ffn1", torch::nn::Linear(D, p.ffn_mult * D));
    ffn2 = register_module("ffn2", torch::nn::Linear(p.ffn_mult * D, D));
  }

  /// The new residual stream from S [B, T, D]; `scores` receives the head-averaged A(X) of the
  /// first Heun stage [B, T, T], `head_scores` the same per head [B, h, T, T].
  Tensor forward(const Tensor& S, const Tensor& ids, Tensor& scores, Tensor& head_scores) {
    const int64_t B = S.size(0), T = S.size(1), D = S.size(2);
    const int64_t h = attention->params.heads, d = D / h;
    const Tensor bias = attention->hebbian_bias(ids);
    auto heads = [&](const Tensor& Y) { return Y.reshape({B, T, h, d}).transpose(1, 2); };
    auto flat = [&](const Tensor& Yh) { return Yh.transpose(1, 2).reshape({B, T, D}); };
    auto flow = [&](const Tensor& Xh) {
      const Tensor A = attention->forward(flat(Xh), bias);
      if (!scores.defined()) {
        scores = A.mean(1);
        head_scores = A;
      }
      return torch::matmul(A, Xh) - Xh;
    };
    const Tensor Xh = heads(norm1(S));
    const Tensor Yh = integrator->forward(Xh, flow);
    Tensor out = S + mix(flat(Yh - Xh));
    return out + ffn2(F::gelu(ffn1(norm2(out))));
  }

  GeometricAttention attention{nullptr};
  HeunIntegrator integrator{nullptr};
  torch::nn::Linear mix{nullptr}, ffn1{nullptr}, ffn2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(FluxLayer);

class FluxModel : public LanguageModel {
 public:
  FluxModel(const ModelParams& p, int64_t vocab) : LanguageModel(p, vocab) {
    encoder_ = register_module("encoder", PolarEncoder(vocab, p.embed_dim));
    for (int64_t l = 0; l < p.num_layers; ++l) {
      layers_.push_back(register_module("layer" + std::to_string(l), FluxLayer(p, vocab)));
    }
    if (p.readout_all_layers) {
      Tensor w = torch::zeros({p.num_layers});
      w[p.num_layers - 1] = 1.0;
      readout_mix_ = register_parameter("readout_mix", w);
    }
    final_norm_ = register_module("final_norm",
                                  torch::nn::LayerNorm(torch::nn::LayerNormOptions({p.embed_dim})));
    out_ = register_module("out", torch::nn::Linear(p.embed_dim, vocab));
  }

  ForwardResult forward(const Tensor& ids, bool record) override {
    check_ids(ids, vocab_, params_.max_seq_length);
    Tensor S = encoder_->forward(ids);
    ForwardResult r;
    if (record) r.states.push_back(S.narrow(2, 0, 2).detach().clone());
    std::vector<Tensor> outputs;
    double geometric = 0;
    for (auto& layer : layers_) {
      Tensor scores, head_scores;
      S = layer->forward(S, ids, scores, head_scores);
      outputs.push_back(S);
      if (is_training()) layer->attention->update_memory(scores, ids);
      geometric += finish_layer(r, S.narrow(2, 0, 2), scores, record, head_scores);
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
  PolarEncoder encoder_{nullptr};
  Tensor readout_mix_;
  std::vector<FluxLayer> layers_;
  torch::nn::LayerNorm final_norm_{nullptr};
  torch::nn::Linear out_{nullptr};
};

}  // namespace

std::shared_ptr<LanguageModel> make_flux_model(const ModelParams& p, int64_t vocab) {
  return std::make_shared<FluxModel>(p, vocab);
}

}  // namespace qneuro::flux
