#include "qneuro/eeg/multitaper.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/core/fft.hpp"
#include "qneuro/core/strings.hpp"

namespace qneuro::eeg {

namespace {

/// Number of eigenvalues below x of the symmetric tridiagonal (d, e) (e[0] unused).
std::size_t sturm_count(const std::vector<double>& d, const std::vector<double>& e, double x) {
  std::size_t count = 0;
  double q = d[0] - x;
  const double tiny = 1e-300;
  if (q < 0) ++count;
  for (std::size_t i = 1; i < d.size(); ++i) {
    if (std::abs(q) < tiny) q = -tiny;  // the usual guard of a zero pivot
    q = d[i] - x - e[i] * e[i] / q;
    if (q < 0) ++count;
  }
  return count;
}

/// The eigenvalue of ascending index j, by bisection.
double eigenvalue(const std::vector<double>& d, const std::vector<double>& e, std::size_t j,
                  double lo, double hi) {
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;  // no representable point left between them
    if (sturm_count(d, e, mid) > j) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return 0.5 * (lo + hi);
}

/// Solves (T - lambda I) x = b for tridiagonal T (Gaussian elimination with partial pivoting,
/// as LAPACK's dgtsv); a zero pivot becomes eps * |T| (inverse iteration tolerates it).
void solve_shifted(const std::vector<double>& d, const std::vector<double>& e, double lambda,
                   double scale, std::vector<double>& x) {
  const std::size_t n = d.size();
  std::vector<double> dl(n, 0.0), dd(n), du(n, 0.0), du2(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) dd[i] = d[i] - lambda;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    du[i] = e[i + 1];
    dl[i] = e[i + 1];
  }
  const double guard = 1e-15 * scale;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (std::abs(dd[i]) >= std::abs(dl[i])) {
      if (std::abs(dd[i]) < guard) dd[i] = guard;
      const double f = dl[i] / dd[i];
      dd[i + 1] -= f * du[i];
      x[i + 1] -= f * x[i];
      dl[i] = 0.0;
    } else {  // swap rows i and i + 1
      const double f = dd[i] / dl[i];
      dd[i] = dl[i];
      const double t = dd[i + 1];
      dd[i + 1] = du[i] - f * t;
      if (i + 2 < n) {
        du2[i] = du[i + 1];
        du[i + 1] = -f * du2[i];
      }
      du[i] = t;
      std::swap(x[i], x[i + 1]);
      x[i + 1] -= f * x[i];
    }
  }
  if (std::abs(dd[n - 1]) < guard) dd[n - 1] = guard;
  x[n - 1] /= dd[n - 1];
  if (n > 1) x[n - 2] = (x[n - 2] - du[n - 2] * x[n - 1]) / dd[n - 2];
  for (std::size_t k = n - 2; k-- > 0;) {
    x[k] = (x[k] - du[k] * x[k + 1] - du2[k] * x[k + 2]) / dd[k];
  }
}

}  // namespace

Dpss dpss(std::size_t M, double NW, std::size_t Kmax, bool sym) {
  using strings::format_number;
  if (Kmax < 1 || Kmax > M) {
    throw InputError("dpss: the number of tapers " + std::to_string(Kmax) + " must lie in [1, " +
                     std::to_string(M) + "]");
  }
  if (!(NW > 0) || NW >= static_cast<double>(M) / 2.0) {
    throw InputError("dpss: NW = " + format_number(NW) +
                     " must lie in (0, M/2 = " + format_number(static_cast<double>(M) / 2.0) + ")");
  }
  const std::size_t Mx = sym ? M : M + 1;
  const double W = NW / static_cast<double>(Mx);
  std::vector<double> d(Mx), e(Mx, 0.0);
  const double c = std::cos(2 * std::numbers::pi * W);
  for (std::size_t t = 0; t < Mx; ++t) {
    const double h = (static_cast<double>(Mx) - 1.0 - 2.0 * static_cast<double>(t)) / 2.0;
    d[t] = h * h * c;
    if (t > 0) e[t] = static_cast<double>(t) * static_cast<double>(Mx - t) / 2.0;
  }
  double lo = d[0], hi = d[0], scale = 0.0;
  for (std::size_t t = 0; t < Mx; ++t) {
    const double r = std::abs(e[t]) + (t + 1 < Mx ? std::abs(e[t + 1]) : 0.0);
    lo = std::min(lo, d[t] - r);
    hi = std::max(hi, d[t] + r);
    scale = std::max(scale, std::abs(d[t]) + r);
  }
  Dpss out;
  for (std::size_t k = 0; k < Kmax; ++k) {
    const double lambda = eigenvalue(d, e, Mx - 1 - k, lo, hi);
    // Inverse iteration from a start vector with no symmetry (so it is orthogonal to neither
    // the symmetric nor the antisymmetric eigenvectors).
    std::vector<double> v(Mx);
    uint64_t state = 0x9E3779B97F4A7C15ull + k;
    for (auto& x : v) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      x = static_cast<double>(state >> 11) * 0x1.0p-53 - 0.5;
    }
    for (int it = 0; it < 3; ++it) {
      solve_shifted(d, e, lambda, scale, v);
      double norm = 0.0;
      for (const double x : v) norm += x * x;
      norm = std::sqrt(norm);
      for (double& x : v) x /= norm;
    }
    // Percival & Walden's sign conventions, as SciPy applies them.
    if (k % 2 == 0) {
      double sum = 0.0;
      for (const double x : v) sum += x;
      if (sum < 0) {
        for (double& x : v) x = -x;
      }
    } else {
      const double thresh = std::max(1e-7, 1.0 / static_cast<double>(Mx));
      for (const double x : v) {
        if (x * x > thresh) {
          if (x < 0) {
            for (double& y : v) y = -y;
          }
          break;
        }
      }
    }
    out.tapers.push_back(std::move(v));
  }
  // Concentration ratios from the autocorrelation of each (untruncated) taper, by FFT.
  std::size_t nfft = 1;
  while (nfft < 2 * Mx - 1) nfft *= 2;
  const fft::ComplexFft cfft(nfft);
  fft::Buffer<std::complex<double>> a(nfft), spec(nfft), back(nfft);
  std::vector<double> r(Mx);
  for (std::size_t n = 0; n < Mx; ++n) {
    const double x = 2 * W * static_cast<double>(n);
    r[n] = n == 0 ? 2 * W : 4 * W * std::sin(std::numbers::pi * x) / (std::numbers::pi * x);
  }
  for (const auto& v : out.tapers) {
    for (std::size_t i = 0; i < nfft; ++i) a[i] = i < Mx ? v[i] : 0.0;
    cfft.forward(a, spec);
    for (std::size_t i = 0; i < nfft; ++i) spec[i] = std::norm(spec[i]);
    cfft.inverse(spec, back);
    double ratio = 0.0;
    for (std::size_t n = 0; n < Mx; ++n) ratio += back[n].real() * r[n];
    out.ratios.push_back(ratio);
  }
  if (!sym) {
    for (auto& v : out.tapers) v.pop_back();
  }
  return out;
}

