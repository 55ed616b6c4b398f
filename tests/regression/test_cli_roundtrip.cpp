// Regression tests of the CLI end to end: `qneuro synth` writes a recording, `qneuro analyze`
// reads it back as a user would, and the outputs, flags and exit codes are checked. Each test is
// named after the behaviour it protects.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/eeg/analysis_config.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
// ordered: key order in summary.json is part of what is checked (bands in table order).
using json = nlohmann::ordered_json;
using qneuro::testing::CommandResult;
using qneuro::testing::run_command;
using qneuro::testing::run_qneuro;
using qneuro::testing::shell_quote;
using qneuro::testing::TempDir;

/// `qneuro synth --out PATH ARGS --quiet`; fails the test if it does not exit 0.
void synth(const fs::path& path, const std::string& args) {
  const auto r = run_qneuro("synth --out " + shell_quote(path.string()) + " " + args + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::is_regular_file(path)) << path;
}

/// `qneuro analyze INPUT --out OUT ARGS --quiet`.
CommandResult analyze(const fs::path& input, const fs::path& out, const std::string& args = "") {
  return run_qneuro("analyze " + shell_quote(input.string()) + " --out " +
                    shell_quote(out.string()) + " " + args + " --quiet");
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

json read_json(const fs::path& p) {
  const std::string text = read_text(p);
  EXPECT_FALSE(text.empty()) << p;
  return json::parse(text);
}

/// summary.json without the run-dependent "timing_s" key.
json summary_without_timing(const fs::path& out_dir) {
  json j = read_json(out_dir / "summary.json");
  EXPECT_TRUE(j.contains("timing_s")) << "summary.json has no timing_s key any more";
  j.erase("timing_s");
  return j;
}

std::vector<std::string> channels_of(const json& summary) {
  return summary.at("channels").get<std::vector<std::string>>();
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    names.insert(fs::relative(e.path(), dir).string());
  }
  return names;
}

/// Expects every band power of `a` to equal `b`'s within `rel` relative.
void expect_band_powers_close(const json& a, const json& b, double rel, const std::string& what) {
  const auto& pa = a.at("per_channel");
  const auto& pb = b.at("per_channel");
  ASSERT_EQ(pa.size(), pb.size()) << what;
  for (std::size_t c = 0; c < pa.size(); ++c) {
    EXPECT_EQ(pa[c].at("name"), pb[c].at("name")) << what;
    const auto& ba = pa[c].at("band_power");
    const auto& bb = pb[c].at("band_power");
    ASSERT_EQ(ba.size(), bb.size()) << what;
    ASSERT_EQ(ba.size(), 5U) << what;
    for (const auto& [band, value] : ba.items()) {
      ASSERT_TRUE(bb.contains(band)) << what << ": band " << band;
      const double x = value.get<double>();
      const double y = bb.at(band).get<double>();
      EXPECT_GT(y, 0.0) << what;
      EXPECT_LE(std::abs(x - y), rel * std::abs(y)) << what << ": channel " << pa[c].at("name")
                                                    << " band " << band << ": " << x << " vs " << y;
    }
  }
}

const std::string kSynthArgs = "--channels 8 --duration 20 --fs 160 --seed 11";

