// BrainVision reader (the rules are stated in qneuro/io/brainvision.hpp).
#include "qneuro/io/brainvision.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <utility>

#include "edf_fields.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/io/atomic_file.hpp"

namespace qneuro::io {
namespace fs = std::filesystem;
using edf::parse_decimal;
using edf::parse_integer;
using edf::quote_path;
using edf::quote_text;
using edf::trim_spaces;

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view strip_bom(std::string_view text) {
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  return text;
}

std::string_view first_line(std::string_view text) {
  text = strip_bom(text);
  return text.substr(0, text.find_first_of("\r\n"));
}

// The first line of a header or marker file: "Brain Vision Data Exchange Header File Version
// 1.0", "BrainVision Data Exchange Marker File, Version 2.0", ... (the variants MNE accepts).
// Returns the major version, or 0 if the line is not of this kind.
int brainvision_version(std::string_view line, std::string_view kind) {
  const std::regex pattern("Brain ?Vision( Core| V-Amp)? Data( Exchange)? " + std::string(kind) +
                           " File,? Version ([0-9]+)\\.([0-9]+)");
  std::match_results<std::string_view::const_iterator> match;
  const std::string_view trimmed = trim_spaces(line);
  if (!std::regex_match(trimmed.begin(), trimmed.end(), match, pattern)) return 0;
  if (match[4].str() != "0") return -1;
  const std::string major = match[3].str();
  if (major == "1") return 1;
  if (major == "2") return 2;
  return -1;
}

enum class Codepage { Utf8, Ansi };

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0U | (byte >> 6U));
      out += static_cast<char>(0x80U | (byte & 0x3FU));
    }
  }
  return out;
}

std::string decode(std::string_view bytes, Codepage codepage) {
  return codepage == Codepage::Ansi ? latin1_to_utf8(bytes) : edf::to_utf8(bytes);
}

// BrainVision writes a comma inside a name or description as the two characters "\1".
std::string unescape_commas(std::string_view text) {
  std::string out;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (text.substr(pos, 2) == "\\1") {
      out += ',';
      ++pos;
    } else {
      out += text[pos];
    }
  }
  return out;
}

struct Entry {
  std::string key;    // as written
  std::string value;  // raw bytes after '=', line end removed
  size_t line = 0;    // 1-based
};

// The INI-like sections of a header or marker file that the reader uses. Other sections are
// skipped (their content is not checked); [Comment] ends the parse, since its free text may
// look like anything.
class IniFile {
 public:
  // Entries of a section, keyed by lower-case key.
  using Entries = std::map<std::string, Entry>;

  IniFile(fs::path path, std::string what, const std::vector<std::string_view>& sections)
      : path_(std::move(path)), what_(std::move(what)) {
    for (const std::string_view name : sections) sections_[strings::to_lower(name)];
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(what_ + " " + quote_path(path_) + ": " + message);
  }

  void parse(std::string_view text) {
    text = strip_bom(text);
    auto current = sections_.end();
    std::string current_name;
    size_t line_number = 0;
    while (!text.empty()) {
      const size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      ++line_number;
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line_number == 1) continue;  // the identification line, checked by the caller
      const std::string_view trimmed = trim_spaces(line);
      if (trimmed.empty() || trimmed.front() == ';') continue;
      if (trimmed.front() == '[' && trimmed.back() == ']') {
        current_name = std::string(trimmed.substr(1, trimmed.size() - 2));
        const std::string lower = strings::to_lower(current_name);
        if (lower == "comment") return;
        current = sections_.find(lower);
        continue;
      }
      if (current == sections_.end()) continue;
      const size_t equals = line.find('=');
      if (equals == std::string_view::npos) {
        fail("line " + std::to_string(line_number) + " in [" + current_name + "] is " +
             quote_text(line) + ", expected <key>=<value>");
      }
      Entry entry{std::string(trim_spaces(line.substr(0, equals))),
                  std::string(line.substr(equals + 1)), line_number};
      const std::string lower = strings::to_lower(entry.key);
      const auto [it, inserted] = current->second.emplace(lower, entry);
      if (!inserted) {
        fail("[" + current_name + "] key '" + entry.key + "' appears twice (lines " +
             std::to_string(it->second.line) + " and " + std::to_string(line_number) + ")");
      }
    }
  }

  [[nodiscard]] const Entries& section(std::string_view name) const {
    return sections_.at(strings::to_lower(name));
  }

  [[nodiscard]] const Entry* find(std::string_view section_name, std::string_view key) const {
    const Entries& entries = section(section_name);
    const auto it = entries.find(strings::to_lower(key));
    return it == entries.end() ? nullptr : &it->second;
  }

  [[nodiscard]] const Entry& require(std::string_view section_name, std::string_view key) const {
    const Entry* entry = find(section_name, key);
    if (entry == nullptr) {
      fail("required key '" + std::string(key) + "' is missing from [" + std::string(section_name) +
           "]");
    }
    return *entry;
  }

  [[nodiscard]] std::string describe(std::string_view section_name, const Entry& entry) const {
    return "[" + std::string(section_name) + "] key '" + entry.key + "' (line " +
           std::to_string(entry.line) + ")";
  }

  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  std::string what_;
  std::map<std::string, Entries> sections_;
};

