#include "qneuro/eeg/connectivity.hpp"

#include <cmath>
#include <complex>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/eeg/fft.hpp"

namespace qneuro::eeg {
namespace {

// Time block: 1024 samples x 16 B x 2 channels per pair; a block of all channels (for C = 64:
// 1 MiB) stays in L2/L3 while every pair streams through it.
constexpr std::size_t kTimeBlock = 1024;

// Index of pair (a, a+1) in the row-major upper triangle of a C x C matrix.
std::size_t pair_offset(std::size_t a, std::size_t C) {
  return a * (2 * C - a - 1) / 2;
}

struct PairSums {
  double sign = 0.0;
  double im = 0.0;
  double abs = 0.0;
};

}  // namespace

PhaseLagResult phase_lag_index(const std::vector<std::vector<double>>& channels, double fs_hz,
                               const std::vector<Band>& bands, double edge_s,
                               const std::function<void(std::size_t, std::size_t)>& on_band_done) {
  const std::size_t C = channels.size();
  const std::size_t n = C == 0 ? 0 : channels.front().size();
  const auto e = static_cast<std::size_t>(std::llround(std::max(0.0, edge_s) * fs_hz));
  if (n == 0 || 2 * e >= n) {
    throw InputError("connectivity.edge_s = " + std::to_string(edge_s) + " s drops " +
                     std::to_string(2 * e) + " of " + std::to_string(n) +
                     " samples: nothing is left (reduce connectivity.edge_s)");
  }
  for (const auto& b : bands) {
    if (b.lo < 0 || b.hi > fs_hz / 2 || !(b.lo < b.hi)) {
      throw InputError("band '" + b.name + "' [" + std::to_string(b.lo) + ", " +
                       std::to_string(b.hi) +
                       ") Hz is outside [0, fs/2 = " + std::to_string(fs_hz / 2) + "] Hz");
    }
  }
  const std::size_t N = n - 2 * e;
  const std::size_t nf = n / 2 + 1;

  PhaseLagResult result;
  result.edge_samples = e;
  result.used_samples = N;

  // Spectra of every channel, once for all bands.
  std::vector<FftBuffer<std::complex<double>>> spectra;
  spectra.reserve(C);
  for (std::size_t c = 0; c < C; ++c) spectra.emplace_back(nf);
  {
    const RealFft rfft(n);
#pragma omp parallel
    {
      FftBuffer<double> in(n);
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t c = 0; c < static_cast<std::ptrdiff_t>(C); ++c) {
        const auto& x = channels[static_cast<std::size_t>(c)];
        std::copy(x.begin(), x.end(), in.data());
        rfft.forward(in, spectra[static_cast<std::size_t>(c)]);
      }
    }
  }

  const ComplexFft cfft(n);
  // Analytic signals of one band, split into real and imaginary planes (SIMD-friendly): [C x N].
  std::vector<double> re(C * N), im(C * N);
  std::vector<PairSums> sums(C * (C - 1) / 2);  // row-major upper triangle

  for (const Band& band : bands) {
#pragma omp parallel
    {
      FftBuffer<std::complex<double>> zspec(n), z(n);
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(C); ++ci) {
        const auto c = static_cast<std::size_t>(ci);
        for (std::size_t k = 0; k < n; ++k) zspec[k] = 0.0;
        for (std::size_t k = 0; k < nf; ++k) {
          // (k fs) / n, product first: exact when a bin sits on a band edge.
          const double f = static_cast<double>(k) * fs_hz / static_cast<double>(n);
          if (f >= band.lo && f < band.hi) zspec[k] = 2.0 * spectra[c][k];
        }
        cfft.inverse(zspec, z);
        double* r = re.data() + c * N;
        double* i = im.data() + c * N;
        for (std::size_t t = 0; t < N; ++t) {
          r[t] = z[e + t].real();
          i[t] = z[e + t].imag();
        }
      }
    }

    // One thread owns a row a (all pairs (a, b > a)) and walks time blocks in order: no barriers,
    // a's block is reused for every b, and each pair's sums have one fixed order of addition.
    std::fill(sums.begin(), sums.end(), PairSums{});
#pragma omp parallel for schedule(dynamic, 1)
    for (std::ptrdiff_t ai_row = 0; ai_row < static_cast<std::ptrdiff_t>(C); ++ai_row) {
      const auto a = static_cast<std::size_t>(ai_row);
      PairSums* row_sums = sums.data() + pair_offset(a, C);
      for (std::size_t t0 = 0; t0 < N; t0 += kTimeBlock) {
        const std::size_t len = std::min(kTimeBlock, N - t0);
        const double* ar = re.data() + a * N + t0;
        const double* ai = im.data() + a * N + t0;
        for (std::size_t b = a + 1; b < C; ++b) {
          const double* br = re.data() + b * N + t0;
          const double* bi = im.data() + b * N + t0;
          double s_sign = 0.0, s_im = 0.0, s_abs = 0.0;
#pragma omp simd reduction(+ : s_sign, s_im, s_abs)
          for (std::size_t t = 0; t < len; ++t) {
            const double v = ai[t] * br[t] - ar[t] * bi[t];
            s_im += v;
            s_abs += std::fabs(v);
            s_sign += static_cast<double>((v > 0.0) - (v < 0.0));
          }
          PairSums& ps = row_sums[b - a - 1];
          ps.sign += s_sign;
          ps.im += s_im;
          ps.abs += s_abs;
        }
      }
    }

    Array2<double> pli(C, C, 0.0), wpli(C, C, 0.0);
    for (std::size_t a = 0; a < C; ++a) {
      for (std::size_t b = a + 1; b < C; ++b) {
        const PairSums& s = sums[pair_offset(a, C) + (b - a - 1)];
        const double v_pli = std::fabs(s.sign) / static_cast<double>(N);
        const double v_wpli = s.abs > 0 ? std::fabs(s.im) / s.abs : 0.0;
        pli(a, b) = pli(b, a) = v_pli;
        wpli(a, b) = wpli(b, a) = v_wpli;
      }
    }
    result.pli.push_back(std::move(pli));
    result.wpli.push_back(std::move(wpli));
    if (on_band_done) on_band_done(result.pli.size(), bands.size());
  }
  return result;
}

}  // namespace qneuro::eeg
