#include "qneuro/io/edf.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <utility>

#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/io/atomic_file.hpp"

namespace qneuro::io {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMainHeaderBytes = 256;
constexpr size_t kSignalHeaderBytes = 256;
constexpr int64_t kMaxSignals = 100000;
// The largest value an 8-character ASCII integer field can hold.
constexpr int64_t kMaxFieldInteger = 99999999;
constexpr std::string_view kVersion = "0       ";
constexpr std::string_view kAnnotationLabel = "EDF Annotations";
constexpr int32_t kInt16Min = std::numeric_limits<int16_t>::min();
constexpr int32_t kInt16Max = std::numeric_limits<int16_t>::max();
// TAL (Time-stamped Annotation List) separators, EDF+ spec section 2.2.2.
constexpr char kTalDuration = '\x15';
constexpr char kTalText = '\x14';

// ------------------------------------------------------------------------------------------------
// Text helpers

std::string_view trim_spaces(std::string_view text) {
  const size_t first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(' ');
  return text.substr(first, last - first + 1);
}

// Quotes text for an error message, escaping bytes that would garble a terminal.
std::string quote_text(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F) {
      out += c;
    } else {
      std::array<char, 8> buffer{};
      std::snprintf(buffer.data(), buffer.size(), "\\x%02X", byte);
      out += buffer.data();
    }
  }
  return out + "'";
}

std::string quote_path(const fs::path& path) {
  return "'" + path.string() + "'";
}

// Length of the well-formed UTF-8 sequence starting at text[pos] (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 if the bytes there are not one.
size_t utf8_sequence_length(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const auto is_continuation = [](unsigned char b) { return (b & 0xC0U) == 0x80U; };
  const unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong
    if (lead == 0xED) second_max = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (!is_continuation(byte(i))) return 0;
  }
  return length;
}

void append_latin1_as_utf8(std::string& out, unsigned char byte) {
  out += static_cast<char>(0xC0U | (byte >> 6U));
  out += static_cast<char>(0x80U | (byte & 0x3FU));
}

// Keeps well-formed UTF-8 and decodes every other byte as Latin-1 (what real EDF writers use),
// so the result is always valid UTF-8.
std::string to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t length = utf8_sequence_length(bytes, pos);
    if (length == 0) {
      append_latin1_as_utf8(out, static_cast<unsigned char>(bytes[pos]));
      ++pos;
    } else {
      out.append(bytes.substr(pos, length));
      pos += length;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Numbers as EDF writes them: ASCII, optional sign, no exponent needed but tolerated.

std::string_view strip_plus_sign(std::string_view text) {
  if (text.size() >= 2 && text.front() == '+' && text[1] != '-' && text[1] != '+') {
    text.remove_prefix(1);
  }
  return text;
}

std::optional<int64_t> parse_integer(std::string_view text) {
  text = strip_plus_sign(text);
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end) return std::nullopt;
  return value;
}

std::optional<double> parse_decimal(std::string_view text) {
  text = strip_plus_sign(text);
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Callers keep |value| below 1e9 and decimals small, so the text always fits the buffer.
std::string format_fixed(double value, int decimals) {
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, value);
  return buffer.data();
}

