// A multichannel recording in microvolts, loaded from any supported format.
//
// Formats (detected from content, not the extension; `format` in brackets):
//   EDF/EDF+ ["edf", "edf+"]: header starts "0       " (qneuro/io/edf.hpp);
//   BDF/BDF+ ["bdf", "bdf+"]: header starts 0xFF "BIOSEMI", 24-bit samples (qneuro/io/edf.hpp);
//   BrainVision ["brainvision"]: the .vhdr header, first line "Brain Vision Data Exchange Header
//     File Version 1.0" or "BrainVision Data Exchange Header File Version 1.0/2.0"; it names the
//     binary data (.eeg) and markers (.vmrk) (qneuro/io/brainvision.hpp);
//   qneuro HDF5 time series ["hdf5"]: HDF5 signature, layout "qneuro.timeseries/1" below;
//   CSV ["csv"]: anything else, except that a .edf/.bdf/.rec, .h5/.hdf5 or .vhdr file without its
//     signature is an error, and so is a .vmrk or .eeg file (give the .vhdr).
//
// qneuro.timeseries/1 HDF5 layout (written by every engine that produces signals):
//   /signals     float64 or float32 [channel x sample], microvolts
//   /channels    variable-length UTF-8 strings [channel]
//   root attrs:  schema = "qneuro.timeseries/1", fs_hz (double), units = "uV"
//
// Unit conversion: EDF/BDF signals and BrainVision channels are scaled to microvolts from their
// physical dimension or unit (V, mV, uV/µV, nV); a selected channel whose unit is not a voltage
// (e.g. BioSemi's "Status" trigger channel, "Boolean") is kept unscaled with a warning.
// CSV and HDF5 inputs are taken as microvolts unless `csv_unit_uv` says otherwise.
// Annotations come from EDF+/BDF+ TALs and BrainVision markers.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "qneuro/io/edf.hpp"

namespace qneuro::io {

struct Recording {
  std::string source;  ///< file path, for messages
  std::string format;  ///< "edf", "edf+", "bdf", "bdf+", "brainvision", "csv", "hdf5"
  double sfreq_hz = 0.0;
  std::vector<std::string> channels;      ///< labels, trimmed of surrounding spaces only
  std::vector<std::vector<double>> data;  ///< [channel][sample], microvolts
  std::vector<Annotation> annotations;
  [[nodiscard]] std::size_t n_channels() const { return channels.size(); }
  [[nodiscard]] std::size_t n_samples() const { return data.empty() ? 0 : data.front().size(); }
};

/// Which channels to keep. Empty names and empty regex select every (non-annotation) channel.
/// `names` match a label exactly first, then by canonical_channel_label() (so "C3" finds "C3..",
/// "EEG C3-REF" or "c3"); a canonical match must be unique, else the error lists the candidates.
/// `regex` (ECMAScript, searched anywhere in the label) adds every matching channel. Order: file
/// order.
struct ChannelSelection {
  std::vector<std::string> names;
  std::string regex;
  [[nodiscard]] bool all() const { return names.empty() && regex.empty(); }
};

/// A label as users mean it: lower case, spaces and padding dots removed (PhysioNet pads "C3" to
/// "C3.."), a leading "EEG" (with a space, '-' or '_') dropped, and a trailing reference suffix
/// dropped ("-REF", "-LE", "-RE", "-AR", "-AVG", "-A1", "-A2", "-M1", "-M2", "-A1A2", "-M1M2").
/// Bipolar derivations ("Fp1-F7") keep their second electrode.
std::string canonical_channel_label(std::string_view label);

/// Up to `count` labels closest to `want` for a "did you mean" message: ranked by the edit
/// distance of the canonical labels, then by length difference, then file order; only
/// plausible typos (distance <= max(1, |canonical want| / 2)).
std::vector<std::string> suggest_channels(std::string_view want,
                                          const std::vector<std::string>& labels,
                                          std::size_t count = 3);

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
