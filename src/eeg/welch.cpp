#include "qneuro/eeg/welch.hpp"

#include <cmath>
#include <complex>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/core/fft.hpp"

namespace qneuro::eeg {

std::vector<double> make_window(Window w, std::size_t n) {
  std::vector<double> win(n, 1.0);
  const double two_pi_over_n = 2.0 * std::numbers::pi / static_cast<double>(n);
  for (std::size_t j = 0; j < n; ++j) {
    const double c = std::cos(two_pi_over_n * static_cast<double>(j));
    if (w == Window::Hann) win[j] = 0.5 - 0.5 * c;
    if (w == Window::Hamming) win[j] = 0.54 - 0.46 * c;
  }
  return win;
}

WelchResult welch(const std::vector<std::vector<double>>& channels, double fs_hz,
                  const WelchParams& params) {
  const std::size_t n = channels.empty() ? 0 : channels.front().size();
  const std::size_t L = params.nperseg;
  if (!(fs_hz > 0) || !std::isfinite(fs_hz)) {
    throw InputError("sampling rate must be positive, got " + std::to_string(fs_hz));
  }
  if (L < 2 || L > n) {
    throw InputError("welch.nperseg = " + std::to_string(L) +
                     " samples is out of range: allowed [2, " + std::to_string(n) +
                     "] (the recording length)");
  }
  if (params.noverlap >= L) {
    throw InputError("welch overlap of " + std::to_string(params.noverlap) +
                     " samples must be smaller than nperseg = " + std::to_string(L));
  }
  for (const auto& ch : channels) {
    if (ch.size() != n) throw InputError("welch: channels have different lengths");
  }

  const std::size_t step = L - params.noverlap;
  const std::size_t n_segments = (n - params.noverlap) / step;
  const std::size_t nf = L / 2 + 1;
  const std::vector<double> win = make_window(params.window, L);
  double win_sq = 0.0;
  for (double w : win) win_sq += w * w;
  const double scale = 1.0 / (fs_hz * win_sq * static_cast<double>(n_segments));

  WelchResult result;
  result.n_segments = n_segments;
  result.freqs.resize(nf);
  // (k fs) / L, product first: exact whenever the bin frequency is representable, so a bin on a
  // band edge (4 Hz, 30 Hz, ...) is never pushed to the wrong side by rounding.
  for (std::size_t k = 0; k < nf; ++k) {
    result.freqs[k] = static_cast<double>(k) * fs_hz / static_cast<double>(L);
  }
  result.psd = Array2<double>(channels.size(), nf, 0.0);

  const fft::RealFft fft(L);
  const auto n_channels = static_cast<std::ptrdiff_t>(channels.size());
#pragma omp parallel
  {
    fft::Buffer<double> seg(L);
    fft::Buffer<std::complex<double>> spec(nf);
    std::vector<double> acc(nf);
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t c = 0; c < n_channels; ++c) {
      const double* x = channels[static_cast<std::size_t>(c)].data();
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::size_t m = 0; m < n_segments; ++m) {
        const double* xs = x + m * step;
        double mean = 0.0;
        if (params.detrend == Detrend::Constant) {
          for (std::size_t j = 0; j < L; ++j) mean += xs[j];
          mean /= static_cast<double>(L);
        }
        for (std::size_t j = 0; j < L; ++j) seg[j] = (xs[j] - mean) * win[j];
        fft.forward(seg, spec);
        for (std::size_t k = 0; k < nf; ++k) acc[k] += std::norm(spec[k]);
      }
      auto out = result.psd.row(static_cast<std::size_t>(c));
      for (std::size_t k = 0; k < nf; ++k) {
        const bool unpaired = k == 0 || (L % 2 == 0 && k == L / 2);
        out[k] = acc[k] * scale * (unpaired ? 1.0 : 2.0);
      }
    }
  }
  return result;
}

}  // namespace qneuro::eeg
