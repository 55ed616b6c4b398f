#include "qneuro/field/initial.hpp"

#include <cmath>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/core/rng.hpp"

namespace qneuro::field {

namespace {
using Cd = std::complex<double>;

std::vector<Cd> gaussian_axis(const Axis& ax, double c, double w, double k0) {
  std::vector<Cd> f(ax.n);
  for (std::size_t i = 0; i < ax.n; ++i) {
    if (ax.n == 1) {
      f[i] = 1.0;
      continue;
    }
    const double x = ax.coord(i);
    const double d = ax.separation(c, x);
    f[i] = std::polar(std::exp(-d * d / (4.0 * w * w)), k0 * x);
  }
  return f;
}

std::vector<Cd> harmonic_axis(const Axis& ax, double c, double omega, double D, int n) {
  std::vector<Cd> f(ax.n);
  const double scale = std::sqrt(omega / (2.0 * D));
  for (std::size_t i = 0; i < ax.n; ++i) {
    const double xi = (ax.coord(i) - c) * scale;
    f[i] = hermite(n, xi) * std::exp(-0.5 * xi * xi);
  }
  return f;
}

// Separable Gaussian smoothing of one axis of a 3-D complex array (stride s, lines elsewhere).
void smooth_axis(const Grid& g, int axis, double sigma_cells, std::vector<Cd>& psi) {
  const Axis& ax = g.axes[axis];
  if (ax.n <= 1 || sigma_cells <= 0.0) return;
  const long half = static_cast<long>(std::ceil(3.0 * sigma_cells));
  std::vector<double> kernel(2 * half + 1);
  for (long j = -half; j <= half; ++j) {
    kernel[j + half] = std::exp(-0.5 * static_cast<double>(j * j) / (sigma_cells * sigma_cells));
  }
  const std::size_t n = ax.n;
  const std::size_t stride = axis == 0 ? 1 : axis == 1 ? g.nx() : g.plane();
  std::vector<Cd> line(n), out(n);
  const long ln = static_cast<long>(n);
  for (std::size_t base = 0; base < g.size(); ++base) {
    // Visit each line once: its first element has coordinate 0 along `axis`.
    if ((base / stride) % n != 0) continue;
    for (std::size_t i = 0; i < n; ++i) line[i] = psi[base + i * stride];
    for (long i = 0; i < ln; ++i) {
      Cd acc = 0.0;
      for (long j = -half; j <= half; ++j) {
        long k = i + j;
        if (k < 0 || k >= ln) {
          if (ax.bc == Boundary::Periodic) {
            k = ((k % ln) + ln) % ln;
          } else if (ax.bc == Boundary::Neumann) {
            // Mirror about the cell faces (repeatedly for kernels wider than the axis).
            while (k < 0 || k >= ln) k = k < 0 ? -k - 1 : 2 * ln - k - 1;
          } else {
            continue;
          }
        }
        acc += kernel[j + half] * line[k];
      }
      out[i] = acc;
    }
    for (std::size_t i = 0; i < n; ++i) psi[base + i * stride] = out[i];
  }
}
}  // namespace

double hermite(int n, double x) {
  if (n <= 0) return 1.0;
  double h0 = 1.0, h1 = 2.0 * x;
  for (int k = 1; k < n; ++k) {
    const double h2 = 2.0 * x * h1 - 2.0 * k * h0;
    h0 = h1;
    h1 = h2;
  }
  return h1;
}

double normalise(const Grid& grid, std::vector<Cd>& psi) {
  double s = 0.0;
  for (const auto& z : psi) s += std::norm(z);
  const double norm = s * grid.dV();
  if (!(norm > 0.0) || !std::isfinite(norm)) {
    throw InputError("the initial state vanishes on the grid (norm " + std::to_string(norm) +
                     "): check initial.center and initial.width against grid.n and grid.h");
  }
  const double f = 1.0 / std::sqrt(norm);
  for (auto& z : psi) z *= f;
  return norm;
}

std::vector<Cd> initial_state(const Grid& grid, const ModelParams& model,
                              const InitialParams& init) {
  const std::size_t nx = grid.nx(), ny = grid.ny(), nr = grid.nr();
  std::vector<Cd> psi(grid.size());
  auto fill_separable = [&](const std::array<std::vector<Cd>, 3>& f, double weight) {
    for (std::size_t ir = 0; ir < nr; ++ir) {
      for (std::size_t iy = 0; iy < ny; ++iy) {
        const Cd yr = f[1][iy] * f[2][ir] * weight;
        for (std::size_t ix = 0; ix < nx; ++ix) psi[grid.index(ix, iy, ir)] += f[0][ix] * yr;
      }
    }
  };
  switch (init.kind) {
    case InitialKind::Gaussian: {
      std::array<std::vector<Cd>, 3> f;
      for (int a = 0; a < 3; ++a) {
        f[a] = gaussian_axis(grid.axes[a], init.center[a], init.width[a], init.k0[a]);
      }
      fill_separable(f, 1.0);
      break;
    }
    case InitialKind::BoxModes: {
      for (const auto& m : init.modes) {
        std::array<std::vector<Cd>, 3> f;
        double norm2 = 1.0;
        for (int a = 0; a < 3; ++a) {
          const Axis& ax = grid.axes[a];
          f[a].resize(ax.n);
          double s = 0.0;
          for (std::size_t i = 0; i < ax.n; ++i) {
            f[a][i] = ax.mode(static_cast<std::size_t>(m[a]), i);
            s += std::norm(f[a][i]);
          }
          norm2 *= s;
        }
        fill_separable(f, 1.0 / std::sqrt(norm2));
      }
      break;
    }
    case InitialKind::Harmonic: {
      std::array<std::vector<Cd>, 3> f;
      const auto& q = init.modes.front();
      for (int a = 0; a < 3; ++a) {
        const double omega = model.harmonic_omega[a];
        // Along r the kinetic coefficient is D gamma_r (mass 1/(2 gamma_r)): the oscillator
        // frequency is omega sqrt(gamma_r) and the length scale uses D sqrt(gamma_r).
        const double d_eff = a == 2 ? model.D * std::sqrt(model.gamma_r) : model.D;
        f[a] =
            omega > 0.0 && grid.axes[a].n > 1
                ? harmonic_axis(grid.axes[a], init.center[a], omega, d_eff, static_cast<int>(q[a]))
                : gaussian_axis(grid.axes[a], init.center[a], init.width[a], init.k0[a]);
      }
      fill_separable(f, 1.0);
      break;
    }
    case InitialKind::Noise: {
      const rng::Philox rng(init.seed, rng::Stream::FieldInitial);
      for (std::size_t p = 0; p < psi.size(); ++p) {
        const auto [re, im] = rng.normal_pair(0, p);
        psi[p] = Cd(re, im);
      }
      for (int a = 0; a < 3; ++a) smooth_axis(grid, a, init.width[a] / grid.axes[a].h, psi);
      break;
    }
  }
  normalise(grid, psi);
  return psi;
}

}  // namespace qneuro::field
