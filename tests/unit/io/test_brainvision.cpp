// BrainVision reading: recordings from an independent Python writer
// (tests/unit/io/write_brainvision.py, standard library only) read back exactly through
// read_brainvision and load_recording, and match what MNE-Python reads from them; hand-made
// headers check every rule, each violation an InputError naming the file and the key.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/io/brainvision.hpp"
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

constexpr const char* kMicroVolt = "\xC2\xB5V";

std::string script(const std::string& name) {
  return shell_quote(std::string(QNEURO_SOURCE_DIR) + "/tests/unit/io/" + name);
}

json write_with_python(const TempDir& dir, const std::string& kase) {
  const auto r = run_command(shell_quote(QNEURO_PYTHON) + " " + script("write_brainvision.py") +
                             " " + shell_quote(dir.path().string()) + " " + kase);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return read_json(dir / (kase + ".json"));
}

void expect_same(const std::vector<double>& got, const std::vector<double>& want,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    // value * resolution (* microvolts per unit), the same double operations on both sides.
    ASSERT_DOUBLE_EQ(got[i], want[i]) << what << " sample " << i;
  }
}

// Everything the writer says it wrote comes back from read_brainvision.
void expect_file_matches(const BrainVisionFile& file, const json& expected) {
  EXPECT_EQ(file.sfreq_hz, expected["sfreq_hz"].get<double>());
  ASSERT_EQ(file.channels.size(), expected["channels"].size());
  for (size_t c = 0; c < file.channels.size(); ++c) {
    const BrainVisionChannel& channel = file.channels[c];
    const json& want = expected["channels"][c];
    EXPECT_EQ(channel.name, want["name"].get<std::string>());
    EXPECT_EQ(channel.reference, want["reference"].get<std::string>());
    EXPECT_EQ(channel.unit, want["unit"].get<std::string>());
    EXPECT_EQ(channel.resolution, want["resolution"].get<double>());
    expect_same(channel.samples, want["value"].get<std::vector<double>>(), channel.name);
  }
  ASSERT_EQ(file.markers.size(), expected["markers"].size());
  for (size_t m = 0; m < file.markers.size(); ++m) {
    const json& want = expected["markers"][m];
    EXPECT_EQ(file.markers[m].type, want["type"].get<std::string>());
    EXPECT_EQ(file.markers[m].description, want["description"].get<std::string>());
    EXPECT_EQ(file.markers[m].position, want["position"].get<int64_t>());
    EXPECT_EQ(file.markers[m].size, want["size"].get<int64_t>());
    EXPECT_EQ(file.markers[m].channel, want["channel"].get<int64_t>());
  }
  ASSERT_EQ(file.annotations.size(), expected["annotations"].size());
  for (size_t a = 0; a < file.annotations.size(); ++a) {
    const json& want = expected["annotations"][a];
    EXPECT_DOUBLE_EQ(file.annotations[a].onset_s, want["onset_s"].get<double>()) << a;
    EXPECT_DOUBLE_EQ(file.annotations[a].duration_s, want["duration_s"].get<double>()) << a;
    EXPECT_EQ(file.annotations[a].text, want["text"].get<std::string>()) << a;
  }
}

TEST(BrainVisionRead, Int16MultiplexedUtf8FromAnIndependentWriter) {
  TempDir dir;
  const json expected = write_with_python(dir, "int16");
  const BrainVisionFile file = read_brainvision(dir / "int16.vhdr");
  EXPECT_EQ(file.version, 2);
  EXPECT_EQ(file.data_file, dir / "data" / "int16.eeg");
  EXPECT_EQ(file.marker_file, dir / "int16.vmrk");
  EXPECT_EQ(file.binary_format, "INT_16");
  EXPECT_TRUE(file.multiplexed);
  EXPECT_EQ(file.sampling_interval_us, 2000.0);
  expect_file_matches(file, expected);
  // The spots the writer chose on purpose.
  EXPECT_EQ(file.channels[0].unit, kMicroVolt);
  EXPECT_EQ(file.channels[2].name, "EOG,left");
  EXPECT_EQ(file.channels[4].unit, kMicroVolt);  // empty unit: µV
  EXPECT_EQ(file.channels[4].resolution, 1.0);   // empty resolution: 1
  EXPECT_EQ(file.channels[5].unit,
            "\xC2\xB0"
            "C");
  EXPECT_EQ(file.channels[0].samples[0], -32768 * 0.1);
  EXPECT_EQ(file.annotations[1].text, "S  1");  // equal onsets keep marker order
  EXPECT_EQ(file.annotations[2].text, "S  3");
  EXPECT_EQ(file.annotations[3].text, "R, 2");
  EXPECT_EQ(file.annotations[4].text, "Comment");  // empty description: the type
}

