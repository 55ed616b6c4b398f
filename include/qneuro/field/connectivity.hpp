// Log-normal synaptic connectivity as a Hartree potential (DESIGN.md §3):
//
//   V_conn(x, y, r) = beta * sum_{x', y'} K(x - x', y - y') g(x', y') E(x', y') f(x', y', r) hx hy
//
// with f = rho (form "hartree") or f = (d_x^2 + d_y^2) rho (form "laplacian", the seed's
// beta sum_j W_j lap rho_j variant). Per site (x', y'): g ~ LogNormal(mu, sigma) (g < threshold
// set to 0, the seed's sparsity cut) and E = +1 with probability p_exc, else -1 (E/I sign).
// g and E come from Philox keyed by (connectivity.seed, stream FieldConnectivity) with the site
// index iy * nx + ix as the entity, so the network does not depend on threads or precision.
// K depends on the distance d (minimum image on periodic axes):
//   exponential:  K(d) = exp(-d / l)
//   power_law:    K(d) = (1 + d / l)^(-exponent)       (scale-free, "fractal" tail)
// normalised so that sum_{offsets} K hx hy = 1 (beta is then the potential of a unit density
// spread evenly with g E = 1). The convolution is a 2-D FFT per r-slice: periodic axes are
// transformed at their size (circular convolution), other axes are zero-padded to 2n (linear
// convolution, no wrap-around). FFTs are in double for every precision mode; in `mixed` mode
// g E is stored as binary16 (half) and the result is rounded to the state precision.
#pragma once

#include <cstddef>
#include <complex>
#include <cstdint>
#include <span>
#include <memory>
#include <vector>

#include "qneuro/field/grid.hpp"
#include "qneuro/field/params.hpp"

namespace qneuro::field {

/// One density feeding a connectivity potential: weight * |psi|^2 (populations.coupling).
template <typename Real>
struct DensitySource {
  const std::complex<Real>* psi = nullptr;
  double weight = 1.0;
};

class Connectivity {
 public:
  Connectivity(const Grid& grid, const ModelParams& model, bool half_storage);
  ~Connectivity();
  Connectivity(const Connectivity&) = delete;
  Connectivity& operator=(const Connectivity&) = delete;

  /// out[p] += V_conn[rho](p) for every node, where rho = |psi|^2. Parallel over r-slices.
  template <typename Real>
  void add_potential(const std::complex<Real>* psi, Real* out) const {
    const DensitySource<Real> self{psi, 1.0};
    add_potential(std::span<const DensitySource<Real>>(&self, 1), out);
  }
  /// out[p] += V_conn[sum_k w_k |psi_k|^2](p): the potential of a weighted sum of populations'
  /// densities (V_conn is linear in the density, so one convolution serves every source).
  template <typename Real>
  void add_potential(std::span<const DensitySource<Real>> sources, Real* out) const;

  /// g * E per site (row-major [ny][nx]), as used (after half rounding in mixed mode).
  [[nodiscard]] std::vector<double> weights() const;
  /// Fraction of sites with E = +1 and of sites pruned by the threshold.
  [[nodiscard]] double excitatory_fraction() const { return exc_fraction_; }
  [[nodiscard]] double pruned_fraction() const { return pruned_fraction_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  double exc_fraction_ = 0.0;
  double pruned_fraction_ = 0.0;
};

}  // namespace qneuro::field
