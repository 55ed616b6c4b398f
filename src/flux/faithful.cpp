// The `faithful` preset: the seed's code, computation for computation (the issue that introduces
// flux lists it; docs/flux.md repeats it with the choices made where the seed was ambiguous).
//
// Token v is the fixed point S_v = rho_v (cos theta_v, sin theta_v), theta_v = 2 pi v / V + pi/4,
// rho_v = 0.5 + 0.5 sin theta_v: a [B, T, 2] state, no position signal. Per layer l:
//   score(S): sim_ij = (S_i . S_j + 1) / 2; thr_i = mu_i + k sigma_i over all j (sigma with
//     Bessel's correction, torch.std's default; this leaks the future); valid_ij = (sim_ij >
//     thr_i) and j <= i; score = clamp(sim valid, 0, 1); then the Hebbian memory C_l [B, T, T]
//     (indexed by batch slot and position, zeroed when B changes, never saved):
//     C <- clamp(decay C + strength score [valid and score > min_score], -clamp, clamp), and
//     score <- clamp(score + gain C, 0, 1). C is updated at every score evaluation, so twice per
//     layer per forward, in evaluation too.
//   dt = clamp(dt_scale / clamp(x, 1e-3, 0.999), epsilon, dt_max), x ~ Beta((D - 2)/2,
//     (T_max - 1)/2), one draw per layer per forward from torch's generator (fixed_dt > 0
//     replaces it).
//   Heun: k1 = score(S) S, S1 = S + dt k1, k2 = score(S1) S1, S' = S + dt (k1 + k2) / 2.
//   Radius: r = |S'|, r' = clamp(r + rate sum_j score(S1)_ij, min_radius, max_radius),
//     S' <- S' r' / max(r, epsilon).
//   Skip: lambda = sigmoid(beta (dt - dt_scale)); S_out = lambda S + (1 - lambda) S'.
//   H_l = LayerNorm(Linear(2 -> D)(S_out)); S <- S_out.
// logits = Linear(D -> V)(H_L): only the last layer's projection and the output layer learn.
// geometric = sum_l (1 - coherence(S_out,l)), reported with weight 0.01 and no gradient.
// Output rule: W += rate (onehot - softmax)^T H / N, which the seed applied in place before
// backward() (autograd then fails in fp32); here it runs after backward, before the optimiser
// step (OutputRuleTiming::BeforeStep), the nearest order that works.
#include <cmath>
#include <numbers>

#include "flux_internal.hpp"
#include "qneuro/core/error.hpp"

namespace qneuro::flux {

namespace {

using torch::Tensor;

class FaithfulModel : public LanguageModel {
 public:
  FaithfulModel(const ModelParams& p, int64_t vocab) : LanguageModel(p, vocab) {
    points_ = register_buffer("points", cardioid_points(vocab));
    for (int64_t l = 0; l < p.num_layers; ++l) {
      proj_.push_back(
          register_module("proj" + std::to_string(l), torch::nn::Linear(2, p.embed_dim)));
      norm_.push_back(
          register_module("norm" + std::to_string(l),
                          torch::nn::LayerNorm(torch::nn::LayerNormOptions({p.embed_dim}))));
    }
    out_ = register_module("out", torch::nn::Linear(p.embed_dim, vocab));
    memory_.resize(static_cast<std::size_t>(p.num_layers));
  }

