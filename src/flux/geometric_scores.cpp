// Backward of the fused scores, per row i (n = i + 1 entries j <= i), with g = dL/dA:
//   dL/dlogit_j = A_j (g_j - sum_l A_l g_l)                           (softmax)
//   with z_j = tau (sim_j - thr) and q_j = sigmoid(-z_j) = d log sigmoid(z) / dz:
//   dL/dsim_j  = dlogit_j (1 + tau q_j) + g_thr dthr/dsim_j,
//   g_thr      = -tau sum_j dlogit_j q_j,
//   dthr/dsim_j = 1/n + k (sim_j - mu) / (n sd)   (sd = sqrt(var + 1e-6); the second term is 0
//                 where the variance was clamped at 0, as torch's clamp_min passes no gradient),
//   dL/dbias_j += dlogit_j (summed over the heads),  dL/dtau += sum_j dlogit_j (sim_j - thr) q_j.
// Rows are independent, so the work is split over (b, i) with the heads inside (no races on the
// shared bias gradient); tau's gradient is summed from per-row partials in a fixed order, so the
// result does not depend on the thread count.
#include "geometric_scores.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "flux_internal.hpp"
#include "qneuro/core/fast_math.hpp"
#include "qneuro/core/target_clones.hpp"

namespace qneuro::flux {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

Tensor geometric_scores_reference(const Tensor& sim, const Tensor& bias, const Tensor& tau,
                                  double k, bool causal) {
  const int64_t T = sim.size(-1);
  const Tensor mask = causal_mask(T);
  Tensor mu, var;
  if (causal) {
    const Tensor masked = sim.masked_fill(mask.logical_not(), 0.0);
    const Tensor count = torch::arange(1, T + 1, sim.options()).unsqueeze(1);
    mu = masked.sum(-1, true) / count;
    var = (masked * masked).sum(-1, true) / count - mu * mu;
  } else {
    mu = sim.mean(-1, true);
    var = sim.var(-1, false, true);
  }
  const Tensor thr = mu + k * torch::sqrt(var.clamp_min(0.0) + 1e-6);
  Tensor logit = sim + torch::nn::functional::logsigmoid(tau * (sim - thr));
  if (bias.defined()) logit = logit + bias.unsqueeze(1);
  logit = logit.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
  return torch::softmax(logit, -1);
}

namespace {

struct RowStats {
  float mu, sd, thr;
  bool var_positive;
};

// Inlined into each target clone of the row kernels (so its loop gets their vector width).
__attribute__((always_inline)) inline RowStats row_stats(const float* s, int64_t n, float k) {
  float sum = 0.0f, sq = 0.0f;
#pragma omp simd reduction(+ : sum, sq)
  for (int64_t j = 0; j < n; ++j) {
    sum += s[j];
    sq += s[j] * s[j];
  }
  const float inv = 1.0f / static_cast<float>(n);
  const float mu = sum * inv;
  const float var = sq * inv - mu * mu;
  const float sd = std::sqrt(std::max(var, 0.0f) + 1e-6f);
  return {mu, sd, mu + k * sd, var >= 0.0f};
}

/// A row of scores from s [n] and b [n] (zeros without a bias) into a [T].
QNEURO_TARGET_CLONES
void row_forward(const float* s, const float* b, int64_t n, int64_t T, float tau, float k,
                 float* a) {
  const RowStats st = row_stats(s, n, k);
  const float thr = st.thr;
  // log sigmoid(z) = min(z, 0) - log(1 + exp(-|z|)), z = tau (s_j - thr), in two loops: GCC 12
  // does not if-convert fast_log(1 + fast_exp(.)) in one loop body and leaves it scalar.
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) a[j] = fast_exp(-std::fabs(tau * (s[j] - thr)));
  float m = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : m)
  for (int64_t j = 0; j < n; ++j) {
    const float z = tau * (s[j] - thr);
    // (Selects on values, not std::min/max, whose references become branches.)
    const float l = s[j] + (z < 0.0f ? z : 0.0f) - fast_log(1.0f + a[j]) + b[j];
    a[j] = l;
    m = l > m ? l : m;
  }
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < n; ++j) {
    const float e = fast_exp(a[j] - m);
    a[j] = e;
    sum += e;
  }
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) a[j] *= inv;
  std::fill(a + n, a + T, 0.0f);
}

/// The gradients of one row: writes ds [T], adds to db [n] (if not null), returns dL/dtau.
QNEURO_TARGET_CLONES
float row_backward(const float* s, const float* a, const float* g, int64_t n, int64_t T, float tau,
                   float k, float* ds, float* db) {
  const RowStats st = row_stats(s, n, k);
  float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
  for (int64_t j = 0; j < n; ++j) dot += a[j] * g[j];
  float g_thr = 0.0f, g_tau = 0.0f;
#pragma omp simd reduction(+ : g_thr, g_tau)
  for (int64_t j = 0; j < n; ++j) {
    const float dl = a[j] * (g[j] - dot);
    const float d = s[j] - st.thr;
    const float q = 1.0f / (1.0f + fast_exp(tau * d));
    ds[j] = dl * (1.0f + tau * q);
    g_thr += dl * q;
    g_tau += dl * d * q;
  }
  if (db != nullptr) {
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) db[j] += a[j] * (g[j] - dot);
  }
  g_thr *= -tau;
  const float inv = 1.0f / static_cast<float>(n);
  const float slope = st.var_positive ? k * inv / st.sd : 0.0f;
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) ds[j] += g_thr * (inv + slope * (s[j] - st.mu));
  std::fill(ds + n, ds + T, 0.0f);
  return g_tau;
}

