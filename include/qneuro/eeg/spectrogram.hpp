// Time-resolved spectra (`qneuro analyze`, keys spectrogram.*; docs/analyze.md): Welch per
// sliding window, and band power over time per channel.
//
//   windows   [w S, w S + W) samples, W = round(window_s fs), S = round(step_s fs),
//             w = 0 .. floor((n - W) / S); time of a window = its centre (w S + W / 2) / fs
//   spectrum  welch.hpp's Welch PSD of the window (the analysis' window, detrending and overlap
//             fraction, nperseg = min(welch.nperseg, W)), i.e. scipy.signal.welch of x[wS:wS+W]
//   band power / relative power of each window as spectral.hpp defines them
// Windows run in parallel (OpenMP); each window's numbers are independent of the thread count.
#pragma once

#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/eeg/spectral.hpp"
#include "qneuro/eeg/welch.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::io {
class H5File;
}

namespace qneuro::eeg {

struct SpectrogramParams {
  double window_s = 4.0, step_s = 1.0;
};

struct SpectrogramResult {
  SpectrogramParams params;
  std::size_t window_samples = 0, step_samples = 0, nperseg = 0, noverlap = 0;
  std::vector<double> times_s;  ///< [W] window centres
  std::vector<double> freqs;    ///< [F]
  std::vector<std::string> channels;
  std::vector<Band> bands;
  std::vector<double> psd;             ///< [C][W][F] uV^2/Hz
  std::vector<double> band_power;      ///< [C][W][B] uV^2
  std::vector<double> relative_power;  ///< [C][W][B] fraction of the analysis range
  [[nodiscard]] std::size_t windows() const { return times_s.size(); }
};

/// Throws InputError naming spectrogram.window_s / step_s for a window outside [2, n] samples
/// or a step below one sample.
SpectrogramResult spectrogram(const io::Recording& recording, const SpectrogramParams& params,
                              std::size_t welch_nperseg, double overlap, Window window,
                              Detrend detrend, const std::vector<Band>& bands, double range_lo_hz,
                              double range_hi_hz);

/// /spectrogram in analysis.h5: times_s, freqs, psd [C, W, F], band_power and relative_power
/// [C, W, B] (float64, compressed), attrs window/step/nperseg.
void write_spectrogram_h5(io::H5File& file, const SpectrogramResult& result);
/// summary.json "spectrogram": parameters, times, and the band power over time per channel.
nlohmann::ordered_json spectrogram_json(const SpectrogramResult& result);

}  // namespace qneuro::eeg