WelchResult multitaper_psd(const std::vector<std::vector<double>>& channels, double fs_hz,
                           const MultitaperParams& params) {
  using strings::format_number;
  const std::size_t n = channels.empty() ? 0 : channels.front().size();
  const double half_nbw =
      params.bandwidth_hz > 0 ? params.bandwidth_hz * static_cast<double>(n) / (2.0 * fs_hz) : 4.0;
  if (half_nbw < 0.5) {
    throw InputError("spectrum.mt_bandwidth_hz = " + format_number(params.bandwidth_hz) +
                     " Hz is below fs / n = " + format_number(fs_hz / static_cast<double>(n)) +
                     " Hz for this recording: widen it (or 0 for 8 fs / n)");
  }
  if (n < 4 || half_nbw >= static_cast<double>(n) / 2.0) {
    throw InputError("spectrum.mt_bandwidth_hz = " + format_number(params.bandwidth_hz) +
                     " Hz is too wide for " + std::to_string(n) + " samples");
  }
  const auto kmax = static_cast<std::size_t>(2.0 * half_nbw);
  Dpss tapers = dpss(n, half_nbw, kmax, false);
  if (params.low_bias) {
    Dpss kept;
    for (std::size_t k = 0; k < tapers.tapers.size(); ++k) {
      if (tapers.ratios[k] > 0.9) {
        kept.tapers.push_back(tapers.tapers[k]);
        kept.ratios.push_back(tapers.ratios[k]);
      }
    }
    if (kept.tapers.empty()) {
      const auto best = static_cast<std::size_t>(
          std::max_element(tapers.ratios.begin(), tapers.ratios.end()) - tapers.ratios.begin());
      kept.tapers.push_back(tapers.tapers[best]);
      kept.ratios.push_back(tapers.ratios[best]);
    }
    tapers = std::move(kept);
  }
  const std::size_t K = tapers.tapers.size(), nf = n / 2 + 1;
  double weight_sum = 0.0;
  for (const double l : tapers.ratios) weight_sum += l;
  WelchResult result;
  result.n_segments = K;
  result.freqs.resize(nf);
  for (std::size_t k = 0; k < nf; ++k) {
    result.freqs[k] = static_cast<double>(k) * fs_hz / static_cast<double>(n);
  }
  result.psd = Array2<double>(channels.size(), nf, 0.0);
  const fft::RealFft rfft(n);
#pragma omp parallel
  {
    fft::Buffer<double> in(n);
    fft::Buffer<std::complex<double>> spec(nf);
    std::vector<double> acc(nf);
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(channels.size()); ++ci) {
      const auto& x = channels[static_cast<std::size_t>(ci)];
      double mean = 0.0;
      for (const double v : x) mean += v;
      mean /= static_cast<double>(n);
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::size_t k = 0; k < K; ++k) {
        const auto& v = tapers.tapers[k];
        for (std::size_t i = 0; i < n; ++i) in[i] = (x[i] - mean) * v[i];
        rfft.forward(in, spec);
        for (std::size_t f = 0; f < nf; ++f) {
          double p = std::norm(spec[f]);
          if (f == 0 || (n % 2 == 0 && f == n / 2)) p /= 2.0;  // X / sqrt 2
          acc[f] += tapers.ratios[k] * p;
        }
      }
      auto row = result.psd.row(static_cast<std::size_t>(ci));
      for (std::size_t f = 0; f < nf; ++f) row[f] = 2.0 * acc[f] / weight_sum / fs_hz;
    }
  }
  return result;
}

}  // namespace qneuro::eeg
