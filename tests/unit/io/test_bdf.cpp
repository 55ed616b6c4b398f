// BDF (BioSemi 24-bit EDF) and BDF+ reading: files from an independent Python writer
// (tests/unit/io/write_bdf.py, standard library only) read back exactly, through read_edf and
// load_recording; the same files read by MNE-Python give the same microvolts; hand-made files
// check int24 decoding and every header rule, each violation an InputError naming the file and
// field.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/edf.hpp"
#include "qneuro/io/recording.hpp"
#include "test_support.hpp"

namespace qneuro::io {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using qneuro::testing::read_json;
using qneuro::testing::run_command;
using qneuro::testing::shell_quote;
using qneuro::testing::TempDir;

std::string script(const std::string& name) {
  return shell_quote(std::string(QNEURO_SOURCE_DIR) + "/tests/unit/io/" + name);
}

// Runs write_bdf.py for `kase` into `dir`; returns the expectations it wrote.
json write_with_python(const TempDir& dir, const std::string& kase) {
  const auto r = run_command(shell_quote(QNEURO_PYTHON) + " " + script("write_bdf.py") + " " +
                             shell_quote(dir.path().string()) + " " + kase);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return read_json(dir / (kase + ".json"));
}

double peak(const std::vector<double>& values) {
  double p = 0.0;
  for (const double v : values) p = std::max(p, std::abs(v));
  return p;
}

// The reader computes phys_min + steps * gain, the writer phys_min + steps * range / drange:
// the two roundings differ by a few ulps of the range.
void expect_close(const std::vector<double>& got, const std::vector<double>& want, double rel,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  const double tolerance = rel * std::max(peak(want), 1e-300);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tolerance) << what << " sample " << i;
  }
}

TEST(BdfRead, BioSemiFileFromAnIndependentWriterReadsExactly) {
  TempDir dir;
  const json expected = write_with_python(dir, "biosemi");
  const EdfFile file = read_edf(dir / "biosemi.bdf");
  EXPECT_TRUE(file.bdf);
  EXPECT_EQ(file.variant, EdfVariant::Edf);
  EXPECT_EQ(file.start_date, "01.02.03");
  EXPECT_EQ(file.start_time, "04.05.06");
  EXPECT_EQ(file.n_records, 3);
  EXPECT_EQ(file.record_duration_s, 1.0);
  EXPECT_TRUE(file.annotations.empty());
  ASSERT_EQ(file.signals.size(), expected["channels"].size());
  for (size_t s = 0; s < file.signals.size(); ++s) {
    const EdfSignal& signal = file.signals[s];
    const json& want = expected["channels"][s];
    EXPECT_EQ(signal.label, want["label"].get<std::string>());
    EXPECT_EQ(signal.physical_dimension, want["dimension"].get<std::string>());
    EXPECT_EQ(signal.digital_min, want["digital_min"].get<int32_t>());
    EXPECT_EQ(signal.digital_max, want["digital_max"].get<int32_t>());
    EXPECT_EQ(signal.physical_min, want["physical_min"].get<double>());
    EXPECT_EQ(signal.physical_max, want["physical_max"].get<double>());
    EXPECT_EQ(signal.sfreq_hz, 256.0);
    expect_close(signal.samples, want["physical"].get<std::vector<double>>(), 1e-14, signal.label);
  }
  EXPECT_EQ(file.signals[0].transducer, "Active Electrode");
  EXPECT_EQ(file.signals[0].prefiltering, "HP:DC; LP:52 Hz");
  // Both int24 extremes and the values around zero, sign-extended correctly.
  const EdfSignal& fp1 = file.signals[0];
  EXPECT_EQ(fp1.samples[0], -262144.0);
  EXPECT_EQ(fp1.samples[1], 262143.0);
  // Status: equal physical and digital ranges, so the signed 24-bit word comes back as it is.
  const EdfSignal& status = file.signals[4];
  EXPECT_EQ(status.label, "Status");
  const std::vector<double> words(status.samples.begin() + 10, status.samples.begin() + 16);
  EXPECT_EQ(words,
            (std::vector<double>{0xFF0001 - (1 << 24), 0x100005, 0x7F00FF, -1, 0, -(1 << 23)}));
}

