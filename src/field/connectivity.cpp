#include "qneuro/field/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <mutex>
#include <numbers>
#include <type_traits>

#include "qneuro/core/denormals.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/fft.hpp"
#include "qneuro/core/rng.hpp"
#include "qneuro/field/operators.hpp"

namespace qneuro::field {

struct Connectivity::Impl {
  Grid grid;
  double beta = 0.0;
  ConnectivityForm form = ConnectivityForm::Hartree;
  bool half = false;
  std::vector<double> ge;                        // double storage
  std::vector<_Float16> ge16;                    // half storage (mixed)
  std::size_t px = 0, py = 0;                    // padded transform sizes
  std::size_t pxc = 0;                           // px / 2 + 1
  std::vector<std::complex<double>> kernel_hat;  // [py][pxc], includes 1/(px py) and hx hy beta
  fft::Plan<double> forward;                     // r2c of a padded slice
  fft::Plan<double> backward;                    // c2r back

  [[nodiscard]] double weight(std::size_t site) const {
    return half ? static_cast<double>(ge16[site]) : ge[site];
  }
};

Connectivity::Connectivity(const Grid& grid, const ModelParams& model, bool half_storage)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.grid = grid;
  m.beta = model.conn_beta;
  m.form = model.conn_form;
  m.half = half_storage;
  const std::size_t nx = grid.nx(), ny = grid.ny();
  const Axis& ax = grid.axes[0];
  const Axis& ay = grid.axes[1];

  // Network: g ~ LogNormal(mu, sigma), pruned below threshold; E = +-1.
  const rng::Philox rng(model.conn_seed, rng::Stream::FieldConnectivity);
  m.ge.resize(nx * ny);
  std::size_t exc = 0, pruned = 0;
  for (std::size_t site = 0; site < nx * ny; ++site) {
    const auto w = rng.words(0, site);
    const double u1 = rng::Philox::uniform01(w[0], w[1]);
    const double u2 = rng::Philox::uniform01(w[2], w[3]);
    const auto w2 = rng.words(1, site);
    const double u3 = rng::Philox::uniform01(w2[0], w2[1]);
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    double g = std::exp(model.conn_mu + model.conn_sigma * z);
    if (g < model.conn_threshold) {
      g = 0.0;
      ++pruned;
    }
    const double e = u3 < model.conn_p_exc ? 1.0 : -1.0;
    if (e > 0) ++exc;
    m.ge[site] = g * e;
  }
  exc_fraction_ = static_cast<double>(exc) / static_cast<double>(nx * ny);
  pruned_fraction_ = static_cast<double>(pruned) / static_cast<double>(nx * ny);
  if (half_storage) {
    m.ge16.resize(m.ge.size());
    for (std::size_t i = 0; i < m.ge.size(); ++i) m.ge16[i] = static_cast<_Float16>(m.ge[i]);
    if (!std::isfinite(static_cast<double>(*std::max_element(
            m.ge16.begin(), m.ge16.end(),
            [](_Float16 a, _Float16 b) { return std::fabs(float(a)) < std::fabs(float(b)); })))) {
      throw InputError(
          "connectivity weights overflow half precision (|g| > 65504): lower "
          "connectivity.sigma or connectivity.mu, or use precision = \"float\"");
    }
  }

