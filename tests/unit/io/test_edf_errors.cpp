// EDF reader and writer failures: every malformed input throws InputError naming the file and
// what is wrong; nothing crashes; a failed write leaves nothing behind.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/edf.hpp"
#include "test_support.hpp"

namespace qneuro::io {
namespace {

using qneuro::testing::TempDir;
namespace fs = std::filesystem;

// Offsets of the per-signal header fields (EDF spec), for patching files.
constexpr size_t kLabelWidth = 16, kTransducerWidth = 80, kShortWidth = 8;
size_t physical_min_offset(size_t ns, size_t s) {
  return 256 + ns * (kLabelWidth + kTransducerWidth + kShortWidth) + s * kShortWidth;
}
size_t digital_min_offset(size_t ns, size_t s) {
  return physical_min_offset(ns, s) + 2 * ns * 8;
}
size_t samples_per_record_offset(size_t ns, size_t s) {
  return 256 + ns * (16 + 80 + 8 * 5 + 80) + s * 8;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

void overwrite(const fs::path& path, size_t offset, const std::string& text) {
  std::string bytes = read_file(path);
  bytes.replace(offset, text.size(), text);
  write_bytes(path, bytes);
}

// A valid EDF+ file: two signals (100 Hz, 5 records of 1 s) plus the annotation signal.
struct ValidFile {
  ValidFile() : path(dir / "valid.edf") {
    a.resize(500);
    b.resize(500);
    for (size_t i = 0; i < a.size(); ++i) {
      a[i] = 30.0 * std::sin(0.1 * static_cast<double>(i));
      b[i] = -12.0 + 0.01 * static_cast<double>(i);
    }
    write_edf(path, {{"Fz", "uV", "", "", 100.0, a}, {"Cz", "uV", "", "", 100.0, b}},
              {{1.0, 0.0, "marker"}});
    bytes = read_file(path);
  }
  static constexpr size_t kSignals = 3;  // Fz, Cz, EDF Annotations
  TempDir dir;
  fs::path path;
  std::vector<double> a, b;
  std::string bytes;
  [[nodiscard]] size_t record_bytes() const { return (bytes.size() - 256 * (kSignals + 1)) / 5; }
};

// read_edf must refuse `path` with an InputError naming every fragment.
void expect_read_error(const fs::path& path, const std::vector<std::string>& fragments) {
  testing::expect_input_error([&] { (void)read_edf(path); }, fragments, path.string());
}

TEST(EdfReadErrors, MissingFile) {
  TempDir dir;
  expect_read_error(dir / "absent.edf", {"absent.edf", "not found"});
}

TEST(EdfReadErrors, DirectoryInsteadOfFile) {
  TempDir dir;
  fs::create_directories(dir / "folder.edf");
  expect_read_error(dir / "folder.edf", {"folder.edf", "directory"});
}

TEST(EdfReadErrors, TextFileIsNotEdf) {
  TempDir dir;
  std::string text = "time,Fz,Cz\n";
  for (int i = 0; i < 100; ++i) text += std::to_string(i) + ",1.0,2.0\n";
  write_bytes(dir / "table.csv", text);
  expect_read_error(dir / "table.csv", {"table.csv", "not an EDF file", "time,Fz,"});
}

TEST(EdfReadErrors, FilesShorterThanTheHeader) {
  TempDir dir;
  write_bytes(dir / "empty.edf", "");
  expect_read_error(dir / "empty.edf", {"empty.edf", "not an EDF file"});
  write_bytes(dir / "tiny.edf", "abc");
  expect_read_error(dir / "tiny.edf", {"tiny.edf", "not an EDF file", "'abc'"});
  write_bytes(dir / "short.edf", "0       patient");
  expect_read_error(dir / "short.edf", {"short.edf", "not an EDF file", "15 bytes", "256"});
}

TEST(EdfReadErrors, TruncatedData) {
  ValidFile file;
  write_bytes(file.path, file.bytes.substr(0, file.bytes.size() - 7));
  const std::string expected = std::to_string(file.bytes.size());
  const std::string actual = std::to_string(file.bytes.size() - 7);
  expect_read_error(file.path, {"valid.edf", "truncated", "5 records", expected, actual});
}

TEST(EdfReadErrors, TruncatedSignalHeaders) {
  ValidFile file;
  write_bytes(file.path, file.bytes.substr(0, 600));
  expect_read_error(file.path, {"valid.edf", "truncated", "3 signals", "1024", "600 bytes"});
}

TEST(EdfReadErrors, RecordCountLargerThanTheData) {
  ValidFile file;
  overwrite(file.path, 236, "6       ");
  const std::string promised = std::to_string(file.bytes.size() + file.record_bytes());
  expect_read_error(file.path, {"valid.edf", "truncated", "6 records", promised,
                                std::to_string(file.bytes.size())});
}

TEST(EdfReadErrors, RecordCountSmallerThanTheData) {
  ValidFile file;
  overwrite(file.path, 236, "4       ");
  const std::string promised = std::to_string(file.bytes.size() - file.record_bytes());
  expect_read_error(file.path, {"valid.edf", "size mismatch", "4 records", promised,
                                std::to_string(file.bytes.size()), "too many"});
}

TEST(EdfReadErrors, AbsurdRecordCountDoesNotOverflow) {
  ValidFile file;
  overwrite(file.path, 236, "99999999");
  expect_read_error(file.path, {"valid.edf", "truncated", "99999999 records"});
}

TEST(EdfReadErrors, UnknownRecordCountWithAPartialRecord) {
  ValidFile file;
  write_bytes(file.path, file.bytes.substr(0, file.bytes.size() - 3));
  overwrite(file.path, 236, "-1      ");
  expect_read_error(file.path,
                    {"valid.edf", "-1", "not a whole number", std::to_string(file.record_bytes())});
}

TEST(EdfReadErrors, SamplesPerRecordDisagreeingWithTheFileSize) {
  ValidFile file;
  overwrite(file.path, samples_per_record_offset(ValidFile::kSignals, 1), "101     ");
  expect_read_error(file.path, {"valid.edf", "truncated", std::to_string(file.bytes.size() + 10),
                                std::to_string(file.bytes.size())});
}

TEST(EdfReadErrors, GarbageInASignalNumericField) {
  ValidFile file;
  const size_t offset = physical_min_offset(ValidFile::kSignals, 1);
  overwrite(file.path, offset, "12,5abc ");
  expect_read_error(file.path, {"valid.edf", "signal 2 of 3", "'Cz'", "physical minimum",
                                "is not a number", "'12,5abc'", "bytes " + std::to_string(offset)});
}

TEST(EdfReadErrors, GarbageInAMainHeaderField) {
  ValidFile file;
  overwrite(file.path, 236, "5 recs  ");
  expect_read_error(file.path, {"valid.edf", "number of data records", "bytes 236-243",
                                "not an integer", "'5 recs'"});
  overwrite(file.path, 236, "5       ");
  overwrite(file.path, 244, "one     ");
  expect_read_error(file.path, {"valid.edf", "duration of a data record", "'one'"});
  overwrite(file.path, 244, "nan     ");
  expect_read_error(file.path, {"valid.edf", "duration of a data record", "'nan'"});
}

TEST(EdfReadErrors, EmptyNumericField) {
  ValidFile file;
  overwrite(file.path, samples_per_record_offset(ValidFile::kSignals, 0), "        ");
  expect_read_error(file.path, {"valid.edf", "signal 1 of 3", "'Fz'",
                                "number of samples in each data record", "not an integer", "''"});
}

TEST(EdfReadErrors, DigitalMinimumNotBelowMaximum) {
  ValidFile file;
  overwrite(file.path, digital_min_offset(ValidFile::kSignals, 0), "32767   ");
  expect_read_error(file.path, {"valid.edf", "signal 1 of 3", "'Fz'", "digital minimum 32767",
                                "digital maximum 32767"});
}

TEST(EdfReadErrors, DigitalValueOutsideInt16) {
  ValidFile file;
  overwrite(file.path, digital_min_offset(ValidFile::kSignals, 1), "-40000  ");
  expect_read_error(file.path,
                    {"valid.edf", "signal 2 of 3", "digital minimum", "-40000", "16-bit"});
}

TEST(EdfReadErrors, EqualPhysicalLimits) {
  ValidFile file;
  const size_t ns = ValidFile::kSignals;
  const std::string max_text = file.bytes.substr(physical_min_offset(ns, 0) + ns * 8, 8);
  overwrite(file.path, physical_min_offset(ns, 0), max_text);
  expect_read_error(file.path, {"valid.edf", "signal 1 of 3", "physical minimum and maximum"});
}

TEST(EdfReadErrors, HeaderByteCountDisagreesWithSignalCount) {
  ValidFile file;
  overwrite(file.path, 184, "768     ");
  expect_read_error(file.path,
                    {"valid.edf", "number of bytes in header record", "768", "expected 1024"});
}

TEST(EdfReadErrors, SignalCountOutOfRange) {
  ValidFile file;
  overwrite(file.path, 252, "0   ");
  expect_read_error(file.path, {"valid.edf", "number of signals", "is 0"});
  overwrite(file.path, 252, "-3  ");
  expect_read_error(file.path, {"valid.edf", "number of signals", "is -3"});
}

TEST(EdfReadErrors, ZeroRecordDurationWithOrdinarySignals) {
  ValidFile file;
  overwrite(file.path, 244, "0       ");
  expect_read_error(file.path, {"valid.edf", "duration of a data record", "expected > 0"});
}

TEST(EdfReadErrors, EveryTruncationIsReportedNotCrashed) {
  ValidFile file;
  for (size_t length = 0; length < file.bytes.size(); length += 3) {
    write_bytes(file.path, file.bytes.substr(0, length));
    EXPECT_THROW(read_edf(file.path), InputError) << "length " << length;
  }
}

TEST(EdfReadErrors, RandomHeaderCorruptionNeverCrashes) {
  ValidFile file;
  std::mt19937 rng(12345);
  std::uniform_int_distribution<size_t> position(0, 256 * (ValidFile::kSignals + 1) - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  int rejected = 0;
  for (int trial = 0; trial < 1000; ++trial) {
    std::string bytes = file.bytes;
    for (int k = 0; k < 3; ++k) bytes[position(rng)] = static_cast<char>(byte(rng));
    write_bytes(file.path, bytes);
    try {
      // Whatever was accepted is self-consistent: whole records of every signal.
      const EdfFile read = read_edf(file.path);
      for (const EdfSignal& signal : read.signals) {
        EXPECT_EQ(static_cast<int64_t>(signal.samples.size()),
                  read.n_records * signal.samples_per_record);
      }
    } catch (const InputError& error) {
      ++rejected;
      EXPECT_NE(std::string(error.what()).find("valid.edf"), std::string::npos) << error.what();
    }
  }
  EXPECT_GT(rejected, 0);
}

// ------------------------------------------------------------------------------------------------
// Writer

// Expects write_edf to throw InputError mentioning every fragment, leaving the directory empty.
void expect_write_error(const std::vector<EdfWriteSignal>& signals,
                        const std::vector<Annotation>& annotations, const EdfWriteOptions& options,
                        const std::vector<std::string>& fragments) {
  TempDir dir;
  const fs::path path = dir / "out.edf";
  try {
    write_edf(path, signals, annotations, options);
    ADD_FAILURE() << "write_edf accepted the input";
  } catch (const InputError& error) {
    const std::string message = error.what();
    for (const std::string& fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << "message lacks '" << fragment << "': " << message;
    }
  }
  EXPECT_TRUE(fs::is_empty(dir.path())) << "a failed write left files behind";
}

TEST(EdfWriteErrors, NanAndInfiniteSamples) {
  std::vector<double> good(100, 1.0);
  std::vector<double> bad(100, 2.0);
  bad[37] = std::numeric_limits<double>::quiet_NaN();
  expect_write_error({{"Fz", "uV", "", "", 100.0, good}, {"Pz", "uV", "", "", 100.0, bad}}, {}, {},
                     {"out.edf", "signal 2", "'Pz'", "sample 37", "NaN"});
  bad[37] = -std::numeric_limits<double>::infinity();
  expect_write_error({{"Pz", "uV", "", "", 100.0, bad}}, {}, {},
                     {"out.edf", "'Pz'", "sample 37", "infinite"});
}

TEST(EdfWriteErrors, FailedWriteKeepsThePreviousFile) {
  TempDir dir;
  const fs::path path = dir / "keep.edf";
  const std::vector<double> good(100, 1.0);
  write_edf(path, {{"Fz", "uV", "", "", 100.0, good}});
  const std::string before = read_file(path);
  std::vector<double> bad = good;
  bad.back() = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(write_edf(path, {{"Fz", "uV", "", "", 100.0, bad}}), InputError);
  EXPECT_EQ(read_file(path), before);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1U) << "a temporary file was left behind";
}

TEST(EdfWriteErrors, NoSignalsOrEmptySignal) {
  expect_write_error({}, {}, {}, {"out.edf", "no signals"});
  expect_write_error({{"Fz", "uV", "", "", 100.0, {}}}, {}, {}, {"'Fz'", "no samples"});
}

TEST(EdfWriteErrors, BadSamplingRate) {
  const std::vector<double> samples(10, 0.0);
  expect_write_error({{"Fz", "uV", "", "", 0.0, samples}}, {}, {}, {"'Fz'", "sampling rate 0"});
  expect_write_error({{"Fz", "uV", "", "", -5.0, samples}}, {}, {}, {"'Fz'", "sampling rate -5"});
}

TEST(EdfWriteErrors, SignalsOfDifferentDurations) {
  const std::vector<double> ten_seconds(1000, 0.0);
  const std::vector<double> nine_seconds(900, 0.0);
  expect_write_error(
      {{"Fz", "uV", "", "", 100.0, ten_seconds}, {"Cz", "uV", "", "", 100.0, nine_seconds}}, {}, {},
      {"out.edf", "differ in duration", "'Fz'", "10 s", "'Cz'", "9 s"});
}

TEST(EdfWriteErrors, RateThatFitsNoRecordDuration) {
  const std::vector<double> samples(777, 0.0);
  expect_write_error({{"odd", "uV", "", "", 7.77, samples}}, {}, {},
                     {"out.edf", "no record duration", "7.77 Hz"});
}

TEST(EdfWriteErrors, ExplicitRecordDurationThatDoesNotFit) {
  const std::vector<double> samples(256, 0.0);
  EdfWriteOptions options;
  options.record_duration_s = 0.3;
  expect_write_error({{"Fz", "uV", "", "", 256.0, samples}}, {}, options,
                     {"out.edf", "record duration 0.3", "whole number", "256 Hz"});
  options.record_duration_s = 1.0 / 3.0;
  expect_write_error({{"Fz", "uV", "", "", 3.0, std::vector<double>(3, 0.0)}}, {}, options,
                     {"out.edf", "exactly representable"});
  options.record_duration_s = -1.0;
  expect_write_error({{"Fz", "uV", "", "", 256.0, samples}}, {}, options,
                     {"out.edf", "record duration -1"});
}

TEST(EdfWriteErrors, ValuesTooLargeForThePhysicalRangeField) {
  const std::vector<double> samples = {0.0, 1e9, -5.0, 2.0};
  expect_write_error({{"huge", "uV", "", "", 4.0, samples}}, {}, {},
                     {"out.edf", "'huge'", "1000000000", "8-character"});
}

TEST(EdfWriteErrors, BadAnnotations) {
  const std::vector<double> samples(100, 0.0);
  expect_write_error({{"Fz", "uV", "", "", 100.0, samples}},
                     {{std::numeric_limits<double>::quiet_NaN(), 0.0, "lost"}}, {},
                     {"out.edf", "annotation 1", "'lost'", "finite onset"});
  expect_write_error({{"Fz", "uV", "", "", 100.0, samples}}, {{0.5, -1.0, "backwards"}}, {},
                     {"'backwards'", "duration -1"});
  EdfWriteOptions plain;
  plain.edf_plus = false;
  expect_write_error({{"Fz", "uV", "", "", 100.0, samples}}, {{0.5, 0.0, "x"}}, plain,
                     {"out.edf", "plain EDF"});
}

}  // namespace
}  // namespace qneuro::io