TEST(BrainVisionRead, Float32VectorizedAnsiVersionOne) {
  TempDir dir;
  const json expected = write_with_python(dir, "float32");
  const BrainVisionFile file = read_brainvision(dir / "float32.vhdr");
  EXPECT_EQ(file.version, 1);
  EXPECT_FALSE(file.multiplexed);
  EXPECT_EQ(file.binary_format, "IEEE_FLOAT_32");
  EXPECT_EQ(file.sfreq_hz, 256.0);
  expect_file_matches(file, expected);
  EXPECT_EQ(file.channels[0].unit, kMicroVolt);  // Latin-1 0xB5 'V' in an ANSI header
  EXPECT_EQ(file.channels[2].unit, kMicroVolt);  // no unit field at all
}

TEST(BrainVisionRead, Int32BigEndianAndLatin1MarkersWithoutCodepage) {
  TempDir dir;
  const json expected = write_with_python(dir, "int32be");
  const BrainVisionFile file = read_brainvision(dir / "int32be.vhdr");
  expect_file_matches(file, expected);
  EXPECT_EQ(file.channels[0].samples[0], -2147483648.0 * 0.0001);
  EXPECT_EQ(file.markers[0].description, "\xC3\xA9tape");
  EXPECT_EQ(file.annotations[0].text, "Stimulus");
}

TEST(BrainVisionRead, LoadRecordingConvertsToMicrovoltsAndKeepsMarkers) {
  TempDir dir;
  const json expected = write_with_python(dir, "int16");
  const Recording rec = load_recording(dir / "int16.vhdr");
  EXPECT_EQ(rec.format, "brainvision");
  EXPECT_EQ(rec.sfreq_hz, 500.0);
  ASSERT_EQ(rec.n_channels(), expected["channels"].size());
  for (size_t c = 0; c < rec.n_channels(); ++c) {
    const json& want = expected["channels"][c];
    EXPECT_EQ(rec.channels[c], want["name"].get<std::string>());
    expect_same(rec.data[c], want["uv"].get<std::vector<double>>(), rec.channels[c]);
  }
  ASSERT_EQ(rec.annotations.size(), 5U);
  EXPECT_EQ(rec.annotations[3].text, "R, 2");
  EXPECT_DOUBLE_EQ(rec.annotations[3].onset_s, 249.0 / 500.0);
  EXPECT_DOUBLE_EQ(rec.annotations[3].duration_s, 25.0 / 500.0);

  LoadOptions options;
  options.channels.names = {"GSR", "Cz"};
  const Recording picked = load_recording(dir / "int16.vhdr", options);
  EXPECT_EQ(picked.channels, (std::vector<std::string>{"Cz", "GSR"}));
  expect_same(picked.data[1], expected["channels"][3]["uv"].get<std::vector<double>>(), "GSR");
}

