// State-dependent dephasing of the neural field: a stochastic potential, the prototype text's
// "wakefulness disrupts neural coherence" (docs/field.md, "Decoherence").
//
// Model. A potential V_noise(x, t) = D sqrt(2 Gamma(t)) xi(x, t) eta(t) that is white in time
// (eta: unit white noise in seconds) and Gaussian in space with unit variance and correlation
// length l, added to U. Integrated exactly over one step (Stratonovich, the only reading under
// which the potential stays real and the evolution unitary), it multiplies the state by a random
// phase:
//
//   psi(x) <- exp(-i phi_n(x)) psi(x),   phi_n(x) = sqrt(2 Gamma(t_{n+1/2}) dt_s) xi_n(x)
//
// with dt_s = dt * time_unit_s the step in seconds and Gamma(t) = decoherence(state(t)) * Gamma0
// (1/s). The kick is applied once per step, after the second half phase. For every node
// <exp(-i phi)> = exp(-Gamma dt_s), so the coherent part of the field (the ensemble mean of psi,
// or on a periodic box the k = 0 amplitude, which the kinetic step leaves unchanged) decays as
// exp(-int Gamma dt_s): the validation tests check exactly that. |psi| is untouched, so the norm
// is conserved exactly; the kinetic energy grows (heating): one kick raises <E_kin> of a uniform
// state by D^2 N sum_a gamma_a (2/h_a^2) (1 - exp(-2 Gamma dt_s)) for white noise (l = 0).
//
// Spatial structure. l = 0: xi_n(x) independent per node. l > 0: xi_n on a coarse lattice of
// m_a = max(1, round(L_a / l)) intervals per axis (wrapping on periodic axes, m_a + 1 nodes on
// the others), trilinearly interpolated with per-axis weights normalised so that
// sum_corners w^2 = 1: every node's xi is then exactly N(0, 1), and nearby nodes are correlated
// over about l. An axis with one cell or with l >= its extent (periodic) carries one value.
//
// Random numbers: Philox keyed (dephasing seed, Stream::FieldDephasing), step = the step index,
// entity = (population << 40) | lattice-node index (one normal per node, the first of a
// Box-Muller pair): independent of threads and of the precision mode.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <vector>

#include "qneuro/field/grid.hpp"
#include "qneuro/field/params.hpp"

namespace qneuro::field {

class Dephasing {
 public:
  Dephasing(const Grid& grid, const ModelParams& model);

  /// The unit-variance field xi_n at step n, for every node (row-major [r][y][x]).
  void noise(uint64_t step, std::vector<double>& xi) const;
  /// psi <- exp(-i sqrt(variance) xi_n) psi with variance = 2 Gamma dt_s (no-op for 0).
  template <typename Real>
  void apply(std::complex<Real>* psi, uint64_t step, double variance) const;

  /// Lattice nodes per axis (0 on an axis where l = 0: one value per grid node).
  [[nodiscard]] const std::array<std::size_t, 3>& lattice() const { return nodes_; }

 private:
  /// xi at the nodes of r-slice ir into `out` (nx * ny values), from the lattice values.
  void slice_noise(std::size_t ir, const std::vector<double>& lattice, double* out) const;
  void lattice_values(uint64_t step, std::vector<double>& out) const;
  /// xi_n on r-slice ir: drawn per node (white) or interpolated from `lattice`.
  void slice_xi(uint64_t step, std::size_t ir, const std::vector<double>& lattice,
                double* out) const;

  Grid grid_;
  bool white_ = true;
  uint32_t seed_ = 1;
  uint64_t entity_base_ = 0;
  std::array<std::size_t, 3> nodes_{0, 0, 0};
  // Per axis and grid index: the two lattice nodes and their normalised weights.
  std::array<std::vector<std::size_t>, 3> i0_, i1_;
  std::array<std::vector<double>, 3> w0_, w1_;
};

}  // namespace qneuro::field