  ForwardResult forward(const Tensor& ids, bool record) override {
    check_ids(ids, vocab_, params_.max_seq_length);
    const int64_t B = ids.size(0), T = ids.size(1);
    const ModelParams& p = params_;
    if (!memory_[0].defined() || memory_[0].size(0) != B) {
      for (auto& c : memory_) {
        c = torch::zeros({B, p.max_seq_length, p.max_seq_length}, torch::kFloat);
      }
    }
    Tensor S = points_.index_select(0, ids.reshape({-1})).reshape({B, T, 2});
    ForwardResult r;
    if (record) r.states.push_back(S.detach().clone());
    Tensor H;
    double geometric = 0;
    for (int64_t l = 0; l < p.num_layers; ++l) {
      const double dt = p.fixed_dt > 0 ? p.fixed_dt : sample_dt();
      Tensor& C = memory_[static_cast<std::size_t>(l)];
      const Tensor A1 = score(S, C, T);
      const Tensor k1 = torch::bmm(A1, S);
      const Tensor S1 = S + dt * k1;
      const Tensor A2 = score(S1, C, T);
      const Tensor k2 = torch::bmm(A2, S1);
      Tensor Sn = S + 0.5 * dt * (k1 + k2);
      const Tensor rad = Sn.norm(2, -1, true);
      const Tensor rad_new =
          torch::clamp(rad + p.radius_update_rate * A2.sum(-1, true), p.min_radius, p.max_radius);
      Sn = Sn * rad_new / rad.clamp_min(p.epsilon);
      const double lambda = 1.0 / (1.0 + std::exp(-p.skip_beta * (dt - p.dt_scale)));
      const Tensor S_out = lambda * S + (1.0 - lambda) * Sn;
      H = norm_[static_cast<std::size_t>(l)](proj_[static_cast<std::size_t>(l)](S_out));
      geometric += finish_layer(r, S_out, A2, record);
      S = S_out;
    }
    finish_forward(r, H, out_(H), geometric);
    return r;
  }

  Tensor output_weight() override { return out_->weight; }
  [[nodiscard]] OutputRuleTiming output_rule_timing() const override {
    return OutputRuleTiming::BeforeStep;
  }

 private:
  Tensor points_;
  std::vector<torch::nn::Linear> proj_;
  std::vector<torch::nn::LayerNorm> norm_;
  torch::nn::Linear out_{nullptr};
  std::vector<Tensor> memory_;  ///< C_l [B, T_max, T_max]

  double sample_dt() const {
    const ModelParams& p = params_;
    const double a = static_cast<double>(p.embed_dim - 2) / 2.0;
    const double b = static_cast<double>(p.max_seq_length - 1) / 2.0;
    const Tensor g =
        at::_standard_gamma(torch::tensor({std::max(a, 1e-3), std::max(b, 1e-3)}, torch::kDouble));
    const double x = (g[0] / (g[0] + g[1])).item<double>();
    return std::clamp(p.dt_scale / std::clamp(x, 1e-3, 0.999), p.epsilon, p.dt_max);
  }

  /// The seed's compute_score with its Hebbian update of C (in place).
  Tensor score(const Tensor& S, Tensor& C, int64_t T) const {
    const ModelParams& p = params_;
    const Tensor sim = (torch::bmm(S, S.transpose(1, 2)) + 1.0) / 2.0;
    const Tensor mu = sim.mean(-1, true);
    const Tensor sd = sim.std(-1, /*unbiased=*/true, /*keepdim=*/true);
    const Tensor thr = mu + p.threshold_k * sd;
    const Tensor causal = torch::ones({T, T}, torch::kBool).tril();
    const Tensor valid = sim.gt(thr).logical_and(causal);
    Tensor s = torch::clamp(sim * valid, 0.0, 1.0);
    Tensor Cv = C.narrow(1, 0, T).narrow(2, 0, T);
    {
      torch::NoGradGuard no_grad;
      const Tensor reinforce = valid.logical_and(s.gt(p.hebbian_min_score));
      const Tensor updated =
          torch::clamp(p.hebbian_decay * Cv + p.hebbian_strength * s.detach() * reinforce,
                       -p.connection_clamp, p.connection_clamp);
      Cv.copy_(updated);
    }
    return torch::clamp(s + p.hebbian_score_gain * Cv, 0.0, 1.0);
  }
};

}  // namespace

std::shared_ptr<LanguageModel> make_faithful(const ModelParams& p, int64_t vocab) {
  return std::make_shared<FaithfulModel>(p, vocab);
}

}  // namespace qneuro::flux