TEST(BrainVisionInterop, MneReadsTheSameMicrovoltsAndMarkers) {
  for (const std::string kase : {"int16", "float32"}) {
    TempDir dir;
    write_with_python(dir, kase);
    const fs::path vhdr = dir / (kase + ".vhdr");
    const auto r =
        run_command(shell_quote(QNEURO_PYTHON) + " " + script("mne_read.py") + " " +
                    shell_quote(vhdr.string()) + " " + shell_quote((dir / "mne.json").string()));
    if (r.exit_code == 77) GTEST_SKIP() << r.output;
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json mne = read_json(dir / "mne.json");
    const BrainVisionFile file = read_brainvision(vhdr);
    const Recording rec = load_recording(vhdr);
    EXPECT_EQ(mne["ch_names"].get<std::vector<std::string>>(), rec.channels) << kase;
    EXPECT_DOUBLE_EQ(mne["sfreq"].get<double>(), rec.sfreq_hz) << kase;
    for (size_t c = 0; c < rec.n_channels(); ++c) {
      // MNE gives volts for voltage units and the channel's own unit otherwise (°C here).
      const bool voltage = microvolts_per_unit(file.channels[c].unit).has_value();
      const std::vector<double> theirs = mne["data"][c].get<std::vector<double>>();
      ASSERT_EQ(theirs.size(), rec.n_samples());
      double peak = 0.0;
      for (const double v : theirs) peak = std::max(peak, std::abs(v) * (voltage ? 1e6 : 1.0));
      for (size_t t = 0; t < theirs.size(); ++t) {
        ASSERT_NEAR(rec.data[c][t], theirs[t] * (voltage ? 1e6 : 1.0), 1e-6 * peak)
            << kase << " " << rec.channels[c] << " sample " << t;
      }
    }
    // MNE names markers "Type/Description", sorts them by onset and rounds onsets to the
    // microsecond: each of its annotations must be one of our markers, each marker used once.
    ASSERT_EQ(mne["annotations"].size(), file.markers.size()) << kase;
    std::vector<bool> used(file.markers.size(), false);
    for (const json& theirs : mne["annotations"]) {
      bool found = false;
      for (size_t m = 0; m < file.markers.size() && !found; ++m) {
        const BrainVisionMarker& marker = file.markers[m];
        const double onset = static_cast<double>(marker.position - 1) / rec.sfreq_hz;
        const double duration = static_cast<double>(marker.size) / rec.sfreq_hz;
        found = !used[m] &&
                theirs["text"].get<std::string>() == marker.type + "/" + marker.description &&
                std::abs(theirs["onset_s"].get<double>() - onset) < 1e-5 &&
                std::abs(theirs["duration_s"].get<double>() - duration) < 1e-9;
        if (found) used[m] = true;
      }
      EXPECT_TRUE(found) << kase << ": MNE's " << theirs << " is none of our markers";
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Hand-made recordings: two INT_16 channels, 100 samples, one marker; then one broken rule each.

struct HandMade {
  HandMade() { save(); }

  std::string header =
      "BrainVision Data Exchange Header File Version 2.0\n"
      "[Common Infos]\n"
      "Codepage=UTF-8\n"
      "DataFile=rec.eeg\n"
      "MarkerFile=rec.vmrk\n"
      "DataFormat=BINARY\n"
      "DataOrientation=MULTIPLEXED\n"
      "NumberOfChannels=2\n"
      "SamplingInterval=1000\n"
      "\n"
      "[Binary Infos]\n"
      "BinaryFormat=INT_16\n"
      "\n"
      "[Channel Infos]\n"
      "Ch1=Fz,,0.1,\xC2\xB5V\n"
      "Ch2=Cz,,0.1,\xC2\xB5V\n";
  std::string markers =
      "BrainVision Data Exchange Marker File Version 2.0\n"
      "[Common Infos]\n"
      "Codepage=UTF-8\n"
      "DataFile=rec.eeg\n"
      "\n"
      "[Marker Infos]\n"
      "Mk1=Stimulus,S  1,10,1,0\n";
  std::string data = [] {
    std::string bytes;
    for (int i = 0; i < 200; ++i) {
      const auto v = static_cast<uint16_t>(static_cast<int16_t>(i * 37 - 3000));
      bytes += static_cast<char>(v & 0xFFU);
      bytes += static_cast<char>(v >> 8U);
    }
    return bytes;
  }();
  TempDir dir;

  [[nodiscard]] fs::path vhdr() const { return dir / "rec.vhdr"; }
  void save() const {
    std::ofstream(dir / "rec.vhdr", std::ios::binary | std::ios::trunc) << header;
    std::ofstream(dir / "rec.vmrk", std::ios::binary | std::ios::trunc) << markers;
    std::ofstream(dir / "rec.eeg", std::ios::binary | std::ios::trunc) << data;
  }
  // Replaces the one occurrence of `from` in `text` and saves the files.
  void edit(std::string& text, const std::string& from, const std::string& to) {
    const size_t pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    text.replace(pos, from.size(), to);
    save();
  }
};

std::string read_error(const fs::path& vhdr) {
  try {
    read_brainvision(vhdr);
  } catch (const InputError& error) {
    EXPECT_EQ(error.exit_code(), kExitUsage);
    return error.what();
  }
  ADD_FAILURE() << "read_brainvision accepted " << vhdr;
  return "";
}

void expect_error(const fs::path& vhdr, const std::vector<std::string>& fragments) {
  const std::string message = read_error(vhdr);
  for (const std::string& fragment : fragments) {
    EXPECT_NE(message.find(fragment), std::string::npos)
        << "message lacks '" << fragment << "': " << message;
  }
}

TEST(BrainVisionRead, HandMadeRecordingLoads) {
  HandMade rec;
  const BrainVisionFile file = read_brainvision(rec.vhdr());
  ASSERT_EQ(file.channels.size(), 2U);
  EXPECT_EQ(file.sfreq_hz, 1000.0);
  ASSERT_EQ(file.channels[1].samples.size(), 100U);
  EXPECT_DOUBLE_EQ(file.channels[1].samples[0], (37 - 3000) * 0.1);
  ASSERT_EQ(file.annotations.size(), 1U);
  EXPECT_DOUBLE_EQ(file.annotations[0].onset_s, 0.009);
  EXPECT_DOUBLE_EQ(file.annotations[0].duration_s, 0.001);
}

TEST(BrainVisionReadErrors, MissingOrForeignHeader) {
  TempDir dir;
  expect_error(dir / "absent.vhdr", {"absent.vhdr", "not found"});
  HandMade rec;
  rec.edit(rec.header, "BrainVision Data Exchange Header File Version 2.0", "[Common Infos]");
  expect_error(rec.vhdr(), {"rec.vhdr", "not a BrainVision header", "first line"});
  HandMade v3;
  v3.edit(v3.header, "Version 2.0", "Version 3.0");
  expect_error(v3.vhdr(), {"rec.vhdr", "unsupported header version", "Version 3.0"});
}

TEST(BrainVisionReadErrors, EveryRequiredKeyIsNamedWhenMissing) {
  const std::vector<std::pair<std::string, std::string>> required = {
      {"DataFile=rec.eeg\n", "DataFile"},
      {"DataFormat=BINARY\n", "DataFormat"},
      {"DataOrientation=MULTIPLEXED\n", "DataOrientation"},
      {"NumberOfChannels=2\n", "NumberOfChannels"},
      {"SamplingInterval=1000\n", "SamplingInterval"},
      {"BinaryFormat=INT_16\n", "BinaryFormat"}};
  for (const auto& [line, key] : required) {
    HandMade rec;
    rec.edit(rec.header, line, "");
    expect_error(rec.vhdr(), {"BrainVision header", "rec.vhdr", "'" + key + "'", "missing"});
  }
}

TEST(BrainVisionReadErrors, BadNumbersNameTheKeyAndLine) {
  for (const std::string bad : {"abc", "0", "-1000", "nan", ""}) {
    HandMade rec;
    rec.edit(rec.header, "SamplingInterval=1000", "SamplingInterval=" + bad);
    expect_error(rec.vhdr(),
                 {"rec.vhdr", "[Common Infos] key 'SamplingInterval' (line 9)", "microseconds"});
  }
  for (const std::string bad : {"0", "two", "-2", "2.0"}) {
    HandMade rec;
    rec.edit(rec.header, "NumberOfChannels=2", "NumberOfChannels=" + bad);
    expect_error(rec.vhdr(), {"rec.vhdr", "'NumberOfChannels'", ">= 1"});
  }
}

TEST(BrainVisionReadErrors, UnsupportedFormatsListWhatIsSupported) {
  struct Case {
    std::string from, to, key, supported;
  };
  const std::vector<Case> cases = {
      {"BinaryFormat=INT_16", "BinaryFormat=IEEE_FLOAT_64", "'BinaryFormat'",
       "INT_16, INT_32, IEEE_FLOAT_32"},
      {"BinaryFormat=INT_16", "BinaryFormat=UINT_16", "'BinaryFormat'", "INT_16"},
      {"DataFormat=BINARY", "DataFormat=ASCII", "'DataFormat'", "BINARY"},
      {"DataOrientation=MULTIPLEXED", "DataOrientation=DIAGONAL", "'DataOrientation'",
       "MULTIPLEXED, VECTORIZED"},
      {"Codepage=UTF-8", "Codepage=UTF-16", "'Codepage'", "UTF-8, ANSI"},
      {"DataFormat=BINARY", "DataFormat=BINARY\nDataType=FREQUENCYDOMAIN", "'DataType'",
       "TIMEDOMAIN"},
      {"BinaryFormat=INT_16", "BinaryFormat=INT_16\nUseBigEndianOrder=MAYBE", "'UseBigEndianOrder'",
       "NO, YES"},
  };
  for (const Case& c : cases) {
    HandMade rec;
    rec.edit(rec.header, c.from, c.to);
    expect_error(rec.vhdr(), {"rec.vhdr", c.key, "supported: " + c.supported});
  }
  HandMade lower;  // enumerated values are case-insensitive
  lower.edit(lower.header, "DataOrientation=MULTIPLEXED", "DataOrientation=multiplexed");
  EXPECT_NO_THROW(read_brainvision(lower.vhdr()));
}

TEST(BrainVisionReadErrors, ChannelCountMismatch) {
  HandMade more;
  more.edit(more.header, "NumberOfChannels=2", "NumberOfChannels=3");
  expect_error(more.vhdr(), {"rec.vhdr", "'Ch3'", "NumberOfChannels is 3", "channel count"});
  HandMade fewer;
  fewer.edit(fewer.header, "NumberOfChannels=2", "NumberOfChannels=1");
  expect_error(fewer.vhdr(), {"rec.vhdr", "key 'Ch2'", "NumberOfChannels is 1", "channel count"});
  HandMade twice;
  twice.edit(twice.header, "Ch2=Cz", "Ch01=Cz");
  expect_error(twice.vhdr(), {"rec.vhdr", "key 'Ch01'", "again"});
  HandMade duplicate;
  duplicate.edit(duplicate.header, "Ch2=Cz", "Ch1=Cz");
  expect_error(duplicate.vhdr(), {"rec.vhdr", "'Ch1' appears twice", "lines 15 and 16"});
}

TEST(BrainVisionReadErrors, BadChannelLines) {
  HandMade empty;
  empty.edit(empty.header, "Ch1=Fz,", "Ch1=,");
  expect_error(empty.vhdr(), {"rec.vhdr", "'Ch1'", "empty channel name"});
  for (const std::string bad : {"zero", "0", "inf"}) {
    HandMade rec;
    rec.edit(rec.header, "Ch2=Cz,,0.1,", "Ch2=Cz,," + bad + ",");
    expect_error(rec.vhdr(), {"rec.vhdr", "'Ch2'", "'Cz'", "resolution", "'" + bad + "'"});
  }
  HandMade stray;
  stray.edit(stray.header, "Ch2=Cz", "Channel2=Cz");
  expect_error(stray.vhdr(), {"rec.vhdr", "'Channel2'", "not a channel"});
  HandMade no_equals;
  no_equals.edit(no_equals.header, "Ch2=Cz,,0.1,\xC2\xB5V", "Ch2 Cz");
  expect_error(no_equals.vhdr(), {"rec.vhdr", "line 16", "[Channel Infos]", "<key>=<value>"});
}

TEST(BrainVisionReadErrors, DataFileMustHoldWholeSamples) {
  HandMade rec;
  rec.data.pop_back();
  rec.save();
  expect_error(rec.vhdr(), {"data file", "rec.eeg", "DataFile", "rec.vhdr", "399 bytes",
                            "not a whole number", "NumberOfChannels=2", "BinaryFormat=INT_16"});
  HandMade wider;  // the data is 2 x INT_16 per sample: 3 channels do not divide it
  wider.edit(wider.header, "Ch2=Cz,,0.1,\xC2\xB5V\n", "Ch2=Cz,,0.1,\xC2\xB5V\nCh3=Pz\n");
  wider.edit(wider.header, "NumberOfChannels=2", "NumberOfChannels=3");
  expect_error(wider.vhdr(), {"rec.eeg", "not a whole number", "NumberOfChannels=3"});
  HandMade empty;
  empty.data.clear();
  empty.save();
  expect_error(empty.vhdr(), {"rec.eeg", "no samples"});
  HandMade points;
  points.edit(points.header, "SamplingInterval=1000", "SamplingInterval=1000\nDataPoints=99");
  expect_error(points.vhdr(), {"rec.vhdr", "'DataPoints'", "99", "holds 100 samples"});
}

TEST(BrainVisionReadErrors, MissingDataOrMarkerFile) {
  HandMade rec;
  fs::remove(rec.dir / "rec.eeg");
  expect_error(rec.vhdr(), {"data file", "rec.eeg", "DataFile", "not found"});
  HandMade renamed;
  renamed.edit(renamed.header, "MarkerFile=rec.vmrk", "MarkerFile=other.vmrk");
  expect_error(renamed.vhdr(), {"marker file", "other.vmrk", "MarkerFile", "not found"});
}

TEST(BrainVisionReadErrors, PathsMustStayInTheHeadersDirectory) {
  struct Case {
    std::string value, fragment;
  };
  const std::vector<Case> refused = {{"/etc/passwd", "absolute"},
                                     {"C:\\Recordings\\rec.eeg", "absolute"},
                                     {"\\\\server\\share\\rec.eeg", "absolute"},
                                     {"../rec.eeg", "leaves the header's directory"},
                                     {"sub/../../rec.eeg", "leaves the header's directory"},
                                     {"..\\rec.eeg", "leaves the header's directory"},
                                     {".", "not a file"},
                                     {"sub/", "not a file"},
                                     {"", "empty"}};
  for (const Case& c : refused) {
    HandMade rec;
    rec.edit(rec.header, "DataFile=rec.eeg", "DataFile=" + c.value);
    expect_error(rec.vhdr(), {"rec.vhdr", "'DataFile'", c.fragment});
  }
  HandMade marker;
  marker.edit(marker.header, "MarkerFile=rec.vmrk", "MarkerFile=../rec.vmrk");
  expect_error(marker.vhdr(), {"rec.vhdr", "'MarkerFile'", "leaves"});

  // Inside the directory: a subdirectory, with '/' or Windows' '\', or a detour through one.
  HandMade inside;
  fs::create_directories(inside.dir / "sub");
  fs::copy_file(inside.dir / "rec.eeg", inside.dir / "sub" / "rec.eeg");
  for (const std::string value :
       {"sub/rec.eeg", "sub\\rec.eeg", "./sub/../sub/rec.eeg", "sub/../rec.eeg"}) {
    inside.header = HandMade().header;
    inside.edit(inside.header, "DataFile=rec.eeg", "DataFile=" + value);
    EXPECT_NO_THROW(read_brainvision(inside.vhdr())) << value;
  }
}

TEST(BrainVisionReadErrors, MalformedMarkers) {
  struct Case {
    std::string line, fragments;
  };
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"Mk1=Stimulus,S  1,10", {"'Mk1'", "line 7", "<Type>,<Description>,<Position>,<Size>"}},
      {"Mk1=Stimulus,S  1,0,1,0", {"'Mk1'", "position", "'0'"}},
      {"Mk1=Stimulus,S  1,ten,1,0", {"'Mk1'", "position", "'ten'"}},
      {"Mk1=Stimulus,S  1,10,-1,0", {"'Mk1'", "size", "'-1'"}},
      {"Mk1=Stimulus,S  1,10,1,x", {"'Mk1'", "channel", "'x'"}},
      {"Marker1=Stimulus,S  1,10,1,0", {"'Marker1'", "not a marker"}},
      {"Mk1=Stimulus,S  1,10,1,0\nMk01=Stimulus,S  2,20,1,0", {"'Mk01'", "repeats marker 1"}},
  };
  for (const auto& [line, fragments] : cases) {
    HandMade rec;
    rec.edit(rec.markers, "Mk1=Stimulus,S  1,10,1,0", line);
    std::vector<std::string> all = {"BrainVision marker file", "rec.vmrk", "[Marker Infos]"};
    all.insert(all.end(), fragments.begin(), fragments.end());
    if (line.starts_with("Marker1")) all.erase(all.begin() + 2);
    expect_error(rec.vhdr(), all);
  }
  HandMade foreign;
  foreign.edit(foreign.markers, "BrainVision Data Exchange Marker File Version 2.0", "Markers");
  expect_error(foreign.vhdr(), {"rec.vmrk", "not a BrainVision marker file", "MarkerFile"});
  HandMade optional;  // the channel field may be left out
  optional.edit(optional.markers, "Mk1=Stimulus,S  1,10,1,0", "Mk1=Stimulus,S  1,10,1");
  EXPECT_NO_THROW(read_brainvision(optional.vhdr()));
}

TEST(BrainVisionReadErrors, EveryTruncationAndRandomCorruptionIsAnInputError) {
  HandMade rec;
  const std::string original = rec.header;
  for (size_t length = 0; length < original.size(); ++length) {
    rec.header = original.substr(0, length);
    rec.save();
    try {
      const BrainVisionFile file = read_brainvision(rec.vhdr());
      for (const auto& channel : file.channels) EXPECT_EQ(channel.samples.size(), 100U);
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("rec."), std::string::npos) << error.what();
    }
  }
  std::mt19937 rng(5);
  std::uniform_int_distribution<size_t> position(0, original.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int trial = 0; trial < 500; ++trial) {
    rec.header = original;
    for (int k = 0; k < 3; ++k) rec.header[position(rng)] = static_cast<char>(byte(rng));
    rec.save();
    try {
      read_brainvision(rec.vhdr());
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("rec."), std::string::npos) << error.what();
    }
  }
}

