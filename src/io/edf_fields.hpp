// Private to the EDF reader and writer (src/io/edf_read.cpp, edf_write.cpp): the header layout of
// the EDF spec (which BDF shares), its fixed-width ASCII fields, and the text and number
// conventions both sides share.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace qneuro::io::edf {

constexpr size_t kMainHeaderBytes = 256;
constexpr size_t kSignalHeaderBytes = 256;
constexpr int64_t kMaxSignals = 100000;
// The largest value an 8-character ASCII integer field can hold.
constexpr int64_t kMaxFieldInteger = 99999999;
constexpr std::string_view kVersion = "0       ";
constexpr std::string_view kAnnotationLabel = "EDF Annotations";
constexpr int32_t kInt16Min = std::numeric_limits<int16_t>::min();
constexpr int32_t kInt16Max = std::numeric_limits<int16_t>::max();
// BDF (BioSemi): the version field is the byte 0xFF then "BIOSEMI", samples are 24-bit, and the
// reserved field says "24BIT" (BDF+, as EDFlib writes it, says "BDF+C" or "BDF+D" there instead
// and names its annotation signals "BDF Annotations").
constexpr std::string_view kBdfVersion =
    "\xFF"
    "BIOSEMI";
constexpr std::string_view kBdfReserved = "24BIT";
constexpr std::string_view kBdfAnnotationLabel = "BDF Annotations";
constexpr int32_t kInt24Min = -(1 << 23);
constexpr int32_t kInt24Max = (1 << 23) - 1;
// TAL (Time-stamped Annotation List) separators, EDF+ spec section 2.2.2.
constexpr char kTalDuration = '\x15';
constexpr char kTalText = '\x14';

// ------------------------------------------------------------------------------------------------
// Text

std::string_view trim_spaces(std::string_view text);
/// Quotes text for an error message, escaping bytes that would garble a terminal.
std::string quote_text(std::string_view text);
std::string quote_path(const std::filesystem::path& path);
/// Length of the well-formed UTF-8 sequence starting at text[pos] (RFC 3629: no overlong forms,
/// no surrogates, nothing above U+10FFFF), or 0 if the bytes there are not one.
size_t utf8_sequence_length(std::string_view text, size_t pos);
/// Keeps well-formed UTF-8 and decodes every other byte as Latin-1 (what real EDF writers use),
/// so the result is always valid UTF-8.
std::string to_utf8(std::string_view bytes);

// ------------------------------------------------------------------------------------------------
// Numbers as EDF writes them: ASCII, optional sign, no exponent needed but tolerated.

std::optional<int64_t> parse_integer(std::string_view text);
std::optional<double> parse_decimal(std::string_view text);
/// Callers keep |value| below 1e9 and decimals small, so the text always fits the buffer.
std::string format_fixed(double value, int decimals);
/// "12.500" -> "12.5", "3.000" -> "3", "-0.0" -> "0".
std::string strip_trailing_zeros(std::string text);
/// Shortest decimal text that converts back to exactly `value` (std::to_chars guarantees that).
std::string format_shortest(double value);
std::string describe_number(double value);

// ------------------------------------------------------------------------------------------------
// Header layout (EDF spec): the main header, then each per-signal field for all ns signals.

enum SignalField : size_t {
  kLabel,
  kTransducer,
  kDimension,
  kPhysicalMin,
  kPhysicalMax,
  kDigitalMin,
  kDigitalMax,
  kPrefiltering,
  kSamplesPerRecord,
  kSignalReserved,
  kSignalFieldCount
};

struct FieldLayout {
  std::string_view name;
  size_t width;
};

constexpr std::array<FieldLayout, kSignalFieldCount> kSignalFields = {{
    {"label", 16},
    {"transducer type", 80},
    {"physical dimension", 8},
    {"physical minimum", 8},
    {"physical maximum", 8},
    {"digital minimum", 8},
    {"digital maximum", 8},
    {"prefiltering", 80},
    {"number of samples in each data record", 8},
    {"reserved", 32},
}};

struct MainField {
  std::string_view name;
  size_t offset;
  size_t width;
};

constexpr MainField kVersionField{"version", 0, 8};
constexpr MainField kPatientField{"local patient identification", 8, 80};
constexpr MainField kRecordingField{"local recording identification", 88, 80};
constexpr MainField kStartDateField{"startdate", 168, 8};
constexpr MainField kStartTimeField{"starttime", 176, 8};
constexpr MainField kHeaderBytesField{"number of bytes in header record", 184, 8};
constexpr MainField kReservedField{"reserved", 192, 44};
constexpr MainField kRecordCountField{"number of data records", 236, 8};
constexpr MainField kDurationField{"duration of a data record", 244, 8};
constexpr MainField kSignalCountField{"number of signals", 252, 4};

inline size_t signal_field_offset(SignalField field, size_t n_signals, size_t signal) {
  size_t offset = kMainHeaderBytes;
  for (size_t f = 0; f < field; ++f) offset += n_signals * kSignalFields[f].width;
  return offset + signal * kSignalFields[field].width;
}

}  // namespace qneuro::io::edf
