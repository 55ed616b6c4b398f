// Epochs around events and event-related (de)synchronisation (ERD/ERS), as `qneuro analyze
// --epochs` computes them (docs/analyze.md, "Epochs and ERD").
//
// Events: the recording's annotations (EDF+ TALs, BrainVision markers), or rows of a CSV/TSV file
// with columns onset_s and condition (a header row naming them; optional duration_s). A
// condition is an event text (e.g. T1); its epochs are the windows [onset + tmin, onset + tmax):
//   first sample  s0 = round((onset + tmin) fs),  n = round((tmax - tmin) fs) samples
// (half-open, so consecutive windows tile; MNE's epochs hold one sample more). An epoch whose
// window leaves the recording is dropped (counted as out_of_range); an epoch whose peak-to-peak
// amplitude exceeds reject_uv in any channel is rejected (counted; reject_uv = 0 keeps all).
//
// Band power of a window: the Welch PSD of the window (analysis.hpp's window and detrending,
// nperseg = min(welch.nperseg, the samples of the shortest window of the run), its overlap
// fraction) summed over the band bins times df (spectral.hpp); relative power divides by the
// band power of the analysis range.
//
// ERD/ERS in percent (Pfurtscheller & Lopes da Silva 1999), per epoch e, channel and band:
//   ERD_e = (A_e - R) / R * 100
// with A_e the band power of the epoch's activity window and R a reference:
//   baseline = a condition (e.g. T0): A_e is the epoch [tmin, tmax); R = the mean band power of
//             that condition's kept epochs (its own ERD averages 0);
//   baseline_window = [b0, b1] (tmin <= b0 < b1 <= 0): A_e is [0, tmax) (needs tmax > 0), and R =
//             the condition's mean band power of the pre-event windows [b0, b1).
// Negative values are desynchronisation (power falls), positive synchronisation. Condition
// means are over kept epochs; SEM = sample standard deviation / sqrt(epochs) (0 for one epoch).
// The mean of ERD_e is the classic (mean A - R) / R.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/eeg/spectral.hpp"
#include "qneuro/eeg/welch.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::eeg {

struct EpochParams {
  std::vector<std::string> conditions;  ///< event texts to epoch around (non-empty)
  std::filesystem::path events_file;    ///< CSV/TSV of events; empty: the annotations
  double tmin_s = -1.0, tmax_s = 4.0;
  std::string baseline;                   ///< a condition name; empty: none
  std::vector<double> baseline_window_s;  ///< [b0, b1] or empty
  double reject_uv = 0.0;                 ///< peak-to-peak threshold; 0: no rejection
  std::size_t min_epochs = 2;             ///< per condition, after dropping and rejection
};

/// Per-epoch arrays are [epoch][channel][band], flattened row-major; means and SEMs
/// [channel][band].
struct EpochCondition {
  std::string name;
  std::size_t n_events = 0, n_out_of_range = 0, n_rejected = 0;
  std::vector<double> onsets_s;                                 ///< of the kept epochs
  std::vector<double> band_power, relative_power, erd_percent;  ///< erd empty without baseline
  std::vector<double> band_power_mean, band_power_sem, relative_power_mean, relative_power_sem;
  std::vector<double> erd_mean, erd_sem;
  [[nodiscard]] std::size_t kept() const { return onsets_s.size(); }
};

struct EpochResult {
  EpochParams params;
  std::string events_source;  ///< "annotations" or the events file
  std::size_t nperseg = 0, noverlap = 0;
  std::size_t window_samples = 0;  ///< n of [tmin, tmax)
  std::vector<std::string> channels;
  std::vector<Band> bands;
  std::vector<EpochCondition> conditions;
  [[nodiscard]] bool has_erd() const {
    return !params.baseline.empty() || !params.baseline_window_s.empty();
  }
};

/// Reads events from a CSV or TSV file (separator from the header line: tab, comma or
/// semicolon): a header naming onset_s and condition (and optionally duration_s), one event per
/// row. InputError naming the file and line for anything malformed.
std::vector<io::Annotation> read_events_file(const std::filesystem::path& path);

/// Cuts the epochs of every condition and computes band powers and ERD. `welch_nperseg` is the
/// analysis' segment length (0 = 2 s); window, detrend, overlap and the analysis range come
/// from the analysis. Throws InputError naming the condition or key for: a condition that is
/// not among the events (the message lists those present), a baseline that is not a condition,
/// a baseline window outside [tmin, 0] or set together with a baseline condition, tmin >= tmax,
/// windows shorter than 2 samples, fewer than min_epochs epochs left in a condition (with how
/// many were out of range or rejected).
EpochResult compute_epochs(const io::Recording& recording, const EpochParams& params,
                           const std::vector<Band>& bands, std::size_t welch_nperseg,
                           double overlap, Window window, Detrend detrend, double range_lo_hz,
                           double range_hi_hz);

}  // namespace qneuro::eeg
namespace qneuro::io {
class H5File;
}  // namespace qneuro::io
namespace qneuro::eeg {

/// The /epochs group of analysis.h5: per condition /epochs/<name>/{onsets_s [E],
/// band_power, relative_power, erd_percent [E, C, B], *_mean and *_sem [C, B]}, units as attrs.
void write_epochs_h5(io::H5File& file, const EpochResult& result);

/// The "epochs" object of summary.json: parameters, and per condition the counts, onsets,
/// channel x band tables of means and SEMs, and the per-epoch values (channel -> band ->
/// [epoch]), as in analysis.h5.
nlohmann::ordered_json epochs_json(const EpochResult& result);

}  // namespace qneuro::eeg