// "12.500" -> "12.5", "3.000" -> "3", "-0.0" -> "0".
std::string strip_trailing_zeros(std::string text) {
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

// Shortest decimal text that converts back to exactly `value` (std::to_chars guarantees that).
std::string format_shortest(double value) {
  std::array<char, 512> buffer{};
  const auto result =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  return strip_trailing_zeros(std::string(buffer.data(), result.ptr));
}

std::string describe_number(double value) {
  return format_shortest(value);
}

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

size_t signal_field_offset(SignalField field, size_t n_signals, size_t signal) {
  size_t offset = kMainHeaderBytes;
  for (size_t f = 0; f < field; ++f) offset += n_signals * kSignalFields[f].width;
  return offset + signal * kSignalFields[field].width;
}

// ------------------------------------------------------------------------------------------------
// Reader

struct SignalLayout {
  bool is_annotation = false;
  size_t byte_offset_in_record = 0;
  size_t n_bytes_in_record = 0;
};

class EdfReader {
 public:
  explicit EdfReader(fs::path path) : path_(std::move(path)) {}

  EdfFile read() {
    open();
    read_main_header();
    read_signal_headers();
    check_file_size();
    read_records();
    finish_annotations();
    return std::move(file_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("EDF file " + quote_path(path_) + ": " + what);
  }

  void open() {
    std::error_code ec;
    if (!fs::exists(path_, ec)) throw InputError("file not found: " + quote_path(path_));
    if (fs::is_directory(path_, ec)) {
      throw InputError(quote_path(path_) + " is a directory, expected an EDF file");
    }
    file_size_ = fs::file_size(path_, ec);
    if (ec) throw InputError("cannot get the size of " + quote_path(path_) + ": " + ec.message());
    stream_.open(path_, std::ios::binary);
    if (!stream_) throw InputError("cannot open " + quote_path(path_) + " for reading");
  }

  void read_exactly(std::string& buffer, size_t n_bytes, const std::string& what) {
    buffer.resize(n_bytes);
    stream_.read(buffer.data(), static_cast<std::streamsize>(n_bytes));
    if (static_cast<size_t>(stream_.gcount()) != n_bytes) {
      fail("read error while reading " + what + " (" + std::to_string(n_bytes) + " bytes)");
    }
  }

  std::string_view raw_field(size_t offset, size_t width) const {
    return std::string_view(header_).substr(offset, width);
  }
  std::string_view main_text(const MainField& field) const {
    return trim_spaces(raw_field(field.offset, field.width));
  }
  std::string_view signal_text(SignalField field, size_t signal) const {
    return trim_spaces(
        raw_field(signal_field_offset(field, n_signals_, signal), kSignalFields[field].width));
  }

  static std::string byte_range(size_t offset, size_t width) {
    return "bytes " + std::to_string(offset) + "-" + std::to_string(offset + width - 1);
  }
  std::string describe(const MainField& field) const {
    return "header field '" + std::string(field.name) + "' (" +
           byte_range(field.offset, field.width) + ")";
  }
  std::string describe_signal(size_t signal) const {
    return "signal " + std::to_string(signal + 1) + " of " + std::to_string(n_signals_) + " (" +
           quote_text(to_utf8(signal_text(kLabel, signal))) + ")";
  }
  std::string describe(SignalField field, size_t signal) const {
    return describe_signal(signal) + " field '" + std::string(kSignalFields[field].name) + "' (" +
           byte_range(signal_field_offset(field, n_signals_, signal), kSignalFields[field].width) +
           ")";
  }

  int64_t integer(std::string_view text, const std::string& description) const {
    const auto value = parse_integer(text);
    if (!value) fail(description + " is not an integer: " + quote_text(text));
    return *value;
  }
  double decimal(std::string_view text, const std::string& description) const {
    const auto value = parse_decimal(text);
    if (!value) fail(description + " is not a number: " + quote_text(text));
    return *value;
  }

  void read_main_header() {
    std::string main;
    const size_t available = static_cast<size_t>(std::min<uintmax_t>(file_size_, kMainHeaderBytes));
    read_exactly(main, available, "the main header");
    if (available < kVersion.size() || main.substr(0, kVersion.size()) != kVersion) {
      throw InputError(quote_path(path_) + " is not an EDF file: its first 8 bytes are " +
                       quote_text(main.substr(0, kVersion.size())) + ", expected " +
                       quote_text(kVersion));
    }
    if (available < kMainHeaderBytes) {
      throw InputError(quote_path(path_) + " is not an EDF file (or is truncated): it has " +
                       std::to_string(file_size_) + " bytes, fewer than the " +
                       std::to_string(kMainHeaderBytes) + "-byte EDF header");
    }
    header_ = std::move(main);

    const int64_t n_signals = integer(main_text(kSignalCountField), describe(kSignalCountField));
    if (n_signals < 1 || n_signals > kMaxSignals) {
      fail(describe(kSignalCountField) + " is " + std::to_string(n_signals) + ", expected 1 to " +
           std::to_string(kMaxSignals));
    }
    n_signals_ = static_cast<size_t>(n_signals);
    header_bytes_ = kMainHeaderBytes + n_signals_ * kSignalHeaderBytes;
    const int64_t declared = integer(main_text(kHeaderBytesField), describe(kHeaderBytesField));
    if (declared != static_cast<int64_t>(header_bytes_)) {
      fail(describe(kHeaderBytesField) + " is " + std::to_string(declared) + ", expected " +
           std::to_string(header_bytes_) + " = 256 * (1 + " + std::to_string(n_signals_) +
           " signals)");
    }
    declared_records_ = integer(main_text(kRecordCountField), describe(kRecordCountField));
    if (declared_records_ < -1) {
      fail(describe(kRecordCountField) + " is " + std::to_string(declared_records_) +
           ", expected -1 (unknown) or a count >= 0");
    }
    file_.record_duration_s = decimal(main_text(kDurationField), describe(kDurationField));
    if (file_.record_duration_s < 0.0) {
      fail(describe(kDurationField) + " is " + describe_number(file_.record_duration_s) +
           " s, expected >= 0");
    }
    file_.patient = to_utf8(main_text(kPatientField));
    file_.recording = to_utf8(main_text(kRecordingField));
    file_.start_date = to_utf8(main_text(kStartDateField));
    file_.start_time = to_utf8(main_text(kStartTimeField));
    const std::string_view reserved = main_text(kReservedField);
    if (reserved.starts_with("EDF+C")) file_.variant = EdfVariant::EdfPlusContinuous;
    if (reserved.starts_with("EDF+D")) file_.variant = EdfVariant::EdfPlusDiscontinuous;
  }

  void read_signal_headers() {
    if (file_size_ < header_bytes_) {
      fail("truncated: the header declares " + std::to_string(n_signals_) + " signals (" +
           std::to_string(header_bytes_) + " header bytes) but the file has " +
           std::to_string(file_size_) + " bytes");
    }
    std::string signal_headers;
    read_exactly(signal_headers, header_bytes_ - kMainHeaderBytes, "the signal headers");
    header_ += signal_headers;

    size_t record_offset = 0;
    for (size_t s = 0; s < n_signals_; ++s) {
      SignalLayout layout = read_signal_header(s);
      layout.byte_offset_in_record = record_offset;
      record_offset += layout.n_bytes_in_record;
      layouts_.push_back(layout);
    }
    record_bytes_ = record_offset;
    has_annotation_signal_ = std::any_of(layouts_.begin(), layouts_.end(),
                                         [](const SignalLayout& l) { return l.is_annotation; });
    if (!file_.signals.empty() && file_.record_duration_s <= 0.0) {
      fail(describe(kDurationField) + " is " + describe_number(file_.record_duration_s) +
           " s, expected > 0 for a file with ordinary (non-annotation) signals");
    }
    for (EdfSignal& signal : file_.signals) {
      signal.sfreq_hz = signal.samples_per_record / file_.record_duration_s;
    }
  }

  SignalLayout read_signal_header(size_t s) {
    SignalLayout layout;
    const int64_t samples =
        integer(signal_text(kSamplesPerRecord, s), describe(kSamplesPerRecord, s));
    if (samples < 1 || samples > kMaxFieldInteger) {
      fail(describe(kSamplesPerRecord, s) + " is " + std::to_string(samples) + ", expected 1 to " +
           std::to_string(kMaxFieldInteger));
    }
    layout.n_bytes_in_record = 2 * static_cast<size_t>(samples);
    // Numeric fields must be numbers even for annotation signals (garbage means a broken file),
    // but their ranges are meaningless there, so only ordinary signals are range-checked.
    const double physical_min = decimal(signal_text(kPhysicalMin, s), describe(kPhysicalMin, s));
    const double physical_max = decimal(signal_text(kPhysicalMax, s), describe(kPhysicalMax, s));
    const int64_t digital_min = integer(signal_text(kDigitalMin, s), describe(kDigitalMin, s));
    const int64_t digital_max = integer(signal_text(kDigitalMax, s), describe(kDigitalMax, s));
    if (signal_text(kLabel, s) == kAnnotationLabel) {
      layout.is_annotation = true;
      return layout;
    }
    check_digital_limit(digital_min, kDigitalMin, s);
    check_digital_limit(digital_max, kDigitalMax, s);
    if (digital_min >= digital_max) {
      fail(describe_signal(s) + ": digital minimum " + std::to_string(digital_min) +
           " must be less than digital maximum " + std::to_string(digital_max));
    }
    if (physical_min == physical_max) {
      fail(describe_signal(s) + ": physical minimum and maximum are both " +
           describe_number(physical_min) + "; they must differ");
    }
    EdfSignal signal;
    signal.label = to_utf8(signal_text(kLabel, s));
    signal.transducer = to_utf8(signal_text(kTransducer, s));
    signal.physical_dimension = to_utf8(signal_text(kDimension, s));
    signal.prefiltering = to_utf8(signal_text(kPrefiltering, s));
    signal.physical_min = physical_min;
    signal.physical_max = physical_max;
    signal.digital_min = static_cast<int32_t>(digital_min);
    signal.digital_max = static_cast<int32_t>(digital_max);
    signal.samples_per_record = static_cast<int32_t>(samples);
    file_.signals.push_back(std::move(signal));
    return layout;
  }

  void check_digital_limit(int64_t value, SignalField field, size_t s) const {
    if (value < kInt16Min || value > kInt16Max) {
      fail(describe(field, s) + " is " + std::to_string(value) + ", outside the 16-bit range " +
           std::to_string(kInt16Min) + " to " + std::to_string(kInt16Max));
    }
  }

  std::string size_mismatch(const std::string& promise, uintmax_t expected) const {
    const std::string sizes = std::to_string(expected) + " bytes) but the file has " +
                              std::to_string(file_size_) + " bytes";
    if (file_size_ < expected) return "truncated: " + promise + " (" + sizes;
    return "file size mismatch: " + promise + " (" + sizes + "; " +
           std::to_string(file_size_ - expected) + " bytes too many";
  }

  // The size check comes before any allocation for the data: it bounds everything read below
  // by the real file size, whatever the header claims.
  void check_file_size() {
    const uintmax_t data_bytes = file_size_ - header_bytes_;
    const std::string record_text = "records of " + std::to_string(record_bytes_) +
                                    " bytes after a " + std::to_string(header_bytes_) +
                                    "-byte header";
    if (declared_records_ == -1) {
      if (data_bytes % record_bytes_ != 0) {
        fail("number of data records is -1 (unknown) and the " + std::to_string(data_bytes) +
             " data bytes are not a whole number of " + std::to_string(record_bytes_) +
             "-byte records (file size " + std::to_string(file_size_) + " bytes)");
      }
      file_.n_records = static_cast<int64_t>(data_bytes / record_bytes_);
      return;
    }
    const auto records = static_cast<uintmax_t>(declared_records_);
    uintmax_t expected_data = 0;
    if (__builtin_mul_overflow(records, record_bytes_, &expected_data) ||
        expected_data > std::numeric_limits<uintmax_t>::max() - header_bytes_) {
      fail("truncated: header promises " + std::to_string(records) + " " + record_text +
           ", more bytes than any file can hold, but the file has " + std::to_string(file_size_) +
           " bytes");
    }
    const uintmax_t expected = header_bytes_ + expected_data;
    if (expected != file_size_) {
      fail(size_mismatch("header promises " + std::to_string(records) + " " + record_text,
                         expected));
    }
    file_.n_records = declared_records_;
  }

  static double physical_per_digital(const EdfSignal& signal) {
    return (signal.physical_max - signal.physical_min) /
           static_cast<double>(signal.digital_max - signal.digital_min);
  }

  static int16_t int16_at(std::string_view bytes, size_t pos) {
    const auto low = static_cast<unsigned char>(bytes[pos]);
    const auto high = static_cast<unsigned char>(bytes[pos + 1]);
    return static_cast<int16_t>(static_cast<uint16_t>(low | (high << 8U)));
  }

  void read_records() {
    const auto n_records = static_cast<size_t>(file_.n_records);
    for (EdfSignal& signal : file_.signals) {
      signal.samples.reserve(n_records * static_cast<size_t>(signal.samples_per_record));
    }
    std::string record;
    for (size_t r = 0; r < n_records; ++r) {
      read_exactly(record, record_bytes_, "data record " + std::to_string(r));
      decode_record(record, r);
    }
  }

  void decode_record(std::string_view record, size_t r) {
    size_t ordinary = 0;
    bool first_annotation_signal = true;
    std::optional<double> record_onset;
    for (const SignalLayout& layout : layouts_) {
      const std::string_view bytes =
          record.substr(layout.byte_offset_in_record, layout.n_bytes_in_record);
      if (layout.is_annotation) {
        parse_tals(bytes, first_annotation_signal ? &record_onset : nullptr);
        first_annotation_signal = false;
        continue;
      }
      EdfSignal& signal = file_.signals[ordinary++];
      const double gain = physical_per_digital(signal);
      for (size_t pos = 0; pos < bytes.size(); pos += 2) {
        const int32_t steps = int16_at(bytes, pos) - signal.digital_min;
        signal.samples.push_back(signal.physical_min + static_cast<double>(steps) * gain);
      }
    }
    if (has_annotation_signal_) record_time_keeping(r, record_onset);
  }

  // A record without a usable time-keeping TAL (a malformed file) is taken to follow the
  // previous one directly, as in EDF+C.
  void record_time_keeping(size_t r, std::optional<double> onset) {
    if (!onset) {
      onset = r == 0 ? 0.0 : record_onsets_.back() + file_.record_duration_s;
    }
    record_onsets_.push_back(*onset);
  }

  struct Tal {
    double onset_s = 0.0;
    double duration_s = 0.0;
    std::vector<std::string_view> texts;
  };

  // Parses one TAL body (without its trailing \x00): "+onset[\x15duration]\x14text\x14...\x14".
  static std::optional<Tal> parse_tal(std::string_view body) {
    const size_t head_end = body.find(kTalText);
    if (head_end == std::string_view::npos || body.back() != kTalText) return std::nullopt;
    const std::string_view head = body.substr(0, head_end);
    const size_t duration_mark = head.find(kTalDuration);
    const std::string_view onset_text = head.substr(0, duration_mark);
    if (onset_text.empty() || (onset_text.front() != '+' && onset_text.front() != '-')) {
      return std::nullopt;
    }
    Tal tal;
    const auto onset = parse_decimal(onset_text);
    if (!onset) return std::nullopt;
    tal.onset_s = *onset;
    if (duration_mark != std::string_view::npos) {
      const auto duration = parse_decimal(head.substr(duration_mark + 1));
      if (!duration || *duration < 0.0) return std::nullopt;
      tal.duration_s = *duration;
    }
    if (head_end + 1 == body.size()) return tal;  // "+onset\x14": no text at all
    // Texts sit between the \x14 after the head and the final \x14.
    std::string_view rest = body.substr(head_end + 1, body.size() - head_end - 2);
    while (true) {
      const size_t end = rest.find(kTalText);
      tal.texts.push_back(rest.substr(0, end));
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
    return tal;
  }

  // Parses the TALs of one annotation signal in one record. `record_onset` is set (for the first
  // annotation signal) from the record's time-keeping TAL: the first TAL, whose first text is
  // empty. A malformed TAL is skipped: one bad annotation must not make a recording unloadable.
  void parse_tals(std::string_view bytes, std::optional<double>* record_onset) {
    bool first_tal = true;
    size_t pos = 0;
    while (pos < bytes.size()) {
      if (bytes[pos] == '\0') {  // padding after the last TAL
        ++pos;
        continue;
      }
      const size_t end = bytes.find('\0', pos);
      if (end == std::string_view::npos) return;  // unterminated TAL at the end of the block
      const std::optional<Tal> tal = parse_tal(bytes.substr(pos, end - pos));
      pos = end + 1;
      if (!tal) {
        first_tal = false;
        continue;
      }
      size_t first_text = 0;
      if (first_tal && record_onset != nullptr && !tal->texts.empty() &&
          tal->texts.front().empty()) {
        *record_onset = tal->onset_s;
        first_text = 1;
      }
      first_tal = false;
      for (size_t t = first_text; t < tal->texts.size(); ++t) {
        file_.annotations.push_back({tal->onset_s, tal->duration_s, to_utf8(tal->texts[t])});
      }
    }
  }

  void finish_annotations() {
    std::stable_sort(
        file_.annotations.begin(), file_.annotations.end(),
        [](const Annotation& a, const Annotation& b) { return a.onset_s < b.onset_s; });
    if (file_.variant == EdfVariant::Edf) return;
    if (has_annotation_signal_) {
      file_.record_onsets_s = std::move(record_onsets_);
      return;
    }
    if (file_.variant == EdfVariant::EdfPlusDiscontinuous) {
      fail(
          "EDF+D (discontinuous) file has no 'EDF Annotations' signal, so the onsets of its "
          "data records are unknown");
    }
    for (int64_t r = 0; r < file_.n_records; ++r) {
      file_.record_onsets_s.push_back(static_cast<double>(r) * file_.record_duration_s);
    }
  }

  fs::path path_;
  std::ifstream stream_;
  uintmax_t file_size_ = 0;
  std::string header_;
  size_t n_signals_ = 0;
  size_t header_bytes_ = 0;
  size_t record_bytes_ = 0;
  int64_t declared_records_ = 0;
  bool has_annotation_signal_ = false;
  std::vector<SignalLayout> layouts_;
  std::vector<double> record_onsets_;
  EdfFile file_;
};

// ------------------------------------------------------------------------------------------------
// Writer

// EDF+ recommends data records of at most 61440 bytes; some readers rely on it.
constexpr size_t kRecommendedRecordBytes = 61440;

// Candidate record durations in order of preference: 1 s and longer first (shortest first), then
// shorter ones (longest first), as exact decimal strings so that the header field is exact.
constexpr std::array<std::string_view, 20> kRecordDurations = {
    "1",   "2",     "4",   "5",      "10",   "20",   "30",      "60",    "0.5",  "0.25",
    "0.2", "0.125", "0.1", "0.0625", "0.05", "0.04", "0.03125", "0.025", "0.02", "0.01"};

// Header text: printable ASCII kept, µ (micro sign, Greek mu, Latin-1 0xB5) spelled 'u' so that
// "µV" stays a voltage unit, every other character (one code point) becomes '_'; then truncated
// or padded with spaces to `width`.
std::string padded(std::string_view text, size_t width) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    const size_t length = utf8_sequence_length(text, pos);
    const std::string_view sequence = text.substr(pos, std::max<size_t>(length, 1));
    if (byte >= 0x20 && byte < 0x7F) {
      out += text[pos];
    } else if (sequence == "\xC2\xB5" || sequence == "\xCE\xBC" || sequence == "\xB5") {
      out += 'u';
    } else {
      out += '_';
    }
    pos += sequence.size();
  }
  out.resize(width, ' ');
  return out;
}

// Control characters would break the TAL structure (\x00, \x14, \x15) or confuse readers.
std::string annotation_text(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = ' ';
  }
  return out;
}