TEST(CliRoundtrip, SynthEdfCsvHdf5AnalyzeToTheSameSummaryAndCompleteOutputs) {
  TempDir dir;
  const std::vector<std::string> exts = {"edf", "csv", "h5"};
  std::vector<json> summaries;
  for (const auto& ext : exts) {
    const auto input = dir / ("rec." + ext);
    synth(input, kSynthArgs);
    const auto out = dir / ("out_" + ext);
    const auto r = analyze(input, out);
    ASSERT_EQ(r.exit_code, 0) << ext << ": " << r.output;
    for (const char* name : {"summary.json", "analysis.h5", "config.resolved.toml", "run.json"}) {
      EXPECT_TRUE(fs::is_regular_file(out / name)) << ext << ": missing " << name;
      EXPECT_GT(fs::file_size(out / name), 0U) << ext << ": empty " << name;
    }
    summaries.push_back(read_json(out / "summary.json"));
    const json& s = summaries.back();
    EXPECT_EQ(s.at("schema"), "qneuro.analysis/1") << ext;
    EXPECT_EQ(read_json(out / "run.json").at("subcommand"), "analyze") << ext;
  }
  const json& edf = summaries[0];
  const json& csv = summaries[1];
  const json& h5 = summaries[2];
  const std::vector<std::string> expected_channels = {"FC5", "FC3", "FC1", "FCz",
                                                      "FC2", "FC4", "FC6", "C5"};
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    EXPECT_EQ(channels_of(summaries[i]), expected_channels) << exts[i];
    EXPECT_EQ(summaries[i].at("n_samples").get<std::size_t>(), 3200U) << exts[i];
    EXPECT_NEAR(summaries[i].at("sfreq").get<double>(), 160.0, 160.0 * 1e-12) << exts[i];
  }
  expect_band_powers_close(csv, h5, 1e-9, "csv vs h5");
  expect_band_powers_close(edf, h5, 1e-3, "edf vs h5 (int16 quantisation)");

  // analysis.h5 as another tool sees it: datasets and shapes.
  const auto check = run_command(
      shell_quote(QNEURO_PYTHON) + " -c " +
      shell_quote("import sys, h5py, numpy as np\n"
                  "with h5py.File(sys.argv[1], 'r') as f:\n"
                  "    freqs, psd = f['freqs'][()], f['psd'][()]\n"
                  "    pli, wpli = f['pli'][()], f['wpli'][()]\n"
                  "C, B = 8, 5\n"
                  "F = freqs.shape[0]\n"
                  "assert freqs.ndim == 1 and F > 1, freqs.shape\n"
                  "assert np.allclose(np.diff(freqs), 0.5), freqs[:3]\n"
                  "assert psd.shape == (C, F), psd.shape\n"
                  "assert pli.shape == (B, C, C) and wpli.shape == (B, C, C), (pli.shape, "
                  "wpli.shape)\n"
                  "assert np.all(psd >= 0) and np.all(np.isfinite(psd))\n"
                  "assert np.all((pli >= 0) & (pli <= 1)) and np.all((wpli >= 0) & (wpli <= 1))\n"
                  "assert np.allclose(pli, pli.transpose(0, 2, 1))\n"
                  "print('analysis.h5 ok')\n") +
      " " + shell_quote((dir / "out_h5" / "analysis.h5").string()));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("analysis.h5 ok"), std::string::npos) << check.output;
}

TEST(CliRoundtrip, ResolvedConfigFedBackReproducesIdenticalSummary) {
  TempDir dir;
  const auto input = dir / "rec.h5";
  synth(input, kSynthArgs);
  // A non-default setting, so that the resolved file must carry it for the rerun to match.
  const auto r1 = analyze(input, dir / "a", "--set welch.nperseg=256 --set connectivity.edge_s=2");
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  const auto r2 = analyze(input, dir / "b",
                          "--config " + shell_quote((dir / "a" / "config.resolved.toml").string()));
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  const json a = summary_without_timing(dir / "a");
  const json b = summary_without_timing(dir / "b");
  EXPECT_EQ(a.at("welch").at("nperseg"), 256);
  EXPECT_EQ(a, b) << "summary differs after feeding config.resolved.toml back";
  EXPECT_EQ(read_text(dir / "a" / "config.resolved.toml"),
            read_text(dir / "b" / "config.resolved.toml"));
}

TEST(CliRoundtrip, ThreadCountDoesNotChangeSummary) {
  TempDir dir;
  const auto input = dir / "rec.h5";
  synth(input, "--channels 16 --duration 20 --fs 160 --seed 3");
  const auto r1 = analyze(input, dir / "t1", "--threads 1");
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  const auto r2 = analyze(input, dir / "t2", "--threads 2");
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  EXPECT_EQ(read_json(dir / "t1" / "run.json").at("threads"), 1);
  EXPECT_EQ(read_json(dir / "t2" / "run.json").at("threads"), 2);
  EXPECT_EQ(summary_without_timing(dir / "t1"), summary_without_timing(dir / "t2"));
}

TEST(CliRoundtrip, ChannelsFlagSelectsExactlyTheNamedChannels) {
  TempDir dir;
  const auto input = dir / "rec.edf";
  synth(input, "--channels 64 --duration 10 --fs 160");
  const auto r = analyze(input, dir / "o", "--channels O1,Oz");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json s = read_json(dir / "o" / "summary.json");
  EXPECT_EQ(channels_of(s), (std::vector<std::string>{"O1", "Oz"}));
  EXPECT_EQ(s.at("per_channel").size(), 2U);
  EXPECT_EQ(s.at("connectivity").at("pli").at("alpha").size(), 2U);
}

