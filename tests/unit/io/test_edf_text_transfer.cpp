// An EDF file sent as text (every LF byte turned into CR LF) is refused with a message that says
// so, and only then: other oversized files get the plain size mismatch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/edf.hpp"
#include "qneuro/io/recording.hpp"
#include "test_support.hpp"

namespace qneuro::io {
namespace {

namespace fs = std::filesystem;
using qneuro::testing::TempDir;

constexpr const char* kHint = "converted as text";

// What a text-mode transfer to Windows does: a CR before every LF.
std::string crlf_mangled(const std::string& bytes) {
  std::string out;
  for (const char c : bytes) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

size_t count_lf(const std::string& bytes) {
  return static_cast<size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
}

// A recording whose int16 samples contain plenty of 0x0A bytes.
std::string written_edf(const TempDir& dir) {
  std::vector<double> a(2000);
  std::vector<double> b(2000);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = 80.0 * std::sin(0.05 * static_cast<double>(i)) + static_cast<double>(i % 7);
    b[i] = -40.0 + 0.04 * static_cast<double>(i);
  }
  const fs::path path = dir / "source.edf";
  write_edf(path, {{"Fz", "uV", "", "", 100.0, a}, {"Cz", "uV", "", "", 100.0, b}},
            {{1.0, 0.0, "marker"}});
  return read_file(path);
}

std::string read_error(const fs::path& path) {
  try {
    read_edf(path);
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "read_edf accepted " << path;
  return "";
}

void save(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(EdfTextTransfer, CrBeforeEveryLfIsDiagnosedAsATextModeTransfer) {
  TempDir dir;
  const std::string original = written_edf(dir);
  const size_t lf = count_lf(original);
  ASSERT_GT(lf, 10U);
  // The samples hold some CR LF pairs of their own: the transfer makes them CR CR LF, still one
  // extra byte per LF.
  ASSERT_NE(original.find("\r\n"), std::string::npos);
  const fs::path path = dir / "mangled.edf";
  save(path, crlf_mangled(original));
  const std::string message = read_error(path);
  for (const std::string& fragment : std::vector<std::string>{
           "mangled.edf", "file size mismatch", std::to_string(original.size()),
           std::to_string(original.size() + lf), std::to_string(lf) + " bytes too many",
           std::to_string(lf) + " CR LF pairs", "every LF byte in it follows a CR", kHint,
           "binary mode"}) {
    EXPECT_NE(message.find(fragment), std::string::npos) << fragment << ": " << message;
  }
  // load_recording passes the reader's message on.
  try {
    load_recording(path);
    ADD_FAILURE() << "load_recording accepted the mangled file";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(kHint), std::string::npos) << error.what();
  }
}

TEST(EdfTextTransfer, UnknownRecordCountGetsTheSameDiagnosis) {
  TempDir dir;
  std::string original = written_edf(dir);
  original.replace(236, 8, "-1      ");
  const fs::path path = dir / "mangled.edf";
  save(path, crlf_mangled(original));
  const std::string message = read_error(path);
  EXPECT_NE(message.find("not a whole number"), std::string::npos) << message;
  EXPECT_NE(message.find(kHint), std::string::npos) << message;
}

TEST(EdfTextTransfer, OtherOversizedFilesGetNoSuchGuess) {
  TempDir dir;
  const std::string original = written_edf(dir);
  const size_t lf = count_lf(original);
  const fs::path path = dir / "long.edf";
  // As many extra bytes, but not CRs before the LFs.
  save(path, original + std::string(lf, 'x'));
  std::string message = read_error(path);
  EXPECT_NE(message.find("bytes too many"), std::string::npos) << message;
  EXPECT_EQ(message.find(kHint), std::string::npos) << message;
  // Mangled, then one more bare LF: not every LF has a CR before it.
  save(path, crlf_mangled(original) + "\n");
  message = read_error(path);
  EXPECT_EQ(message.find(kHint), std::string::npos) << message;
  // Mangled plus other junk: the CR LF pairs do not account for the whole excess.
  save(path, crlf_mangled(original) + "junk");
  message = read_error(path);
  EXPECT_EQ(message.find(kHint), std::string::npos) << message;
  // Truncated files are not diagnosed (a CR LF -> LF conversion cannot be told from a cut).
  save(path, original.substr(0, original.size() - 100));
  message = read_error(path);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_EQ(message.find(kHint), std::string::npos) << message;
}

// The PhysioNet recording as it circulates after a text-mode transfer (../shared/data, not in
// the repository; see its README.md).
TEST(EdfTextTransfer, RealPhysionetFileMangledInTransferIsDiagnosed) {
  const fs::path data = fs::path(QNEURO_SOURCE_DIR) / ".." / "shared" / "data" / "eegmmidb";
  const fs::path mangled = data / "S001R04-crlf-mangled.edf";
  if (!fs::exists(mangled)) GTEST_SKIP() << "no " << mangled;
  const std::string message = read_error(mangled);
  for (const std::string& fragment : std::vector<std::string>{
           "S001R04-crlf-mangled.edf", "2596896 bytes", "2607749 bytes", "10853 bytes too many",
           "10853 CR LF pairs", kHint, "binary mode"}) {
    EXPECT_NE(message.find(fragment), std::string::npos) << fragment << ": " << message;
  }
  if (fs::exists(data / "S001R04.edf")) {
    const EdfFile original = read_edf(data / "S001R04.edf");
    EXPECT_EQ(original.signals.size(), 64U);
  }
}

}  // namespace
}  // namespace qneuro::io
