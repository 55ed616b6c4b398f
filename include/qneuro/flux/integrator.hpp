// The flux integrator: one step of length dt of the per-head flow
//   dX/dt = F(X) - H X,   F(X) = A(X) X - X   (geometric attention, attention.hpp),
// on states X [B, h, T, d]. H is the seed's radial operator (radial.hpp) acting on the pairs of
// a head as a radial profile: psi_k = X[..., 2k] + i X[..., 2k + 1], k = 0 .. d/2 - 1, at radius
// r_k = (k + 1/2) / (d/2) on [0, 1] (H is real, so it acts on the x and y parts alike):
//   radial_step = off:          H = 0;
//   radial_step = diffusion:    H = -alpha Delta_r            (radial diffusion);
//   radial_step = schrodinger:  H = -alpha Delta_r + V(r)     (imaginary-time Schrodinger),
// with per-head alpha = exp(.) (initially radial_alpha) and V_k = exp(.) > 0 per head and pair
// (initially radial_potential), both learned in log space (Adam then moves them by relative
// steps, whatever their scale).
//
// The step: dt = sigmoid(a) (a learned when learn_dt), and
//   off:   Heun   k1 = F(X), X1 = X + dt k1, k2 = F(X1), Y = X + dt (k1 + k2) / 2
//          (flux.integrator = euler: Y = X + dt k1, one evaluation of F, first order);
//   else:  Strang Y = G(dt/2) Heun(G(dt/2) X), with G(tau) = e^{-tau V/2} CN(alpha tau)
//          e^{-tau V/2} (radial.hpp), second order in dt like the Heun step.
// Bounded: for dt in (0, 1] the Heun step gives convex combinations of the rows of X (rows of A
// sum to 1); G does not increase the r-weighted norm of a profile (CN factors in (-1, 1], V >= 0).
#pragma once

#include <functional>

#include <torch/torch.h>

#include "qneuro/flux/params.hpp"

namespace qneuro::flux {

struct HeunIntegratorImpl : torch::nn::Module {
  explicit HeunIntegratorImpl(const ModelParams& p);

  using Flow = std::function<torch::Tensor(const torch::Tensor&)>;
  /// One step from X [B, h, T, d]; flow(X) returns F(X) [B, h, T, d].
  torch::Tensor forward(const torch::Tensor& X, const Flow& flow);
  /// dt = sigmoid(a), [1].
  [[nodiscard]] torch::Tensor dt() const;
  /// G(tau) [h, d/2, d/2]; undefined when radial_step is off.
  [[nodiscard]] torch::Tensor radial_propagator(const torch::Tensor& tau) const;
  /// Applies G [h, P, P] to the pair profiles of X [B, h, T, 2P].
  [[nodiscard]] static torch::Tensor apply_to_pairs(const torch::Tensor& G, const torch::Tensor& X);

  RadialStep radial;
  bool euler = false;  ///< flux.integrator = euler: one stage
  torch::Tensor dt_logit, log_alpha, log_potential, laplacian;
};
TORCH_MODULE(HeunIntegrator);

}  // namespace qneuro::flux