enum class Rounding { Down, Up };

// Formats `value` into at most `width` characters, rounding in the given direction so that the
// text, read back, is <= value (Down) or >= value (Up). nullopt if no such text fits.
std::optional<std::string> format_field_number(double value, Rounding rounding, size_t width) {
  if (!(std::abs(value) < 1e9) || width > 16) return std::nullopt;
  for (int decimals = static_cast<int>(width) - 1; decimals >= 0; --decimals) {
    const double unit = std::pow(10.0, -decimals);
    std::string text = format_fixed(value, decimals);
    for (int step = 0; step < 4; ++step) {
      const double back = *parse_decimal(text);
      if (rounding == Rounding::Down && back > value) {
        text = format_fixed(back - unit, decimals);
      } else if (rounding == Rounding::Up && back < value) {
        text = format_fixed(back + unit, decimals);
      } else {
        break;
      }
    }
    text = strip_trailing_zeros(text);
    const double back = *parse_decimal(text);
    const bool on_the_right_side = rounding == Rounding::Down ? back <= value : back >= value;
    if (text.size() <= width && on_the_right_side) return text;
  }
  return std::nullopt;
}

bool is_whole(double value) {
  return std::abs(value - std::round(value)) <= 1e-9 * std::max(1.0, std::abs(value));
}

