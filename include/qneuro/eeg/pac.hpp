// Phase-amplitude coupling (`qneuro analyze`, keys pac.*; docs/analyze.md): the comodulogram of
// the modulation index (Tort et al. 2010) and the mean vector length (Canolty et al. 2006) over
// grids of phase and amplitude bands, with time-shift surrogates.
//
// Signals: the band-limited analytic signals of analytic.hpp (one FFT per channel, an ideal
// band-pass mask), edges of e = round(edge_s fs) samples dropped at both ends, N = n - 2e left.
//   phase band p: [c_p - w_p/2, c_p + w_p/2), phi(t) = arg z_p(t) in (-pi, pi]
//   amplitude band a: [c_a - w_a/2, c_a + w_a/2), A(t) = |z_a(t)|  (w_a = 0 in the config means
//                     2 (max c_p + w_p/2), wide enough for the sidebands of the fastest phase)
//   MI  (Tort): phase bins j = 0..K-1 of width 2 pi / K from -pi (bin of phi: floor((phi + pi)
//       K / 2 pi), the top edge in bin K-1); mean amplitude per bin m_j, P_j = m_j / sum m,
//       H = -sum P_j ln P_j (0 ln 0 = 0), MI = (ln K - H) / ln K, in [0, 1]
//   MVL (Canolty): | (1/N) sum_t A(t) e^{i phi(t)} |, in uV (raw, not normalised)
//   surrogates: the amplitude circularly shifted against the phase by s_k samples,
//       s_k = m + floor(u_k (N - 2m)), m = round(min_shift_s fs), u_k the first uniform of
//       rng::Philox(seed, EegPacSurrogates).uniform_pair(k, 0), k = 0..S-1 (the same shifts for
//       every channel and band pair; analysis.h5 stores them);
//       z = (value - mean_k) / sd_k (sd with S - 1 in the denominator), p = (1 + #{surrogate >=
//       value}) / (S + 1).
// Work: channels x phase bands run in parallel; results do not depend on the thread count.
// Cost per channel: P x A x (S + 1) x N bin additions and complex multiply-adds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/eeg/spectral.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::io {
class H5File;
}

namespace qneuro::eeg {

struct PacParams {
  std::vector<double> phase_centers_hz = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  double phase_width_hz = 2.0;
  std::vector<double> amp_centers_hz = {40, 45, 50, 55, 60, 65};
  double amp_width_hz = 0.0;  ///< 0: 2 (max phase centre + phase_width / 2)
  std::size_t bins = 18;
  std::size_t surrogates = 200;
  double min_shift_s = 1.0;
  double edge_s = 1.0;
  uint32_t seed = 1;
  std::vector<std::string> channels;  ///< among the analysed ones; empty: all
};

struct PacResult {
  PacParams params;
  std::vector<std::string> channels;
  std::vector<Band> phase_bands, amp_bands;
  std::size_t edge_samples = 0, used_samples = 0;
  std::vector<int64_t> shifts;  ///< [S] samples
  /// [channel][phase][amp], flattened row-major.
  std::vector<double> mi, mi_surrogate_mean, mi_surrogate_sd, mi_z, mi_p;
  std::vector<double> mvl, mvl_surrogate_mean, mvl_surrogate_sd, mvl_z, mvl_p;
};

/// Throws InputError naming the pac.* key: a band outside [0, fs/2] (its name says which), an
/// empty grid, fewer than 2 bins, edges or shifts that leave no room (N <= 2 m + 1), a channel
/// that is not analysed.
PacResult phase_amplitude_coupling(const io::Recording& recording, const PacParams& params);

void write_pac_h5(io::H5File& file, const PacResult& result);
nlohmann::ordered_json pac_json(const PacResult& result);

}  // namespace qneuro::eeg
