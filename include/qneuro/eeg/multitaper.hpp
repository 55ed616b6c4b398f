// Multitaper PSD with discrete prolate spheroidal sequences (DPSS), defined as SciPy and MNE
// define them (`qneuro analyze --set spectrum.method=multitaper`; docs/analyze.md):
//
//   dpss(M, NW, Kmax, sym)  = scipy.signal.windows.dpss(M, NW, Kmax, sym, norm=2,
//                             return_ratios=True): the Kmax eigenvectors of largest eigenvalue
//                             of the symmetric tridiagonal matrix with diagonal
//                             ((M'-1-2t)/2)^2 cos(2 pi W), off-diagonal t (M'-t)/2, W = NW / M'
//                             (M' = M + 1 when sym is false, the last sample then dropped),
//                             unit 2-norm, symmetric tapers with a positive sum and antisymmetric
//                             ones with a positive first value above max(1e-7, 1/M')^(1/2);
//                             ratios (energy concentrations) from the autocorrelation:
//                             sum_n rxx[n] r[n], r[n] = 4W sinc(2Wn), r[0] = 2W.
//   multitaper PSD          = mne.time_frequency.psd_array_multitaper(x, fs, bandwidth,
//                             adaptive=False, low_bias=True, normalization='full'):
//                             half_nbw = bandwidth n / (2 fs) (bandwidth 0: half_nbw = 4),
//                             Kmax = floor(2 half_nbw), dpss(n, half_nbw, Kmax, sym=False),
//                             tapers with ratio > 0.9 kept (the best one if none);
//                             X_k = rfft(v_k (x - mean x)), X_k[0] and (n even) X_k[n/2] / sqrt 2;
//                             P = 2 sum_k lambda_k |X_k|^2 / sum_k lambda_k / fs   (uV^2/Hz)
// Eigenvalues by bisection on Sturm counts, eigenvectors by inverse iteration (both O(M) per
// step, so whole recordings work); checked against SciPy's dpss and MNE's PSD in
// tests/validation.
#pragma once

#include <cstddef>
#include <vector>

#include "qneuro/eeg/welch.hpp"

namespace qneuro::eeg {

struct Dpss {
  std::vector<std::vector<double>> tapers;  ///< [K][M]
  std::vector<double> ratios;               ///< [K] energy concentration in [-W, W]
};

/// Throws InputError for Kmax outside [1, M], NW <= 0 or NW >= M/2.
Dpss dpss(std::size_t M, double NW, std::size_t Kmax, bool sym);

struct MultitaperParams {
  double bandwidth_hz = 0.0;  ///< full bandwidth; 0: half_nbw = 4 (MNE's default)
  bool low_bias = true;
};

/// The multitaper PSD of each channel (all of length n); freqs k fs / n, k = 0..n/2.
/// `n_segments` of the result holds the number of tapers used.
WelchResult multitaper_psd(const std::vector<std::vector<double>>& channels, double fs_hz,
                           const MultitaperParams& params);

}  // namespace qneuro::eeg