struct PreparedSignal {
  const EdfWriteSignal* source = nullptr;
  std::string physical_min_text;
  std::string physical_max_text;
  double physical_min = 0.0;  // the values a reader will parse from the texts above
  double physical_max = 0.0;
  int64_t samples_per_record = 0;
};

struct Layout {
  std::string duration_text;
  double duration_s = 0.0;
  int64_t n_records = 0;
};

class EdfWriter {
 public:
  EdfWriter(fs::path path, const std::vector<EdfWriteSignal>& signals,
            const std::vector<Annotation>& annotations, const EdfWriteOptions& options)
      : path_(std::move(path)), signals_(signals), options_(options), annotations_(annotations) {}

  void write() {
    validate_signals();
    validate_annotations();
    choose_record_duration();
    prepare_signals();
    if (options_.edf_plus) pack_annotations();
    AtomicFile file(path_);
    {
      std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
      if (!out) throw RuntimeError("cannot open " + quote_path(file.temp_path()) + " for writing");
      out << header();
      write_records(out);
      out.flush();
      if (!out) throw RuntimeError("write failed for " + quote_path(file.temp_path()));
    }
    file.commit();
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("cannot write EDF file " + quote_path(path_) + ": " + what);
  }

  std::string describe(size_t s) const {
    return "signal " + std::to_string(s + 1) + " (" + quote_text(signals_[s].label) + ")";
  }

