#include "qneuro/field/readout.hpp"

#include <cmath>
#include <cstdio>

#include "qneuro/core/error.hpp"

namespace qneuro::field {

std::pair<std::vector<std::pair<double, double>>, std::vector<std::string>> electrode_lattice(
    const Grid& grid, std::size_t mx, std::size_t my) {
  std::vector<std::pair<double, double>> pos;
  std::vector<std::string> labels;
  const double lx = grid.axes[0].length(), ly = grid.axes[1].length();
  for (std::size_t j = 0; j < my; ++j) {
    for (std::size_t i = 0; i < mx; ++i) {
      const double x = -0.5 * lx + (static_cast<double>(i) + 0.5) * lx / static_cast<double>(mx);
      const double y = -0.5 * ly + (static_cast<double>(j) + 0.5) * ly / static_cast<double>(my);
      pos.emplace_back(x, y);
      char buf[48];
      std::snprintf(buf, sizeof buf, "E%zu_%zu", j, i);
      labels.emplace_back(buf);
    }
  }
  return {pos, labels};
}

Electrodes::Electrodes(const Grid& grid, const ReadoutParams& params)
    : grid_(grid),
      scale_uv_(params.scale_uv),
      positions_(params.electrodes),
      labels_(params.labels) {
  if (labels_.size() != positions_.size()) {
    labels_.clear();
    for (std::size_t e = 0; e < positions_.size(); ++e) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "E%02zu", e);
      labels_.emplace_back(buf);
    }
  }
  const Axis& ar = grid.axes[2];
  const double r_max = 0.5 * ar.length();
  w_r_.resize(ar.n);
  for (std::size_t i = 0; i < ar.n; ++i) {
    w_r_[i] = params.weight == ReadoutWeight::Uniform || ar.n == 1 ? 1.0 : ar.coord(i) / r_max;
  }
  const double s2 = 2.0 * params.sigma * params.sigma;
  for (const auto& [xe, ye] : positions_) {
    std::vector<double> gx(grid.nx()), gy(grid.ny());
    for (std::size_t i = 0; i < grid.nx(); ++i) {
      const double d = grid.axes[0].separation(xe, grid.axes[0].coord(i));
      gx[i] = std::exp(-d * d / s2);
    }
    for (std::size_t i = 0; i < grid.ny(); ++i) {
      const double d = grid.axes[1].separation(ye, grid.axes[1].coord(i));
      gy[i] = std::exp(-d * d / s2);
    }
    gx_.push_back(std::move(gx));
    gy_.push_back(std::move(gy));
  }
}

std::vector<double> Electrodes::sample_uv(const std::vector<double>& column) const {
  const std::size_t nx = grid_.nx(), ny = grid_.ny();
  const double hxy = grid_.axes[0].h * grid_.axes[1].h;
  std::vector<double> out(positions_.size());
  for (std::size_t e = 0; e < positions_.size(); ++e) {
    double s = 0.0;
    for (std::size_t iy = 0; iy < ny; ++iy) {
      const double* row = column.data() + iy * nx;
      double acc = 0.0;
      for (std::size_t ix = 0; ix < nx; ++ix) acc += gx_[e][ix] * row[ix];
      s += gy_[e][iy] * acc;
    }
    out[e] = scale_uv_ * s * hxy;
  }
  return out;
}

}  // namespace qneuro::field
