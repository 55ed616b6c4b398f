// CSV time-series reader: a header row, then one row per sample.
//
// Layout: first column is time in seconds, the remaining columns are channels; the header row
// names the columns (the first header cell, e.g. "time", is ignored). Separator: ',' (default),
// or ';' / tab, detected from the header row. Cells may be quoted with '"'. Blank lines at the end
// and lines starting with '#' are skipped (a leading UTF-8 byte-order mark is ignored). The time
// column must be strictly increasing and uniform: every step within 1e-3 relative of the median
// step (else InputError naming the line and both times). The sampling rate is taken from the
// whole span, (n - 1) / (t_last - t_first), which is unbiased by the rounding of printed times,
// and snapped to the nearest millihertz when within 1 ppm of it (so 160 Hz is exactly 160, not
// 160.0000000000034 or 159.99999, and band edges select the intended bins).
// Ragged rows, empty cells and non-numbers throw InputError naming file, line and column.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace qneuro::io {

struct CsvTable {
  std::vector<std::string> channels;      ///< header names of columns 2..n, trimmed of spaces
  std::vector<double> time_s;             ///< first column
  std::vector<std::vector<double>> data;  ///< [channel][sample]
  double sfreq_hz = 0.0;                  ///< from the time column
};

/// Reads a CSV time series. Throws InputError on any malformed content.
CsvTable read_csv(const std::filesystem::path& path);

/// Parses CSV text (`source` names it in error messages).
CsvTable parse_csv(const std::string& text, const std::string& source);

}  // namespace qneuro::io

namespace qneuro::io {

/// Writes a time series as CSV: header "time_s,<names...>", then one row per sample with the
/// time k / fs and every value printed with 17 significant digits (exact round trip). Atomic.
void write_csv(const std::filesystem::path& path, const std::vector<std::string>& channels,
               const std::vector<std::vector<double>>& data, double sfreq_hz);

}  // namespace qneuro::io