  // Kernel on the (padded) offset grid.
  m.px = ax.bc == Boundary::Periodic ? nx : 2 * nx;
  m.py = ay.bc == Boundary::Periodic ? ny : 2 * ny;
  if (nx == 1) m.px = 1;
  if (ny == 1) m.py = 1;
  m.pxc = m.px / 2 + 1;
  fft::Buffer<double> kin(m.px * m.py);
  fft::Buffer<std::complex<double>> kout(m.pxc * m.py);
  double ksum = 0.0;
  for (std::size_t j = 0; j < m.py; ++j) {
    const double dyc =
        static_cast<double>(j <= m.py / 2 ? static_cast<long>(j)
                                          : static_cast<long>(j) - static_cast<long>(m.py)) *
        ay.h;
    for (std::size_t i = 0; i < m.px; ++i) {
      const double dxc =
          static_cast<double>(i <= m.px / 2 ? static_cast<long>(i)
                                            : static_cast<long>(i) - static_cast<long>(m.px)) *
          ax.h;
      const double d = std::hypot(dxc, dyc);
      const double k = model.conn_kernel == KernelKind::Exponential
                           ? std::exp(-d / model.conn_length)
                           : std::pow(1.0 + d / model.conn_length, -model.conn_exponent);
      // On a zero-padded axis the offset index P/2 (= +-n cells) is never reached by a linear
      // convolution of n cells: leave it out of the kernel and of its normalisation.
      const bool unused = (m.px != nx && i == m.px / 2) || (m.py != ny && j == m.py / 2);
      kin[j * m.px + i] = unused ? 0.0 : k;
      ksum += unused ? 0.0 : k * ax.h * ay.h;
    }
  }
  const double scale = m.beta * ax.h * ay.h / ksum / static_cast<double>(m.px * m.py);
  const int dims[2] = {static_cast<int>(m.py), static_cast<int>(m.px)};
  m.forward = fft::Plan<double>::real_to_complex(dims, kin.data(), kout.data());
  m.backward = fft::Plan<double>::complex_to_real(dims, kout.data(), kin.data());
  m.forward.execute();  // the kernel's spectrum (FFTW_ESTIMATE planning leaves kin intact)
  m.kernel_hat.resize(m.pxc * m.py);
  for (std::size_t i = 0; i < m.pxc * m.py; ++i) m.kernel_hat[i] = kout[i] * scale;
}

Connectivity::~Connectivity() = default;

std::vector<double> Connectivity::weights() const {
  std::vector<double> out(impl_->ge.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = impl_->weight(i);
  return out;
}

template <typename Real>
void Connectivity::add_potential(std::span<const DensitySource<Real>> sources, Real* out) const {
  const Impl& m = *impl_;
  const Grid& g = m.grid;
  const std::size_t nx = g.nx(), ny = g.ny(), nr = g.nr(), plane = g.plane();
  const std::array<double, 3> w_xy{1.0 / (g.axes[0].h * g.axes[0].h),
                                   1.0 / (g.axes[1].h * g.axes[1].h), 0.0};
#pragma omp parallel
  {
    const DenormalGuard ftz(std::is_same_v<Real, float>);  // as in the solver's regions
    fft::Buffer<double> in(m.px * m.py);
    fft::Buffer<std::complex<double>> spec(m.pxc * m.py);
    std::vector<double> rho(m.form == ConnectivityForm::Laplacian ? plane : 0);
#pragma omp for schedule(static)
    for (std::size_t ir = 0; ir < nr; ++ir) {
      // The weighted density of the slice (one source of weight 1 is |psi|^2 exactly).
      auto density = [&](std::size_t s) {
        double d = 0.0;
        for (const DensitySource<Real>& src : sources) {
          d += src.weight * static_cast<double>(std::norm(src.psi[ir * plane + s]));
        }
        return d;
      };
      std::fill(in.data(), in.data() + m.px * m.py, 0.0);
      if (m.form == ConnectivityForm::Hartree) {
        for (std::size_t iy = 0; iy < ny; ++iy) {
          for (std::size_t ix = 0; ix < nx; ++ix) {
            const std::size_t s = iy * nx + ix;
            in[iy * m.px + ix] = m.weight(s) * density(s);
          }
        }
      } else {
        for (std::size_t s = 0; s < plane; ++s) rho[s] = density(s);
        // The in-plane Laplacian of the slice (r weight 0, so a 2-D grid view suffices).
        Grid slab = g;
        slab.axes[2].n = 1;
        for (std::size_t iy = 0; iy < ny; ++iy) {
          for (std::size_t ix = 0; ix < nx; ++ix) {
            const std::size_t s = iy * nx + ix;
            in[iy * m.px + ix] =
                m.weight(s) * weighted_laplacian_at(slab, w_xy, rho.data(), ix, iy, 0);
          }
        }
      }
      m.forward.execute(in.data(), spec.data());
      for (std::size_t i = 0; i < m.pxc * m.py; ++i) spec[i] *= m.kernel_hat[i];
      m.backward.execute(spec.data(), in.data());
      Real* o = out + ir * plane;
      for (std::size_t iy = 0; iy < ny; ++iy) {
        for (std::size_t ix = 0; ix < nx; ++ix) {
          o[iy * nx + ix] += static_cast<Real>(in[iy * m.px + ix]);
        }
      }
    }
  }
}

template void Connectivity::add_potential<float>(std::span<const DensitySource<float>>,
                                                float*) const;
template void Connectivity::add_potential<double>(std::span<const DensitySource<double>>,
                                                 double*) const;

}  // namespace qneuro::field
