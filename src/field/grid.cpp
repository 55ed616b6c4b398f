#include "qneuro/field/grid.hpp"

#include <cmath>
#include <numbers>

#include "qneuro/core/error.hpp"

namespace qneuro::field {

double Axis::eigenvalue(std::size_t k) const {
  if (n == 1) return 0.0;
  const double pi = std::numbers::pi;
  const double nn = static_cast<double>(n);
  const double kk = static_cast<double>(k);
  double s = 0.0;
  switch (bc) {
    case Boundary::Periodic:
      s = std::sin(pi * kk / nn);
      break;
    case Boundary::Neumann:
      s = std::sin(pi * kk / (2.0 * nn));
      break;
    case Boundary::Dirichlet:
      s = std::sin(pi * (kk + 1.0) / (2.0 * (nn + 1.0)));
      break;
  }
  return -4.0 / (h * h) * s * s;
}

std::complex<double> Axis::mode(std::size_t k, std::size_t i) const {
  if (n == 1) return 1.0;
  const double pi = std::numbers::pi;
  const double nn = static_cast<double>(n);
  const double kk = static_cast<double>(k);
  const double ii = static_cast<double>(i);
  switch (bc) {
    case Boundary::Periodic:
      // k*i mod n keeps the argument small, so high modes stay accurate.
      return std::polar(1.0, 2.0 * pi * static_cast<double>((k * i) % n) / nn);
    case Boundary::Neumann:
      return std::cos(pi * kk * (ii + 0.5) / nn);
    case Boundary::Dirichlet:
      return std::sin(pi * (kk + 1.0) * (ii + 1.0) / (nn + 1.0));
  }
  return 0.0;
}

double Axis::separation(double a, double b) const {
  double d = b - a;
  if (bc == Boundary::Periodic) {
    const double L = length();
    d -= L * std::round(d / L);
  }
  return d;
}

std::string Grid::describe() const {
  return std::to_string(nx()) + "x" + std::to_string(ny()) + "x" + std::to_string(nr());
}

}  // namespace qneuro::field