  void validate_signals() {
    if (signals_.empty()) fail("no signals to write");
    for (size_t s = 0; s < signals_.size(); ++s) {
      const EdfWriteSignal& signal = signals_[s];
      if (!std::isfinite(signal.sfreq_hz) || signal.sfreq_hz <= 0.0) {
        fail(describe(s) + " has sampling rate " + describe_number(signal.sfreq_hz) +
             " Hz, expected a finite rate > 0");
      }
      if (signal.samples.empty()) fail(describe(s) + " has no samples");
      for (size_t i = 0; i < signal.samples.size(); ++i) {
        if (!std::isfinite(signal.samples[i])) {
          fail(describe(s) + " sample " + std::to_string(i) + " is " +
               (std::isnan(signal.samples[i]) ? "NaN" : "infinite") +
               "; EDF can only store finite values");
        }
      }
    }
    total_duration_s_ = duration_of(0);
    for (size_t s = 1; s < signals_.size(); ++s) {
      if (std::abs(duration_of(s) - total_duration_s_) > 1e-9 * std::max(1.0, total_duration_s_)) {
        fail("signals differ in duration: " + describe(0) + " lasts " +
             describe_number(total_duration_s_) + " s (" +
             std::to_string(signals_[0].samples.size()) + " samples at " +
             describe_number(signals_[0].sfreq_hz) + " Hz) but " + describe(s) + " lasts " +
             describe_number(duration_of(s)) + " s (" + std::to_string(signals_[s].samples.size()) +
             " samples at " + describe_number(signals_[s].sfreq_hz) + " Hz)");
      }
    }
  }