TEST(CliRoundtrip, ChannelsRegexSelectsExactlyTheMatchingChannelsInFileOrder) {
  TempDir dir;
  const auto input = dir / "rec.edf";
  synth(input, "--channels 64 --duration 10 --fs 160");
  const auto r = analyze(input, dir / "o", "--channels-regex '^P'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json s = read_json(dir / "o" / "summary.json");
  const std::vector<std::string> expected = {"P7", "P5", "P3",  "P1",  "Pz",  "P2",  "P4",
                                             "P6", "P8", "PO7", "PO3", "POz", "PO4", "PO8"};
  EXPECT_EQ(channels_of(s), expected);
  EXPECT_EQ(s.at("per_channel").size(), expected.size());
}

TEST(CliRoundtrip, SleepPresetYieldsSleepBands) {
  TempDir dir;
  const auto input = dir / "rec.h5";
  synth(input, kSynthArgs);
  const auto r = analyze(input, dir / "o", "--preset sleep");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json s = read_json(dir / "o" / "summary.json");
  std::vector<std::string> bands;
  for (const auto& [name, edges] : s.at("bands").items()) bands.push_back(name);
  const std::vector<std::string> expected = {"slow", "delta", "theta", "alpha", "sigma", "beta"};
  EXPECT_EQ(bands, expected);
  std::vector<std::string> powers;
  for (const auto& [name, v] : s.at("per_channel").at(0).at("band_power").items()) {
    powers.push_back(name);
  }
  EXPECT_EQ(powers, expected);
  EXPECT_EQ(s.at("bands").at("sigma"), json::array({12.0, 16.0}));
}

TEST(CliRoundtrip, DescribeConfigPrintsMarkdownTableWithEveryKey) {
  const auto r = run_qneuro("analyze --describe-config");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| key |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("|---|"), std::string::npos) << r.output;
  const auto keys = qneuro::eeg::analysis_schema().keys();
  EXPECT_GE(keys.size(), 10U);
  for (const auto& key : keys) {
    EXPECT_NE(r.output.find("| `" + key + "` |"), std::string::npos) << "no row for " << key;
  }
  for (const char* key : {"welch.nperseg", "bands", "connectivity.edge_s"}) {
    EXPECT_NE(r.output.find("| `" + std::string(key) + "` |"), std::string::npos) << key;
  }
}

TEST(CliRoundtrip, PrintConfigShowsSetOverride) {
  const auto r = run_qneuro("analyze --print-config --set welch.nperseg=256");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("nperseg = 256"), std::string::npos) << r.output;
}

TEST(CliRoundtrip, JsonFlagPrintsOnlyValidSummaryJsonOnStdout) {
  TempDir dir;
  const auto input = dir / "rec.h5";
  synth(input, kSynthArgs);
  const auto stdout_file = dir / "stdout.json";
  // Not --quiet: log lines must go to stderr, never into the JSON on stdout. The braces keep
  // run_command's trailing 2>&1 outside, so only stdout lands in the file.
  const auto r = run_command(
      "{ " + shell_quote(QNEURO_CLI) + " analyze " + shell_quote(input.string()) + " --out " +
      shell_quote((dir / "o").string()) + " --json > " + shell_quote(stdout_file.string()) + "; }");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string text = read_text(stdout_file);
  ASSERT_TRUE(json::accept(text)) << text.substr(0, 400);
  const json printed = json::parse(text);
  EXPECT_EQ(printed.at("schema"), "qneuro.analysis/1");
  EXPECT_EQ(printed, read_json(dir / "o" / "summary.json"));
}

TEST(CliRoundtrip, VersionFlagExits0AndNamesQneuro) {
  const auto r = run_qneuro("--version");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("qneuro ", 0), 0U) << r.output;
}

TEST(CliRoundtrip, NoSubcommandExits2) {
  const auto r = run_qneuro("");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_FALSE(r.output.empty());
}

TEST(CliRoundtrip, AnalyzeWithoutInputExits2WithMissingInput) {
  TempDir dir;
  const auto r = run_qneuro("analyze --out " + shell_quote((dir / "o").string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("missing INPUT"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "o"));
}

TEST(CliRoundtrip, SynthWithUnknownExtensionExits2NamingFormats) {
  TempDir dir;
  const auto out = dir / "x.txt";
  const auto r = run_qneuro("synth --out " + shell_quote(out.string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(".edf, .csv or .h5"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(CliRoundtrip, UncreatableOutputDirectoryExits1NamingItAndLeavesNoPartialFiles) {
  TempDir dir;
  const auto input = dir / "rec.h5";
  synth(input, kSynthArgs);
  const auto blocker = dir / "FILE";
  std::ofstream(blocker) << "a regular file, not a directory\n";
  const auto before = listing(dir.path());
  const auto out = blocker / "sub";
  const auto r = analyze(input, out);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(out.string()), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  EXPECT_EQ(listing(dir.path()), before) << "files were left behind";
  EXPECT_EQ(read_text(blocker), "a regular file, not a directory\n");
}

TEST(CliRoundtrip, Hdf5InputWithoutSignalsExits2MentioningSignals) {
  TempDir dir;
  const auto input = dir / "other.h5";
  const auto w = run_command(shell_quote(QNEURO_PYTHON) + " -c " +
                             shell_quote("import sys, h5py, numpy as np\n"
                                         "with h5py.File(sys.argv[1], 'w') as f:\n"
                                         "    f['x'] = np.arange(10.0)\n") +
                             " " + shell_quote(input.string()));
  ASSERT_EQ(w.exit_code, 0) << w.output;
  const auto r = analyze(input, dir / "o");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("/signals"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(input.string()), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "o"));
}

}  // namespace
