// The full per-recording EEG analysis behind `qneuro analyze`: Welch PSD, band powers, spectral
// entropy, peak frequency and peak list, aperiodic exponent per channel; PLI and wPLI per band
// over all channel pairs. Definitions: welch.hpp, spectral.hpp, connectivity.hpp (DESIGN §4).
// Outputs: summary.json (schema "qneuro.analysis/1"), analysis.h5 (full arrays), a text table.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/core/array.hpp"
#include "qneuro/eeg/connectivity.hpp"
#include "qneuro/eeg/epochs.hpp"
#include "qneuro/eeg/multitaper.hpp"
#include "qneuro/eeg/pac.hpp"
#include "qneuro/eeg/spectral.hpp"
#include "qneuro/eeg/spectrogram.hpp"
#include "qneuro/eeg/welch.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::eeg {

inline constexpr const char* kAnalysisSchema = "qneuro.analysis/1";

/// How the whole-recording PSD is estimated: Welch (welch.hpp) or multitaper (multitaper.hpp).
enum class SpectrumMethod { Welch, Multitaper };
}  // namespace qneuro::eeg

namespace qneuro {
template <>
inline constexpr std::array enum_names<eeg::SpectrumMethod>{
    EnumName{eeg::SpectrumMethod::Welch, "welch"},
    EnumName{eeg::SpectrumMethod::Multitaper, "multitaper"}};
}  // namespace qneuro

namespace qneuro::eeg {

struct AnalysisParams {
  std::size_t nperseg = 0;  ///< samples; 0 = round(2 s * fs)
  double overlap = 0.5;     ///< fraction of nperseg; noverlap = floor(overlap * nperseg)
  Window window = Window::Hann;
  Detrend detrend = Detrend::Constant;
  SpectrumMethod method = SpectrumMethod::Welch;
  double mt_bandwidth_hz = 0.0;  ///< multitaper full bandwidth; 0 = 8 fs / n (half_nbw 4)
  std::vector<Band> bands = classic_bands();
  double range_lo_hz = 0.5;  ///< analysis range [lo, hi): relative power and entropy
  double range_hi_hz = 45.0;
  double peak_min_prominence_db = 3.0;
  std::size_t peak_max_count = 5;
  double aperiodic_lo_hz = 1.0;  ///< closed interval [lo, hi]
  double aperiodic_hi_hz = 40.0;
  bool connectivity = true;
  double edge_s = 1.0;
};

struct ChannelSpectrum {
  std::string name;
  std::vector<double> band_power;      ///< [band], uV^2
  std::vector<double> relative_power;  ///< [band], fraction of total_power
  double total_power = 0.0;            ///< uV^2 over the analysis range
  double spectral_entropy = 0.0;
  double peak_hz = 0.0;
  std::vector<Peak> peaks;
  AperiodicFit aperiodic;
};

struct AnalysisResult {
  std::string source;
  std::string format;
  double sfreq_hz = 0.0;
  std::size_t n_samples = 0;
  std::vector<std::string> channels;
  AnalysisParams params;  ///< with nperseg resolved
  std::size_t noverlap = 0;
  WelchResult welch;
  std::vector<ChannelSpectrum> per_channel;
  bool has_connectivity = false;
  PhaseLagResult phase_lag;
  double seconds_spectral = 0.0;
  double seconds_connectivity = 0.0;
  // Optional parts, each computed when its keys ask for it (summary key / analysis.h5 group):
  std::optional<EpochResult> epochs;               ///< epochs.* ("epochs", /epochs)
  std::optional<SpectrogramResult> spectrogram;    ///< spectrogram.* ("spectrogram", /spectrogram)
  std::optional<PhaseLagOverTime> phase_lag_time;  ///< connectivity.over_time
                                                   ///< ("connectivity_over_time", same group)
  std::optional<PacResult> pac;                    ///< pac.* ("pac", /pac)
  double seconds_epochs = 0.0, seconds_spectrogram = 0.0, seconds_connectivity_time = 0.0,
         seconds_pac = 0.0;
};

/// Resolves nperseg (0 -> 2 s), checks the parameters against the recording and runs everything.
/// Throws InputError for a recording too short for one segment or bands outside [0, fs/2].
/// `progress(done, total)` (optional) reports stages from the calling thread: the spectra, then
/// one step per band of PLI/wPLI.
AnalysisResult analyze(const io::Recording& recording, const AnalysisParams& params,
                       const std::function<void(std::size_t, std::size_t)>& progress = {});

/// The analysis the simulators (field, snn) run on the signals they produce: the default
/// parameters with Welch segments of `segment_s` seconds (capped at the recording), `edge_s`
/// trimmed for connectivity, and the bands and range cut at the Nyquist frequency. nullopt when
/// no band lies below Nyquist.
std::optional<AnalysisResult> analyze_simulated(const io::Recording& recording, double segment_s,
                                                double edge_s);

/// summary.json content (schema qneuro.analysis/1, keys in a stable order).
nlohmann::ordered_json summary_json(const AnalysisResult& result);
/// Writes analysis.h5: freqs, psd [C x F], band tables, pli/wpli [B x C x C], metadata attrs.
void write_analysis_h5(const std::filesystem::path& path, const AnalysisResult& result);
/// Human-readable table: per channel, relative band powers (%), entropy, peak frequency.
std::string format_table(const AnalysisResult& result, std::size_t max_rows = 64);

}  // namespace qneuro::eeg
