// Phase lag index (PLI) and weighted PLI (wPLI) per frequency band over all channel pairs.
//
// Band-limited analytic signal from one FFT of the whole channel (n samples, fs Hz):
//   X[k] = sum_j x[j] e^{-2 pi i jk/n};  Z[k] = 2 X[k] for 0 <= k <= n/2 with lo <= k fs/n < hi,
//   Z[k] = 0 otherwise (all negative frequencies);  z = IFFT(Z) (divided by n).
// Drop e = round(edge_s * fs) samples at each end (filter edge effects), leaving N = n - 2e.
//   Im_ab(t) = Im(z_a(t) conj z_b(t)) = Im z_a Re z_b - Re z_a Im z_b
//   PLI_ab   = | (1/N) sum_t sign(Im_ab(t)) |          (sign(0) = 0)
//   wPLI_ab  = | sum_t Im_ab(t) | / sum_t |Im_ab(t)|   (0 when the denominator is 0)
// Both are symmetric in (a, b), in [0, 1], with a zero diagonal. They ignore zero-lag coupling
// (volume conduction): a pure phase lag of pi/4 gives PLI = wPLI = 1, independent noise ~ 0.
//
// Cost per band: C FFTs of length n, then C(C-1)/2 * N multiply-adds. Pairs are processed in
// time blocks so the channels' blocks stay in cache; each pair's sums are accumulated by one
// thread in a fixed order, so results are identical for any thread count.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "qneuro/core/array.hpp"
#include "qneuro/eeg/spectral.hpp"

namespace qneuro::eeg {

struct PhaseLagResult {
  std::vector<Array2<double>> pli;   ///< [band] -> C x C
  std::vector<Array2<double>> wpli;  ///< [band] -> C x C
  std::size_t edge_samples = 0;      ///< e, dropped at each end
  std::size_t used_samples = 0;      ///< N
};

/// Throws InputError if 2 * round(edge_s * fs) >= n (nothing left) or a band is outside
/// [0, fs/2] (callers validate bands with their config key names first).
/// `on_band_done(done, total)` is called from the calling thread after each band (progress).
PhaseLagResult phase_lag_index(
    const std::vector<std::vector<double>>& channels, double fs_hz, const std::vector<Band>& bands,
    double edge_s, const std::function<void(std::size_t, std::size_t)>& on_band_done = {});

/// PLI and wPLI in sliding windows: the analytic signals of the whole recording (less the
/// edges) as above, then the sums over each window [w S, w S + W) of the N used samples,
/// W = round(window_s fs), S = round(step_s fs), windows w = 0 .. (N - W) / S; times_s are the
/// window centres in the recording's time. Throws InputError (naming connectivity.window_s /
/// step_s) for a window outside [2, N] samples or a step below one sample.
struct PhaseLagOverTime {
  std::vector<double> times_s;
  std::vector<std::vector<Array2<double>>> pli, wpli;  ///< [band][window] -> C x C
  std::size_t window_samples = 0, step_samples = 0, edge_samples = 0;
};
PhaseLagOverTime phase_lag_over_time(const std::vector<std::vector<double>>& channels, double fs_hz,
                                     const std::vector<Band>& bands, double edge_s, double window_s,
                                     double step_s);

}  // namespace qneuro::eeg
