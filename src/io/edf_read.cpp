// EDF/EDF+ and BDF/BDF+ reader (the rules are stated in qneuro/io/edf.hpp). BDF differs from EDF
// only in its version field, its reserved field, 3-byte samples and the int24 digital range, so
// one reader handles both with the sample width as a parameter.
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

namespace qneuro::io {
namespace fs = std::filesystem;
using namespace edf;

namespace {

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
    throw InputError(kind() + " file " + quote_path(path_) + ": " + what);
  }
  std::string kind() const { return file_.bdf ? "BDF" : "EDF"; }

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
    const std::string_view version = std::string_view(main).substr(0, kVersion.size());
    file_.bdf = version == kBdfVersion;
    if (version != kVersion && !file_.bdf) {
      throw InputError(quote_path(path_) + " is not an EDF file (nor BDF): its first 8 bytes are " +
                       quote_text(version) + ", expected " + quote_text(kVersion) + " (EDF) or " +
                       quote_text(kBdfVersion) + " (BDF)");
    }
    if (available < kMainHeaderBytes) {
      throw InputError(quote_path(path_) + " is not an " + kind() +
                       " file (or is truncated): it has " + std::to_string(file_size_) +
                       " bytes, fewer than the " + std::to_string(kMainHeaderBytes) + "-byte " +
                       kind() + " header");
    }
    header_ = std::move(main);
    sample_bytes_ = file_.bdf ? 3 : 2;

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
    const std::string plus = kind() + "+";
    if (reserved.starts_with(plus + "C")) file_.variant = EdfVariant::EdfPlusContinuous;
    if (reserved.starts_with(plus + "D")) file_.variant = EdfVariant::EdfPlusDiscontinuous;
    // EDF leaves the field free unless it says EDF+; BDF has no other way to say that its
    // samples are 24-bit, so a BDF file must say so (or be BDF+).
    if (file_.bdf && file_.variant == EdfVariant::Edf && !reserved.starts_with(kBdfReserved)) {
      fail(describe(kReservedField) + " is " + quote_text(reserved) + ", expected " +
           quote_text(kBdfReserved) + " (BioSemi BDF) or 'BDF+C' / 'BDF+D' (BDF+)");
    }
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
    layout.n_bytes_in_record = sample_bytes_ * static_cast<size_t>(samples);
    // Numeric fields must be numbers even for annotation signals (garbage means a broken file),
    // but their ranges are meaningless there, so only ordinary signals are range-checked.
    const double physical_min = decimal(signal_text(kPhysicalMin, s), describe(kPhysicalMin, s));
    const double physical_max = decimal(signal_text(kPhysicalMax, s), describe(kPhysicalMax, s));
    const int64_t digital_min = integer(signal_text(kDigitalMin, s), describe(kDigitalMin, s));
    const int64_t digital_max = integer(signal_text(kDigitalMax, s), describe(kDigitalMax, s));
    if (signal_text(kLabel, s) == (file_.bdf ? kBdfAnnotationLabel : kAnnotationLabel)) {
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
    const int32_t low = file_.bdf ? kInt24Min : kInt16Min;
    const int32_t high = file_.bdf ? kInt24Max : kInt16Max;
    if (value < low || value > high) {
      fail(describe(field, s) + " is " + std::to_string(value) + ", outside the " +
           (file_.bdf ? "24" : "16") + "-bit range " + std::to_string(low) + " to " +
           std::to_string(high));
    }
  }

  std::string size_mismatch(const std::string& promise, uintmax_t expected) {
    const std::string sizes = std::to_string(expected) + " bytes) but the file has " +
                              std::to_string(file_size_) + " bytes";
    if (file_size_ < expected) return "truncated: " + promise + " (" + sizes;
    const uintmax_t excess = file_size_ - expected;
    return "file size mismatch: " + promise + " (" + sizes + "; " + std::to_string(excess) +
           " bytes too many" + text_transfer_hint([&](uintmax_t pairs) { return pairs == excess; });
  }

  // A binary file sent as text (FTP ASCII mode, a text-mode copy, a repository that normalises
  // line endings) gains a CR before every LF. When every LF in the file has a CR before it and
  // `explains(pairs)` says those CR LF pairs account for the extra bytes, the message says so:
  // the header is then fine and only the transfer needs repeating. Only runs on a file already
  // rejected, so reading it once more costs nothing in the normal case.
  template <class Explains>
  std::string text_transfer_hint(Explains explains) {
    stream_.clear();
    stream_.seekg(0);
    std::string chunk(1 << 20, '\0');
    uintmax_t lf = 0;
    uintmax_t crlf = 0;
    char previous = '\0';
    while (stream_) {
      stream_.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const auto got = static_cast<size_t>(stream_.gcount());
      for (size_t i = 0; i < got; ++i) {
        if (chunk[i] == '\n') {
          ++lf;
          if (previous == '\r') ++crlf;
        }
        previous = chunk[i];
      }
    }
    if (lf == 0 || crlf != lf || !explains(crlf)) return "";
    return "; it contains " + std::to_string(crlf) +
           " CR LF pairs and every LF byte in it follows a CR: the file was probably converted as "
           "text (line endings) in transfer; fetch it again in binary mode";
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
             "-byte records (file size " + std::to_string(file_size_) + " bytes)" +
             text_transfer_hint([&](uintmax_t pairs) {
               return pairs <= data_bytes && (data_bytes - pairs) % record_bytes_ == 0;
             }));
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