  double duration_of(size_t s) const {
    return static_cast<double>(signals_[s].samples.size()) / signals_[s].sfreq_hz;
  }

  void validate_annotations() {
    if (!options_.edf_plus && !annotations_.empty()) {
      fail(std::to_string(annotations_.size()) +
           " annotations given but plain EDF (edf_plus = false) cannot store them");
    }
    for (size_t a = 0; a < annotations_.size(); ++a) {
      const Annotation& annotation = annotations_[a];
      if (!std::isfinite(annotation.onset_s) || !std::isfinite(annotation.duration_s) ||
          annotation.duration_s < 0.0) {
        fail("annotation " + std::to_string(a + 1) + " (" + quote_text(annotation.text) +
             ") has onset " + describe_number(annotation.onset_s) + " s and duration " +
             describe_number(annotation.duration_s) +
             " s; expected a finite onset and a finite duration >= 0");
      }
    }
    std::stable_sort(
        annotations_.begin(), annotations_.end(),
        [](const Annotation& a, const Annotation& b) { return a.onset_s < b.onset_s; });
  }

  // Samples per record for every signal at duration d, or nullopt if one is not an integer.
  std::optional<std::vector<int64_t>> samples_per_record(double duration_s) const {
    std::vector<int64_t> counts;
    for (const EdfWriteSignal& signal : signals_) {
      const double count = signal.sfreq_hz * duration_s;
      if (!is_whole(count) || std::round(count) < 1.0 ||
          std::round(count) > static_cast<double>(kMaxFieldInteger)) {
        return std::nullopt;
      }
      counts.push_back(static_cast<int64_t>(std::round(count)));
    }
    return counts;
  }

  static size_t record_bytes(const std::vector<int64_t>& counts) {
    size_t bytes = 0;
    for (const int64_t count : counts) bytes += 2 * static_cast<size_t>(count);
    return bytes;
  }

  std::string rates_text() const {
    std::string text;
    for (const EdfWriteSignal& signal : signals_) {
      text += (text.empty() ? "" : ", ") + describe_number(signal.sfreq_hz) + " Hz";
    }
    return text;
  }

  void choose_record_duration() {
    if (options_.record_duration_s != 0.0) {
      use_explicit_duration(options_.record_duration_s);
    } else {
      choose_automatic_duration();
    }
    const double records = std::ceil(total_duration_s_ / layout_.duration_s - 1e-9);
    if (records > static_cast<double>(kMaxFieldInteger)) {
      fail("the recording (" + describe_number(total_duration_s_) + " s) needs " +
           describe_number(records) + " records of " + layout_.duration_text +
           " s, more than the 8-character record count field holds");
    }
    layout_.n_records = std::max<int64_t>(1, static_cast<int64_t>(records));
  }

  void use_explicit_duration(double duration_s) {
    const std::optional<std::string> text = std::isfinite(duration_s) && duration_s > 0.0
                                                ? format_field_number(duration_s, Rounding::Down, 8)
                                                : std::nullopt;
    if (!text || std::abs(*parse_decimal(*text) - duration_s) > 1e-12 * duration_s) {
      fail("record duration " + describe_number(duration_s) +
           " s must be > 0 and exactly representable in 8 characters");
    }
    if (!samples_per_record(duration_s)) {
      fail("record duration " + *text + " s does not give a whole number (1 to " +
           std::to_string(kMaxFieldInteger) + ") of samples per record for every signal (rates " +
           rates_text() + ")");
    }
    layout_.duration_text = *text;
    layout_.duration_s = duration_s;
  }

  void choose_automatic_duration() {
    std::optional<std::string_view> chosen;
    for (const std::string_view text : kRecordDurations) {
      const auto counts = samples_per_record(*parse_decimal(text));
      if (!counts) continue;
      if (record_bytes(*counts) <= kRecommendedRecordBytes) {
        chosen = text;
        break;
      }
      if (!chosen) chosen = text;  // too large a record for some readers, but valid EDF
    }
    if (!chosen) {
      fail(
          "no record duration of at most 60 s gives a whole number of samples per record for "
          "every signal (rates " +
          rates_text() + "); resample or pass an explicit record duration");
    }
    layout_.duration_text = std::string(*chosen);
    layout_.duration_s = *parse_decimal(*chosen);
  }

