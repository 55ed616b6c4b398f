#include "qneuro/flux/radial.hpp"

#include <string>

#include "qneuro/core/error.hpp"

namespace qneuro::flux {

using torch::Tensor;

Tensor radial_centres(int64_t n, double R, torch::TensorOptions opts) {
  const Tensor r = (torch::arange(n, torch::kDouble) + 0.5) * (R / static_cast<double>(n));
  return opts.has_dtype() ? r.to(opts) : r;
}

Tensor radial_laplacian(int64_t n, double R, torch::TensorOptions opts) {
  if (n < 2 || !(R > 0.0)) {
    throw InputError("radial grid needs n >= 2 cells and R > 0 (got n = " + std::to_string(n) +
                     ", R = " + std::to_string(R) + ")");
  }
  // Built in double, then cast: the coefficients are exact to rounding in either dtype.
  const double dr = R / static_cast<double>(n);
  Tensor L = torch::zeros({n, n}, torch::kDouble);
  auto a = L.accessor<double, 2>();
  for (int64_t k = 0; k < n; ++k) {
    const double rk = (static_cast<double>(k) + 0.5) * dr;
    const double inner = static_cast<double>(k) * dr;     // r_{k-1/2}; 0 at the origin
    const double outer = k + 1 < n ? (k + 1) * dr : 0.0;  // r_{k+1/2}; no flux through R
    const double s = 1.0 / (rk * dr * dr);
    if (k > 0) a[k][k - 1] = inner * s;
    if (k + 1 < n) a[k][k + 1] = outer * s;
    a[k][k] = -(inner + outer) * s;
  }
  return opts.has_dtype() ? L.to(opts) : L;
}

namespace {

/// alpha as [h, 1, 1] (or a scalar) so that alpha * L broadcasts to the propagators' shape.
Tensor as_batch_scale(const Tensor& alpha) {
  return alpha.dim() == 0 ? alpha : alpha.reshape({-1, 1, 1});
}

}  // namespace

Tensor radial_diffusion_propagator(const Tensor& L, const Tensor& alpha, const Tensor& tau) {
  const int64_t n = L.size(0);
  const Tensor I = torch::eye(n, L.options());
  const Tensor half = 0.5 * as_batch_scale(alpha) * tau * L;
  return torch::linalg_solve(I - half, I + half);
}

Tensor imaginary_time_propagator(const Tensor& L, const Tensor& alpha, const Tensor& V,
                                 const Tensor& tau) {
  const Tensor half = torch::exp(-0.5 * tau * V);  // [n] or [h, n]
  const Tensor cn = radial_diffusion_propagator(L, alpha, tau);
  return half.unsqueeze(-1) * cn * half.unsqueeze(-2);
}

Tensor apply_radial(const Tensor& G, const Tensor& u) {
  if (G.dim() == 2) return torch::matmul(u, G.transpose(0, 1));
  // u [..., h, n] -> [..., h, 1, n] @ [h, n, n]^T -> [..., h, 1, n]
  return torch::matmul(u.unsqueeze(-2), G.transpose(-1, -2)).squeeze(-2);
}

Tensor radial_diffusion_step(const Tensor& u, double alpha, double tau, double R) {
  const auto opts = u.options();
  const Tensor L = radial_laplacian(u.size(-1), R, opts);
  return apply_radial(radial_diffusion_propagator(L, torch::scalar_tensor(alpha, opts),
                                                  torch::scalar_tensor(tau, opts)),
                      u);
}

Tensor imaginary_time_schrodinger_step(const Tensor& psi, double alpha, const Tensor& V, double tau,
                                       double R) {
  const auto opts = psi.options();
  const Tensor L = radial_laplacian(psi.size(-1), R, opts);
  return apply_radial(imaginary_time_propagator(L, torch::scalar_tensor(alpha, opts), V.to(opts),
                                                torch::scalar_tensor(tau, opts)),
                      psi);
}

}  // namespace qneuro::flux
