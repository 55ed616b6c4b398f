// CSV time-series reader: accepted layouts, sampling rate, and one test per kind of bad input
// (each checks that the message names the file, the line and what is wrong).
#include "qneuro/io/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "test_support.hpp"

namespace qneuro::io {
namespace {

using qneuro::testing::TempDir;

constexpr const char* kSource = "rec.csv";

// Times to 6 decimals, as most tools print them.
std::string time_text(size_t sample, double sfreq_hz) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6f", static_cast<double>(sample) / sfreq_hz);
  return buffer;
}

// The message of the InputError parse_csv throws, or a failure if it throws none.
std::string parse_error(const std::string& text) {
  try {
    (void)parse_csv(text, kSource);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InputError for:\n" << text;
  return "";
}

void expect_contains(const std::string& message, const std::vector<std::string>& parts) {
  for (const std::string& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
  }
}

TEST(Csv, CommaSeparatedFile) {
  const CsvTable t =
      parse_csv("time,Fp1,Fp2,Cz\n0,1,2,3\n0.004,-0.5,+2,1e-3\n0.008,4,5,6\n", kSource);
  EXPECT_EQ(t.channels, (std::vector<std::string>{"Fp1", "Fp2", "Cz"}));
  EXPECT_EQ(t.time_s, (std::vector<double>{0, 0.004, 0.008}));
  ASSERT_EQ(t.data.size(), 3u);
  EXPECT_EQ(t.data[0], (std::vector<double>{1, -0.5, 4}));
  EXPECT_EQ(t.data[1], (std::vector<double>{2, 2, 5}));
  EXPECT_EQ(t.data[2], (std::vector<double>{3, 1e-3, 6}));
  EXPECT_DOUBLE_EQ(t.sfreq_hz, 250.0);
}

TEST(Csv, SemicolonAndTabSeparators) {
  const CsvTable semicolon = parse_csv("t;A;B\n0;1;2\n0.5;3;4\n", kSource);
  EXPECT_EQ(semicolon.channels, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(semicolon.data[1], (std::vector<double>{2, 4}));
  EXPECT_DOUBLE_EQ(semicolon.sfreq_hz, 2.0);

  const CsvTable tab = parse_csv("time\tC3\tC4\n0\t1.5\t2\n0.01\t3\t-4\n", kSource);
  EXPECT_EQ(tab.channels, (std::vector<std::string>{"C3", "C4"}));
  EXPECT_EQ(tab.data[0], (std::vector<double>{1.5, 3}));
  EXPECT_EQ(tab.data[1], (std::vector<double>{2, -4}));
  EXPECT_DOUBLE_EQ(tab.sfreq_hz, 100.0);
}

TEST(Csv, QuotedCellsSpacesCrlfCommentsAndTrailingBlankLines) {
  const std::string text =
      "\xEF\xBB\xBF# exported by a recorder\r\n"
      "\"time (s)\", \"Fp1\" ,\"ref, left\",\"say \"\"hi\"\"\"\r\n"
      " 0 , 1 ,\"2\", 3\r\n"
      "# a comment between rows\r\n"
      "0.002,4,5,6\r\n"
      "\r\n"
      "  \r\n";
  const CsvTable t = parse_csv(text, kSource);
  EXPECT_EQ(t.channels, (std::vector<std::string>{"Fp1", "ref, left", "say \"hi\""}));
  EXPECT_EQ(t.time_s, (std::vector<double>{0, 0.002}));
  EXPECT_EQ(t.data[0], (std::vector<double>{1, 4}));
  EXPECT_EQ(t.data[1], (std::vector<double>{2, 5}));
  EXPECT_EQ(t.data[2], (std::vector<double>{3, 6}));
  EXPECT_DOUBLE_EQ(t.sfreq_hz, 500.0);
}

TEST(Csv, LastLineWithoutNewline) {
  const CsvTable t = parse_csv("time,X\n0,1\n1,2", kSource);
  EXPECT_EQ(t.data[0], (std::vector<double>{1, 2}));
  EXPECT_DOUBLE_EQ(t.sfreq_hz, 1.0);
}

TEST(Csv, SamplingRateFromRoundedTimes) {
  for (const double sfreq : {250.0, 256.0, 512.0, 1000.0}) {
    std::string text = "time,Fz\n";
    for (size_t i = 0; i < 2000; ++i) text += time_text(i, sfreq) + "," + std::to_string(i) + "\n";
    const CsvTable t = parse_csv(text, kSource);
    EXPECT_NEAR(t.sfreq_hz, sfreq, sfreq * 1e-6) << sfreq;
    EXPECT_EQ(t.time_s.size(), 2000u);
    EXPECT_EQ(t.data[0][1999], 1999.0);
  }
}

TEST(Csv, ManyChannelsAndRows) {
  constexpr size_t kChannels = 64;
  constexpr size_t kRows = 5000;
  std::string text = "time";
  for (size_t c = 0; c < kChannels; ++c) text += ",ch" + std::to_string(c);
  text += "\n";
  for (size_t r = 0; r < kRows; ++r) {
    text += time_text(r, 250.0);
    for (size_t c = 0; c < kChannels; ++c) {
      text += ',';  // appended piecewise: g++ 12 warns falsely (-Wrestrict) on "," + s
      text += std::to_string(static_cast<double>(r) * 0.001 - static_cast<double>(c));
    }
    text += "\n";
  }
  const CsvTable t = parse_csv(text, kSource);
  ASSERT_EQ(t.data.size(), kChannels);
  EXPECT_EQ(t.channels.back(), "ch63");
  EXPECT_EQ(t.data[63].size(), kRows);
  EXPECT_DOUBLE_EQ(t.data[63][4999], 4.999 - 63.0);
  EXPECT_DOUBLE_EQ(t.sfreq_hz, 250.0);
}

TEST(Csv, RaggedRow) {
  EXPECT_EQ(parse_error("time,a,b\n0,1,2\n1,3\n"),
            "rec.csv line 3: expected 3 columns (as in the header), found 2");
  EXPECT_EQ(parse_error("time,a,b\n0,1,2\n1,3,4,5\n"),
            "rec.csv line 3: expected 3 columns (as in the header), found 4");
}

TEST(Csv, NotANumber) {
  EXPECT_EQ(parse_error("time,Fp1,Fp2,Fz\n0,1,2,3\n1,4,5,abc\n"),
            "rec.csv line 3, column 'Fz' (4): 'abc' is not a number");
  expect_contains(parse_error("time,Fp1\n0,1\n0x1,2\n"),
                  {"rec.csv line 3", "column 'time' (1)", "'0x1' is not a number"});
  expect_contains(parse_error("time,Fp1\n0,1.5.2\n1,2\n"), {"line 2", "'1.5.2' is not a number"});
  expect_contains(parse_error("time,Fp1\n0,1\n1,+-2\n"), {"line 3", "'+-2' is not a number"});
  expect_contains(parse_error("time,A;B\n0,1;2\n1,2;3\n"), {"line 2", "'1;2' is not a number"});
}

TEST(Csv, NanAndInfinityAreRejected) {
  expect_contains(parse_error("time,Fp1,Fz\n0,1,2\n1,3,nan\n"),
                  {"rec.csv line 3", "column 'Fz' (3)", "'nan' is not a number", "NaN"});
  expect_contains(parse_error("time,Fp1\n0,-inf\n1,2\n"),
                  {"rec.csv line 2", "column 'Fp1' (2)", "'-inf' is not a number"});
  expect_contains(parse_error("time,Fp1\n0,1e999\n1,2\n"),
                  {"rec.csv line 2", "column 'Fp1' (2)", "'1e999'", "out of the range"});
}

TEST(Csv, EmptyCell) {
  expect_contains(parse_error("time,a,b\n0,1,2\n1,,3\n"),
                  {"rec.csv line 3", "column 'a' (2)", "empty cell"});
}

TEST(Csv, TimeNotIncreasing) {
  const std::string message = parse_error("time,a\n0,1\n0.004,2\n0.004,3\n");
  expect_contains(message, {"rec.csv line 4", "0.004", "(line 3)", "strictly increasing"});
  expect_contains(parse_error("time,a\n0.5,1\n0.25,2\n"),
                  {"rec.csv line 3", "time 0.25", "previous time 0.5", "(line 2)"});
}

TEST(Csv, TimeNotUniform) {
  const std::string message = parse_error("time,a\n0,1\n0.004,2\n0.008,3\n0.02,4\n0.024,5\n");
  expect_contains(message, {"rec.csv line 5", "from 0.008 (line 4) to 0.02", "median step is 0.004",
                            "uniformly sampled"});
}

TEST(Csv, TooFewRows) {
  expect_contains(parse_error("time,a\n0,1\n"),
                  {"rec.csv", "only 1 data row", "line 2", "at least 2"});
  expect_contains(parse_error("time,a,b\n\n"), {"rec.csv", "header (line 1)", "no data rows"});
  expect_contains(parse_error("time,a,b\n# nothing here\n"), {"rec.csv", "no data rows"});
}

TEST(Csv, EmptyFileOrOnlyComments) {
  EXPECT_EQ(parse_error(""), "rec.csv is empty");
  EXPECT_EQ(parse_error("\r\n  \n"), "rec.csv is empty");
  expect_contains(parse_error("# just a comment\n"), {"rec.csv", "no header row"});
}

TEST(Csv, BadHeaders) {
  EXPECT_EQ(parse_error("time,Fz,Cz,Fz\n0,1,2,3\n1,4,5,6\n"),
            "rec.csv line 1: duplicate channel name 'Fz' (columns 2 and 4)");
  expect_contains(parse_error("time, Fz ,\"Fz\"\n0,1,2\n1,4,5\n"),
                  {"line 1", "duplicate channel name 'Fz'"});
  expect_contains(parse_error("time\n0\n1\n"), {"rec.csv line 1", "single column"});
  expect_contains(parse_error("time,a,\n0,1,2\n1,3,4\n"),
                  {"rec.csv line 1", "column 3 has an empty name"});
  expect_contains(parse_error("time,\"a\n0,1\n1,2\n"), {"rec.csv line 1", "never closed"});
  expect_contains(parse_error("time,\"a\"b,c\n0,1,2\n1,2,3\n"),
                  {"rec.csv line 1", "after the closing quote"});
  expect_contains(parse_error("time,a\r0,1\r1,2\r"), {"rec.csv line 1", "carriage return"});
}

TEST(Csv, BlankLineInsideTheData) {
  expect_contains(parse_error("time,a\n0,1\n\n1,2\n"),
                  {"rec.csv line 3", "blank line", "only at the end"});
}

TEST(Csv, QuotedDataCellsAndUnterminatedQuotes) {
  const CsvTable t = parse_csv("time,a\n\"0\",\"1.5\"\n1,2\n", kSource);
  EXPECT_EQ(t.data[0], (std::vector<double>{1.5, 2}));
  expect_contains(parse_error("time,a\n0,1\n1,\"2\n"), {"rec.csv line 3", "never closed"});
}

TEST(Csv, LongBadCellIsShortenedInTheMessage) {
  const std::string garbage(5000, 'z');
  const std::string message = parse_error("time,a\n0," + garbage + "\n1,2\n");
  expect_contains(message, {"rec.csv line 2", "...'", "is not a number"});
  EXPECT_LT(message.size(), 200u);
}

TEST(Csv, ReadCsvNamesThePath) {
  TempDir dir;
  const std::filesystem::path path = dir / "eeg.csv";
  std::ofstream(path) << "time,O1,O2\n0,1,2\n0.5,3,4\n";
  const CsvTable t = read_csv(path);
  EXPECT_EQ(t.channels, (std::vector<std::string>{"O1", "O2"}));
  EXPECT_DOUBLE_EQ(t.sfreq_hz, 2.0);

  std::ofstream(path) << "time,O1\n0,1\n0.5,x\n";
  try {
    (void)read_csv(path);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path.string() + " line 3, column 'O1' (2): 'x' is not a number");
  }
  EXPECT_THROW((void)read_csv(dir / "missing.csv"), InputError);
}

}  // namespace
}  // namespace qneuro::io