  void prepare_signals() {
    const std::vector<int64_t> counts = *samples_per_record(layout_.duration_s);
    for (size_t s = 0; s < signals_.size(); ++s) {
      const auto [low, high] =
          std::minmax_element(signals_[s].samples.begin(), signals_[s].samples.end());
      double minimum = *low;
      double maximum = *high;
      if (minimum == maximum) {  // a constant signal still needs a range: put it mid-range
        const double half_width = minimum == 0.0 ? 1.0 : std::abs(minimum);
        minimum -= half_width;
        maximum += half_width;
      }
      const auto min_text = format_field_number(minimum, Rounding::Down, 8);
      const auto max_text = format_field_number(maximum, Rounding::Up, 8);
      if (!min_text || !max_text) {
        fail(describe(s) + " has values from " + describe_number(*low) + " to " +
             describe_number(*high) + " " + quote_text(signals_[s].physical_dimension) +
             ", which do not fit the 8-character physical range fields; use a larger unit");
      }
      PreparedSignal prepared;
      prepared.source = &signals_[s];
      prepared.physical_min_text = *min_text;
      prepared.physical_max_text = *max_text;
      prepared.physical_min = *parse_decimal(*min_text);
      prepared.physical_max = *parse_decimal(*max_text);
      prepared.samples_per_record = counts[s];
      prepared_.push_back(std::move(prepared));
    }
  }

  // Time-keeping TAL of record r: "+onset\x14\x14\x00". The onset is printed with the decimals of
  // the duration text, so it is exact (r * d computed in binary would print as 0.30000000000004),
  // and trailing zeros are kept so that the TAL never gets shorter as r grows.
  std::string time_keeping_tal(int64_t r) const {
    const size_t point = layout_.duration_text.find('.');
    const int decimals =
        point == std::string::npos ? 0 : static_cast<int>(layout_.duration_text.size() - point - 1);
    const std::string onset = format_fixed(static_cast<double>(r) * layout_.duration_s, decimals);
    return "+" + onset + kTalText + kTalText + '\0';
  }

  static std::string annotation_tal(const Annotation& annotation) {
    std::string tal = annotation.onset_s < 0.0 ? "" : "+";
    tal += format_shortest(annotation.onset_s);
    if (annotation.duration_s > 0.0) tal += kTalDuration + format_shortest(annotation.duration_s);
    return tal + kTalText + annotation_text(annotation.text) + kTalText + '\0';
  }

  // Assigns annotations, in onset order, to records: each record holds its time-keeping TAL, then
  // as many annotations as fit in `capacity` bytes. Returns false if they do not all fit.
  bool pack(size_t capacity, std::vector<int64_t>& record_of) const {
    record_of.assign(annotation_tals_.size(), 0);
    int64_t r = 0;
    size_t used = time_keeping_tal(0).size();
    for (size_t a = 0; a < annotation_tals_.size(); ++a) {
      while (used + annotation_tals_[a].size() > capacity) {
        if (++r >= layout_.n_records) return false;
        used = time_keeping_tal(r).size();
      }
      used += annotation_tals_[a].size();
      record_of[a] = r;
    }
    return true;
  }