// ------------------------------------------------------------------------------------------------
// load_recording: detection by content, and the files that are not read on their own.

TEST(BrainVisionLoad, DetectedFromTheFirstLineWhateverTheExtension) {
  HandMade rec;
  rec.header = "\xEF\xBB\xBF" + rec.header;  // a UTF-8 byte order mark is allowed
  rec.edit(rec.header, "\n", "\r\n");
  rec.save();
  fs::copy_file(rec.vhdr(), rec.dir / "header.txt");
  const Recording loaded = load_recording(rec.dir / "header.txt");
  EXPECT_EQ(loaded.format, "brainvision");
  EXPECT_EQ(loaded.channels, (std::vector<std::string>{"Fz", "Cz"}));
  EXPECT_EQ(loaded.annotations.size(), 1U);
  HandMade v1;
  v1.edit(v1.header, "BrainVision Data Exchange Header File Version 2.0",
          "Brain Vision Data Exchange Header File Version 1.0");
  EXPECT_EQ(load_recording(v1.vhdr()).format, "brainvision");
}

TEST(BrainVisionLoad, CompanionFilesAndForeignHeadersAreRefused) {
  HandMade rec;
  for (const std::string name : {"rec.vmrk", "rec.eeg"}) {
    try {
      load_recording(rec.dir / name);
      ADD_FAILURE() << "load_recording accepted " << name;
    } catch (const InputError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(name), std::string::npos) << message;
      EXPECT_NE(message.find(".vhdr"), std::string::npos) << message;
    }
  }
  std::ofstream(rec.dir / "other.vhdr") << "time,Fz\n0,1\n0.01,2\n";
  try {
    load_recording(rec.dir / "other.vhdr");
    ADD_FAILURE() << "load_recording accepted a .vhdr without the BrainVision first line";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("not a BrainVision header"), std::string::npos)
        << error.what();
  }
}

TEST(BrainVisionLoad, NonFiniteFloatSampleIsNamed) {
  HandMade rec;
  rec.edit(rec.header, "BinaryFormat=INT_16", "BinaryFormat=IEEE_FLOAT_32");
  rec.data.assign(2 * 50 * 4, '\0');
  rec.data.replace(8 * 7 + 4, 4, std::string("\x00\x00\xC0\x7F", 4));  // NaN: Cz, sample 7
  rec.save();
  try {
    load_recording(rec.vhdr());
    ADD_FAILURE() << "load_recording accepted a NaN sample";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'Cz'"), std::string::npos) << message;
    EXPECT_NE(message.find("sample 7"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace qneuro::io
