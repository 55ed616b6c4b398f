#include <gtest/gtest.h>

#include <fstream>

#include "qneuro/core/config.hpp"
#include "qneuro/core/error.hpp"
#include "test_support.hpp"

namespace {

using qneuro::ConfigError;
using qneuro::config::Bounds;
using qneuro::config::Config;
using qneuro::config::Schema;

const Schema& schema() {
  static const Schema s = [] {
    Schema x("test");
    x.add_int("welch.nperseg", 0, {"samples", "segment"}, Bounds{0.0, 1e6});
    x.add_float("welch.overlap", 0.5, {"", "overlap"}, Bounds{0.0, 1.0, false, true});
    x.add_choice("welch.window", "hann", {"hann", "hamming", "boxcar"}, {"", "window"});
    x.add_bool("connectivity.enabled", true, {"", "on"});
    x.add_float_list("spectrum.range_hz", {0.5, 45.0}, {"Hz", "range"}, Bounds{0.0, {}}, 2, 2);
    x.add_string_list("channels.names", {}, {"", "names"});
    x.add_string("channels.regex", "", {"", "regex"});
    x.add_range_table("bands", {{"delta", 0.5, 4.0}, {"alpha", 8.0, 12.0}}, {"Hz", "bands"},
                      Bounds{0.0, {}});
    x.add_preset("wide", "[welch]\noverlap = 0.75\n[spectrum]\nrange_hz = [0.1, 100.0]\n", "wide");
    return x;
  }();
  return s;
}

std::string error_of(const std::vector<std::string>& sets, const std::string& preset = "") {
  try {
    (void)Config::resolve(schema(), preset, std::nullopt, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsAreResolved) {
  const Config c = Config::resolve(schema(), "", std::nullopt, {});
  EXPECT_EQ(c.get_int("welch.nperseg"), 0);
  EXPECT_DOUBLE_EQ(c.get_float("welch.overlap"), 0.5);
  EXPECT_EQ(c.get_string("welch.window"), "hann");
  EXPECT_TRUE(c.get_bool("connectivity.enabled"));
  EXPECT_EQ(c.get_floats("spectrum.range_hz"), (std::vector<double>{0.5, 45.0}));
  EXPECT_TRUE(c.get_strings("channels.names").empty());
  EXPECT_EQ(c.origin("welch.overlap"), "the built-in defaults");
}

TEST(Config, PresetThenFileThenSetOverride) {
  qneuro::testing::TempDir dir;
  const auto file = dir / "c.toml";
  std::ofstream(file) << "[welch]\nnperseg = 256\noverlap = 0.25\n";
  const Config c = Config::resolve(schema(), "wide", file, {"welch.overlap=0.1"});
  EXPECT_EQ(c.get_int("welch.nperseg"), 256);
  EXPECT_DOUBLE_EQ(c.get_float("welch.overlap"), 0.1);
  EXPECT_EQ(c.get_floats("spectrum.range_hz"), (std::vector<double>{0.1, 100.0}));
  EXPECT_EQ(c.origin("spectrum.range_hz"), "preset 'wide'");
  EXPECT_EQ(c.origin("welch.nperseg"), "file '" + file.string() + "'");
  EXPECT_EQ(c.origin("welch.overlap"), "--set welch.overlap=0.1");
  EXPECT_EQ(c.preset(), "wide");
}

TEST(Config, UnknownKeySuggestsNearest) {
  const std::string msg = error_of({"welch.npreseg=3"});
  EXPECT_NE(msg.find("unknown key 'welch.npreseg'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'welch.nperseg'"), std::string::npos) << msg;
}

TEST(Config, WrongTypeNamesKeyAndValue) {
  const std::string msg = error_of({"welch.nperseg=2.5"});
  EXPECT_NE(msg.find("'welch.nperseg' must be an integer"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2.5"), std::string::npos) << msg;
  EXPECT_NE(error_of({"connectivity.enabled=yes"}).find("must be true or false"),
            std::string::npos);
}

TEST(Config, IntegerAcceptedWhereFloatExpected) {
  const Config c = Config::resolve(schema(), "", std::nullopt, {"welch.overlap=0"});
  EXPECT_DOUBLE_EQ(c.get_float("welch.overlap"), 0.0);
}

TEST(Config, OutOfRangeNamesAllowedRange) {
  const std::string msg = error_of({"welch.overlap=1.0"});
  EXPECT_NE(msg.find("'welch.overlap' must be in [0, 1), got 1"), std::string::npos) << msg;
  EXPECT_NE(error_of({"welch.nperseg=-1"}).find("[0, 1000000]"), std::string::npos);
  EXPECT_NE(error_of({"welch.overlap=nan"}).find("must be finite"), std::string::npos);
}

TEST(Config, ChoiceListsAllowedValuesAndSuggests) {
  const std::string msg = error_of({"welch.window=haning"});
  EXPECT_NE(msg.find("must be one of 'hann', 'hamming', 'boxcar'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'hann'"), std::string::npos) << msg;
}

TEST(Config, ListLengthChecked) {
  const std::string msg = error_of({"spectrum.range_hz=[1, 2, 3]"});
  EXPECT_NE(msg.find("must have 2 elements, got 3"), std::string::npos) << msg;
  EXPECT_NE(error_of({"spectrum.range_hz=[1, \"a\"]"}).find("element 1 must be a number"),
            std::string::npos);
}

TEST(Config, BareStringListSplitsOnCommas) {
  const Config c = Config::resolve(schema(), "", std::nullopt, {"channels.names=O1, Oz,O2"});
  EXPECT_EQ(c.get_strings("channels.names"), (std::vector<std::string>{"O1", "Oz", "O2"}));
  const Config q = Config::resolve(schema(), "", std::nullopt, {"channels.names=[\"a,b\"]"});
  EXPECT_EQ(q.get_strings("channels.names"), (std::vector<std::string>{"a,b"}));
}

TEST(Config, RangeTableEntryMergesWholeTableReplaces) {
  const Config merged = Config::resolve(schema(), "", std::nullopt, {"bands.beta=[12, 30]"});
  const auto m = merged.get_ranges("bands");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].name, "delta");  // ordered by lower edge
  EXPECT_EQ(m[2].name, "beta");
  const Config replaced =
      Config::resolve(schema(), "", std::nullopt, {"bands={gamma=[30, 45], theta=[4, 8]}"});
  const auto r = replaced.get_ranges("bands");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].name, "theta");
  EXPECT_DOUBLE_EQ(r[1].hi, 45.0);
  EXPECT_NE(error_of({"bands.x=[4, 2]"}).find("entry 'x' must have lo < hi"), std::string::npos);
  EXPECT_NE(error_of({"bands.x=[-1, 2]"}).find("lower edge must be >= 0, got -1"),
            std::string::npos);
}

TEST(Config, FileErrorsNameTheFile) {
  qneuro::testing::TempDir dir;
  const auto bad_syntax = dir / "bad.toml";
  std::ofstream(bad_syntax) << "[welch]\nnperseg = = 3\n";
  try {
    (void)Config::resolve(schema(), "", bad_syntax, {});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.toml' line 2"), std::string::npos) << e.what();
  }
  const auto unknown = dir / "unknown.toml";
  std::ofstream(unknown) << "[welch]\nwindoww = \"hann\"\n";
  try {
    (void)Config::resolve(schema(), "", unknown, {});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unknown.toml'"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'welch.window'"), std::string::npos) << m;
  }
  EXPECT_THROW((void)Config::resolve(schema(), "", dir / "missing.toml", {}), ConfigError);
}

TEST(Config, UnknownPresetListsAvailable) {
  const std::string msg = error_of({}, "wid");
  EXPECT_NE(msg.find("unknown preset 'wid'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'wide'"), std::string::npos) << msg;
}

TEST(Config, SetWithoutEqualsIsAnError) {
  EXPECT_NE(error_of({"welch.overlap"}).find("expected key=value"), std::string::npos);
}

TEST(Config, ResolvedTomlRoundTrips) {
  qneuro::testing::TempDir dir;
  const Config c = Config::resolve(schema(), "wide", std::nullopt,
                                   {"bands.beta=[12, 30]", "channels.names=O1,O2"});
  const auto file = dir / "resolved.toml";
  std::ofstream(file) << c.to_toml();
  const Config again = Config::resolve(schema(), "", file, {});
  EXPECT_EQ(again.table(), c.table());
}

TEST(Config, MarkdownListsEveryKey) {
  const std::string md = schema().markdown();
  for (const auto& key : schema().keys()) {
    EXPECT_NE(md.find("`" + key + "`"), std::string::npos) << key;
  }
  EXPECT_NE(md.find("[0, 1)"), std::string::npos);
}

}  // namespace
