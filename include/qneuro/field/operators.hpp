// Pointwise finite-difference operators on the grid, consistent with the boundary conditions of
// grid.hpp (the same ghost rules as the Crank-Nicolson factors, so the energy and the quantum
// potential use exactly the operator the kinetic step exponentiates).
#pragma once

#include <array>
#include <cstddef>

#include "qneuro/field/grid.hpp"

namespace qneuro::field {

/// Neighbour values of f[i] along one axis (stride s) with the boundary's ghost rule.
template <typename T>
inline T second_difference(const T* f, std::size_t i, std::size_t n, std::size_t s, Boundary bc) {
  if (n <= 1) return T(0);
  const T c = f[i * s];
  T left, right;
  if (i > 0) {
    left = f[(i - 1) * s];
  } else {
    left = bc == Boundary::Periodic ? f[(n - 1) * s] : bc == Boundary::Neumann ? c : T(0);
  }
  if (i + 1 < n) {
    right = f[(i + 1) * s];
  } else {
    right = bc == Boundary::Periodic ? f[0] : bc == Boundary::Neumann ? c : T(0);
  }
  return left - T(2) * c + right;
}

/// (sum_a w_a d_a^2 f) at node (ix, iy, ir): weights w = {1, 1, gamma_r} for the full operator,
/// {1, 1, 0} for the in-plane Laplacian. `inv_h2` = 1/h_a^2.
template <typename T, typename W>
inline T weighted_laplacian_at(const Grid& g, const std::array<W, 3>& w_inv_h2, const T* f,
                               std::size_t ix, std::size_t iy, std::size_t ir) {
  const std::size_t nx = g.nx(), ny = g.ny();
  const std::size_t p = g.index(ix, iy, ir);
  T out = T(0);
  if (w_inv_h2[0] != W(0))
    out += second_difference(f + (p - ix), ix, nx, 1, g.axes[0].bc) * w_inv_h2[0];
  if (w_inv_h2[1] != W(0))
    out += second_difference(f + (p - iy * nx), iy, ny, nx, g.axes[1].bc) * w_inv_h2[1];
  if (w_inv_h2[2] != W(0))
    out +=
        second_difference(f + (p - ir * nx * ny), ir, g.nr(), nx * ny, g.axes[2].bc) * w_inv_h2[2];
  return out;
}

}  // namespace qneuro::field

namespace qneuro::field {

/// The weighted Laplacian of a whole x-line (iy, ir) into out[0..nx): the same values as
/// weighted_laplacian_at, computed with neighbour-line pointers resolved once per line so that
/// the interior loop is branch-free and vectorises. `zero_line` holds nx zeros (Dirichlet ghost).
template <typename T, typename W>
inline void weighted_laplacian_line(const Grid& g, const std::array<W, 3>& w_inv_h2, const T* f,
                                    std::size_t iy, std::size_t ir, const T* zero_line, T* out) {
  const std::size_t nx = g.nx(), ny = g.ny(), nr = g.nr(), plane = g.plane();
  const T* c = f + ir * plane + iy * nx;
  auto neighbour = [&](std::size_t i, std::size_t n, Boundary bc, std::size_t stride,
                       bool lower) -> const T* {
    if (lower ? i > 0 : i + 1 < n) return lower ? c - stride : c + stride;
    if (bc == Boundary::Periodic) return lower ? c + (n - 1) * stride : c - (n - 1) * stride;
    if (bc == Boundary::Neumann) return c;
    return zero_line;
  };
  const W wx = nx > 1 ? w_inv_h2[0] : W(0);
  const W wy = ny > 1 ? w_inv_h2[1] : W(0);
  const W wr = nr > 1 ? w_inv_h2[2] : W(0);
  const T* ym = ny > 1 ? neighbour(iy, ny, g.axes[1].bc, nx, true) : c;
  const T* yp = ny > 1 ? neighbour(iy, ny, g.axes[1].bc, nx, false) : c;
  const T* rm = nr > 1 ? neighbour(ir, nr, g.axes[2].bc, plane, true) : c;
  const T* rp = nr > 1 ? neighbour(ir, nr, g.axes[2].bc, plane, false) : c;
#pragma omp simd
  for (std::size_t ix = 0; ix < nx; ++ix) {
    out[ix] = (ym[ix] - T(2) * c[ix] + yp[ix]) * wy + (rm[ix] - T(2) * c[ix] + rp[ix]) * wr;
  }
  if (nx > 1) {
    for (std::size_t ix = 1; ix + 1 < nx; ++ix) {
      out[ix] += (c[ix - 1] - T(2) * c[ix] + c[ix + 1]) * wx;
    }
    out[0] += second_difference(c, 0, nx, 1, g.axes[0].bc) * wx;
    out[nx - 1] += second_difference(c, nx - 1, nx, 1, g.axes[0].bc) * wx;
  }
}

}  // namespace qneuro::field
