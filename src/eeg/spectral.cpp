#include "qneuro/eeg/spectral.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qneuro::eeg {

std::vector<Band> classic_bands() {
  return {{"delta", 0.5, 4.0},
          {"theta", 4.0, 8.0},
          {"alpha", 8.0, 12.0},
          {"beta", 12.0, 30.0},
          {"gamma", 30.0, 45.0}};
}

BinRange bins_in(std::span<const double> freqs, double lo, double hi) {
  const auto first = std::lower_bound(freqs.begin(), freqs.end(), lo);
  const auto last = std::lower_bound(first, freqs.end(), hi);
  return {static_cast<std::size_t>(first - freqs.begin()),
          static_cast<std::size_t>(last - freqs.begin())};
}

double band_power(std::span<const double> freqs, std::span<const double> psd, double lo,
                  double hi) {
  if (freqs.size() < 2) return 0.0;
  const double df = freqs[1] - freqs[0];
  const BinRange r = bins_in(freqs, lo, hi);
  double sum = 0.0;
  for (std::size_t k = r.first; k < r.last; ++k) sum += psd[k];
  return sum * df;
}

double spectral_entropy(std::span<const double> freqs, std::span<const double> psd, double lo,
                        double hi) {
  const BinRange r = bins_in(freqs, lo, hi);
  if (r.count() < 2) return 0.0;
  double total = 0.0;
  for (std::size_t k = r.first; k < r.last; ++k) total += psd[k];
  if (!(total > 0)) return 0.0;
  double h = 0.0;
  for (std::size_t k = r.first; k < r.last; ++k) {
    const double p = psd[k] / total;
    if (p > 0) h -= p * std::log(p);
  }
  return h / std::log(static_cast<double>(r.count()));
}

double peak_frequency(std::span<const double> freqs, std::span<const double> psd, double lo,
                      double hi) {
  const BinRange r = bins_in(freqs, lo, hi);
  if (r.count() == 0) return std::numeric_limits<double>::quiet_NaN();
  std::size_t best = r.first;
  for (std::size_t k = r.first + 1; k < r.last; ++k) {
    if (psd[k] > psd[best]) best = k;
  }
  return freqs[best];
}

namespace {

// scipy.signal._peak_finding_utils._local_maxima_1d: strict rises, plateaus reported at their
// middle, the first and last samples never peaks.
std::vector<std::size_t> local_maxima(const std::vector<double>& x) {
  std::vector<std::size_t> peaks;
  if (x.size() < 3) return peaks;
  std::size_t i = 1;
  const std::size_t i_max = x.size() - 1;
  while (i < i_max) {
    if (x[i - 1] < x[i]) {
      std::size_t i_ahead = i + 1;
      while (i_ahead < i_max && x[i_ahead] == x[i]) ++i_ahead;
      if (x[i_ahead] < x[i]) {
        peaks.push_back((i + i_ahead - 1) / 2);
        i = i_ahead;
      }
    }
    ++i;
  }
  return peaks;
}

// scipy.signal._peak_finding_utils._peak_prominences with wlen = None.
double prominence(const std::vector<double>& x, std::size_t peak) {
  double left_min = x[peak];
  for (std::size_t i = peak + 1; i-- > 0;) {
    if (x[i] > x[peak]) break;
    left_min = std::min(left_min, x[i]);
  }
  double right_min = x[peak];
  for (std::size_t i = peak; i < x.size(); ++i) {
    if (x[i] > x[peak]) break;
    right_min = std::min(right_min, x[i]);
  }
  return x[peak] - std::max(left_min, right_min);
}

}  // namespace

std::vector<Peak> find_peaks(std::span<const double> freqs, std::span<const double> psd, double lo,
                             double hi, double min_prominence_db, std::size_t max_count) {
  const BinRange r = bins_in(freqs, lo, hi);
  std::vector<double> db(r.count());
  for (std::size_t k = 0; k < r.count(); ++k) {
    const double p = psd[r.first + k];
    db[k] = p > 0 ? 10.0 * std::log10(p) : -std::numeric_limits<double>::infinity();
  }
  std::vector<Peak> peaks;
  for (std::size_t i : local_maxima(db)) {
    const double prom = prominence(db, i);
    if (prom >= min_prominence_db) peaks.push_back({freqs[r.first + i], psd[r.first + i], prom});
  }
  if (peaks.size() > max_count) {
    std::stable_sort(peaks.begin(), peaks.end(), [](const Peak& a, const Peak& b) {
      return a.prominence_db > b.prominence_db;
    });
    peaks.resize(max_count);
    std::sort(peaks.begin(), peaks.end(),
              [](const Peak& a, const Peak& b) { return a.freq_hz < b.freq_hz; });
  }
  return peaks;
}

AperiodicFit fit_aperiodic(std::span<const double> freqs, std::span<const double> psd, double lo,
                           double hi) {
  // Two-pass least squares on centred data (numerically stable, as np.polyfit's lstsq).
  std::vector<double> lx, ly;
  for (std::size_t k = 0; k < freqs.size(); ++k) {
    if (freqs[k] >= lo && freqs[k] <= hi && freqs[k] > 0 && psd[k] > 0) {
      lx.push_back(std::log10(freqs[k]));
      ly.push_back(std::log10(psd[k]));
    }
  }
  AperiodicFit fit;
  fit.n_bins = lx.size();
  if (lx.size() < 2) {
    fit.exponent = fit.offset = std::numeric_limits<double>::quiet_NaN();
    return fit;
  }
  double mx = 0.0, my = 0.0;
  for (std::size_t i = 0; i < lx.size(); ++i) {
    mx += lx[i];
    my += ly[i];
  }
  mx /= static_cast<double>(lx.size());
  my /= static_cast<double>(lx.size());
  double sxx = 0.0, sxy = 0.0;
  for (std::size_t i = 0; i < lx.size(); ++i) {
    sxx += (lx[i] - mx) * (lx[i] - mx);
    sxy += (lx[i] - mx) * (ly[i] - my);
  }
  const double slope = sxy / sxx;
  fit.exponent = -slope;
  fit.offset = my - slope * mx;
  return fit;
}

}  // namespace qneuro::eeg
