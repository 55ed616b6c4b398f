// The seed's radial-diffusion and imaginary-time Schrodinger steps, with the radial operator
// it meant (its code applied a plain Laplacian and never called either step):
//   radial diffusion        du/dtau   = alpha (1/r) d/dr (r du/dr)
//   imaginary-time Schrodinger dpsi/dtau = -H psi,  H = -alpha (1/r) d/dr (r d/dr) + V(r)
// Both are radially symmetric 2-D problems on the disc r <= R.
//
// Grid (cell-centred): n cells on [0, R], dr = R / n, centres r_k = (k + 1/2) dr, faces
// r_{k+1/2} = (k + 1) dr. The operator is the finite-volume 2-D Laplacian: the flux balance of
// the annulus of cell k divided by its area (r_k dr),
//   (L u)_k = [ r_{k+1/2} (u_{k+1} - u_k) - r_{k-1/2} (u_k - u_{k-1}) ] / (r_k dr^2),
// with r_{-1/2} = 0 (no flux through the origin: the symmetry condition du/dr = 0 at r = 0, and no
// 1/r singularity) and zero flux through r = R (Neumann). L is self-adjoint and negative
// semi-definite in the weighted inner product <u, v>_r = sum_k r_k u_k v_k dr (the disc integral
// over 2 pi), it conserves the mass sum_k r_k u_k dr exactly, and its eigenvalues approach the
// Neumann modes J0(j_{1,m} r / R), -(j_{1,m} / R)^2 (j_{1,m} the zeros of J1), to O(dr^2).
//
// Steps of length tau:
//   diffusion:    CN(a) = (I - a/2 L)^-1 (I + a/2 L), a = alpha tau (Crank-Nicolson: second
//                 order, unconditionally stable; its factor for an eigenvalue lambda <= 0 is
//                 (1 + a lambda/2) / (1 - a lambda/2), in (-1, 1]).
//   Schrodinger:  Strang splitting e^{-tau V/2} CN(alpha tau) e^{-tau V/2}, second order in tau;
//                 for V >= 0 it does not increase the norm <u, u>_r.
// The propagators are dense n x n matrices (n is small in the flux model: the pairs of a head),
// built from differentiable tensor operations, so alpha, V and tau can be learned. A leading
// batch dimension in alpha [h] and V [h, n] gives h propagators [h, n, n]. Any floating dtype.
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace qneuro::flux {

/// Cell centres r_k = (k + 1/2) R / n, [n].
torch::Tensor radial_centres(int64_t n, double R, torch::TensorOptions opts = torch::kDouble);

/// The finite-volume operator L above as a dense [n, n] matrix (InputError for n < 2, R <= 0).
torch::Tensor radial_laplacian(int64_t n, double R, torch::TensorOptions opts = torch::kDouble);

/// CN(alpha tau) for L [n, n], alpha scalar or [h], tau scalar: [n, n] or [h, n, n].
torch::Tensor radial_diffusion_propagator(const torch::Tensor& L, const torch::Tensor& alpha,
                                          const torch::Tensor& tau);

/// The Strang step e^{-tau V/2} CN(alpha tau) e^{-tau V/2} for V [n] or [h, n] (with alpha
/// scalar or [h]).
torch::Tensor imaginary_time_propagator(const torch::Tensor& L, const torch::Tensor& alpha,
                                        const torch::Tensor& V, const torch::Tensor& tau);

/// Applies G [n, n] to u [..., n] along its last dimension (u G^T), or G [h, n, n] to
/// u [..., h, n], head by head.
torch::Tensor apply_radial(const torch::Tensor& G, const torch::Tensor& u);

/// One step on u [..., n] sampled at radial_centres(n, R): the seed's radial_diffusion_step.
torch::Tensor radial_diffusion_step(const torch::Tensor& u, double alpha, double tau, double R);
/// One step on psi [..., n] with potential V [n]: the seed's imaginary_time_schrodinger_step.
torch::Tensor imaginary_time_schrodinger_step(const torch::Tensor& psi, double alpha,
                                              const torch::Tensor& V, double tau, double R);

}  // namespace qneuro::flux
