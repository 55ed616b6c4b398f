#include "edf_fields.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace qneuro::io::edf {

namespace fs = std::filesystem;

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
  std::string out(1, '\'');  // appended piecewise: g++ 12 warns falsely (-Wrestrict) on "'" + s
  out += path.string();
  out += '\'';
  return out;
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

static void append_latin1_as_utf8(std::string& out, unsigned char byte) {
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

static std::string_view strip_plus_sign(std::string_view text) {
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

}  // namespace qneuro::io::edf
