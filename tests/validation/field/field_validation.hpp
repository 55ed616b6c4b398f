// Shared helpers and test cases of the neural-field validation suite (validation_field).
//
// Conventions (include/qneuro/field/*.hpp): i D dpsi/dt = -D^2 (d_x^2 + d_y^2 + gamma_r d_r^2) psi
// + U psi, so the free equation per axis is dpsi/dt = i a d^2 psi with a = D (x, y) or
// D * gamma_r (r). Errors are relative discrete L2 norms, ||psi - ref|| / ||ref|| (the dV factors
// cancel).
//
// The executable runs single-threaded except where a test sets the thread count itself (a global
// test environment in test_threads.cpp, which explains why and checks that results are
// bit-identical for 1 and 2 threads). Every test prints its measured numbers (prefix in capitals).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <memory>
#include <numbers>
#include <vector>

#include "qneuro/field/grid.hpp"
#include "qneuro/field/initial.hpp"
#include "qneuro/field/params.hpp"
#include "qneuro/field/readout.hpp"
#include "qneuro/field/solver.hpp"

namespace qneuro::field::validation {

using Cd = std::complex<double>;
using State = std::vector<Cd>;

inline Grid make_grid(Axis x, Axis y, Axis r) {
  Grid g;
  g.axes = {x, y, r};
  return g;
}

/// An axis without extent (n = 1: L = 0 along it).
inline Axis flat() {
  return Axis{1, 1.0, Boundary::Periodic};
}

/// ||a - b|| / ||b|| over all nodes.
inline double rel_l2(const State& a, const State& b) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    num += std::norm(a[i] - b[i]);
    den += std::norm(b[i]);
  }
  return std::sqrt(num / den);
}

/// Relative RMS distance of two real signals, ||a - b|| / ||b||.
inline double rel_rms(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += b[i] * b[i];
  }
  return std::sqrt(num / den);
}

/// max |a - b| / max |b|.
inline double rel_max(const State& a, const State& b) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    num = std::max(num, std::abs(a[i] - b[i]));
    den = std::max(den, std::abs(b[i]));
  }
  return num / den;
}

/// sum |psi|^2 dV.
inline double grid_norm(const Grid& g, const State& psi) {
  double s = 0.0;
  for (const auto& z : psi) s += std::norm(z);
  return s * g.dV();
}

/// Advances `steps` steps starting at step index `first`.
inline void advance(FieldSolverBase& s, uint64_t first, uint64_t steps) {
  for (uint64_t k = first; k < first + steps; ++k) s.step(k);
}

/// Cayley multiplier of one step for an eigenvalue `lambda` of L and coefficient a:
/// (1 + i a dt lambda / 2) / (1 - i a dt lambda / 2).
inline Cd cayley_multiplier(double a, double dt, double lambda) {
  const Cd z(0.0, 0.5 * a * dt * lambda);
  return (1.0 + z) / (1.0 - z);
}

/// Tensor product f_x(ix) f_y(iy) f_r(ir) in the grid's layout.
inline State tensor(const Grid& g, const std::array<std::vector<Cd>, 3>& f) {
  State psi(g.size());
  for (std::size_t ir = 0; ir < g.nr(); ++ir) {
    for (std::size_t iy = 0; iy < g.ny(); ++iy) {
      for (std::size_t ix = 0; ix < g.nx(); ++ix) {
        psi[g.index(ix, iy, ir)] = f[0][ix] * f[1][iy] * f[2][ir];
      }
    }
  }
  return psi;
}

/// Exact solution of the semi-discrete equation dpsi/dt = i a L psi on one axis (the
/// space-discrete problem with exact time integration): expand in the eigenvectors of L
/// (grid.hpp, orthogonal for the plain sum), multiply each coefficient by exp(i a lambda_k t).
inline std::vector<Cd> semi_discrete(const Axis& ax, double a, double t,
                                     const std::vector<Cd>& psi) {
  const std::size_t n = ax.n;
  std::vector<Cd> out(n, 0.0);
  for (std::size_t k = 0; k < n; ++k) {
    Cd c = 0.0;
    double nn = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const Cd v = ax.mode(k, i);
      c += std::conj(v) * psi[i];
      nn += std::norm(v);
    }
    c *= std::polar(1.0, a * ax.eigenvalue(k) * t) / nn;
    for (std::size_t i = 0; i < n; ++i) out[i] += c * ax.mode(k, i);
  }
  return out;
}

