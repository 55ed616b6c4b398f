// Band-limited analytic signals by one FFT per channel (the definition connectivity.hpp states,
// shared by PLI/wPLI, their sliding-window version and phase-amplitude coupling):
//   X[k] = sum_j x[j] e^{-2 pi i jk/n};  Z[k] = 2 X[k] for 0 <= k <= n/2 with lo <= k fs/n < hi,
//   Z[k] = 0 otherwise;  z = IFFT(Z) / n.
// The spectra are computed once (OpenMP over channels); band() is const and thread-safe, so
// callers run it from their own parallel loops.
#pragma once

#include <complex>
#include <cstddef>
#include <vector>

#include "qneuro/core/fft.hpp"

namespace qneuro::eeg {

class AnalyticSignals {
 public:
  AnalyticSignals(const std::vector<std::vector<double>>& channels, double fs_hz);

  [[nodiscard]] std::size_t samples() const { return n_; }
  [[nodiscard]] std::size_t channels() const { return spectra_.size(); }
  [[nodiscard]] double fs_hz() const { return fs_; }

  /// Scratch a thread needs for band(): two complex buffers of n.
  struct Scratch {
    fft::Buffer<std::complex<double>> spectrum, signal;
    explicit Scratch(std::size_t n) : spectrum(n), signal(n) {}
  };
  /// The analytic signal of `channel` in [lo, hi) Hz into scratch.signal (n samples).
  void band(std::size_t channel, double lo, double hi, Scratch& scratch) const;

 private:
  std::size_t n_ = 0;
  double fs_ = 0.0;
  std::vector<fft::Buffer<std::complex<double>>> spectra_;
  fft::ComplexFft inverse_;
};

}  // namespace qneuro::eeg
