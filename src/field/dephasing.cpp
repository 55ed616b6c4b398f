#include "qneuro/field/dephasing.hpp"

#include <algorithm>
#include <cmath>

#include "qneuro/core/rng.hpp"

namespace qneuro::field {

Dephasing::Dephasing(const Grid& grid, const ModelParams& model)
    : grid_(grid),
      white_(model.dephasing_length <= 0.0),
      seed_(model.dephasing_seed),
      entity_base_(static_cast<uint64_t>(model.population) << 40) {
  if (white_) return;
  for (int a = 0; a < 3; ++a) {
    const Axis& ax = grid.axes[a];
    const std::size_t n = ax.n;
    i0_[a].assign(n, 0);
    i1_[a].assign(n, 0);
    w0_[a].assign(n, 1.0);
    w1_[a].assign(n, 0.0);
    // At most one lattice interval per cell (a finer lattice would only cost memory;
    // field_config refuses 0 < l < h).
    const auto m = std::min(n, static_cast<std::size_t>(std::max<double>(
                                   1.0, std::round(ax.length() / model.dephasing_length))));
    const bool periodic = ax.bc == Boundary::Periodic;
    if (n == 1 || (periodic && m == 1)) {
      nodes_[a] = 1;  // one value along this axis
      continue;
    }
    nodes_[a] = periodic ? m : m + 1;
    for (std::size_t i = 0; i < n; ++i) {
      const double c = (static_cast<double>(i) + 0.5) / static_cast<double>(n) *
                       static_cast<double>(m);
      const auto k = static_cast<std::size_t>(std::floor(c));
      const double f = c - static_cast<double>(k);
      i0_[a][i] = periodic ? k % m : k;
      i1_[a][i] = periodic ? (k + 1) % m : k + 1;
      // Normalised so that w0^2 + w1^2 = 1: the interpolated value keeps unit variance.
      const double norm = std::sqrt((1.0 - f) * (1.0 - f) + f * f);
      w0_[a][i] = (1.0 - f) / norm;
      w1_[a][i] = f / norm;
    }
  }
}

void Dephasing::lattice_values(uint64_t step, std::vector<double>& out) const {
  const std::size_t count = nodes_[0] * nodes_[1] * nodes_[2];
  out.resize(count);
  const rng::Philox rng(seed_, rng::Stream::FieldDephasing);
  const auto n = static_cast<long long>(count);
#pragma omp parallel for schedule(static) if (count > 4096)
  for (long long i = 0; i < n; ++i) {
    out[static_cast<std::size_t>(i)] =
        rng.normal_pair(step, entity_base_ + static_cast<uint64_t>(i)).first;
  }
}

void Dephasing::slice_noise(std::size_t ir, const std::vector<double>& lattice,
                            double* out) const {
  const std::size_t nx = grid_.nx(), ny = grid_.ny();
  const std::size_t mx = nodes_[0], my = nodes_[1];
  const std::size_t r0 = i0_[2][ir], r1 = i1_[2][ir];
  const double wr0 = w0_[2][ir], wr1 = w1_[2][ir];
  for (std::size_t iy = 0; iy < ny; ++iy) {
    const std::size_t y0 = i0_[1][iy], y1 = i1_[1][iy];
    const double wy0 = w0_[1][iy], wy1 = w1_[1][iy];
    const double* l00 = lattice.data() + (r0 * my + y0) * mx;
    const double* l01 = lattice.data() + (r0 * my + y1) * mx;
    const double* l10 = lattice.data() + (r1 * my + y0) * mx;
    const double* l11 = lattice.data() + (r1 * my + y1) * mx;
    for (std::size_t ix = 0; ix < nx; ++ix) {
      const std::size_t x0 = i0_[0][ix], x1 = i1_[0][ix];
      const double wx0 = w0_[0][ix], wx1 = w1_[0][ix];
      auto line = [&](const double* l) { return wx0 * l[x0] + wx1 * l[x1]; };
      out[iy * nx + ix] = wr0 * (wy0 * line(l00) + wy1 * line(l01)) +
                          wr1 * (wy0 * line(l10) + wy1 * line(l11));
    }
  }
}

void Dephasing::slice_xi(uint64_t step, std::size_t ir, const std::vector<double>& lattice,
                         double* out) const {
  if (!white_) {
    slice_noise(ir, lattice, out);
    return;
  }
  const rng::Philox rng(seed_, rng::Stream::FieldDephasing);
  const std::size_t plane = grid_.plane(), base = ir * plane;
  for (std::size_t i = 0; i < plane; ++i) {
    out[i] = rng.normal_pair(step, entity_base_ + base + i).first;
  }
}

void Dephasing::noise(uint64_t step, std::vector<double>& xi) const {
  const std::size_t plane = grid_.plane(), nr = grid_.nr();
  xi.resize(grid_.size());
  std::vector<double> lattice;
  if (!white_) lattice_values(step, lattice);
  for (std::size_t ir = 0; ir < nr; ++ir) slice_xi(step, ir, lattice, xi.data() + ir * plane);
}

template <typename Real>
void Dephasing::apply(std::complex<Real>* psi, uint64_t step, double variance) const {
  if (variance <= 0.0) return;
  const double s = std::sqrt(variance);
  const std::size_t plane = grid_.plane(), nr = grid_.nr();
  std::vector<double> lattice;
  if (!white_) lattice_values(step, lattice);
#pragma omp parallel
  {
    std::vector<double> xi(plane);
#pragma omp for schedule(static)
    for (std::size_t ir = 0; ir < nr; ++ir) {
      slice_xi(step, ir, lattice, xi.data());
      std::complex<Real>* slice = psi + ir * plane;
      for (std::size_t i = 0; i < plane; ++i) {
        const double phi = s * xi[i];
        const std::complex<double> z(slice[i]);
        slice[i] = std::complex<Real>(z * std::complex<double>(std::cos(phi), -std::sin(phi)));
      }
    }
  }
}

template void Dephasing::apply<float>(std::complex<float>*, uint64_t, double) const;
template void Dephasing::apply<double>(std::complex<double>*, uint64_t, double) const;

}  // namespace qneuro::field
