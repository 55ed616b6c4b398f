// Virtual electrodes: synthetic EEG from the neural-field density (DESIGN.md §3).
//
//   s_e(t) = sum_{x,y,r} G_e(x, y) w(r) rho(x, y, r, t) dV,
//   G_e(x, y) = exp(-((x - x_e)^2 + (y - y_e)^2) / (2 sigma^2))      (peak 1, minimum image on
//                                                                    periodic axes)
//   w(r) = 1 ("uniform") or w(r) = r / r_max ("signed": positive on the excitatory side,
//          negative on the inhibitory side, 0 at the balanced centre; r_max = half the r extent,
//          so the edge cells, at +-(n-1)/2 cells from the centre, get +-(n-1)/n)
//   v_e(t) = scale_uv * s_e(t)   microvolts
// G_e is separable, so a sample costs one pass over psi (the r-weighted column density) plus
// (nx + ny) per electrode and x-row. Electrodes given as a lattice [mx, my] sit at the centres of
// an mx x my partition of the (x, y) extent and are named E<row>_<col> (row along y).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "qneuro/field/grid.hpp"
#include "qneuro/field/params.hpp"

namespace qneuro::field {

/// Electrode positions of an mx x my lattice over the grid's (x, y) extent, with labels.
std::pair<std::vector<std::pair<double, double>>, std::vector<std::string>> electrode_lattice(
    const Grid& grid, std::size_t mx, std::size_t my);

class Electrodes {
 public:
  Electrodes(const Grid& grid, const ReadoutParams& params);
  [[nodiscard]] std::size_t size() const { return positions_.size(); }
  [[nodiscard]] const std::vector<std::pair<double, double>>& positions() const {
    return positions_;
  }
  [[nodiscard]] const std::vector<std::string>& labels() const { return labels_; }
  /// w(r) per r index (what FieldSolverBase::column_density takes).
  [[nodiscard]] const std::vector<double>& r_weights() const { return w_r_; }
  /// Microvolt values of every electrode from a column density [ny][nx] (sum_r w rho hr).
  [[nodiscard]] std::vector<double> sample_uv(const std::vector<double>& column) const;

 private:
  Grid grid_;
  double scale_uv_;
  std::vector<std::pair<double, double>> positions_;
  std::vector<std::string> labels_;
  std::vector<double> w_r_;
  std::vector<std::vector<double>> gx_, gy_;  // [e][ix], [e][iy]
};

}  // namespace qneuro::field
