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

WelchEstimator::WelchEstimator(double fs_hz, const WelchParams& params)
    : fs_(fs_hz), params_(params), fft_(params.nperseg < 2 ? 2 : params.nperseg) {
  const std::size_t L = params.nperseg;
  if (!(fs_hz > 0) || !std::isfinite(fs_hz)) {
    throw InputError("sampling rate must be positive, got " + std::to_string(fs_hz));
  }
  if (L < 2) {
    throw InputError("welch.nperseg = " + std::to_string(L) + " samples: at least 2 are needed");
  }
  if (params.noverlap >= L) {
    throw InputError("welch overlap of " + std::to_string(params.noverlap) +
                     " samples must be smaller than nperseg = " + std::to_string(L));
  }
  window_ = make_window(params.window, L);
  for (double w : window_) win_sq_ += w * w;
  const std::size_t nf = L / 2 + 1;
  freqs_.resize(nf);
  // (k fs) / L, product first: exact whenever the bin frequency is representable, so a bin on a
  // band edge (4 Hz, 30 Hz, ...) is never pushed to the wrong side by rounding.
  for (std::size_t k = 0; k < nf; ++k) {
    freqs_[k] = static_cast<double>(k) * fs_hz / static_cast<double>(L);
  }
}

WelchEstimator::Workspace::Workspace(const WelchEstimator& e)
    : segment(e.params_.nperseg),
      spectrum(e.freqs_.size()),
      acc(e.freqs_.size()),
      power(e.freqs_.size()) {}

std::size_t WelchEstimator::segments(std::size_t n) const {
  const std::size_t step = params_.nperseg - params_.noverlap;
  return n < params_.nperseg ? 0 : (n - params_.noverlap) / step;
}

void WelchEstimator::segment_power(const double* xs, double* power, Workspace& ws) const {
  const std::size_t L = params_.nperseg;
  double mean = 0.0;
  if (params_.detrend == Detrend::Constant) {
    for (std::size_t j = 0; j < L; ++j) mean += xs[j];
    mean /= static_cast<double>(L);
  }
  for (std::size_t j = 0; j < L; ++j) ws.segment[j] = (xs[j] - mean) * window_[j];
  fft_.forward(ws.segment, ws.spectrum);
  for (std::size_t k = 0; k < freqs_.size(); ++k) power[k] = std::norm(ws.spectrum[k]);
}

void WelchEstimator::density(const double* acc, std::size_t n_segments, double* out) const {
  const std::size_t L = params_.nperseg;
  const double scale = 1.0 / (fs_ * win_sq_ * static_cast<double>(n_segments));
  for (std::size_t k = 0; k < freqs_.size(); ++k) {
    const bool unpaired = k == 0 || (L % 2 == 0 && k == L / 2);
    out[k] = acc[k] * scale * (unpaired ? 1.0 : 2.0);
  }
}

void WelchEstimator::estimate(const double* x, std::size_t n, double* out, Workspace& ws) const {
  const std::size_t nf = freqs_.size();
  const std::size_t step = params_.nperseg - params_.noverlap;
  const std::size_t n_segments = segments(n);
  std::fill(ws.acc.begin(), ws.acc.end(), 0.0);
  ws.power.resize(nf);
  for (std::size_t m = 0; m < n_segments; ++m) {
    segment_power(x + m * step, ws.power.data(), ws);
    for (std::size_t k = 0; k < nf; ++k) ws.acc[k] += ws.power[k];
  }
  density(ws.acc.data(), n_segments, out);
}

WelchResult welch(const std::vector<std::vector<double>>& channels, double fs_hz,
                  const WelchParams& params) {
  const std::size_t n = channels.empty() ? 0 : channels.front().size();
  const std::size_t L = params.nperseg;
  if (L < 2 || L > n) {
    throw InputError("welch.nperseg = " + std::to_string(L) +
                     " samples is out of range: allowed [2, " + std::to_string(n) +
                     "] (the recording length)");
  }
  for (const auto& ch : channels) {
    if (ch.size() != n) throw InputError("welch: channels have different lengths");
  }
  const WelchEstimator estimator(fs_hz, params);
  WelchResult result;
  result.n_segments = estimator.segments(n);
  result.freqs = estimator.freqs();
  result.psd = Array2<double>(channels.size(), result.freqs.size(), 0.0);
  const auto n_channels = static_cast<std::ptrdiff_t>(channels.size());
#pragma omp parallel
  {
    WelchEstimator::Workspace ws(estimator);
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t c = 0; c < n_channels; ++c) {
      const auto ch = static_cast<std::size_t>(c);
      estimator.estimate(channels[ch].data(), n, result.psd.row(ch).data(), ws);
    }
  }
  return result;
}

}  // namespace qneuro::eeg