/// Exact solution of dpsi/dt = i a psi'' on the real line for psi(x, 0) =
/// exp(-alpha (x - c)^2 + i k0 x), alpha = 1 / (4 w^2) (verified symbolically: it satisfies the
/// PDE and the initial condition):
///   psi = (1 + 4 i a alpha t)^(-1/2) exp[(-alpha (x-c)^2 + i k0 (x-c) - i a k0^2 t) /
///         (1 + 4 i a alpha t)] e^{i k0 c}.
inline Cd gaussian_exact(double x, double c, double w, double k0, double a, double t) {
  const double alpha = 1.0 / (4.0 * w * w);
  const Cd z(1.0, 4.0 * a * alpha * t);
  const double d = x - c;
  const Cd e = (Cd(-alpha * d * d, k0 * d - a * k0 * k0 * t)) / z;
  return std::exp(e) / std::sqrt(z) * std::polar(1.0, k0 * c);
}

/// The analytic packet on an axis at time t (unnormalised: amplitude 1 at t = 0; n = 1 -> 1).
inline std::vector<Cd> gaussian_axis_exact(const Axis& ax, double c, double w, double k0, double a,
                                           double t) {
  std::vector<Cd> f(ax.n, 1.0);
  if (ax.n == 1) return f;
  for (std::size_t i = 0; i < ax.n; ++i) f[i] = gaussian_exact(ax.coord(i), c, w, k0, a, t);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Cases shared by the accuracy tests and the precision test (test_precision.cpp).

/// Case 1: a superposition of two separable discrete eigenmodes on a 3-D grid with mixed
/// boundaries (x periodic, y Neumann, r Dirichlet), gamma_r = 0.6, 50 steps with a large Cayley
/// parameter (mu = a dt / 2h^2 up to 0.75; |a dt lambda / 2| up to 1.3 for these modes).
struct ModeCase {
  Grid grid = make_grid(Axis{9, 0.1, Boundary::Periodic}, Axis{8, 0.15, Boundary::Neumann},
                        Axis{6, 0.2, Boundary::Dirichlet});
  ModelParams model = ModelParams::plain();
  double dt = 0.05;
  uint64_t steps = 50;
  std::vector<std::array<std::size_t, 3>> modes{{2, 3, 1}, {8, 7, 5}};
  std::vector<Cd> weights{Cd(1.0, 0.0), Cd(0.3, -0.4)};

  ModeCase() { model.gamma_r = 0.6; }
  [[nodiscard]] double coefficient(int axis) const {
    return axis == 2 ? model.D * model.gamma_r : model.D;
  }
  [[nodiscard]] State mode(const std::array<std::size_t, 3>& k) const {
    std::array<std::vector<Cd>, 3> f;
    for (int a = 0; a < 3; ++a) {
      const Axis& ax = grid.axes[a];
      f[a].resize(ax.n);
      for (std::size_t i = 0; i < ax.n; ++i) f[a][i] = ax.mode(k[a], i);
    }
    return tensor(grid, f);
  }
  /// One-step multiplier of mode k (product of the per-axis Cayley factors).
  [[nodiscard]] Cd multiplier(const std::array<std::size_t, 3>& k) const {
    Cd g = 1.0;
    for (int a = 0; a < 3; ++a) {
      g *= cayley_multiplier(coefficient(a), dt, grid.axes[a].eigenvalue(k[a]));
    }
    return g;
  }
  [[nodiscard]] State initial() const {
    State psi(grid.size(), 0.0);
    for (std::size_t m = 0; m < modes.size(); ++m) {
      const State v = mode(modes[m]);
      for (std::size_t i = 0; i < psi.size(); ++i) psi[i] += weights[m] * v[i];
    }
    return psi;
  }
  /// The exact state of the discrete scheme after `steps` steps.
  [[nodiscard]] State exact() const {
    State psi(grid.size(), 0.0);
    for (std::size_t m = 0; m < modes.size(); ++m) {
      const State v = mode(modes[m]);
      const Cd g = std::pow(multiplier(modes[m]), static_cast<double>(steps));
      for (std::size_t i = 0; i < psi.size(); ++i) psi[i] += weights[m] * g * v[i];
    }
    return psi;
  }
};

/// Case 2: a free Gaussian packet with k0 in a periodic box large enough that it never wraps
/// (|psi| at the box edge stays below ~1e-9 up to t_end), integrated to t_end = 0.5.
struct PacketCase {
  double h = 0.1;
  double dt = 0.01;
  double t_end = 0.5;
  double half_length = 6.0;  // box [-6, 6] on every axis with extent
  std::array<bool, 3> active{true, false, false};
  std::array<double, 3> center{-0.3, 0.2, 0.1};
  std::array<double, 3> width{0.5, 0.4, 0.45};
  std::array<double, 3> k0{2.0, -1.5, 1.0};
  ModelParams model = ModelParams::plain();

  PacketCase() { model.gamma_r = 0.5; }
  [[nodiscard]] Grid grid() const {
    std::array<Axis, 3> ax{flat(), flat(), flat()};
    const auto n = static_cast<std::size_t>(std::llround(2.0 * half_length / h));
    for (int a = 0; a < 3; ++a) {
      if (active[a]) ax[a] = Axis{n, h, Boundary::Periodic};
    }
    return make_grid(ax[0], ax[1], ax[2]);
  }
  [[nodiscard]] uint64_t steps() const { return static_cast<uint64_t>(std::llround(t_end / dt)); }
  [[nodiscard]] double coefficient(int axis) const {
    return axis == 2 ? model.D * model.gamma_r : model.D;
  }
  [[nodiscard]] InitialParams initial_params() const {
    InitialParams p;
    p.kind = InitialKind::Gaussian;
    p.center = center;
    p.width = width;
    p.k0 = k0;
    return p;
  }
  /// The analytic solution at time t on the grid, scaled by the same constant that normalised
  /// the initial state on the grid (so at t = 0 it equals the solver's initial state exactly).
  /// It is not renormalised at time t: the discrete norm of a well-resolved Gaussian equals its
  /// integral to spectral accuracy (trapezoidal rule), so renormalising would change nothing
  /// measurable, and not doing so keeps any norm error of the scheme visible.
  [[nodiscard]] State exact(double t) const {
    const Grid g = grid();
    std::array<std::vector<Cd>, 3> f0, ft;
    for (int a = 0; a < 3; ++a) {
      f0[a] = gaussian_axis_exact(g.axes[a], center[a], width[a], k0[a], coefficient(a), 0.0);
      ft[a] = gaussian_axis_exact(g.axes[a], center[a], width[a], k0[a], coefficient(a), t);
    }
    const double scale = 1.0 / std::sqrt(grid_norm(g, tensor(g, f0)));
    State psi = tensor(g, ft);
    for (auto& z : psi) z *= scale;
    return psi;
  }
  /// Runs the solver from the library's initial state to t_end.
  [[nodiscard]] State run(Precision p = Precision::Double,
                          SolverKind kind = SolverKind::Adi) const {
    const Grid g = grid();
    auto s = make_solver(g, model, dt, 1.0, kind, p);
    s->set_state(initial_state(g, model, initial_params()));
    advance(*s, 0, steps());
    return s->state();
  }
};

/// Case 4: a displaced ground state (coherent state) of the harmonic well along x, omega =
/// 2 pi 10 (10 Hz with time_unit_s = 1), D = 0.3, displaced by x0 = 0.2 (~3 ground-state
/// std sqrt(D / omega) = 0.069). Resolution is set by the fastest phases, not by the width: at
/// x = 0 the packet moves at x0 omega = 12.6 = 2 D k, so k = 21, and the discrete Laplacian's
/// relative dispersion error (k h)^2 / 12 slows the oscillation; likewise the phase per step
/// (E / D) dt with E / D ~ 130 / s sets the time error. Default h = 0.005 (k h = 0.1), dt =
/// 1/4096 s (8 steps per 512 Hz readout sample). The box +-0.7 keeps the walls > 7 std from the
/// packet (|psi| < 3e-6 there).
struct CoherentCase {
  double omega = 2.0 * std::numbers::pi * 10.0;
  double x0 = 0.2;
  double h = 0.005;
  double dt = 1.0 / 4096.0;
  double half_length = 0.7;
  double fs_hz = 512.0;
  ModelParams model = ModelParams::plain();
  InitialParams init;

  CoherentCase() {
    model.D = 0.3;
    model.harmonic_omega = {omega, 0.0, 0.0};
    init.kind = InitialKind::Harmonic;
    init.center = {x0, 0.0, 0.0};
    init.modes = {{0, 0, 0}};
  }
  [[nodiscard]] Grid grid() const {
    const auto n = static_cast<std::size_t>(std::llround(2.0 * half_length / h));
    return make_grid(Axis{n, h, Boundary::Dirichlet}, flat(), flat());
  }
  [[nodiscard]] uint64_t steps_per_sample() const {
    return static_cast<uint64_t>(std::llround(1.0 / (fs_hz * dt)));
  }
};

/// Samples one electrode at (x0, 0) (sigma 0.1, ~1.5 ground-state std, so the packet's passage
/// gives a clear pulse) every steps_per_sample steps, `samples` samples, starting at step 0.
inline std::vector<double> coherent_electrode_signal(FieldSolverBase& s, const CoherentCase& c,
                                                     std::size_t samples) {
  ReadoutParams rp;
  rp.fs_hz = c.fs_hz;
  rp.electrodes = {{c.x0, 0.0}};
  rp.sigma = 0.1;
  const Grid g = c.grid();
  const Electrodes e(g, rp);
  const uint64_t k = c.steps_per_sample();
  std::vector<double> column, signal;
  for (std::size_t i = 0; i < samples; ++i) {
    s.column_density(e.r_weights(), column);
    signal.push_back(e.sample_uv(column)[0]);
    advance(s, i * k, k);
  }
  return signal;
}

}  // namespace qneuro::field::validation
