// Regression tests: every bad input to `qneuro analyze` exits with code 2 and one clear message
// naming the file and what is wrong; never a crash. Each test is named after the failure.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>

#include "qneuro/io/edf.hpp"
#include "test_support.hpp"

namespace {

using qneuro::testing::run_qneuro;
using qneuro::testing::shell_quote;
using qneuro::testing::TempDir;

// A valid 4-channel, 20 s EDF+ at 160 Hz (record duration 1 s, 320 bytes per channel-record).
std::filesystem::path write_valid_edf(const TempDir& dir, const std::string& name = "ok.edf") {
  const std::size_t n = 160 * 20;
  std::vector<std::vector<double>> x(4, std::vector<double>(n));
  for (std::size_t c = 0; c < 4; ++c) {
    for (std::size_t t = 0; t < n; ++t) {
      x[c][t] = 20.0 * std::sin(2 * std::numbers::pi * 10.0 * static_cast<double>(t) / 160.0 +
                                0.3 * static_cast<double>(c));
    }
  }
  std::vector<qneuro::io::EdfWriteSignal> sig;
  const char* names[] = {"O1", "Oz", "O2", "Pz"};
  for (std::size_t c = 0; c < 4; ++c) sig.push_back({names[c], "uV", "", "", 160.0, x[c]});
  qneuro::io::EdfWriteOptions opt;
  opt.record_duration_s = 1.0;
  const auto path = dir / name;
  qneuro::io::write_edf(path, sig, {{1.0, 0.0, "T0"}}, opt);
  return path;
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::filesystem::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

void expect_input_error(const std::string& args, const std::vector<std::string>& needles) {
  const auto r = run_qneuro("analyze " + args + " --quiet");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  for (const auto& needle : needles) {
    EXPECT_NE(r.output.find(needle), std::string::npos) << "missing '" << needle << "' in:\n"
                                                        << r.output;
  }
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
}

TEST(BadInput, MissingFileExits2) {
  TempDir dir;
  const auto p = dir / "nope.edf";
  expect_input_error(shell_quote(p.string()) + " --out " + shell_quote((dir / "o").string()),
                     {"not found", p.string()});
}

TEST(BadInput, NonEdfFileWithEdfExtensionExits2) {
  TempDir dir;
  const auto p = dir / "fake.edf";
  write_bytes(p, "this is not an EDF file at all, just text\n");
  expect_input_error(shell_quote(p.string()), {"not an EDF file", p.string()});
}

TEST(BadInput, TruncatedEdfExits2) {
  TempDir dir;
  const auto p = write_valid_edf(dir);
  std::string bytes = read_bytes(p);
  bytes.resize(bytes.size() - 1000);
  write_bytes(p, bytes);
  expect_input_error(shell_quote(p.string()), {"truncated", p.string()});
}

TEST(BadInput, EdfHeaderRecordCountDisagreesWithFileSizeExits2) {
  TempDir dir;
  const auto p = write_valid_edf(dir);
  std::string bytes = read_bytes(p);
  bytes.replace(236, 8, "18      ");  // header says 18 records, the data holds 20
  write_bytes(p, bytes);
  const auto size = std::to_string(bytes.size());
  expect_input_error(shell_quote(p.string()), {p.string(), size});
}

TEST(BadInput, EdfSamplesPerRecordDisagreeWithFileSizeExits2) {
  TempDir dir;
  const auto p = write_valid_edf(dir);
  std::string bytes = read_bytes(p);
  // ns = 5 (4 signals + annotations); samples-per-record fields start at 256 + 216 * ns.
  const std::size_t ns = 5, field = 256 + 216 * ns;
  bytes.replace(field, 8, "150     ");  // first signal claims 150 samples per record, not 160
  write_bytes(p, bytes);
  expect_input_error(shell_quote(p.string()), {p.string(), "bytes"});
}

TEST(BadInput, CsvRaggedRowExits2) {
  TempDir dir;
  const auto p = dir / "ragged.csv";
  write_bytes(p, "time,a,b\n0,1,2\n0.01,1\n0.02,1,2\n");
  expect_input_error(shell_quote(p.string()), {p.string(), "line 3"});
}

TEST(BadInput, CsvNonNumberExits2) {
  TempDir dir;
  const auto p = dir / "text.csv";
  write_bytes(p, "time,a,b\n0,1,2\n0.01,1,abc\n0.02,1,2\n");
  expect_input_error(shell_quote(p.string()), {p.string(), "'abc' is not a number"});
}

TEST(BadInput, UnknownChannelNameExits2) {
  TempDir dir;
  const auto p = write_valid_edf(dir);
  expect_input_error(shell_quote(p.string()) + " --channels O1,Fz",
                     {"no channel named 'Fz'", "available: O1, Oz, O2, Pz"});
}

TEST(BadInput, BandAboveNyquistExits2) {
  TempDir dir;
  const auto p = write_valid_edf(dir);
  expect_input_error(shell_quote(p.string()) + " --set 'bands.high=[70, 90]'",
                     {"bands", "'high'", "fs/2", "80"});
}

TEST(BadInput, UnknownConfigKeyExits2) {
  TempDir dir;
  const auto p = write_valid_edf(dir);
  expect_input_error(shell_quote(p.string()) + " --set welch.npreseg=128",
                     {"unknown key 'welch.npreseg'", "did you mean 'welch.nperseg'"});
}

TEST(BadInput, RecordingShorterThanSegmentExits2) {
  TempDir dir;
  const auto p = write_valid_edf(dir);
  expect_input_error(shell_quote(p.string()) + " --set welch.nperseg=5000",
                     {"welch.nperseg", "3200"});
}

TEST(BadInput, UnknownFlagIsUsageErrorExit2) {
  const auto r = run_qneuro("analyze --no-such-flag x.edf");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

// Real EDF+ files (PhysioNet's among them) carry Latin-1 bytes in annotation text; they must load.
TEST(BadInput, EdfPlusWithNonUtf8AnnotationLoads) {
  TempDir dir;
  const auto p = write_valid_edf(dir);
  std::string bytes = read_bytes(p);
  const auto at = bytes.find("T0");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = static_cast<char>(0xE9);      // 'é' in Latin-1, invalid as UTF-8
  bytes[at + 1] = static_cast<char>(0xB5);  // 'µ'
  write_bytes(p, bytes);
  const auto out = dir / "out";
  const auto r = run_qneuro("analyze " + shell_quote(p.string()) + " --out " +
                            shell_quote(out.string()) + " --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out / "summary.json"));
}

}  // namespace
