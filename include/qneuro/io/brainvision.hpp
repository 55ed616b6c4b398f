// BrainVision (Brain Products) reader: a text header (.vhdr), a marker file (.vmrk) and binary
// data (.eeg).
//
// Supported (Brain Products' "BrainVision Core Data Format" 1.0; header versions 1.0 and 2.0):
//  - header: first line "Brain Vision Data Exchange Header File Version 1.0" or "BrainVision Data
//    Exchange Header File Version 1.0"/"2.0" (also "... Core Data ..." / "... V-Amp Data ..."
//    and an optional comma before "Version", as MNE accepts); INI sections [Common Infos],
//    [Binary Infos], [Channel Infos]; everything from [Comment] on is free text and other
//    sections are ignored; ';' starts a comment line; lines end in LF or CR LF; keys are
//    case-insensitive, values of enumerated keys too;
//  - [Common Infos]: DataFile, DataFormat=BINARY, DataOrientation=MULTIPLEXED (sample after sample,
//    channels interleaved) or VECTORIZED (channel after channel), NumberOfChannels (>= 1),
//    SamplingInterval (microseconds, > 0; sfreq_hz = 1e6 / SamplingInterval) are required;
//    MarkerFile, Codepage (UTF-8 or ANSI), DataType (TIMEDOMAIN only) and DataPoints (must equal
//    the sample count the data file holds) are optional;
//  - [Binary Infos]: BinaryFormat = INT_16, INT_32 or IEEE_FLOAT_32 (required), UseBigEndianOrder
//    = NO (default) or YES;
//  - [Channel Infos]: Ch1..Ch<NumberOfChannels>, each exactly once, "<Name>,<Reference>,
//    <Resolution>,<Unit>[,...]": "\1" in a name stands for a comma; resolution (unit per stored
//    value) defaults to 1 when empty or absent, must be a finite non-zero number; unit defaults
//    to µV when empty or absent and is returned as written ("µV", "uV", "mV", "V", "°C", ...);
//  - text: Codepage=UTF-8 keeps UTF-8 and decodes stray bytes as Latin-1 (as the EDF reader
//    does); ANSI decodes every byte as Latin-1 (Windows-1252 differs only in 0x80-0x9F); no
//    Codepage key is read as UTF-8 with that Latin-1 fallback, which reads both; so a µ written
//    either way arrives as UTF-8 µ;
//  - DataFile and MarkerFile are relative to the header's directory: a plain file name or a path
//    inside that directory ('\' is read as '/', as Windows writes it); an absolute path (also
//    "C:...") or one whose '..' components leave the directory is refused;
//  - markers (.vmrk, first line "Brain Vision Data Exchange Marker File, Version 1.0" or the
//    header's variants with "Marker"; [Marker Infos] Mk<n>=<Type>,<Description>,<Position>,
//    <Size>[,<Channel>[,<Date>]]; Position is 1-based, >= 1; Size >= 0 samples; Channel 0 means
//    all channels) become `annotations`: onset_s = (Position - 1) / sfreq_hz, duration_s =
//    Size / sfreq_hz, text = Description ("\1" -> ','), or Type when Description is empty;
//    sorted by onset, marker order kept for equal onsets. A marker past the end of the data is
//    kept. The raw markers are in `markers` (MNE names its annotations "Type/Description").
// Samples are stored value * resolution, in the channel's unit (load_recording converts
// voltages to µV). Every violation (missing or duplicate key, bad number, channel count
// mismatch, unknown format, a data file that is not a whole number of samples x channels x
// bytes, a missing file, a bad path, a malformed marker) throws qneuro::InputError naming the file,
// the section and key (and line).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "qneuro/io/edf.hpp"

namespace qneuro::io {

struct BrainVisionChannel {
  std::string name;             ///< UTF-8, "\1" decoded to ','
  std::string reference;        ///< as written (often empty)
  double resolution = 1.0;      ///< `unit` per stored value
  std::string unit;             ///< UTF-8 as written, "µV" when the header gives none
  std::vector<double> samples;  ///< stored value * resolution, in `unit`
};

struct BrainVisionMarker {
  std::string type;         ///< e.g. "Stimulus", "New Segment"
  std::string description;  ///< e.g. "S  1"; may be empty
  int64_t position = 1;     ///< 1-based sample index
  int64_t size = 0;         ///< samples
  int64_t channel = 0;      ///< 0: all channels
};

struct BrainVisionFile {
  int version = 1;                    ///< header version: 1 or 2
  std::filesystem::path data_file;    ///< resolved against the header's directory
  std::filesystem::path marker_file;  ///< resolved; empty when the header names none
  double sampling_interval_us = 0.0;  ///< microseconds
  double sfreq_hz = 0.0;              ///< 1e6 / sampling_interval_us
  std::string binary_format;          ///< "INT_16", "INT_32" or "IEEE_FLOAT_32"
  bool multiplexed = true;            ///< else VECTORIZED
  std::vector<BrainVisionChannel> channels;
  std::vector<BrainVisionMarker> markers;  ///< in Mk<n> order
  std::vector<Annotation> annotations;     ///< one per marker, sorted by onset
};

/// Reads a BrainVision recording from its header (.vhdr), with the data and marker files it
/// names. Throws InputError naming the file and key on any violation.
BrainVisionFile read_brainvision(const std::filesystem::path& vhdr);

/// True when `head` (the first bytes of a file; a UTF-8 byte order mark allowed) starts with the
/// first line of a BrainVision header: "Brain Vision" or "BrainVision", then "... Header File"
/// (any version: read_brainvision says which it supports).
bool is_brainvision_header(std::string_view head);

}  // namespace qneuro::io
