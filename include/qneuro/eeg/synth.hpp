// Synthetic resting-state EEG for demos, benchmarks and tests: a recording with known structure.
//
// Each channel c at scalp position (x_c lateral, y_c anterior) is, in microvolts,
//   s_c(t) = b * [ sqrt(1-m) n_c(t) + sqrt(m) n_common(t) ]                 1/f background
//          + a(t) w_alpha(c) sin(2 pi f_alpha t + k_alpha y_c + phi_c)      posterior alpha
//          + beta_uv w_beta(c) sin(2 pi f_beta t + k_beta x_c + phi'_c)     central beta
//          + theta_uv w_theta(c) sin(2 pi f_theta t + phi''_c)              frontal theta
// n_c, n_common: unit-variance Gaussian noise shaped to a 1/f^aperiodic_exponent power spectrum
// (above 1 Hz; flat below), m = common_fraction (shared "volume-conducted" part). a(t) is the
// alpha amplitude: alpha_uv with eyes closed (first half), alpha_uv * eyes_open_factor after
// the "eyes open" annotation at half time, with a slow 0.1 Hz waxing and waning. The phase
// gradients k_alpha, k_beta make the rhythms travel across the scalp, so PLI is high between
// distant channels in those bands. Weights w are smooth functions of position (posterior, central,
// frontal-midline). Noise comes from Philox keyed by (seed, stream, sample, channel): the
// recording is identical for any thread count. Channel names follow the 64-channel 10-10 montage
// of the PhysioNet EEG Motor Movement/Imagery dataset when channels <= 64, else "E001", ...
#pragma once

#include <cstddef>
#include <cstdint>

#include "qneuro/io/recording.hpp"

namespace qneuro::eeg {

struct SynthParams {
  std::size_t channels = 64;
  double duration_s = 60.0;
  double fs_hz = 160.0;
  uint32_t seed = 1;
  double background_uv = 12.0;  ///< RMS of the 1/f background
  double aperiodic_exponent = 1.5;
  double common_fraction = 0.3;
  double alpha_hz = 10.0;
  double alpha_uv = 18.0;
  double eyes_open_factor = 0.3;
  double beta_hz = 20.0;
  double beta_uv = 4.0;
  double theta_hz = 6.0;
  double theta_uv = 5.0;
};

/// Generates the recording (microvolts) with "eyes closed"/"eyes open" annotations.
/// Throws InputError for non-positive sizes or rhythms at or above fs/2.
io::Recording synthesize_eeg(const SynthParams& params);

}  // namespace qneuro::eeg
