#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "qneuro/core/error.hpp"
#include "qneuro/eeg/analysis_config.hpp"

namespace {

using qneuro::ConfigError;
using qneuro::config::Config;
using qneuro::eeg::analysis_schema;
using qneuro::eeg::params_from_config;

Config resolve(const std::vector<std::string>& sets, const std::string& preset = "") {
  return Config::resolve(analysis_schema(), preset, std::nullopt, sets);
}

std::string error_of(const std::vector<std::string>& sets, double fs, std::size_t n) {
  try {
    (void)params_from_config(resolve(sets), fs, n);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(AnalysisConfig, DefaultsMatchDesign) {
  const auto p = params_from_config(resolve({}), 160.0, 9600);
  EXPECT_EQ(p.nperseg, 0u);  // resolved to 2 s by analyze()
  EXPECT_DOUBLE_EQ(p.overlap, 0.5);
  ASSERT_EQ(p.bands.size(), 5u);
  EXPECT_EQ(p.bands[0].name, "delta");
  EXPECT_EQ(p.bands[4].name, "gamma");
  EXPECT_DOUBLE_EQ(p.range_lo_hz, 0.5);
  EXPECT_DOUBLE_EQ(p.range_hi_hz, 45.0);
  EXPECT_DOUBLE_EQ(p.edge_s, 1.0);
}

TEST(AnalysisConfig, SleepPresetBands) {
  const auto p = params_from_config(resolve({}, "sleep"), 100.0, 6000);
  std::vector<std::string> names;
  for (const auto& b : p.bands) names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"slow", "delta", "theta", "alpha", "sigma", "beta"}));
  EXPECT_DOUBLE_EQ(p.range_hi_hz, 30.0);
}

TEST(AnalysisConfig, BandAboveNyquistNamesKeyAndLimit) {
  const std::string m = error_of({}, 64.0, 6400);  // gamma [30, 45) > 32 Hz
  EXPECT_NE(m.find("key 'bands'"), std::string::npos) << m;
  EXPECT_NE(m.find("'gamma'"), std::string::npos) << m;
  EXPECT_NE(m.find("fs/2"), std::string::npos) << m;
}

TEST(AnalysisConfig, DataDependentChecksNameTheirKeys) {
  EXPECT_NE(error_of({"welch.nperseg=1000"}, 100.0, 500).find("welch.nperseg"), std::string::npos);
  EXPECT_NE(error_of({}, 100.0, 150).find("(2 s at 100 Hz)"), std::string::npos);
  EXPECT_NE(error_of({"connectivity.edge_s=3"}, 100.0, 500).find("connectivity.edge_s"),
            std::string::npos);
  EXPECT_NE(error_of({"spectrum.range_hz=[10, 60]"}, 100.0, 5000).find("spectrum.range_hz"),
            std::string::npos);
  EXPECT_NE(error_of({"aperiodic.range_hz=[40, 10]"}, 100.0, 5000).find("aperiodic.range_hz"),
            std::string::npos);
  // Edge checks only matter when connectivity runs.
  EXPECT_EQ(error_of({"connectivity.edge_s=3", "connectivity.enabled=false"}, 100.0, 500), "");
}

// docs/analyze.md is the user-facing reference of the key table: it must name every key.
TEST(AnalysisConfig, EveryKeyIsDocumented) {
  std::ifstream in(std::string(QNEURO_SOURCE_DIR) + "/docs/analyze.md");
  ASSERT_TRUE(in) << "docs/analyze.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (const auto& key : analysis_schema().keys()) {
    EXPECT_NE(doc.find("`" + key + "`"), std::string::npos) << key << " is not in docs/analyze.md";
  }
  for (const auto& preset : analysis_schema().preset_names()) {
    EXPECT_NE(doc.find("`" + preset + "`"), std::string::npos) << preset;
  }
}

// The example configs shipped in configs/ must stay valid.
TEST(AnalysisConfig, ShippedExampleConfigsResolve) {
  const std::filesystem::path file =
      std::filesystem::path(QNEURO_SOURCE_DIR) / "configs" / "analyze-bci.toml";
  const Config c = Config::resolve(analysis_schema(), "", file, {});
  const auto p = params_from_config(c, 160.0, 9600);
  ASSERT_EQ(p.bands.size(), 6u);
  EXPECT_EQ(p.bands[2].name, "mu");
  EXPECT_EQ(c.get_string("channels.regex"), "^(C|FC|CP)");
}

}  // namespace