TEST(BdfRead, LoadRecordingSaysBdfConvertsToMicrovoltsAndKeepsTheStatusChannel) {
  TempDir dir;
  const json expected = write_with_python(dir, "biosemi");
  // Content decides, not the extension.
  fs::rename(dir / "biosemi.bdf", dir / "biosemi.dat");
  const Recording rec = load_recording(dir / "biosemi.dat");
  EXPECT_EQ(rec.format, "bdf");
  EXPECT_EQ(rec.sfreq_hz, 256.0);
  EXPECT_EQ(rec.channels, (std::vector<std::string>{"Fp1", "Cz", "O2", "EXG1", "Status"}));
  const std::map<std::string, double> uv_per_unit = {{"uV", 1.0}, {"mV", 1000.0}, {"Boolean", 1.0}};
  for (size_t c = 0; c < rec.n_channels(); ++c) {
    const json& want = expected["channels"][c];
    std::vector<double> uv = want["physical"].get<std::vector<double>>();
    for (double& v : uv) v *= uv_per_unit.at(want["dimension"].get<std::string>());
    expect_close(rec.data[c], uv, 1e-14, rec.channels[c]);
  }
  const Recording picked =
      load_recording(dir / "biosemi.dat", {.channels = {.names = {"Cz"}, .regex = ""}});
  EXPECT_EQ(picked.channels, std::vector<std::string>{"Cz"});
}

TEST(BdfRead, BdfPlusAnnotationsFromAnIndependentWriter) {
  TempDir dir;
  const json expected = write_with_python(dir, "bdfplus");
  const EdfFile file = read_edf(dir / "bdfplus.bdf");
  EXPECT_TRUE(file.bdf);
  EXPECT_EQ(file.variant, EdfVariant::EdfPlusContinuous);
  EXPECT_EQ(file.record_onsets_s, (std::vector<double>{0.0, 1.0}));
  ASSERT_EQ(file.signals.size(), 2U);  // "BDF Annotations" is not a signal
  for (size_t s = 0; s < 2; ++s) {
    expect_close(file.signals[s].samples,
                 expected["channels"][s]["physical"].get<std::vector<double>>(), 1e-14,
                 file.signals[s].label);
  }
  ASSERT_EQ(file.annotations.size(), expected["annotations"].size());
  for (size_t a = 0; a < file.annotations.size(); ++a) {
    const json& want = expected["annotations"][a];
    EXPECT_EQ(file.annotations[a].onset_s, want["onset_s"].get<double>());
    EXPECT_EQ(file.annotations[a].duration_s, want["duration_s"].get<double>());
    EXPECT_EQ(file.annotations[a].text, want["text"].get<std::string>());
  }
  const Recording rec = load_recording(dir / "bdfplus.bdf");
  EXPECT_EQ(rec.format, "bdf+");
  EXPECT_EQ(rec.annotations.size(), 4U);
}

