#include "qneuro/eeg/analytic.hpp"

#include <algorithm>

namespace qneuro::eeg {

AnalyticSignals::AnalyticSignals(const std::vector<std::vector<double>>& channels, double fs_hz)
    : n_(channels.empty() ? 0 : channels.front().size()), fs_(fs_hz), inverse_(n_) {
  const std::size_t C = channels.size(), nf = n_ / 2 + 1;
  spectra_.reserve(C);
  for (std::size_t c = 0; c < C; ++c) spectra_.emplace_back(nf);
  const fft::RealFft rfft(n_);
#pragma omp parallel
  {
    fft::Buffer<double> in(n_);
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t c = 0; c < static_cast<std::ptrdiff_t>(C); ++c) {
      const auto& x = channels[static_cast<std::size_t>(c)];
      std::copy(x.begin(), x.end(), in.data());
      rfft.forward(in, spectra_[static_cast<std::size_t>(c)]);
    }
  }
}

void AnalyticSignals::band(std::size_t channel, double lo, double hi, Scratch& s) const {
  const std::size_t nf = n_ / 2 + 1;
  for (std::size_t k = 0; k < n_; ++k) s.spectrum[k] = 0.0;
  const auto& X = spectra_[channel];
  for (std::size_t k = 0; k < nf; ++k) {
    // (k fs) / n, product first: exact when a bin sits on a band edge.
    const double f = static_cast<double>(k) * fs_ / static_cast<double>(n_);
    if (f >= lo && f < hi) s.spectrum[k] = 2.0 * X[k];
  }
  inverse_.inverse(s.spectrum, s.signal);
}

}  // namespace qneuro::eeg