Tensor contiguous_float(const Tensor& t, const char* what) {
  TORCH_CHECK(t.scalar_type() == torch::kFloat && t.device().is_cpu(),
              "geometric_scores_fused: ", what, " must be a float CPU tensor");
  return t.contiguous();
}

struct FusedScores : public torch::autograd::Function<FusedScores> {
  // Optional tensors are c10::optional: autograd cannot take undefined tensors as inputs.
  static Tensor forward(AutogradContext* ctx, const Tensor& sim_in,
                        const c10::optional<Tensor>& bias_in, const Tensor& tau_in, double k) {
    const Tensor sim = contiguous_float(sim_in, "sim");
    const Tensor bias = bias_in ? contiguous_float(*bias_in, "bias") : Tensor();
    const int64_t B = sim.size(0), H = sim.size(1), T = sim.size(2);
    const auto tau = static_cast<float>(tau_in.item<double>());
    const auto kf = static_cast<float>(k);
    Tensor A = torch::empty_like(sim);
    const float* sp = sim.data_ptr<float>();
    const float* bp = bias.defined() ? bias.data_ptr<float>() : nullptr;
    float* ap = A.data_ptr<float>();
    const std::vector<float> zeros(static_cast<std::size_t>(T), 0.0f);
    at::parallel_for(0, B * T, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const int64_t b = r / T, i = r % T;
        const float* brow = bp != nullptr ? bp + r * T : zeros.data();
        for (int64_t h = 0; h < H; ++h) {
          const int64_t off = ((b * H + h) * T + i) * T;
          row_forward(sp + off, brow, i + 1, T, tau, kf, ap + off);
        }
      }
    });
    ctx->save_for_backward({sim, A, tau_in});
    ctx->saved_data["k"] = k;
    ctx->saved_data["has_bias"] = bias.defined();
    return A;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const Tensor& sim = saved[0];
    const Tensor& A = saved[1];
    const Tensor& tau_t = saved[2];
    const bool has_bias = ctx->saved_data["has_bias"].toBool();
    const auto kf = static_cast<float>(ctx->saved_data["k"].toDouble());
    const auto tau = static_cast<float>(tau_t.item<double>());
    const int64_t B = sim.size(0), H = sim.size(1), T = sim.size(2);
    const Tensor g = grads[0].defined() ? grads[0].contiguous() : torch::zeros_like(A);
    Tensor ds = torch::empty_like(sim);
    Tensor db = has_bias ? torch::zeros({B, T, T}, sim.options()) : Tensor();
    std::vector<float> tau_rows(static_cast<std::size_t>(B * T), 0.0f);
    const float* sp = sim.data_ptr<float>();
    const float* ap = A.data_ptr<float>();
    const float* gp = g.data_ptr<float>();
    float* dsp = ds.data_ptr<float>();
    float* dbp = has_bias ? db.data_ptr<float>() : nullptr;
    at::parallel_for(0, B * T, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const int64_t b = r / T, i = r % T;
        float* brow = dbp != nullptr ? dbp + r * T : nullptr;
        float acc = 0.0f;
        for (int64_t h = 0; h < H; ++h) {
          const int64_t off = ((b * H + h) * T + i) * T;
          acc += row_backward(sp + off, ap + off, gp + off, i + 1, T, tau, kf, dsp + off, brow);
        }
        tau_rows[static_cast<std::size_t>(r)] = acc;
      }
    });
    double g_tau = 0.0;
    for (const float v : tau_rows) g_tau += static_cast<double>(v);
    return {ds, db, torch::full(tau_t.sizes(), g_tau, tau_t.options()), Tensor()};
  }
};

}  // namespace

Tensor geometric_scores_fused(const Tensor& sim, const Tensor& bias, const Tensor& tau, double k) {
  TORCH_CHECK(sim.dim() == 4 && sim.size(2) == sim.size(3),
              "geometric_scores_fused: sim must be [B, h, T, T]");
  TORCH_CHECK(!bias.defined() || (bias.dim() == 3 && bias.size(0) == sim.size(0) &&
                                  bias.size(1) == sim.size(2) && bias.size(2) == sim.size(3)),
              "geometric_scores_fused: bias must be [B, T, T]");
  return FusedScores::apply(sim, bias.defined() ? c10::optional<Tensor>(bias) : c10::nullopt, tau,
                            k);
}

}  // namespace qneuro::flux