  static int32_t int16_at(std::string_view bytes, size_t pos) {
    const auto low = static_cast<unsigned char>(bytes[pos]);
    const auto high = static_cast<unsigned char>(bytes[pos + 1]);
    return static_cast<int16_t>(static_cast<uint16_t>(low | (high << 8U)));
  }
  // Little-endian two's complement in 3 bytes: sign-extended from bit 23.
  static int32_t int24_at(std::string_view bytes, size_t pos) {
    const uint32_t value = static_cast<uint32_t>(static_cast<unsigned char>(bytes[pos])) |
                           static_cast<uint32_t>(static_cast<unsigned char>(bytes[pos + 1])) << 8U |
                           static_cast<uint32_t>(static_cast<unsigned char>(bytes[pos + 2])) << 16U;
    return static_cast<int32_t>(value ^ 0x800000U) - (1 << 23);
  }

  // Records are read in chunks of about 16 MB. Each chunk's annotations are parsed in record
  // order (one thread: they carry the time keeping), then its samples are converted in
  // parallel over signals straight into their final place (no push_back): the conversion of a
  // 64-channel, 5-minute file was a tenth of a whole `qneuro analyze` and ran on one core.
  void read_records() {
    const auto n_records = static_cast<size_t>(file_.n_records);
    for (EdfSignal& signal : file_.signals) {
      signal.samples.resize(n_records * static_cast<size_t>(signal.samples_per_record));
    }
    const size_t chunk_records =
        std::max<size_t>(1, (size_t{16} << 20) / std::max<size_t>(1, record_bytes_));
    std::string chunk;
    for (size_t r0 = 0; r0 < n_records; r0 += chunk_records) {
      const size_t count = std::min(chunk_records, n_records - r0);
      read_exactly(chunk, count * record_bytes_,
                   count == 1 ? "data record " + std::to_string(r0)
                              : "data records " + std::to_string(r0) + " to " +
                                    std::to_string(r0 + count - 1));
      for (size_t k = 0; k < count; ++k) {
        record_annotations(std::string_view(chunk).substr(k * record_bytes_, record_bytes_),
                           r0 + k);
      }
      decode_samples(chunk, r0, count);
    }
  }

  void record_annotations(std::string_view record, size_t r) {
    if (!has_annotation_signal_) return;
    bool first_annotation_signal = true;
    std::optional<double> record_onset;
    for (const SignalLayout& layout : layouts_) {
      if (!layout.is_annotation) continue;
      parse_tals(record.substr(layout.byte_offset_in_record, layout.n_bytes_in_record),
                 first_annotation_signal ? &record_onset : nullptr);
      first_annotation_signal = false;
    }
    record_time_keeping(r, record_onset);
  }

  /// Physical values of the ordinary signals of `count` records starting at record r0.
  void decode_samples(std::string_view chunk, size_t r0, size_t count) {
    std::vector<std::pair<const SignalLayout*, EdfSignal*>> ordinary;
    size_t next = 0;
    for (const SignalLayout& layout : layouts_) {
      if (!layout.is_annotation) ordinary.emplace_back(&layout, &file_.signals[next++]);
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (std::ptrdiff_t si = 0; si < static_cast<std::ptrdiff_t>(ordinary.size()); ++si) {
      const SignalLayout& layout = *ordinary[static_cast<size_t>(si)].first;
      EdfSignal& signal = *ordinary[static_cast<size_t>(si)].second;
      const double gain = physical_per_digital(signal);
      const auto spr = static_cast<size_t>(signal.samples_per_record);
      for (size_t k = 0; k < count; ++k) {
        const std::string_view bytes = chunk.substr(
            k * record_bytes_ + layout.byte_offset_in_record, layout.n_bytes_in_record);
        double* out = signal.samples.data() + (r0 + k) * spr;
        if (sample_bytes_ == 3) {
          for (size_t i = 0; i < spr; ++i) {
            const int32_t steps = int24_at(bytes, 3 * i) - signal.digital_min;
            out[i] = signal.physical_min + static_cast<double>(steps) * gain;
          }
        } else {
          for (size_t i = 0; i < spr; ++i) {
            const int32_t steps = int16_at(bytes, 2 * i) - signal.digital_min;
            out[i] = signal.physical_min + static_cast<double>(steps) * gain;
          }
        }
      }
    }
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
      fail(kind() + "+D (discontinuous) file has no '" +
           std::string(file_.bdf ? kBdfAnnotationLabel : kAnnotationLabel) +
           "' signal, so the onsets of its data records are unknown");
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
  size_t sample_bytes_ = 2;  // 2: EDF (int16), 3: BDF (int24)
  size_t header_bytes_ = 0;
  size_t record_bytes_ = 0;
  int64_t declared_records_ = 0;
  bool has_annotation_signal_ = false;
  std::vector<SignalLayout> layouts_;
  std::vector<double> record_onsets_;
  EdfFile file_;
};

}  // namespace

EdfFile read_edf(const fs::path& path) {
  return EdfReader(path).read();
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
