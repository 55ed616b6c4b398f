// The (x, y, r) grid of the neural field: sizes, spacings, boundary conditions, coordinates, and
// the exact eigenpairs of the discrete second derivative on each axis.
//
// Conventions (docs/field.md):
// - Cell-centred nodes: coordinate i of an axis with n cells of width h is
//     x_i = (i + 1/2 - n/2) h,    i = 0 .. n-1,
//   so the grid is symmetric about 0 ("measured from the grid centre") and spans [-nh/2, nh/2].
// - Memory layout: x fastest, then y, then r: index = (ir * ny + iy) * nx + ix. An r-slice is a
//   contiguous nx*ny plane (2-D FFTs of the connectivity act on it).
// - Discrete second derivative (L psi)_i = (psi_{i-1} - 2 psi_i + psi_{i+1}) / h^2 with ghost
//   values set by the boundary condition, chosen so that L is symmetric for the plain sum
//   inner product (hence the Crank-Nicolson factors are exactly unitary for sum |psi|^2 dV):
//     periodic:  psi_{-1} = psi_{n-1}, psi_n = psi_0
//     neumann:   psi_{-1} = psi_0,     psi_n = psi_{n-1}   (zero flux through the cell faces)
//     dirichlet: psi_{-1} = 0,         psi_n = 0           (psi vanishes half a cell outside)
//   An axis with n = 1 has no extent: L = 0 along it whatever the condition.
// - Eigenpairs of L (used by the validation tests and the box-mode initial states), k = 0..n-1:
//     periodic:  e^{2 pi i k i/n},             lambda_k = -(4/h^2) sin^2(pi k / n)
//     neumann:   cos(pi k (i + 1/2) / n),      lambda_k = -(4/h^2) sin^2(pi k / (2n))
//     dirichlet: sin(pi (k+1)(i+1) / (n+1)),   lambda_k = -(4/h^2) sin^2(pi (k+1) / (2(n+1)))
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <string>

#include "qneuro/core/enum_names.hpp"

namespace qneuro::field {
enum class Boundary { Periodic, Neumann, Dirichlet };
}  // namespace qneuro::field

template <>
inline constexpr std::array qneuro::enum_names<qneuro::field::Boundary>{
    qneuro::EnumName{qneuro::field::Boundary::Periodic, "periodic"},
    qneuro::EnumName{qneuro::field::Boundary::Neumann, "neumann"},
    qneuro::EnumName{qneuro::field::Boundary::Dirichlet, "dirichlet"}};

namespace qneuro::field {

using qneuro::to_string;  // to_string(Boundary): "periodic", "neumann", "dirichlet"

struct Axis {
  std::size_t n = 1;
  double h = 1.0;
  Boundary bc = Boundary::Periodic;

  [[nodiscard]] double coord(std::size_t i) const {
    return (static_cast<double>(i) + 0.5 - 0.5 * static_cast<double>(n)) * h;
  }
  [[nodiscard]] double length() const { return static_cast<double>(n) * h; }
  /// Eigenvalue of the discrete second derivative for mode k (0 .. n-1).
  [[nodiscard]] double eigenvalue(std::size_t k) const;
  /// Value at node i of eigenvector k (unnormalised; complex only for periodic axes).
  [[nodiscard]] std::complex<double> mode(std::size_t k, std::size_t i) const;
  /// Signed distance from a to b along the axis (minimum image on periodic axes).
  [[nodiscard]] double separation(double a, double b) const;
};

struct Grid {
  std::array<Axis, 3> axes;  ///< x, y, r

  [[nodiscard]] std::size_t nx() const { return axes[0].n; }
  [[nodiscard]] std::size_t ny() const { return axes[1].n; }
  [[nodiscard]] std::size_t nr() const { return axes[2].n; }
  [[nodiscard]] std::size_t size() const { return nx() * ny() * nr(); }
  [[nodiscard]] std::size_t plane() const { return nx() * ny(); }
  /// Volume element hx * hy * hr.
  [[nodiscard]] double dV() const { return axes[0].h * axes[1].h * axes[2].h; }
  [[nodiscard]] std::size_t index(std::size_t ix, std::size_t iy, std::size_t ir) const {
    return (ir * ny() + iy) * nx() + ix;
  }
  [[nodiscard]] bool all_periodic() const {
    return axes[0].bc == Boundary::Periodic && axes[1].bc == Boundary::Periodic &&
           axes[2].bc == Boundary::Periodic;
  }
  /// "64x64x32".
  [[nodiscard]] std::string describe() const;
};

}  // namespace qneuro::field
