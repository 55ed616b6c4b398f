// Per-channel spectral measures on a one-sided PSD (freqs f_k, uniform spacing df, P_k in
// uV^2/Hz). All "range" selections are half-open [lo, hi) unless stated: bin k is in the range
// when lo <= f_k < hi. Definitions match DESIGN.md §4 and the SciPy reference in
// tests/validation/reference_analysis.py.
//
//   band power      B = sum_{k in [lo,hi)} P_k df                                 (uV^2)
//   relative power  B / T, T = band power of the analysis range                   (fraction)
//   entropy         p_k = P_k / sum P over the range; H = -sum p_k ln p_k / ln K, K = bins in
//                   the range (terms with p_k = 0 contribute 0), so H in [0, 1]
//   peak frequency  f of the largest P_k in the range (the lowest such f on ties)
//   peaks           local maxima of 10 log10 P_k over the range bins, found and measured as
//                   scipy.signal.find_peaks(..., prominence=min_prominence_db): a plateau counts
//                   once, at its middle (rounded down); prominence in dB; at most max_count
//                   kept, those of largest prominence, listed by increasing frequency
//   aperiodic       least-squares line log10 P = offset - exponent * log10 f over the bins with
//                   lo <= f <= hi (closed: default [1, 40] Hz) and P > 0; "exponent" is the
//                   1/f^exponent slope (positive for a falling spectrum)
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace qneuro::eeg {

struct Band {
  std::string name;
  double lo = 0.0;  ///< Hz, inclusive
  double hi = 0.0;  ///< Hz, exclusive
};

/// delta [0.5,4), theta [4,8), alpha [8,12), beta [12,30), gamma [30,45).
std::vector<Band> classic_bands();

/// Indices [first, last) of bins with lo <= f < hi (freqs ascending).
struct BinRange {
  std::size_t first = 0;
  std::size_t last = 0;
  [[nodiscard]] std::size_t count() const { return last - first; }
};
BinRange bins_in(std::span<const double> freqs, double lo, double hi);

double band_power(std::span<const double> freqs, std::span<const double> psd, double lo, double hi);
double spectral_entropy(std::span<const double> freqs, std::span<const double> psd, double lo,
                        double hi);
double peak_frequency(std::span<const double> freqs, std::span<const double> psd, double lo,
                      double hi);

struct Peak {
  double freq_hz = 0.0;
  double power = 0.0;          ///< uV^2/Hz at the peak bin
  double prominence_db = 0.0;  ///< in dB (10 log10 units)
};
std::vector<Peak> find_peaks(std::span<const double> freqs, std::span<const double> psd, double lo,
                             double hi, double min_prominence_db, std::size_t max_count);

struct AperiodicFit {
  double exponent = 0.0;   ///< chi in P ~ f^-chi
  double offset = 0.0;     ///< log10 P at f = 1 Hz
  std::size_t n_bins = 0;  ///< bins used (< 2 means no fit: exponent and offset are NaN)
};
AperiodicFit fit_aperiodic(std::span<const double> freqs, std::span<const double> psd, double lo,
                           double hi);

}  // namespace qneuro::eeg
