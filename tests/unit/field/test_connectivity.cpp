// The FFT connectivity potential against a direct double sum, on periodic (circular, minimum
// image) and non-periodic (zero-padded, linear) axes, for both kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "qneuro/field/connectivity.hpp"

namespace qneuro::field {
namespace {

struct ConnCase {
  Boundary bc;
  KernelKind kernel;
};

class ConnectivityDirect : public ::testing::TestWithParam<ConnCase> {};

TEST_P(ConnectivityDirect, FftMatchesDirectSum) {
  Grid g;
  g.axes = {Axis{10, 0.2, GetParam().bc}, Axis{7, 0.3, GetParam().bc},
            Axis{2, 0.1, Boundary::Neumann}};
  ModelParams m = ModelParams::plain();
  m.conn_beta = 1.7;
  m.conn_kernel = GetParam().kernel;
  m.conn_length = 0.4;
  m.conn_exponent = 1.3;
  const Connectivity conn(g, m, false);
  const auto ge = conn.weights();
  std::vector<std::complex<double>> psi(g.size());
  for (std::size_t i = 0; i < psi.size(); ++i) {
    psi[i] = {std::sin(0.37 * double(i)) + 1.1, std::cos(0.11 * double(i * i % 17))};
  }
  std::vector<double> fft(g.size(), 0.0);
  conn.add_potential(psi.data(), fft.data());

  const Axis& ax = g.axes[0];
  const Axis& ay = g.axes[1];
  auto kernel = [&](double d) {
    return m.conn_kernel == KernelKind::Exponential
               ? std::exp(-d / m.conn_length)
               : std::pow(1.0 + d / m.conn_length, -m.conn_exponent);
  };
  // Offsets a convolution can use: minimum image (n values) on periodic axes, -(n-1)..(n-1)
  // on the others. The kernel is normalised over exactly these.
  auto offsets = [](const Axis& a) {
    std::vector<double> o;
    if (a.bc == Boundary::Periodic) {
      for (long k = 0; k < static_cast<long>(a.n); ++k) {
        o.push_back(a.separation(0.0, static_cast<double>(k) * a.h));
      }
    } else {
      for (long k = -static_cast<long>(a.n) + 1; k < static_cast<long>(a.n); ++k) {
        o.push_back(static_cast<double>(k) * a.h);
      }
    }
    return o;
  };
  double ksum = 0.0;
  for (double dx : offsets(ax)) {
    for (double dy : offsets(ay)) ksum += kernel(std::hypot(dx, dy)) * ax.h * ay.h;
  }
  double worst = 0.0, scale = 0.0;
  for (std::size_t ir = 0; ir < g.nr(); ++ir) {
    for (std::size_t iy = 0; iy < g.ny(); ++iy) {
      for (std::size_t ix = 0; ix < g.nx(); ++ix) {
        double v = 0.0;
        for (std::size_t jy = 0; jy < g.ny(); ++jy) {
          for (std::size_t jx = 0; jx < g.nx(); ++jx) {
            const double dx = ax.separation(ax.coord(jx), ax.coord(ix));
            const double dy = ay.separation(ay.coord(jy), ay.coord(iy));
            v += kernel(std::hypot(dx, dy)) * ge[jy * g.nx() + jx] *
                 std::norm(psi[g.index(jx, jy, ir)]);
          }
        }
        v *= m.conn_beta * ax.h * ay.h / ksum;
        worst = std::max(worst, std::abs(v - fft[g.index(ix, iy, ir)]));
        scale = std::max(scale, std::abs(v));
      }
    }
  }
  EXPECT_LT(worst, 1e-12 * scale) << "max |direct - fft| = " << worst << " of " << scale;
}

INSTANTIATE_TEST_SUITE_P(Axes, ConnectivityDirect,
                         ::testing::Values(ConnCase{Boundary::Periodic, KernelKind::Exponential},
                                           ConnCase{Boundary::Periodic, KernelKind::PowerLaw},
                                           ConnCase{Boundary::Neumann, KernelKind::Exponential},
                                           ConnCase{Boundary::Dirichlet, KernelKind::PowerLaw}));

}  // namespace
}  // namespace qneuro::field
