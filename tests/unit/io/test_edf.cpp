// EDF/EDF+ reader and writer: round trips, annotations, hand-crafted files, unit factors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/edf.hpp"
#include "test_support.hpp"

namespace qneuro::io {
namespace {

using qneuro::testing::TempDir;
using std::string_literals::operator""s;

std::vector<double> random_samples(size_t n, double low, double high, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(low, high);
  std::vector<double> samples(n);
  for (double& x : samples) x = dist(rng);
  return samples;
}

std::vector<double> sine_samples(size_t n, double sfreq_hz, double freq_hz, double amplitude) {
  std::vector<double> samples(n);
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / sfreq_hz;
    samples[i] = amplitude * std::sin(2.0 * std::numbers::pi * freq_hz * t);
  }
  return samples;
}

double lsb(const EdfSignal& signal) {
  return (signal.physical_max - signal.physical_min) /
         static_cast<double>(signal.digital_max - signal.digital_min);
}

// Every written sample comes back within one LSB, and the padded tail repeats the last sample.
void expect_samples_within_one_lsb(const EdfSignal& read, const std::vector<double>& written) {
  ASSERT_GE(read.samples.size(), written.size()) << read.label;
  const double tolerance = lsb(read);
  EXPECT_GT(tolerance, 0.0);
  for (size_t i = 0; i < read.samples.size(); ++i) {
    const double expected = i < written.size() ? written[i] : written.back();
    ASSERT_NEAR(read.samples[i], expected, tolerance) << read.label << " sample " << i;
  }
  // The data range lies inside the written physical range.
  const auto [low, high] = std::minmax_element(written.begin(), written.end());
  EXPECT_LE(read.physical_min, *low);
  EXPECT_GE(read.physical_max, *high);
}

void overwrite(const std::filesystem::path& path, size_t offset, const std::string& text) {
  std::string bytes = read_file(path);
  bytes.replace(offset, text.size(), text);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(EdfRoundTrip, MixedRatesNeedingTwoSecondRecords) {
  TempDir dir;
  const double seconds = 10.0;
  const std::vector<double> eeg = random_samples(1600, -150.0, 150.0, 1);   // 160 Hz
  const std::vector<double> alpha = sine_samples(2560, 256.0, 10.0, 50.0);  // 256 Hz
  const std::vector<double> slow = sine_samples(10, 1.0, 0.1, 2.5);         // 1 Hz, in mV
  const std::vector<double> half = random_samples(5, 20.0, 40.0, 2);        // 0.5 Hz, degC
  const std::vector<EdfWriteSignal> signals = {
      {"EEG Fp1-Ref", "uV", "AgAgCl electrode", "HP:0.1Hz LP:75Hz", 160.0, eeg},
      {"EEG O1", "uV", "", "", 256.0, alpha},
      {"DC", "mV", "", "", 1.0, slow},
      {"Temp", "degC", "thermistor", "", 0.5, half},
  };
  const auto path = dir / "mixed.edf";
  write_edf(path, signals);

  const EdfFile file = read_edf(path);
  EXPECT_EQ(file.variant, EdfVariant::EdfPlusContinuous);
  // 0.5 Hz needs a whole number of samples per record: 2 s is the shortest duration >= 1 s.
  EXPECT_DOUBLE_EQ(file.record_duration_s, 2.0);
  EXPECT_EQ(file.n_records, 5);
  ASSERT_EQ(file.signals.size(), 4U);  // the annotation signal is not returned as a signal
  const std::vector<double> rates = {160.0, 256.0, 1.0, 0.5};
  const std::vector<std::vector<double>> data = {eeg, alpha, slow, half};
  for (size_t s = 0; s < signals.size(); ++s) {
    const EdfSignal& read = file.signals[s];
    EXPECT_EQ(read.label, signals[s].label);
    EXPECT_EQ(read.physical_dimension, signals[s].physical_dimension);
    EXPECT_EQ(read.transducer, signals[s].transducer);
    EXPECT_EQ(read.prefiltering, signals[s].prefiltering);
    EXPECT_DOUBLE_EQ(read.sfreq_hz, rates[s]);
    EXPECT_EQ(read.digital_min, -32768);
    EXPECT_EQ(read.digital_max, 32767);
    EXPECT_EQ(read.samples.size(), static_cast<size_t>(rates[s] * seconds));
    expect_samples_within_one_lsb(read, data[s]);
  }
  EXPECT_EQ(file.record_onsets_s, (std::vector<double>{0.0, 2.0, 4.0, 6.0, 8.0}));
  EXPECT_TRUE(file.annotations.empty());
  EXPECT_EQ(file.patient, "X X X X");
  EXPECT_EQ(file.recording, "Startdate X X X X");
  EXPECT_EQ(file.start_date, "01.01.00");
  EXPECT_EQ(file.start_time, "00.00.00");
}

TEST(EdfRoundTrip, PartialLastRecordIsPaddedWithTheFinalSample) {
  TempDir dir;
  const std::vector<double> samples = random_samples(1000, -80.0, 60.0, 3);  // 3.90625 s
  const auto path = dir / "padded.edf";
  write_edf(path, {{"Cz", "uV", "", "", 256.0, samples}});
  const EdfFile file = read_edf(path);
  EXPECT_DOUBLE_EQ(file.record_duration_s, 1.0);
  EXPECT_EQ(file.n_records, 4);
  ASSERT_EQ(file.signals.size(), 1U);
  EXPECT_EQ(file.signals[0].samples.size(), 1024U);
  expect_samples_within_one_lsb(file.signals[0], samples);
}

TEST(EdfRoundTrip, PlainEdfHasNoAnnotationSignal) {
  TempDir dir;
  const std::vector<double> a = sine_samples(512, 128.0, 7.0, 30.0);
  const std::vector<double> b = random_samples(512, -1e-4, 2e-4, 4);  // volts
  EdfWriteOptions options;
  options.edf_plus = false;
  options.patient = "patient 42";
  options.recording = "night recording";
  options.start_date = "24.12.21";
  options.start_time = "22.15.00";
  const auto path = dir / "plain.edf";
  write_edf(path, {{"C3", "uV", "", "", 128.0, a}, {"C4", "V", "", "", 128.0, b}}, {}, options);

  const std::string bytes = read_file(path);
  EXPECT_EQ(bytes.substr(192, 44), std::string(44, ' '));  // reserved: plain EDF
  EXPECT_EQ(bytes.substr(252, 4), "2   ");                 // no annotation signal
  const EdfFile file = read_edf(path);
  EXPECT_EQ(file.variant, EdfVariant::Edf);
  EXPECT_EQ(file.patient, "patient 42");
  EXPECT_EQ(file.recording, "night recording");
  EXPECT_EQ(file.start_date, "24.12.21");
  EXPECT_EQ(file.start_time, "22.15.00");
  EXPECT_TRUE(file.record_onsets_s.empty());
  EXPECT_TRUE(file.annotations.empty());
  ASSERT_EQ(file.signals.size(), 2U);
  EXPECT_EQ(file.signals[1].physical_dimension, "V");
  expect_samples_within_one_lsb(file.signals[0], a);
  expect_samples_within_one_lsb(file.signals[1], b);
  EXPECT_LT(lsb(file.signals[1]), 1e-8);  // a volt-scaled signal keeps its resolution
}

TEST(EdfRoundTrip, ConstantSignalsGetANonDegenerateRange) {
  TempDir dir;
  const std::vector<double> zeros(256, 0.0);
  const std::vector<double> fives(256, 5.0);
  const std::vector<double> negative(256, -3.25);
  const auto path = dir / "constant.edf";
  write_edf(path, {{"zero", "uV", "", "", 256.0, zeros},
                   {"five", "uV", "", "", 256.0, fives},
                   {"negative", "uV", "", "", 256.0, negative}});
  const EdfFile file = read_edf(path);
  ASSERT_EQ(file.signals.size(), 3U);
  for (const EdfSignal& signal : file.signals) EXPECT_LT(signal.physical_min, signal.physical_max);
  expect_samples_within_one_lsb(file.signals[0], zeros);
  expect_samples_within_one_lsb(file.signals[1], fives);
  expect_samples_within_one_lsb(file.signals[2], negative);
}

TEST(EdfRoundTrip, PhysicalRangeIsRoundedOutwardToEightCharacters) {
  TempDir dir;
  // Extremes that need more than 8 characters: the field must round outward, not to nearest.
  std::vector<double> samples = random_samples(200, -1234.5678901, 9876.54321987, 5);
  samples[0] = -1234.5678901;
  samples[1] = 9876.54321987;
  const auto path = dir / "range.edf";
  write_edf(path, {{"wide", "uV", "", "", 100.0, samples}});
  const EdfFile file = read_edf(path);
  ASSERT_EQ(file.signals.size(), 1U);
  EXPECT_DOUBLE_EQ(file.signals[0].physical_min, -1234.57);
  EXPECT_DOUBLE_EQ(file.signals[0].physical_max, 9876.544);
  expect_samples_within_one_lsb(file.signals[0], samples);
}

TEST(EdfRoundTrip, ExplicitRecordDurationIsUsed) {
  TempDir dir;
  const std::vector<double> samples = sine_samples(1000, 200.0, 3.0, 10.0);
  EdfWriteOptions options;
  options.record_duration_s = 0.25;
  const auto path = dir / "quarter.edf";
  write_edf(path, {{"x", "uV", "", "", 200.0, samples}}, {}, options);
  const EdfFile file = read_edf(path);
  EXPECT_DOUBLE_EQ(file.record_duration_s, 0.25);
  EXPECT_EQ(file.n_records, 20);
  EXPECT_EQ(file.signals.at(0).samples_per_record, 50);
  ASSERT_EQ(file.record_onsets_s.size(), 20U);
  for (size_t r = 0; r < 20; ++r) EXPECT_DOUBLE_EQ(file.record_onsets_s[r], 0.25 * r);
  expect_samples_within_one_lsb(file.signals[0], samples);
}

TEST(EdfRoundTrip, LargeRecordsAreSplitBelowTheRecommendedSize) {
  TempDir dir;
  // 40 channels at 1024 Hz: a 1 s record would take 81920 bytes, more than EDF+'s 61440.
  std::vector<std::vector<double>> data;
  std::vector<EdfWriteSignal> signals;
  for (int c = 0; c < 40; ++c) data.push_back(random_samples(1024, -10.0, 10.0, 100 + c));
  for (int c = 0; c < 40; ++c) {
    signals.push_back({"ch" + std::to_string(c), "uV", "", "", 1024.0, data[c]});
  }
  const auto path = dir / "wide.edf";
  write_edf(path, signals);
  const EdfFile file = read_edf(path);
  EXPECT_DOUBLE_EQ(file.record_duration_s, 0.5);
  ASSERT_EQ(file.signals.size(), 40U);
  for (int c = 0; c < 40; ++c) expect_samples_within_one_lsb(file.signals[c], data[c]);
}

TEST(EdfRoundTrip, HeaderTextIsSanitisedPaddedAndTruncated) {
  TempDir dir;
  const std::vector<double> samples(64, 1.0);
  const auto path = dir / "labels.edf";
  write_edf(path, {{"EEG Fp1\xE2\x80\x93Ref", "\xC2\xB5V", "", "", 64.0, samples},
                   {"A very long label indeed", "\xCE\xBCV", "", "", 64.0, samples}});
  const EdfFile file = read_edf(path);
  ASSERT_EQ(file.signals.size(), 2U);
  EXPECT_EQ(file.signals[0].label, "EEG Fp1_Ref");  // en dash: one '_' per character
  EXPECT_EQ(file.signals[0].physical_dimension, "uV");
  EXPECT_EQ(file.signals[1].label, "A very long labe");  // 16 characters
  EXPECT_EQ(file.signals[1].physical_dimension, "uV");
}

TEST(EdfAnnotations, RoundTripWithUtf8TextAndDurations) {
  TempDir dir;
  const std::vector<double> samples = random_samples(30 * 100, -50.0, 50.0, 6);
  const std::vector<Annotation> annotations = {
      {12.5, 0.0, "Lights off"},
      {0.0, 30.0, "Sleep stage W"},
      {3.25, 1.5, "Arousal \xC3\xA9v\xC3\xA9nement \xE2\x80\x93 \xE7\x9C\xA0\xE3\x82\x8A"},
      {29.999, 0.001, "End"},
      {12.5, 2.0, "Second at 12.5"},
  };
  const auto path = dir / "annotated.edf";
  write_edf(path, {{"Cz", "uV", "", "", 100.0, samples}}, annotations);

  const EdfFile file = read_edf(path);
  ASSERT_EQ(file.annotations.size(), annotations.size());
  // Returned sorted by onset, ties in the given order.
  const std::vector<size_t> order = {1, 2, 0, 4, 3};
  for (size_t i = 0; i < order.size(); ++i) {
    const Annotation& expected = annotations[order[i]];
    EXPECT_DOUBLE_EQ(file.annotations[i].onset_s, expected.onset_s) << i;
    EXPECT_DOUBLE_EQ(file.annotations[i].duration_s, expected.duration_s) << i;
    EXPECT_EQ(file.annotations[i].text, expected.text) << i;
  }
  ASSERT_EQ(file.record_onsets_s.size(), 30U);
  for (size_t r = 0; r < 30; ++r) EXPECT_DOUBLE_EQ(file.record_onsets_s[r], 1.0 * r);
  expect_samples_within_one_lsb(file.signals.at(0), samples);
}

TEST(EdfAnnotations, ManyAnnotationsAreSpreadOverRecordsCompactly) {
  TempDir dir;
  const std::vector<double> samples = random_samples(20 * 10, -5.0, 5.0, 7);  // 20 records of 1 s
  std::vector<Annotation> annotations;
  for (int i = 0; i < 300; ++i) {
    annotations.push_back({i / 20.0, 0.0, "event number " + std::to_string(i)});
  }
  const auto path = dir / "many.edf";
  write_edf(path, {{"x", "uV", "", "", 10.0, samples}}, annotations);
  const EdfFile file = read_edf(path);
  ASSERT_EQ(file.annotations.size(), annotations.size());
  for (size_t i = 0; i < annotations.size(); ++i) {
    EXPECT_DOUBLE_EQ(file.annotations[i].onset_s, annotations[i].onset_s);
    EXPECT_EQ(file.annotations[i].text, annotations[i].text);
  }
  // All annotations together take ~7 kB; spread over 20 records they need far less than if they
  // all sat in one record (which would make every record that large).
  const std::string bytes = read_file(path);
  const size_t annotation_samples = std::stoul(bytes.substr(256 + 2 * 216 + 8, 8));
  EXPECT_LT(annotation_samples * 2, 600U);
  EXPECT_EQ(file.record_onsets_s.size(), 20U);
  EXPECT_DOUBLE_EQ(file.record_onsets_s.back(), 19.0);
}

// Builds an EDF+D file byte by byte: one 4-sample signal (Latin-1 "µV" unit) and an annotation
// signal whose TALs contain Latin-1 text, a gap between records and a malformed TAL.
std::string hand_crafted_edf_plus() {
  const auto field = [](std::string text, size_t width) {
    text.resize(width, ' ');
    return text;
  };
  std::string bytes = field("0", 8) + field("MCH-0234567 F 02-MAY-1951 Haagse_Harry", 80) +
                      field("Startdate 02-MAR-2002 PSG-1234/2002 NN Telemetry03", 80) + "02.03.02" +
                      "14.30.00" + field("768", 8) + field("EDF+D", 44) + field("2", 8) +
                      field("1", 8) + field("2", 4);
  bytes += field("EEG Fz", 16) + field("EDF Annotations", 16);
  bytes += field("AgAgCl", 80) + field("", 80);
  bytes += field("\xB5V", 8) + field("", 8);
  bytes += field("-100", 8) + field("-1", 8);
  bytes += field("100", 8) + field("1", 8);
  bytes += field("-2048", 8) + field("-32768", 8);
  bytes += field("2047", 8) + field("32767", 8);
  bytes += field("HP:0.1Hz", 80) + field("", 80);
  bytes += field("4", 8) + field("40", 8);
  bytes += field("", 32) + field("", 32);
  const auto int16 = [](int value) {
    const auto bits = static_cast<uint16_t>(static_cast<int16_t>(value));
    return std::string{static_cast<char>(bits & 0xFF), static_cast<char>(bits >> 8)};
  };
  const auto annotation_block = [](const std::string& tals) {
    std::string block = tals;
    block.resize(80, '\0');
    return block;
  };
  // Record 0: time-keeping at 0, then one TAL with a duration and two Latin-1 texts.
  bytes += int16(-2048) + int16(2047) + int16(0) + int16(1024);
  bytes += annotation_block("+0\x14\x14\0"s +
                            "+0.5\x15"
                            "1.25\x14"
                            "Caf\xE9\x14\xB5V spike\x14\0"s);
  // Record 1 starts at 5 s (EDF+D gap): a valid TAL, a malformed one, a negative onset, and
  // text mixing valid UTF-8 with a Latin-1 byte.
  bytes += int16(-1) + int16(1) + int16(-1024) + int16(2000);
  bytes += annotation_block("+5\x14\x14\0"s + "+5.5\x14Ok\x14\0"s +
                            "+x\x14"
                            "bad\x14\0"s +
                            "-0.25\x14na\xC3\xAFve \xE9\x14\0"s);
  return bytes;
}

TEST(EdfHandCrafted, Latin1TextGapsAndMalformedTals) {
  TempDir dir;
  const auto path = dir / "crafted.edf";
  const std::string bytes = hand_crafted_edf_plus();
  ASSERT_EQ(bytes.size(), 768U + 2 * (8 + 80));
  std::ofstream(path, std::ios::binary) << bytes;

  const EdfFile file = read_edf(path);
  EXPECT_EQ(file.variant, EdfVariant::EdfPlusDiscontinuous);
  EXPECT_EQ(file.patient, "MCH-0234567 F 02-MAY-1951 Haagse_Harry");
  EXPECT_EQ(file.start_date, "02.03.02");
  EXPECT_EQ(file.start_time, "14.30.00");
  EXPECT_EQ(file.n_records, 2);
  ASSERT_EQ(file.signals.size(), 1U);
  const EdfSignal& fz = file.signals[0];
  EXPECT_EQ(fz.label, "EEG Fz");
  EXPECT_EQ(fz.transducer, "AgAgCl");
  EXPECT_EQ(fz.prefiltering, "HP:0.1Hz");
  EXPECT_EQ(fz.physical_dimension, "\xC2\xB5V");  // Latin-1 0xB5 decoded to UTF-8 µ
  EXPECT_EQ(microvolts_per_unit(fz.physical_dimension), 1.0);
  EXPECT_DOUBLE_EQ(fz.sfreq_hz, 4.0);
  const double gain = 200.0 / 4095.0;
  const std::vector<int> digital = {-2048, 2047, 0, 1024, -1, 1, -1024, 2000};
  ASSERT_EQ(fz.samples.size(), digital.size());
  for (size_t i = 0; i < digital.size(); ++i) {
    EXPECT_NEAR(fz.samples[i], -100.0 + (digital[i] + 2048) * gain, 1e-12) << i;
  }
  EXPECT_EQ(file.record_onsets_s, (std::vector<double>{0.0, 5.0}));
  ASSERT_EQ(file.annotations.size(), 4U);  // the malformed "+x" TAL is skipped
  EXPECT_DOUBLE_EQ(file.annotations[0].onset_s, -0.25);
  EXPECT_EQ(file.annotations[0].text, "na\xC3\xAFve \xC3\xA9");
  EXPECT_DOUBLE_EQ(file.annotations[1].onset_s, 0.5);
  EXPECT_DOUBLE_EQ(file.annotations[1].duration_s, 1.25);
  EXPECT_EQ(file.annotations[1].text, "Caf\xC3\xA9");
  EXPECT_DOUBLE_EQ(file.annotations[2].onset_s, 0.5);
  EXPECT_DOUBLE_EQ(file.annotations[2].duration_s, 1.25);
  EXPECT_EQ(file.annotations[2].text, "\xC2\xB5V spike");
  EXPECT_DOUBLE_EQ(file.annotations[3].onset_s, 5.5);
  EXPECT_DOUBLE_EQ(file.annotations[3].duration_s, 0.0);
  EXPECT_EQ(file.annotations[3].text, "Ok");
}

TEST(EdfHandCrafted, UnknownRecordCountIsTakenFromTheFileSize) {
  TempDir dir;
  const std::vector<double> samples = random_samples(700, -20.0, 20.0, 8);
  const auto path = dir / "unknown_count.edf";
  write_edf(path, {{"x", "uV", "", "", 100.0, samples}});
  overwrite(path, 236, "-1      ");
  const EdfFile file = read_edf(path);
  EXPECT_EQ(file.n_records, 7);
  EXPECT_EQ(file.record_onsets_s.size(), 7U);
  expect_samples_within_one_lsb(file.signals.at(0), samples);
}

TEST(EdfHandCrafted, MutatedAnnotationBytesNeverFailTheFile) {
  TempDir dir;
  const auto path = dir / "mutated.edf";
  const std::string original = hand_crafted_edf_plus();
  // Overwrite every annotation byte in turn with each TAL separator or a letter: whatever the
  // TALs become, the file loads and the ordinary samples are unchanged.
  const std::vector<char> replacements = {'\0', '\x14', '\x15', 'x'};
  const EdfFile reference = [&] {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << original;
    return read_edf(path);
  }();
  for (const size_t record_start : {size_t{768}, size_t{768 + 88}}) {
    for (size_t i = 8; i < 88; ++i) {
      for (const char c : replacements) {
        std::string bytes = original;
        bytes[record_start + i] = c;
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        EdfFile file;
        ASSERT_NO_THROW(file = read_edf(path)) << "byte " << record_start + i;
        ASSERT_EQ(file.signals.at(0).samples, reference.signals.at(0).samples);
        ASSERT_EQ(file.record_onsets_s.size(), 2U);
      }
    }
  }
}

TEST(EdfUnits, MicrovoltsPerUnit) {
  EXPECT_EQ(microvolts_per_unit("uV"), 1.0);
  EXPECT_EQ(microvolts_per_unit("UV"), 1.0);
  EXPECT_EQ(microvolts_per_unit("uv"), 1.0);
  EXPECT_EQ(microvolts_per_unit(" uV  "), 1.0);
  EXPECT_EQ(microvolts_per_unit("\xC2\xB5V"), 1.0);  // UTF-8 micro sign
  EXPECT_EQ(microvolts_per_unit("\xCE\xBCV"), 1.0);  // Greek mu
  EXPECT_EQ(microvolts_per_unit("\xB5V"), 1.0);      // Latin-1 byte
  EXPECT_EQ(microvolts_per_unit("mV"), 1e3);
  EXPECT_EQ(microvolts_per_unit("MV"), 1e3);
  EXPECT_EQ(microvolts_per_unit("V"), 1e6);
  EXPECT_EQ(microvolts_per_unit("v"), 1e6);
  EXPECT_EQ(microvolts_per_unit("nV"), 1e-3);
  EXPECT_EQ(microvolts_per_unit("NV"), 1e-3);
  EXPECT_EQ(microvolts_per_unit("degC"), std::nullopt);
  EXPECT_EQ(microvolts_per_unit("%"), std::nullopt);
  EXPECT_EQ(microvolts_per_unit(""), std::nullopt);
  EXPECT_EQ(microvolts_per_unit("uVV"), std::nullopt);
  EXPECT_EQ(microvolts_per_unit("kV"), std::nullopt);
}

}  // namespace
}  // namespace qneuro::io
