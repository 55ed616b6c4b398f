// A multichannel recording in microvolts, loaded from any supported format.
//
// Formats (detected from content, not the extension): EDF/EDF+ (header starts "0       "),
// qneuro HDF5 time series (HDF5 signature, layout "qneuro.timeseries/1" below), CSV (otherwise).
//
// qneuro.timeseries/1 HDF5 layout (written by every engine that produces signals):
//   /signals     float64 or float32 [channel x sample], microvolts
//   /channels    variable-length UTF-8 strings [channel]
//   root attrs:  schema = "qneuro.timeseries/1", fs_hz (double), units = "uV"
//
// Unit conversion: EDF signals are scaled to microvolts from their physical dimension (V, mV, uV,
// nV); a selected channel whose dimension is not a voltage is kept unscaled with a warning.
// CSV and HDF5 inputs are taken as microvolts unless `csv_unit_uv` says otherwise.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "qneuro/io/edf.hpp"

namespace qneuro::io {

struct Recording {
  std::string source;  ///< file path, for messages
  std::string format;  ///< "edf", "edf+", "csv", "hdf5"
  double sfreq_hz = 0.0;
  std::vector<std::string> channels;      ///< labels, trimmed of surrounding spaces only
  std::vector<std::vector<double>> data;  ///< [channel][sample], microvolts
  std::vector<Annotation> annotations;
  [[nodiscard]] std::size_t n_channels() const { return channels.size(); }
  [[nodiscard]] std::size_t n_samples() const { return data.empty() ? 0 : data.front().size(); }
};

/// Which channels to keep. Empty names and empty regex select every (non-annotation) channel.
/// `names` match exactly first, then case-insensitively if that is unique; `regex` (ECMAScript,
/// searched anywhere in the label) adds every matching channel. Order: file order.
struct ChannelSelection {
  std::vector<std::string> names;
  std::string regex;
  [[nodiscard]] bool all() const { return names.empty() && regex.empty(); }
};

/// Indices (file order) of the labels the selection picks. Throws InputError naming a missing
/// channel (and listing those available), an invalid regex, or a selection that matches nothing.
std::vector<std::size_t> select_channels(const std::vector<std::string>& labels,
                                         const ChannelSelection& selection,
                                         const std::string& source);

struct LoadOptions {
  ChannelSelection channels;
  double csv_unit_uv = 1.0;  ///< microvolts per CSV/HDF5 unit
};

/// Loads a recording. Selected channels must share one sampling rate (EDF files may mix rates:
/// the error lists the rates so the user can select a subset). Throws InputError.
Recording load_recording(const std::filesystem::path& path, const LoadOptions& options = {});

/// Writes a recording in the format its file extension names (atomic): .edf (EDF+, one "uV"
/// signal per channel with `transducer` as transducer type, the annotations kept, `recording_id`
/// as the local recording identification), .csv (time column + channels) or .h5 / .hdf5
/// (qneuro.timeseries/1). UsageError for any other extension.
void save_recording(const std::filesystem::path& path, const Recording& recording,
                    const std::string& transducer = "", const std::string& recording_id = "");

/// Writes a recording as qneuro.timeseries/1 HDF5 (atomic).
void write_recording_h5(const std::filesystem::path& path, const Recording& recording);
class H5File;
/// Writes the qneuro.timeseries/1 datasets and root attributes into an open file (engines add
/// their own groups next to them, e.g. `qneuro field`'s eeg.h5).
void write_recording_h5(H5File& file, const Recording& recording);

}  // namespace qneuro::io
