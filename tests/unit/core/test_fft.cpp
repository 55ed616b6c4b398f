// The FFTW wrapper (core/fft.hpp) against a direct DFT: complex (in place and out of place),
// real-to-complex and back, 1-D to 3-D, double and float, planned once and run on other buffers.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/core/fft.hpp"

namespace qneuro {
namespace {

using cd = std::complex<double>;

/// Direct DFT over row-major `dims` (sign -1: forward).
std::vector<cd> dft(const std::vector<cd>& x, const std::vector<int>& dims, int sign) {
  std::size_t n = 1;
  for (int d : dims) n *= static_cast<std::size_t>(d);
  std::vector<cd> out(n);
  auto index = [&](std::size_t flat) {
    std::vector<std::size_t> idx(dims.size());
    for (std::size_t a = dims.size(); a-- > 0;) {
      idx[a] = flat % static_cast<std::size_t>(dims[a]);
      flat /= static_cast<std::size_t>(dims[a]);
    }
    return idx;
  };
  for (std::size_t k = 0; k < n; ++k) {
    const auto ki = index(k);
    cd acc = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const auto ji = index(j);
      double phase = 0;
      for (std::size_t a = 0; a < dims.size(); ++a) {
        phase += static_cast<double>(ki[a] * ji[a]) / dims[a];
      }
      acc += x[j] * std::polar(1.0, sign * 2.0 * std::numbers::pi * phase);
    }
    out[k] = acc;
  }
  return out;
}

std::vector<cd> signal(std::size_t n) {
  std::vector<cd> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = cd(std::sin(0.7 * static_cast<double>(i)) + 0.1 * static_cast<double>(i % 3),
              std::cos(1.3 * static_cast<double>(i * i % 11)));
  }
  return x;
}

TEST(Fft, ComplexTransformsMatchTheDftIn1To3Dimensions) {
  for (const std::vector<int>& dims : {std::vector<int>{12}, {4, 6}, {3, 4, 5}}) {
    std::size_t n = 1;
    for (int d : dims) n *= static_cast<std::size_t>(d);
    const auto x = signal(n);
    fft::Buffer<cd> in(n), out(n);
    const auto fwd =
        fft::Plan<double>::complex(dims, in.data(), out.data(), fft::Direction::Forward);
    for (std::size_t i = 0; i < n; ++i) in[i] = x[i];
    fwd.execute();
    const auto ref = dft(x, dims, -1);
    for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(std::abs(out[i] - ref[i]), 0.0, 1e-11);
    // In place, backward, on another buffer of the same size (new-array execution).
    fft::Buffer<cd> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = ref[i];
    const auto bwd =
        fft::Plan<double>::complex(dims, in.data(), in.data(), fft::Direction::Backward);
    bwd.execute(y.data(), y.data());
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_NEAR(std::abs(y[i] / static_cast<double>(n) - x[i]), 0.0, 1e-12);
    }
  }
}

TEST(Fft, RealTransformsRoundTripInDoubleAndFloat) {
  const std::vector<int> dims{6, 8};
  const std::size_t n = 48, nc = 6 * (8 / 2 + 1);
  const auto x = signal(n);
  fft::Buffer<double> in(n);
  fft::Buffer<cd> spec(nc);
  const auto r2c = fft::Plan<double>::real_to_complex(dims, in.data(), spec.data());
  const auto c2r = fft::Plan<double>::complex_to_real(dims, spec.data(), in.data());
  std::vector<cd> xr(n);
  for (std::size_t i = 0; i < n; ++i) {
    in[i] = x[i].real();
    xr[i] = x[i].real();
  }
  r2c.execute();
  const auto ref = dft(xr, dims, -1);
  for (std::size_t r = 0; r < 6; ++r) {
    for (std::size_t c = 0; c <= 4; ++c) {
      EXPECT_NEAR(std::abs(spec[r * 5 + c] - ref[r * 8 + c]), 0.0, 1e-11);
    }
  }
  c2r.execute();
  for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(in[i] / 48.0, xr[i].real(), 1e-12);

  fft::Buffer<float> fin(n);
  fft::Buffer<std::complex<float>> fspec(nc);
  const auto fr2c = fft::Plan<float>::real_to_complex(dims, fin.data(), fspec.data());
  for (std::size_t i = 0; i < n; ++i) fin[i] = static_cast<float>(xr[i].real());
  fr2c.execute();
  EXPECT_NEAR(std::abs(std::complex<double>(fspec[7]) - ref[8 + 2]), 0.0, 1e-4);
}

TEST(Fft, OneDimensionalHelpersFollowNumpysConventions) {
  const std::size_t n = 10;
  const auto x = signal(n);
  fft::ComplexFft f(n);
  fft::Buffer<cd> a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) a[i] = x[i];
  f.forward(a, b);
  f.inverse(b, a);  // divides by n, as numpy.fft.ifft
  for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(std::abs(a[i] - x[i]), 0.0, 1e-13);
  EXPECT_THROW(fft::RealFft(0), InputError);
}

}  // namespace
}  // namespace qneuro