  // The annotation signal's size per record is the smallest (even) capacity that holds every
  // record's time-keeping TAL and all annotations; packing feasibility is monotone in the
  // capacity, so a binary search finds it.
  void pack_annotations() {
    size_t largest_tal = 0;
    size_t total = 0;
    for (const Annotation& annotation : annotations_) {
      annotation_tals_.push_back(annotation_tal(annotation));
      largest_tal = std::max(largest_tal, annotation_tals_.back().size());
      total += annotation_tals_.back().size();
    }
    // Onsets grow with r, so the last record has the longest time-keeping TAL.
    const size_t time_keeping = time_keeping_tal(layout_.n_records - 1).size();
    size_t low = time_keeping + largest_tal;
    size_t high = time_keeping + total;
    while (low < high) {
      const size_t middle = low + (high - low) / 2;
      if (pack(middle, annotation_record_)) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    annotation_bytes_ = low + (low % 2);
    if (annotation_bytes_ / 2 > static_cast<size_t>(kMaxFieldInteger)) {
      fail("the annotations need " + std::to_string(annotation_bytes_) +
           " bytes per record, more than an EDF signal can hold");
    }
    pack(annotation_bytes_, annotation_record_);
  }

  size_t n_header_signals() const { return prepared_.size() + (options_.edf_plus ? 1 : 0); }

  // The per-signal field `field` of every signal (annotation signal last), each padded to width.
  std::string signal_fields(SignalField field) const {
    const size_t width = kSignalFields[field].width;
    std::string out;
    for (const PreparedSignal& signal : prepared_) {
      out += padded(ordinary_field(signal, field), width);
    }
    if (options_.edf_plus) out += padded(annotation_field(field), width);
    return out;
  }

  static std::string ordinary_field(const PreparedSignal& signal, SignalField field) {
    switch (field) {
      case kLabel:
        return signal.source->label;
      case kTransducer:
        return signal.source->transducer;
      case kDimension:
        return signal.source->physical_dimension;
      case kPhysicalMin:
        return signal.physical_min_text;
      case kPhysicalMax:
        return signal.physical_max_text;
      case kDigitalMin:
        return std::to_string(kInt16Min);
      case kDigitalMax:
        return std::to_string(kInt16Max);
      case kPrefiltering:
        return signal.source->prefiltering;
      case kSamplesPerRecord:
        return std::to_string(signal.samples_per_record);
      default:
        return "";
    }
  }

  std::string annotation_field(SignalField field) const {
    switch (field) {
      case kLabel:
        return std::string(kAnnotationLabel);
      case kPhysicalMin:
        return "-1";
      case kPhysicalMax:
        return "1";
      case kDigitalMin:
        return std::to_string(kInt16Min);
      case kDigitalMax:
        return std::to_string(kInt16Max);
      case kSamplesPerRecord:
        return std::to_string(annotation_bytes_ / 2);
      default:
        return "";
    }
  }

  std::string header() const {
    const size_t ns = n_header_signals();
    std::string out = std::string(kVersion);
    out += padded(options_.patient, kPatientField.width);
    out += padded(options_.recording, kRecordingField.width);
    out += padded(options_.start_date, kStartDateField.width);
    out += padded(options_.start_time, kStartTimeField.width);
    out += padded(std::to_string(kMainHeaderBytes + ns * kSignalHeaderBytes), 8);
    out += padded(options_.edf_plus ? "EDF+C" : "", kReservedField.width);
    out += padded(std::to_string(layout_.n_records), kRecordCountField.width);
    out += padded(layout_.duration_text, kDurationField.width);
    out += padded(std::to_string(ns), kSignalCountField.width);
    for (size_t f = 0; f < kSignalFieldCount; ++f)
      out += signal_fields(static_cast<SignalField>(f));
    return out;
  }

  static void append_int16(std::string& out, int32_t value) {
    const auto bits = static_cast<uint16_t>(static_cast<int16_t>(value));
    out += static_cast<char>(bits & 0xFFU);
    out += static_cast<char>(bits >> 8U);
  }

  static int32_t digital_value(const PreparedSignal& signal, double value) {
    const double lsb =
        (signal.physical_max - signal.physical_min) / static_cast<double>(kInt16Max - kInt16Min);
    const double digital = std::round((value - signal.physical_min) / lsb) + kInt16Min;
    return static_cast<int32_t>(
        std::clamp(digital, static_cast<double>(kInt16Min), static_cast<double>(kInt16Max)));
  }

  void append_samples(std::string& record, const PreparedSignal& signal, int64_t r) const {
    const std::span<const double> samples = signal.source->samples;
    const auto first = static_cast<size_t>(r * signal.samples_per_record);
    for (size_t i = first; i < first + static_cast<size_t>(signal.samples_per_record); ++i) {
      // The last record is padded with the final sample value.
      const double value = i < samples.size() ? samples[i] : samples.back();
      append_int16(record, digital_value(signal, value));
    }
  }

  void append_annotations(std::string& record, int64_t r, size_t& next_annotation) const {
    const size_t start = record.size();
    record += time_keeping_tal(r);
    while (next_annotation < annotation_tals_.size() && annotation_record_[next_annotation] == r) {
      record += annotation_tals_[next_annotation++];
    }
    record.resize(start + annotation_bytes_, '\0');
  }

  void write_records(std::ofstream& out) const {
    std::string record;
    size_t next_annotation = 0;
    for (int64_t r = 0; r < layout_.n_records && out; ++r) {
      record.clear();
      for (const PreparedSignal& signal : prepared_) append_samples(record, signal, r);
      if (options_.edf_plus) append_annotations(record, r, next_annotation);
      out.write(record.data(), static_cast<std::streamsize>(record.size()));
    }
  }

  fs::path path_;
  const std::vector<EdfWriteSignal>& signals_;
  const EdfWriteOptions& options_;
  std::vector<Annotation> annotations_;
  double total_duration_s_ = 0.0;
  Layout layout_;
  std::vector<PreparedSignal> prepared_;
  std::vector<std::string> annotation_tals_;
  std::vector<int64_t> annotation_record_;
  size_t annotation_bytes_ = 0;
};

}  // namespace

EdfFile read_edf(const fs::path& path) {
  return EdfReader(path).read();
}

void write_edf(const fs::path& path, const std::vector<EdfWriteSignal>& signals,
               const std::vector<Annotation>& annotations, const EdfWriteOptions& options) {
  EdfWriter(path, signals, annotations, options).write();
}

std::optional<double> microvolts_per_unit(std::string_view physical_dimension) {
  std::string unit = strings::to_lower(trim_spaces(physical_dimension));
  // Micro sign (UTF-8 U+00B5), Greek small mu (U+03BC) and the Latin-1 byte 0xB5 all mean micro.
  for (const std::string_view micro : {"\xC2\xB5", "\xCE\xBC", "\xB5"}) {
    if (unit.starts_with(micro)) {
      unit = "u" + unit.substr(micro.size());
      break;
    }
  }
  if (unit == "uv") return 1.0;
  if (unit == "mv") return 1e3;
  if (unit == "v") return 1e6;
  if (unit == "nv") return 1e-3;
  return std::nullopt;
}

}  // namespace qneuro::io
