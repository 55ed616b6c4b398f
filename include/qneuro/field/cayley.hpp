// One axis of the ADI kinetic step: the Crank-Nicolson (Cayley) factor
//
//     psi <- (I - i mu T)^{-1} (I + i mu T) psi,     mu = c dt / (2 h^2),
//
// applied along every line of the axis, where T = h^2 L is the boundary-aware tridiagonal
// second difference of grid.hpp and c = D (x, y) or D * gamma_r (r). For the equation
// i D dpsi/dt = -D^2 L psi, i.e. dpsi/dt = i D L psi, this is the exact Cayley transform of
// dt * i c L: unitary because T is real symmetric, second order, and its inverse is the same
// factor with -mu (so stepping with -dt retraces the path).
//
// Implementation: (I - i mu T)^{-1}(I + i mu T) = 2 (I - i mu T)^{-1} - I, so each line needs one
// tridiagonal solve y = (I - i mu T)^{-1} psi and then psi <- 2y - psi (no explicit right-hand
// side). The Thomas factors (c'_j and 1/pivot_j) are computed once, in double, and stored as
// Real. Periodic axes add a Sherman-Morrison correction for the two corner entries (the cyclic
// Thomas algorithm): the correction vector z and its denominator are precomputed too, so a
// periodic line costs one extra pass. Lines along the contiguous axis are solved one at a time;
// lines along strided axes are solved `count` at a time with the inner loop running across the
// contiguous index (unit stride, vectorisable). Axes with n = 1 are the identity.
#pragma once

#include <complex>
#include <cstddef>
#include <vector>

#include "qneuro/field/grid.hpp"

namespace qneuro::field {

template <typename Real>
class CayleyAxis {
 public:
  using Complex = std::complex<Real>;

  CayleyAxis() = default;
  /// Factorises I - i mu T for an axis of n cells with boundary `bc` (periodic needs n >= 3 or 1).
  CayleyAxis(std::size_t n, Boundary bc, double mu);

  [[nodiscard]] std::size_t size() const { return n_; }
  [[nodiscard]] bool identity() const { return n_ <= 1; }

  /// One line with unit stride. `work` holds at least n elements.
  void apply_line(Complex* psi, Complex* work) const;
  /// `count` lines at once: element j of line l is psi[j * stride + l]. `work` holds n * count.
  void apply_lines(Complex* psi, std::size_t stride, std::size_t count, Complex* work) const;

 private:
  std::size_t n_ = 0;
  bool periodic_ = false;
  Complex off_{};                   // -i mu: the sub- and super-diagonal
  std::vector<Complex> cprime_;     // c'_j = off / pivot_j
  std::vector<Complex> inv_pivot_;  // 1 / pivot_j
  std::vector<Complex> z_;          // periodic: B^{-1} u
  Complex ratio_{};                 // periodic: corner / gamma
  Complex inv_denominator_{};       // periodic: 1 / (1 + z_0 + ratio z_{n-1})
};

extern template class CayleyAxis<float>;
extern template class CayleyAxis<double>;

}  // namespace qneuro::field
