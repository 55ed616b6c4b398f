#include "qneuro/io/csv.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "qneuro/core/error.hpp"
#include "qneuro/io/atomic_file.hpp"

namespace qneuro::io {
namespace {

// Time steps may differ from the median by this fraction (times printed with few decimals are
// rounded, so steps are never exactly equal).
constexpr double kUniformTolerance = 1e-3;
// Cell text quoted in messages is cut to this length (a binary file must not flood the terminal).
constexpr size_t kMaxQuotedCell = 40;

struct Line {
  std::string_view text;  // without the line terminator
  size_t number = 0;      // 1-based
};

// Walks the text line by line; lines end with "\n" or "\r\n".
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool next(Line& line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view content = text_.substr(pos_, end - pos_);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    pos_ = end + 1;
    line = {content, ++number_};
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_blank(std::string_view line) {
  return trim(line).empty();
}

bool is_comment(std::string_view line) {
  const std::string_view content = trim(line);
  return !content.empty() && content.front() == '#';
}

std::string line_prefix(const std::string& source, size_t line_number) {
  return source + " line " + std::to_string(line_number) + ": ";
}

std::string shown_cell(std::string_view cell) {
  // Built with += (not "'" + std::string&&), which trips GCC 12's false -Wrestrict (bug 105329).
  std::string shown = "'";
  shown += cell.substr(0, kMaxQuotedCell);
  shown += cell.size() <= kMaxQuotedCell ? "'" : "...'";
  return shown;
}

std::string number_text(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

// The separator is the candidate that occurs most often (outside quotes) in the header row;
// ties go to the earlier candidate. Returns '\0' if none occurs.
char detect_separator(std::string_view header) {
  constexpr std::array<char, 3> kCandidates = {',', ';', '\t'};
  std::array<size_t, 3> counts{};
  bool in_quotes = false;
  for (const char c : header) {
    if (c == '"') in_quotes = !in_quotes;
    if (in_quotes) continue;
    for (size_t i = 0; i < kCandidates.size(); ++i) {
      if (c == kCandidates[i]) ++counts[i];
    }
  }
  const auto best = std::max_element(counts.begin(), counts.end());
  if (*best == 0) return '\0';
  return kCandidates[static_cast<size_t>(best - counts.begin())];
}

// Splits a line that contains quotes: a cell may be "quoted", with "" standing for one quote
// character; spaces around a cell are dropped.
std::vector<std::string> split_quoted(std::string_view line, char separator,
                                      const std::string& source, size_t line_number) {
  std::vector<std::string> cells;
  size_t i = 0;
  while (true) {
    std::string cell;
    while (i < line.size() && line[i] != separator && is_space(line[i])) ++i;
    if (i < line.size() && line[i] == '"') {
      const size_t opening = i++;
      while (true) {
        if (i >= line.size()) {
          throw InputError(line_prefix(source, line_number) + "quote opened at character " +
                           std::to_string(opening + 1) + " (column " +
                           std::to_string(cells.size() + 1) + ") is never closed");
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cell += line[i++];
      }
      while (i < line.size() && line[i] != separator && is_space(line[i])) ++i;
      if (i < line.size() && line[i] != separator) {
        throw InputError(line_prefix(source, line_number) + "unexpected text after the closing " +
                         "quote of column " + std::to_string(cells.size() + 1));
      }
    } else {
      const size_t end = std::min(line.find(separator, i), line.size());
      cell = std::string(trim(line.substr(i, end - i)));
      i = end;
    }
    cells.push_back(std::move(cell));
    if (i >= line.size()) break;
    ++i;  // skip the separator; a trailing one leaves an empty last cell
  }
  return cells;
}

// The common case, a line without quotes: cells are views into the line.
void split_plain(std::string_view line, char separator, std::vector<std::string_view>& cells) {
  cells.clear();
  size_t start = 0;
  while (true) {
    const size_t end = line.find(separator, start);
    if (end == std::string_view::npos) {
      cells.push_back(trim(line.substr(start)));
      return;
    }
    cells.push_back(trim(line.substr(start, end - start)));
    start = end + 1;
  }
}

struct Header {
  char separator = ',';
  std::vector<std::string> columns;  // every column, time first; names for messages
};

Header parse_header(const Line& line, const std::string& source) {
  const std::string prefix = line_prefix(source, line.number);
  if (line.text.find('\r') != std::string_view::npos) {
    throw InputError(prefix + "the header contains a carriage return: lines must end with \\n " +
                     "or \\r\\n (old Mac \\r line endings are not supported)");
  }
  Header header;
  header.separator = detect_separator(line.text);
  if (header.separator == '\0') {
    throw InputError(prefix + "the header has a single column; expected a time column and at " +
                     "least one channel, separated by ',', ';' or tab");
  }
  header.columns = split_quoted(line.text, header.separator, source, line.number);
  std::unordered_map<std::string, size_t> seen;  // channel name -> 1-based column
  for (size_t column = 1; column < header.columns.size(); ++column) {
    const std::string& name = header.columns[column];
    if (name.empty()) {
      throw InputError(prefix + "column " + std::to_string(column + 1) + " has an empty name");
    }
    const auto [it, inserted] = seen.emplace(name, column + 1);
    if (!inserted) {
      throw InputError(prefix + "duplicate channel name '" + name + "' (columns " +
                       std::to_string(it->second) + " and " + std::to_string(column + 1) + ")");
    }
  }
  if (header.columns.front().empty()) header.columns.front() = "time";
  return header;
}

enum class NumberProblem { kNone, kNotANumber, kNotFinite, kOutOfRange };

// std::from_chars is locale-independent and fast, but rejects a leading '+'; it accepts "nan"
// and "inf", which are not valid samples here.
NumberProblem parse_number(std::string_view cell, double& value) {
  std::string_view digits = cell;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
    if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
      return NumberProblem::kNotANumber;
    }
  }
  const char* end = digits.data() + digits.size();
  const auto result = std::from_chars(digits.data(), end, value);
  if (result.ec == std::errc::result_out_of_range) return NumberProblem::kOutOfRange;
  if (result.ec != std::errc() || result.ptr != end) return NumberProblem::kNotANumber;
  if (!std::isfinite(value)) return NumberProblem::kNotFinite;
  return NumberProblem::kNone;
}

class RowParser {
 public:
  RowParser(const Header& header, const std::string& source, CsvTable& table)
      : header_(header), source_(source), table_(table) {}

  void parse(const Line& line) {
    const std::vector<std::string_view>& cells = split(line);
    if (cells.size() != header_.columns.size()) {
      throw InputError(line_prefix(source_, line.number) + "expected " +
                       std::to_string(header_.columns.size()) + " columns (as in the header), " +
                       "found " + std::to_string(cells.size()));
    }
    const double time = number(cells[0], line.number, 0);
    if (!table_.time_s.empty() && !(time > table_.time_s.back())) {
      throw InputError(line_prefix(source_, line.number) + "time " + number_text(time) +
                       " is not after the previous time " + number_text(table_.time_s.back()) +
                       " (line " + std::to_string(row_lines_.back()) +
                       "); the time column must be strictly increasing");
    }
    table_.time_s.push_back(time);
    row_lines_.push_back(line.number);
    for (size_t column = 1; column < cells.size(); ++column) {
      table_.data[column - 1].push_back(number(cells[column], line.number, column));
    }
  }

  [[nodiscard]] const std::vector<size_t>& row_lines() const { return row_lines_; }

 private:
  const std::vector<std::string_view>& split(const Line& line) {
    if (line.text.find('"') == std::string_view::npos) {
      split_plain(line.text, header_.separator, cells_);
      return cells_;
    }
    quoted_ = split_quoted(line.text, header_.separator, source_, line.number);
    cells_.assign(quoted_.begin(), quoted_.end());
    return cells_;
  }

  double number(std::string_view cell, size_t line_number, size_t column) const {
    if (cell.empty()) cell_error(line_number, column, "empty cell, expected a number");
    double value = 0.0;
    switch (parse_number(cell, value)) {
      case NumberProblem::kNone:
        return value;
      case NumberProblem::kNotANumber:
        cell_error(line_number, column, shown_cell(cell) + " is not a number");
      case NumberProblem::kNotFinite:
        cell_error(line_number, column,
                   shown_cell(cell) + " is not a number (NaN and infinity are not allowed)");
      case NumberProblem::kOutOfRange:
        cell_error(line_number, column,
                   shown_cell(cell) + " is out of the range of double precision numbers");
    }
    return value;
  }

  [[noreturn]] void cell_error(size_t line_number, size_t column, const std::string& what) const {
    throw InputError(source_ + " line " + std::to_string(line_number) + ", column '" +
                     header_.columns[column] + "' (" + std::to_string(column + 1) + "): " + what);
  }

  const Header& header_;
  const std::string& source_;
  CsvTable& table_;
  std::vector<size_t> row_lines_;
  std::vector<std::string_view> cells_;
  std::vector<std::string> quoted_;
};

// Rows the text can hold at most: each needs one character per column plus separators, which
// bounds the reservation even for a file of blank lines.
size_t row_capacity_estimate(std::string_view rest, size_t columns) {
  const auto newlines = static_cast<size_t>(std::count(rest.begin(), rest.end(), '\n'));
  return std::min(newlines + 1, rest.size() / (2 * columns - 1) + 1);
}

// Steps must agree with their median to kUniformTolerance; the rate then comes from the whole
// span, which averages out the rounding of printed times (1/median would keep it: at 256 Hz with
// 6 decimals the steps are 0.003906 or 0.003907 s, the span gives 256.000 Hz).
double sampling_rate(const CsvTable& table, const std::vector<size_t>& row_lines,
                     const std::string& source) {
  const std::vector<double>& t = table.time_s;
  std::vector<double> steps(t.size() - 1);
  for (size_t i = 1; i < t.size(); ++i) steps[i - 1] = t[i] - t[i - 1];
  std::vector<double> sorted = steps;
  const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
  std::nth_element(sorted.begin(), middle, sorted.end());
  const double median = *middle;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (std::abs(steps[i] - median) > kUniformTolerance * median) {
      throw InputError(line_prefix(source, row_lines[i + 1]) + "time step from " +
                       number_text(t[i]) + " (line " + std::to_string(row_lines[i]) + ") to " +
                       number_text(t[i + 1]) + " is " + number_text(steps[i]) +
                       " s, but the median step is " + number_text(median) +
                       " s; the time column must be uniformly sampled (within 0.1 %)");
    }
  }
  const double rate = static_cast<double>(t.size() - 1) / (t.back() - t.front());
  // Printed times carry rounding noise (k/80 printed with 17 digits gives 80.0000000000011 Hz,
  // k/128 printed with 6 decimals 127.999995 Hz): snap to the nearest millihertz when within
  // 1 ppm of it, so that bin frequencies such as 4 Hz or 30 Hz are exact and land in the intended
  // band. The change is at most 1 ppm of every frequency.
  const double snapped = std::round(rate * 1e3) / 1e3;
  return std::abs(snapped - rate) <= 1e-6 * rate ? snapped : rate;
}

}  // namespace

CsvTable parse_csv(const std::string& text, const std::string& source) {
  std::string_view content(text);
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);  // UTF-8 byte order mark
  if (content.find_first_not_of("\r\n \t") == std::string_view::npos) {
    throw InputError(source + " is empty");
  }
  LineReader lines(content);
  Line line;
  bool has_header = false;
  while (!has_header && lines.next(line))
    has_header = !is_blank(line.text) && !is_comment(line.text);
  if (!has_header) {
    throw InputError(source + " has no header row (it holds only comments and blank lines)");
  }
  const Header header = parse_header(line, source);
  const size_t header_line = line.number;

