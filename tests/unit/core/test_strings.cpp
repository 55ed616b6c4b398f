#include <gtest/gtest.h>

#include "qneuro/core/progress.hpp"
#include "qneuro/core/strings.hpp"

namespace {

using namespace qneuro::strings;

TEST(Strings, TrimSpacesKeepsInnerText) {
  EXPECT_EQ(trim_spaces("  EEG Fpz-Cz  "), "EEG Fpz-Cz");
  EXPECT_EQ(trim_spaces("\tx "), "\tx");
  EXPECT_EQ(trim_spaces("    "), "");
  EXPECT_EQ(trim(" \t x \r\n"), "x");
}

TEST(Strings, SplitKeepsEmptyFields) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
}

TEST(Strings, EditDistanceAndSuggestions) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(closest_match("welch.npreseg", {"welch.nperseg", "welch.overlap"}), "welch.nperseg");
  EXPECT_EQ(closest_match("zzzzzzzz", {"alpha", "beta"}), "");
  EXPECT_EQ(closest_match("OZ", {"O1", "Oz"}), "Oz");
}

TEST(Strings, FormatNumber) {
  EXPECT_EQ(format_number(0.5), "0.5");
  EXPECT_EQ(format_number(160), "160");
  EXPECT_EQ(format_number(1.0 / 3.0), "0.3333333333");
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(qneuro::ProgressBar::format_duration(4.56), "4.6 s");
  EXPECT_EQ(qneuro::ProgressBar::format_duration(200), "3 min 20 s");
  EXPECT_EQ(qneuro::ProgressBar::format_duration(7500), "2 h 05 min");
}

}  // namespace
