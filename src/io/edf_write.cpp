// EDF/EDF+ writer (the rules are stated in qneuro/io/edf.hpp).
#include "qneuro/io/edf.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <utility>

#include "edf_fields.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/io/atomic_file.hpp"

namespace qneuro::io {
namespace fs = std::filesystem;
using namespace edf;

namespace {

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

void write_edf(const fs::path& path, const std::vector<EdfWriteSignal>& signals,
               const std::vector<Annotation>& annotations, const EdfWriteOptions& options) {
  EdfWriter(path, signals, annotations, options).write();
}

}  // namespace qneuro::io
