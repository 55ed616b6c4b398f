#include "qneuro/flux/integrator.hpp"

#include <cmath>

#include "qneuro/flux/radial.hpp"

namespace qneuro::flux {

using torch::Tensor;

HeunIntegratorImpl::HeunIntegratorImpl(const ModelParams& p)
    : radial(p.radial_step), euler(p.integrator == FlowIntegrator::Euler) {
  const double a0 = std::log(p.dt_init / (1.0 - p.dt_init));
  dt_logit = p.learn_dt ? register_parameter("dt_logit", torch::full({1}, a0))
                        : register_buffer("dt_logit", torch::full({1}, a0));
  if (radial == RadialStep::Off) return;
  const int64_t h = p.heads, pairs = p.embed_dim / p.heads / 2;
  laplacian = register_buffer("laplacian", radial_laplacian(pairs, 1.0, torch::kFloat));
  log_alpha = register_parameter("log_alpha", torch::full({h}, std::log(p.radial_alpha)));
  if (radial == RadialStep::Schrodinger) {
    log_potential =
        register_parameter("log_potential", torch::full({h, pairs}, std::log(p.radial_potential)));
  }
}

Tensor HeunIntegratorImpl::dt() const {
  return torch::sigmoid(dt_logit);
}

Tensor HeunIntegratorImpl::radial_propagator(const Tensor& tau) const {
  if (radial == RadialStep::Off) return {};
  const Tensor alpha = log_alpha.exp();
  const Tensor t = tau.reshape({});
  if (radial == RadialStep::Diffusion) {
    return radial_diffusion_propagator(laplacian, alpha, t);
  }
  return imaginary_time_propagator(laplacian, alpha, log_potential.exp(), t);
}

Tensor HeunIntegratorImpl::apply_to_pairs(const Tensor& G, const Tensor& X) {
  // X [B, h, T, 2P] -> pairs [B, h, T, P, 2]; Y[b, h, t, q, c] = sum_p G[h, q, p] X[b, h, t, p, c]
  const auto sizes = X.sizes();
  const Tensor pairs = X.reshape({sizes[0], sizes[1], sizes[2], sizes[3] / 2, 2});
  return torch::einsum("hqp,bhtpc->bhtqc", {G, pairs}).reshape(sizes);
}

Tensor HeunIntegratorImpl::forward(const Tensor& X, const Flow& flow) {
  const Tensor step = dt();
  const Tensor G = radial_propagator(0.5 * step);
  const Tensor X0 = G.defined() ? apply_to_pairs(G, X) : X;
  const Tensor k1 = flow(X0);
  if (euler) {
    const Tensor Y = X0 + step * k1;
    return G.defined() ? apply_to_pairs(G, Y) : Y;
  }
  const Tensor X1 = X0 + step * k1;
  const Tensor k2 = flow(X1);
  const Tensor Y = X0 + 0.5 * step * (k1 + k2);
  return G.defined() ? apply_to_pairs(G, Y) : Y;
}

}  // namespace qneuro::flux