  CsvTable table;
  table.channels = std::vector<std::string>(header.columns.begin() + 1, header.columns.end());
  table.data.resize(table.channels.size());
  const size_t rows = row_capacity_estimate(content, header.columns.size());
  table.time_s.reserve(rows);
  for (std::vector<double>& channel : table.data) channel.reserve(rows);

  RowParser parser(header, source, table);
  size_t first_blank_line = 0;  // a blank line is fine only if no data follows it
  while (lines.next(line)) {
    if (is_comment(line.text)) continue;
    if (is_blank(line.text)) {
      if (first_blank_line == 0) first_blank_line = line.number;
      continue;
    }
    if (first_blank_line != 0) {
      throw InputError(line_prefix(source, first_blank_line) + "blank line inside the data " +
                       "(blank lines are allowed only at the end of the file)");
    }
    parser.parse(line);
  }

  const size_t n_rows = table.time_s.size();
  if (n_rows == 0) {
    throw InputError(source + " has a header (line " + std::to_string(header_line) +
                     ") but no data rows");
  }
  if (n_rows == 1) {
    throw InputError(source + " has only 1 data row (line " +
                     std::to_string(parser.row_lines().front()) +
                     "); at least 2 are needed to determine the sampling rate");
  }
  table.sfreq_hz = sampling_rate(table, parser.row_lines(), source);
  return table;
}

CsvTable read_csv(const std::filesystem::path& path) {
  return parse_csv(read_file(path), path.string());
}

}  // namespace qneuro::io
