// EDF and EDF+ (European Data Format) reader and writer; the reader also reads BDF (BioSemi).
//
// Format (Kemp et al. 1992; EDF+: Kemp & Olivan 2003): a 256-byte ASCII header, 256 bytes per
// signal of per-signal header fields, then `n_records` data records, each holding
// `samples_per_record[s]` little-endian int16 samples of every signal s in turn.
// Physical value = phys_min + (digital - dig_min) * (phys_max - phys_min) / (dig_max - dig_min).
//
// BDF (BioSemi's 24-bit EDF) is the same layout with the version field 0xFF "BIOSEMI", "24BIT" at
// the start of the reserved field and 3-byte little-endian two's-complement samples (digital
// range within int24). BDF+ (EDFlib) has "BDF+C"/"BDF+D" in the reserved field instead and
// "BDF Annotations" signals holding EDF+ TALs in 3-byte units. Every rule below holds for BDF
// with int24 in place of int16; a BDF file whose reserved field says neither is rejected (nothing
// else tells its sample width). BioSemi's "Status" channel (trigger and status bits, dimension
// "Boolean") is returned like any other signal; BioSemi gives it equal physical and digital
// ranges, so its value is the signed 24-bit word (trigger codes: the low 16 bits of value mod
// 2^24).
//
// Reader conventions:
//  - labels and text fields are trimmed of surrounding spaces only (inner text kept); bytes that
//    are not valid UTF-8 (real files contain Latin-1, e.g. 0xB5 for µ) are decoded as Latin-1, so
//    every returned string is UTF-8;
//  - "EDF Annotations" signals (EDF+; "BDF Annotations" in BDF+) are not returned as signals: their
//  TALs are parsed into
//    `annotations` (onset, duration, text; one annotation per text of a TAL; sorted by onset,
//    file order kept for equal onsets). The first TAL of each record of the first annotation
//    signal, if its first text is empty, is the time-keeping annotation: its onset goes to
//    `record_onsets_s` (EDF+D may have gaps). A malformed TAL is skipped, not an error, so one bad
//    annotation does not make a recording unloadable;
//  - header vs file size is checked: the file must hold exactly header_bytes + n_records *
//    record_bytes (a short file is "truncated", any mismatch names both sizes); n_records = -1
//    (recording still in progress) is resolved from the file size when it divides exactly;
//    a larger file whose every LF byte has a CR before it, with as many CR LF pairs as extra
//    bytes, is said to have been transferred as text (the usual way such files arise);
//  - every numeric header field is validated (a number, dig_min < dig_max within int16,
//    phys_min != phys_max, 1 <= samples_per_record <= 99999999, 1 <= ns <= 100000,
//    header_bytes = 256 * (ns + 1), record_duration > 0 unless the file has no ordinary signals);
//  - signals hold n_records * samples_per_record samples (whole records, padding included).
// All violations throw qneuro::InputError with a message naming the file and the field.
//
// Writer conventions: EDF+C (or plain EDF) with int16 samples; per-signal physical range taken
// from the data and rounded outward to fit the 8-character header field (a constant value v gets
// the range v +- |v|, or +-1 for 0; values beyond the 8-character range are an InputError);
// digital range [-32768, 32767], computed from the formatted range a reader will parse; samples
// rounded to nearest; the last record padded with the final sample value; the round trip is
// exact to within one LSB = (phys_max - phys_min) / 65535. Annotations go, in onset order, to one
// "EDF Annotations" signal just large enough to hold them after each record's time-keeping TAL
// (so an annotation may sit in a record before the one containing its onset, as EDF+ allows);
// control characters in annotation text become spaces. Header text: µ becomes 'u' (so "µV" stays
// a voltage unit), any other non-printable or non-ASCII character becomes '_', then the text is
// truncated or padded to the field width. Output is atomic (temporary + rename).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qneuro::io {

/// A timed event, e.g. an EDF+ annotation. Text is UTF-8.
struct Annotation {
  double onset_s = 0.0;     ///< seconds from the start of the recording
  double duration_s = 0.0;  ///< seconds; 0 when the file gives none
  std::string text;
};