// So that a repeated channel or marker is reported at its second line.
std::vector<const Entry*> in_file_order(const std::map<std::string, Entry>& entries) {
  std::vector<const Entry*> out;
  for (const auto& [lower, entry] : entries) out.push_back(&entry);
  std::sort(out.begin(), out.end(),
            [](const Entry* a, const Entry* b) { return a->line < b->line; });
  return out;
}

constexpr std::string_view kCommon = "Common Infos";
constexpr std::string_view kBinary = "Binary Infos";
constexpr std::string_view kChannels = "Channel Infos";
constexpr std::string_view kMarkers = "Marker Infos";

// One of `allowed` (compared case-insensitively), returned upper-case.
std::string choice(const IniFile& ini, std::string_view section, const Entry& entry,
                   const std::vector<std::string_view>& allowed) {
  const std::string value = strings::to_lower(trim_spaces(entry.value));
  for (const std::string_view option : allowed) {
    if (strings::to_lower(option) == value) return std::string(option);
  }
  std::string list;
  for (const std::string_view option : allowed)
    list += (list.empty() ? "" : ", ") + std::string(option);
  ini.fail(ini.describe(section, entry) + " is " + quote_text(entry.value) +
           "; supported: " + list);
}

int64_t integer(const IniFile& ini, std::string_view section, const Entry& entry,
                std::string_view value, int64_t min, const std::string& expected) {
  const auto parsed = parse_integer(trim_spaces(value));
  if (!parsed || *parsed < min) {
    ini.fail(ini.describe(section, entry) + " has " + quote_text(value) + ", expected " + expected);
  }
  return *parsed;
}

Codepage read_codepage(const IniFile& ini) {
  const Entry* entry = ini.find(kCommon, "Codepage");
  if (entry == nullptr) return Codepage::Utf8;
  return choice(ini, kCommon, *entry, {"UTF-8", "ANSI"}) == "ANSI" ? Codepage::Ansi
                                                                   : Codepage::Utf8;
}

// DataFile / MarkerFile: relative to the header's directory and inside it. Refusing anything
// else keeps a header from pointing the reader at an arbitrary file on the machine.
fs::path resolve_inside(const IniFile& ini, const Entry& entry, Codepage codepage) {
  std::string value = decode(trim_spaces(entry.value), codepage);
  std::replace(value.begin(), value.end(), '\\', '/');
  const std::string where = ini.describe(kCommon, entry);
  if (value.empty()) ini.fail(where + " is empty, expected a file name");
  const fs::path relative(value);
  const bool drive = value.size() >= 2 && value[1] == ':' &&
                     std::isalpha(static_cast<unsigned char>(value[0])) != 0;
  if (relative.is_absolute() || relative.has_root_path() || drive) {
    ini.fail(where + " is the absolute path " + quote_text(value) +
             "; it must name a file relative to the header's directory");
  }
  const fs::path normal = relative.lexically_normal();
  if (normal.empty() || normal == "." || !normal.has_filename()) {
    ini.fail(where + " is " + quote_text(value) + ", which names a directory, not a file");
  }
  if (*normal.begin() == "..") {
    ini.fail(where + " is " + quote_text(value) +
             ", which leaves the header's directory; it must name a file inside it");
  }
  return ini.path().parent_path() / normal;
}