// MNE returns volts for voltage channels; its Status channel is post-processed (trigger bits), so
// only the voltages are compared here (the Status words are checked against the writer above).
TEST(BdfInterop, MneReadsTheSameMicrovoltsAndAnnotations) {
  for (const std::string kase : {"biosemi", "bdfplus"}) {
    TempDir dir;
    write_with_python(dir, kase);
    const fs::path bdf = dir / (kase + ".bdf");
    const auto r =
        run_command(shell_quote(QNEURO_PYTHON) + " " + script("mne_read.py") + " " +
                    shell_quote(bdf.string()) + " " + shell_quote((dir / "mne.json").string()));
    if (r.exit_code == 77) GTEST_SKIP() << r.output;
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json mne = read_json(dir / "mne.json");
    const Recording rec = load_recording(bdf);
    EXPECT_EQ(mne["ch_names"].get<std::vector<std::string>>(), rec.channels) << kase;
    EXPECT_EQ(mne["sfreq"].get<double>(), rec.sfreq_hz) << kase;
    for (size_t c = 0; c < rec.n_channels(); ++c) {
      if (rec.channels[c] == "Status") continue;
      std::vector<double> uv = mne["data"][c].get<std::vector<double>>();
      for (double& v : uv) v *= 1e6;
      expect_close(rec.data[c], uv, 1e-6, kase + " " + rec.channels[c]);
    }
    ASSERT_EQ(mne["annotations"].size(), rec.annotations.size()) << kase;
    for (size_t a = 0; a < rec.annotations.size(); ++a) {
      const json& m = mne["annotations"][a];
      EXPECT_NEAR(m["onset_s"].get<double>(), rec.annotations[a].onset_s, 1e-6);
      EXPECT_NEAR(m["duration_s"].get<double>(), rec.annotations[a].duration_s, 1e-6);
      EXPECT_EQ(m["text"].get<std::string>(), rec.annotations[a].text);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Hand-made files: known int24 words, then one broken rule at a time.

std::string field(std::string text, size_t width) {
  text.resize(width, ' ');
  return text;
}

std::string int24(int32_t value) {
  const auto u = static_cast<uint32_t>(value);
  return {static_cast<char>(u & 0xFFU), static_cast<char>((u >> 8U) & 0xFFU),
          static_cast<char>((u >> 16U) & 0xFFU)};
}

constexpr size_t kSignals = 2;  // Fz (uV) and Status
const std::vector<int32_t> kFz = {-8388608, 8388607, -1, 0, 1, 2, 123456, -654321};
const std::vector<int32_t> kStatus = {0, 1, 255, 65535, -65535, -1, 0x7FFFFF, -8388608};

// Fz and Status, 4 samples per record, 2 records of 0.5 s (8 Hz).
std::string hand_made_bdf() {
  std::string bytes = field(
                          "\xFF"
                          "BIOSEMI",
                          8) +
                      field("X X X X", 80) + field("Startdate X X X X", 80) + field("01.01.24", 8) +
                      field("10.00.00", 8) + field("768", 8) + field("24BIT", 44) + field("2", 8) +
                      field("0.5", 8) + field("2", 4);
  const std::vector<std::vector<std::string>> columns = {{"Fz", "Status"},
                                                         {"", ""},
                                                         {"uV", "Boolean"},
                                                         {"-262144", "-8388608"},
                                                         {"262143", "8388607"},
                                                         {"-8388608", "-8388608"},
                                                         {"8388607", "8388607"},
                                                         {"", ""},
                                                         {"4", "4"},
                                                         {"", ""}};
  const size_t widths[] = {16, 80, 8, 8, 8, 8, 8, 80, 8, 32};
  for (size_t f = 0; f < columns.size(); ++f) {
    for (const std::string& text : columns[f]) bytes += field(text, widths[f]);
  }
  for (size_t r = 0; r < 2; ++r) {
    for (size_t i = 0; i < 4; ++i) bytes += int24(kFz[r * 4 + i]);
    for (size_t i = 0; i < 4; ++i) bytes += int24(kStatus[r * 4 + i]);
  }
  return bytes;
}

size_t physical_min_offset(size_t s) {
  return 256 + kSignals * (16 + 80 + 8) + s * 8;
}
size_t digital_min_offset(size_t s) {
  return physical_min_offset(s) + 2 * kSignals * 8;
}
size_t digital_max_offset(size_t s) {
  return digital_min_offset(s) + kSignals * 8;
}
size_t samples_per_record_offset(size_t s) {
  return 256 + kSignals * (16 + 80 + 8 * 5 + 80) + s * 8;
}

struct HandMade {
  HandMade() : path(dir / "hand.bdf"), bytes(hand_made_bdf()) { save(); }
  void save() const { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }
  void reset() {
    bytes = hand_made_bdf();
    save();
  }
  void patch(size_t offset, const std::string& text) {
    bytes.replace(offset, text.size(), text);
    save();
  }
  TempDir dir;
  fs::path path;
  std::string bytes;
};

// read_edf must refuse `path` with an InputError naming every fragment.
void expect_read_error(const fs::path& path, const std::vector<std::string>& fragments) {
  testing::expect_input_error([&] { (void)read_edf(path); }, fragments, path.string());
}

TEST(BdfRead, HandMadeInt24WordsAreSignExtendedAndScaled) {
  HandMade file;
  ASSERT_EQ(file.bytes.size(), 768U + 2 * 8 * 3);
  const EdfFile read = read_edf(file.path);
  ASSERT_EQ(read.signals.size(), 2U);
  EXPECT_EQ(read.signals[0].sfreq_hz, 8.0);
  const double gain = 524287.0 / 16777215.0;
  for (size_t i = 0; i < kFz.size(); ++i) {
    EXPECT_NEAR(read.signals[0].samples[i], -262144.0 + (kFz[i] + 8388608.0) * gain, 1e-9) << i;
    EXPECT_EQ(read.signals[1].samples[i], kStatus[i]) << i;
  }
}

TEST(BdfReadErrors, TruncatedAndOverlongFilesNameBothSizes) {
  HandMade file;
  const std::string full = std::to_string(file.bytes.size());
  file.bytes.resize(file.bytes.size() - 2);
  file.save();
  expect_read_error(file.path, {"BDF file", "hand.bdf", "truncated", "2 records", full,
                                std::to_string(file.bytes.size())});
  file.bytes = hand_made_bdf() + "xyz";
  file.save();
  expect_read_error(file.path, {"BDF file", "hand.bdf", "size mismatch", full,
                                std::to_string(file.bytes.size()), "3 bytes too many"});
}

TEST(BdfReadErrors, ReservedFieldMustSayTwentyFourBitOrBdfPlus) {
  HandMade file;
  file.patch(192, "        ");
  expect_read_error(file.path, {"hand.bdf", "reserved", "bytes 192-235", "'24BIT'", "BDF+C"});
  file.patch(192, "EDF+C");  // the EDF+ mark does not make a BDF file BDF+
  expect_read_error(file.path, {"hand.bdf", "reserved", "'EDF+C'"});
}

TEST(BdfReadErrors, DigitalRangeMustLieWithinInt24) {
  HandMade file;
  file.patch(digital_min_offset(0), "-8388609");
  expect_read_error(file.path, {"hand.bdf", "signal 1 of 2", "'Fz'", "digital minimum", "-8388609",
                                "24-bit", "-8388608 to 8388607"});
  file.reset();
  file.patch(digital_max_offset(1), "8388608 ");
  expect_read_error(file.path,
                    {"hand.bdf", "signal 2 of 2", "'Status'", "digital maximum", "24-bit"});
}

TEST(BdfReadErrors, DigitalMinimumMustBeBelowMaximum) {
  HandMade file;
  file.patch(digital_min_offset(0), "8388607 ");
  expect_read_error(file.path, {"hand.bdf", "'Fz'", "digital minimum 8388607",
                                "must be less than digital maximum 8388607"});
}

TEST(BdfReadErrors, EveryNumericFieldIsValidated) {
  HandMade file;
  file.patch(samples_per_record_offset(1), "four    ");
  expect_read_error(file.path, {"BDF file", "hand.bdf", "'Status'",
                                "number of samples in each data record", "not an integer"});
  file.reset();
  file.patch(physical_min_offset(0), "-2.6e5x ");
  expect_read_error(file.path, {"hand.bdf", "'Fz'", "physical minimum", "not a number"});
  file.reset();
  file.patch(244, "half    ");
  expect_read_error(file.path, {"hand.bdf", "duration of a data record", "'half'"});
  file.reset();
  file.patch(236, "2.5     ");
  expect_read_error(file.path, {"hand.bdf", "number of data records", "not an integer"});
  file.reset();
  file.patch(184, "512     ");
  expect_read_error(file.path, {"hand.bdf", "number of bytes in header record", "expected 768"});
}

TEST(BdfReadErrors, SampleCountThatDisagreesWithTheDataIsASizeMismatch) {
  HandMade file;
  file.patch(samples_per_record_offset(0), "5       ");  // 3 bytes more per record
  expect_read_error(file.path, {"hand.bdf", "truncated", std::to_string(file.bytes.size() + 6),
                                std::to_string(file.bytes.size())});
}

TEST(BdfReadErrors, BdfPlusDiscontinuousNeedsItsAnnotationSignal) {
  HandMade file;
  file.patch(192, "BDF+D");
  expect_read_error(file.path, {"hand.bdf", "BDF+D", "'BDF Annotations'"});
}

TEST(BdfReadErrors, NotBdfNotEdf) {
  HandMade file;
  file.patch(0,
             "\xFF"
             "BIOSEMX");
  expect_read_error(file.path,
                    {"hand.bdf", "not an EDF file (nor BDF)", "\\xFFBIOSEMX", "\\xFFBIOSEMI"});
  try {
    load_recording(file.path);
    ADD_FAILURE() << "load_recording accepted a .bdf without a BDF header";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("nor BDF"), std::string::npos) << error.what();
  }
}

TEST(BdfReadErrors, EveryTruncationAndRandomCorruptionIsAnInputError) {
  HandMade file;
  const std::string original = file.bytes;
  for (size_t length = 0; length < original.size(); ++length) {
    file.bytes = original.substr(0, length);
    file.save();
    EXPECT_THROW(read_edf(file.path), InputError) << "length " << length;
  }
  std::mt19937 rng(99);
  std::uniform_int_distribution<size_t> position(0, 767);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int trial = 0; trial < 500; ++trial) {
    file.bytes = original;
    for (int k = 0; k < 3; ++k) file.bytes[position(rng)] = static_cast<char>(byte(rng));
    file.save();
    try {
      const EdfFile read = read_edf(file.path);
      for (const EdfSignal& signal : read.signals) {
        EXPECT_EQ(static_cast<int64_t>(signal.samples.size()),
                  read.n_records * signal.samples_per_record);
      }
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("hand.bdf"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace qneuro::io