struct EdfSignal {
  std::string label;               ///< trimmed of surrounding spaces only
  std::string transducer;          ///< trimmed
  std::string physical_dimension;  ///< trimmed, as in the file ("uV", "mV", "V", ...)
  std::string prefiltering;        ///< trimmed
  double physical_min = 0.0;
  double physical_max = 0.0;
  int32_t digital_min = 0;
  int32_t digital_max = 0;
  int32_t samples_per_record = 0;
  double sfreq_hz = 0.0;        ///< samples_per_record / record_duration_s
  std::vector<double> samples;  ///< physical values, in physical_dimension units
};

enum class EdfVariant { Edf, EdfPlusContinuous, EdfPlusDiscontinuous };

struct EdfFile {
  bool bdf = false;                      ///< BDF/BDF+ (24-bit samples), else EDF/EDF+ (16-bit)
  EdfVariant variant = EdfVariant::Edf;  ///< BDF+C/BDF+D map to the EDF+ variants
  std::string patient;                   ///< local patient identification, trimmed
  std::string recording;                 ///< local recording identification, trimmed
  std::string start_date;                ///< "dd.mm.yy" as in the header
  std::string start_time;                ///< "hh.mm.ss" as in the header
  double record_duration_s = 0.0;
  int64_t n_records = 0;
  std::vector<EdfSignal> signals;       ///< ordinary signals (annotation signals excluded)
  std::vector<Annotation> annotations;  ///< EDF+/BDF+ annotations (time-keeping TALs excluded)
  std::vector<double> record_onsets_s;  ///< EDF+: onset of each record; empty for plain EDF
};

/// Reads an EDF, EDF+, BDF or BDF+ file (told apart by the version and reserved fields, not the
/// extension). Throws InputError (naming the file) on any format violation.
EdfFile read_edf(const std::filesystem::path& path);

/// One signal to write. `samples` are physical values in `physical_dimension` units.
struct EdfWriteSignal {
  std::string label;
  std::string physical_dimension = "uV";
  std::string transducer;
  std::string prefiltering;
  double sfreq_hz = 0.0;
  std::span<const double> samples;
};

struct EdfWriteOptions {
  bool edf_plus = true;             ///< EDF+C with an annotation signal, else plain EDF
  std::string patient = "X X X X";  ///< EDF+ "code sex birthdate name" subfields
  std::string recording = "Startdate X X X X";
  std::string start_date = "01.01.00";  ///< dd.mm.yy
  std::string start_time = "00.00.00";  ///< hh.mm.ss
  /// Record duration in seconds. 0 picks one from 1, 2, 4, 5, 10, 20, 30, 60, 0.5, 0.25, 0.2,
  /// 0.125, 0.1, 0.0625, 0.05, 0.04, 0.03125, 0.025, 0.02, 0.01 (in this order of preference: the
  /// shortest of at least 1 s, else the longest below): the first for which every signal has a
  /// whole number of samples per record (within 1e-9), preferring one whose record fits the 61440
  /// bytes EDF+ recommends. An explicit value must give whole sample counts too and be exactly
  /// representable in the 8-character header field.
  double record_duration_s = 0.0;
};

/// Writes signals (each at its own rate, all of the same duration samples / sfreq_hz within 1e-9
/// relative) and annotations. Atomic. Throws InputError for unwritable inputs (no signals, an
/// empty signal, NaN/Inf samples, durations that differ, rates that fit no record duration,
/// annotations with plain EDF or with a non-finite onset or negative duration) and RuntimeError
/// for I/O failures; on any failure the destination is left untouched and no temporary remains.
void write_edf(const std::filesystem::path& path, const std::vector<EdfWriteSignal>& signals,
               const std::vector<Annotation>& annotations = {},
               const EdfWriteOptions& options = {});

/// Factor converting a physical dimension to microvolts ("uV"/"µV" -> 1, "mV" -> 1e3, "V" -> 1e6,
/// "nV" -> 1e-3). Surrounding spaces are ignored and letters are case-insensitive, as commonly
/// misspelled ("UV", "uv"; so "MV" means millivolts: megavolts never occur in recordings); µ may
/// be the UTF-8 micro sign, the Greek mu or the Latin-1 byte 0xB5. std::nullopt if the dimension
/// is not a voltage (e.g. "degC", "%", "").
std::optional<double> microvolts_per_unit(std::string_view physical_dimension);

}  // namespace qneuro::io