enum class SampleType { Int16, Int32, Float32 };
struct SampleFormat {
  std::string_view name;
  SampleType type;
  size_t bytes;
};
constexpr SampleFormat kFormats[] = {{"INT_16", SampleType::Int16, 2},
                                     {"INT_32", SampleType::Int32, 4},
                                     {"IEEE_FLOAT_32", SampleType::Float32, 4}};

class BrainVisionReader {
 public:
  explicit BrainVisionReader(fs::path vhdr)
      : header_(std::move(vhdr), "BrainVision header", {kCommon, kBinary, kChannels}) {}

  BrainVisionFile read() {
    read_header();
    read_channels();
    read_data();
    read_markers();
    return std::move(file_);
  }

 private:
  static std::string read_text(const fs::path& path, const std::string& what) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw InputError(what + " not found: " + quote_path(path));
    if (fs::is_directory(path, ec)) {
      throw InputError(quote_path(path) + " is a directory, expected " + what);
    }
    return read_file(path);
  }

  void read_header() {
    const std::string text = read_text(header_.path(), "BrainVision header (.vhdr)");
    const std::string_view line = first_line(text);
    file_.version = brainvision_version(line, "Header");
    if (file_.version == 0) {
      header_.fail("not a BrainVision header: its first line is " + quote_text(line) +
                   ", expected 'Brain Vision Data Exchange Header File Version 1.0' or "
                   "'BrainVision Data Exchange Header File Version 2.0'");
    }
    if (file_.version < 0) {
      header_.fail("unsupported header version in its first line " + quote_text(line) +
                   "; supported: 1.0, 2.0");
    }
    header_.parse(text);
    codepage_ = read_codepage(header_);

    choice(header_, kCommon, header_.require(kCommon, "DataFormat"), {"BINARY"});
    file_.multiplexed = choice(header_, kCommon, header_.require(kCommon, "DataOrientation"),
                               {"MULTIPLEXED", "VECTORIZED"}) == "MULTIPLEXED";
    if (const Entry* type = header_.find(kCommon, "DataType")) {
      choice(header_, kCommon, *type, {"TIMEDOMAIN"});
    }
    const Entry& count = header_.require(kCommon, "NumberOfChannels");
    n_channels_ =
        static_cast<size_t>(integer(header_, kCommon, count, count.value, 1, "an integer >= 1"));
    const Entry& interval = header_.require(kCommon, "SamplingInterval");
    const auto us = parse_decimal(trim_spaces(interval.value));
    if (!us || *us <= 0.0) {
      header_.fail(header_.describe(kCommon, interval) + " has " + quote_text(interval.value) +
                   ", expected the sampling interval in microseconds (a number > 0)");
    }
    file_.sampling_interval_us = *us;
    file_.sfreq_hz = 1e6 / *us;
    file_.data_file = resolve_inside(header_, header_.require(kCommon, "DataFile"), codepage_);
    if (const Entry* marker = header_.find(kCommon, "MarkerFile")) {
      file_.marker_file = resolve_inside(header_, *marker, codepage_);
    }

    std::vector<std::string_view> names;
    for (const SampleFormat& format : kFormats) names.push_back(format.name);
    file_.binary_format = choice(header_, kBinary, header_.require(kBinary, "BinaryFormat"), names);
    for (const SampleFormat& format : kFormats) {
      if (format.name == file_.binary_format) {
        sample_type_ = format.type;
        sample_bytes_ = format.bytes;
      }
    }
    if (const Entry* order = header_.find(kBinary, "UseBigEndianOrder")) {
      big_endian_ = choice(header_, kBinary, *order, {"NO", "YES"}) == "YES";
    }
  }

  void read_channels() {
    const IniFile::Entries& entries = header_.section(kChannels);
    std::vector<const Entry*> by_number(n_channels_, nullptr);
    for (const Entry* listed : in_file_order(entries)) {
      const Entry& entry = *listed;
      const std::string lower = strings::to_lower(entry.key);
      const std::string where = header_.describe(kChannels, entry);
      if (!lower.starts_with("ch")) {
        header_.fail(where + " is not a channel (Ch<n>=<Name>,<Reference>,<Resolution>,<Unit>)");
      }
      const auto number = parse_integer(std::string_view(lower).substr(2));
      if (!number || *number < 1 || lower[2] == '+') {
        header_.fail(where + " is not a channel (Ch<n>=<Name>,<Reference>,<Resolution>,<Unit>)");
      }
      if (*number > static_cast<int64_t>(n_channels_)) {
        header_.fail(where + " names channel " + std::to_string(*number) +
                     " but NumberOfChannels is " + std::to_string(n_channels_) +
                     " (channel count mismatch)");
      }
      const Entry*& slot = by_number[static_cast<size_t>(*number - 1)];
      if (slot != nullptr) {
        header_.fail(where + " describes channel " + std::to_string(*number) + " again (line " +
                     std::to_string(slot->line) + ")");
      }
      slot = &entry;
    }
    for (size_t c = 0; c < n_channels_; ++c) {
      if (by_number[c] == nullptr) {
        header_.fail("[Channel Infos] lacks key 'Ch" + std::to_string(c + 1) +
                     "': NumberOfChannels is " + std::to_string(n_channels_) + " but only " +
                     std::to_string(entries.size()) +
                     " channels are described (channel count "
                     "mismatch)");
      }
      file_.channels.push_back(parse_channel(*by_number[c]));
    }
  }

  BrainVisionChannel parse_channel(const Entry& entry) const {
    const std::string where = header_.describe(kChannels, entry);
    const std::vector<std::string> fields = strings::split(entry.value, ',');
    BrainVisionChannel channel;
    channel.name = unescape_commas(decode(trim_spaces(fields.at(0)), codepage_));
    if (channel.name.empty()) header_.fail(where + " has an empty channel name");
    if (fields.size() > 1)
      channel.reference = unescape_commas(decode(trim_spaces(fields[1]), codepage_));
    const std::string_view resolution = fields.size() > 2 ? trim_spaces(fields[2]) : "";
    if (!resolution.empty()) {
      const auto value = parse_decimal(resolution);
      if (!value || *value == 0.0) {
        header_.fail(where + " (channel " + quote_text(channel.name) + ") has resolution " +
                     quote_text(resolution) + ", expected a finite non-zero number");
      }
      channel.resolution = *value;
    }
    channel.unit = fields.size() > 3 ? decode(trim_spaces(fields[3]), codepage_) : "";
    if (channel.unit.empty()) channel.unit = "\xC2\xB5V";
    return channel;
  }

  void read_data() {
    const std::string where = "BrainVision data file " + quote_path(file_.data_file) +
                              " (DataFile in " + quote_path(header_.path()) + ")";
    std::error_code ec;
    if (!fs::exists(file_.data_file, ec)) throw InputError(where + " not found");
    if (fs::is_directory(file_.data_file, ec)) throw InputError(where + " is a directory");
    const std::string bytes = read_file(file_.data_file);
    const size_t frame = n_channels_ * sample_bytes_;
    if (bytes.size() % frame != 0) {
      throw InputError(where + ": its " + std::to_string(bytes.size()) +
                       " bytes are not a whole number of samples of NumberOfChannels=" +
                       std::to_string(n_channels_) + " x " + std::to_string(sample_bytes_) +
                       " bytes (BinaryFormat=" + file_.binary_format + "); " +
                       std::to_string(bytes.size() % frame) +
                       " bytes left over: truncated, or the header does not match the data");
    }
    const size_t n = bytes.size() / frame;
    if (n == 0) throw InputError(where + " holds no samples");
    if (const Entry* points = header_.find(kCommon, "DataPoints")) {
      const int64_t declared = integer(header_, kCommon, *points, points->value, 0,
                                       "an integer >= 0 (the number of samples)");
      if (static_cast<size_t>(declared) != n) {
        header_.fail(header_.describe(kCommon, *points) + " is " + std::to_string(declared) +
                     " but the data file " + quote_path(file_.data_file) + " holds " +
                     std::to_string(n) + " samples of " + std::to_string(n_channels_) +
                     " channels");
      }
    }
    for (size_t c = 0; c < n_channels_; ++c) {
      BrainVisionChannel& channel = file_.channels[c];
      channel.samples.resize(n);
      for (size_t t = 0; t < n; ++t) {
        const size_t index = file_.multiplexed ? t * n_channels_ + c : c * n + t;
        channel.samples[t] = value_at(bytes, index * sample_bytes_) * channel.resolution;
      }
    }
  }

  double value_at(std::string_view bytes, size_t pos) const {
    uint32_t word = 0;
    for (size_t b = 0; b < sample_bytes_; ++b) {
      const size_t shift = 8 * (big_endian_ ? sample_bytes_ - 1 - b : b);
      word |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[pos + b])) << shift;
    }
    switch (sample_type_) {
      case SampleType::Int16:
        return static_cast<int16_t>(static_cast<uint16_t>(word));
      case SampleType::Int32:
        return static_cast<int32_t>(word);
      case SampleType::Float32:
        break;
    }
    return std::bit_cast<float>(word);
  }

  void read_markers() {
    if (file_.marker_file.empty()) return;
    IniFile markers(file_.marker_file, "BrainVision marker file", {kCommon, kMarkers});
    const std::string text =
        read_text(file_.marker_file,
                  "BrainVision marker file (MarkerFile in " + quote_path(header_.path()) + ")");
    const std::string_view line = first_line(text);
    const int version = brainvision_version(line, "Marker");
    if (version <= 0) {
      markers.fail("not a BrainVision marker file (MarkerFile in " + quote_path(header_.path()) +
                   "): its first line is " + quote_text(line) +
                   ", expected 'Brain Vision Data Exchange Marker File, Version 1.0' or "
                   "'BrainVision Data Exchange Marker File Version 2.0'");
    }
    markers.parse(text);
    const Codepage codepage = read_codepage(markers);
    std::map<int64_t, const Entry*> by_number;
    for (const Entry* listed : in_file_order(markers.section(kMarkers))) {
      const Entry& entry = *listed;
      const std::string lower = strings::to_lower(entry.key);
      const auto number =
          lower.starts_with("mk") ? parse_integer(std::string_view(lower).substr(2)) : std::nullopt;
      if (!number || *number < 1 || lower[2] == '+') {
        markers.fail(markers.describe(kMarkers, entry) +
                     " is not a marker (Mk<n>=<Type>,<Description>,<Position>,<Size>,<Channel>)");
      }
      const auto [it, inserted] = by_number.emplace(*number, &entry);
      if (!inserted) {
        markers.fail(markers.describe(kMarkers, entry) + " repeats marker " +
                     std::to_string(*number) + " (line " + std::to_string(it->second->line) + ")");
      }
    }
    for (const auto& [number, entry] : by_number) {
      file_.markers.push_back(parse_marker(markers, *entry, codepage));
      const BrainVisionMarker& m = file_.markers.back();
      file_.annotations.push_back({static_cast<double>(m.position - 1) / file_.sfreq_hz,
                                   static_cast<double>(m.size) / file_.sfreq_hz,
                                   m.description.empty() ? m.type : m.description});
    }
    std::stable_sort(
        file_.annotations.begin(), file_.annotations.end(),
        [](const Annotation& a, const Annotation& b) { return a.onset_s < b.onset_s; });
  }

  static BrainVisionMarker parse_marker(const IniFile& ini, const Entry& entry, Codepage codepage) {
    const std::vector<std::string> fields = strings::split(entry.value, ',');
    if (fields.size() < 4) {
      ini.fail(ini.describe(kMarkers, entry) + " is " + quote_text(entry.value) +
               ", expected <Type>,<Description>,<Position>,<Size>[,<Channel>]");
    }
    BrainVisionMarker marker;
    marker.type = unescape_commas(decode(fields[0], codepage));
    marker.description = unescape_commas(decode(fields[1], codepage));
    marker.position = integer(ini, kMarkers, entry, fields[2], 1,
                              "a position (1-based sample index >= 1) in field 3");
    marker.size = integer(ini, kMarkers, entry, fields[3], 0, "a size (samples, >= 0) in field 4");
    if (fields.size() > 4 && !trim_spaces(fields[4]).empty()) {
      marker.channel = integer(ini, kMarkers, entry, fields[4], -1,
                               "a channel number (0 for all channels) in field 5");
    }
    return marker;
  }

  IniFile header_;
  Codepage codepage_ = Codepage::Utf8;
  size_t n_channels_ = 0;
  SampleType sample_type_ = SampleType::Int16;
  size_t sample_bytes_ = 2;
  bool big_endian_ = false;
  BrainVisionFile file_;
};

}  // namespace

BrainVisionFile read_brainvision(const fs::path& vhdr) {
  return BrainVisionReader(vhdr).read();
}

bool is_brainvision_header(std::string_view head) {
  const std::string_view line = first_line(head);
  return (line.starts_with("Brain Vision") || line.starts_with("BrainVision")) &&
         line.find("Header File") != std::string_view::npos;
}

}  // namespace qneuro::io
