// Small string utilities used across layers (trimming, splitting, suggestions for typos).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace qneuro::strings {

/// Removes leading and trailing spaces (' ' only: EDF labels keep tabs and inner spaces).
std::string trim_spaces(std::string_view s);
/// Removes leading and trailing whitespace (space, tab, CR, LF).
std::string trim(std::string_view s);
/// Splits on `sep`; empty fields are kept.
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string_view s);
/// Levenshtein distance (insert, delete, substitute: cost 1 each).
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `word` if it is close enough to be a plausible typo
/// (distance <= max(2, |word|/3)), else an empty string.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
/// Formats a double compactly and exactly enough for messages (up to 10 significant digits).
std::string format_number(double x);

}  // namespace qneuro::strings
