// `qneuro snn train` end to end on a generated dataset (no shared data needed): it learns
// (test accuracy above 90 % on well-separated classes), writes summary.json / model.pt /
// curves.h5 that agree, is bit-for-bit deterministic for a seed, reads MNIST IDX directories,
// and bad data or config exit 2 naming the problem. Also `snn bench-train`'s JSON line.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "qneuro/io/hdf5.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

using testing::quote_path;
using testing::read_json;
using testing::run_qneuro;
using testing::shell_quote;
using testing::TempDir;

/// 8x8 "digits": 10 random prototypes in [0, 16] plus noise; 600 rows (500 train, 100 test).
std::filesystem::path write_blobs(const std::filesystem::path& dir, std::size_t rows = 600) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> proto(0.0, 16.0);
  std::normal_distribution<double> noise(0.0, 2.0);
  std::vector<std::vector<double>> protos(10, std::vector<double>(64));
  for (auto& p : protos) {
    for (auto& v : p) v = proto(rng) > 9.0 ? 14.0 : 1.0;
  }
  const auto path = dir / "blobs.csv";
  std::ofstream out(path);
  out << "# header line: pixels then label\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t label = i % 10;
    for (double v : protos[label]) out << std::clamp(std::round(v + noise(rng)), 0.0, 16.0) << ",";
    out << label << "\n";
  }
  return path;
}

TEST(SnnTrainCli, LearnsSeparableClassesAndWritesConsistentOutputs) {
  TempDir dir;
  const auto data = write_blobs(dir.path());
  const auto out = dir / "run";
  const auto r = run_qneuro(
      "snn train -q --preset test --set data.train_rows=500 --set "
      "train.epochs=8 --data " +
      quote_path(data) + " --out " + quote_path(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto s = read_json(out / "summary.json");
  EXPECT_EQ(s["schema"], "qneuro.snn.train/1");
  EXPECT_EQ(s["data"]["train_samples"], 500);
  EXPECT_EQ(s["data"]["test_samples"], 100);
  EXPECT_EQ(s["data"]["classes"], 10);
  EXPECT_EQ(s["data"]["scale"], 16.0);
  ASSERT_EQ(s["epochs"].size(), 8u);
  EXPECT_GT(s["test_accuracy"].get<double>(), 0.9) << r.output;
  EXPECT_EQ(s["test_accuracy"], s["epochs"][7]["test_accuracy"]);
  EXPECT_LT(s["epochs"][7]["loss"].get<double>(), s["epochs"][0]["loss"].get<double>());
  EXPECT_TRUE(std::filesystem::file_size(out / "model.pt") > 1000);
  EXPECT_TRUE(std::filesystem::exists(out / "config.resolved.toml"));
  EXPECT_TRUE(std::filesystem::exists(out / "run.json"));
  const auto h5 = io::H5File::open_read(out / "curves.h5");
  const auto acc = h5.read_double("epoch/test_accuracy").data;
  ASSERT_EQ(acc.size(), 8u);
  for (std::size_t e = 0; e < 8; ++e) EXPECT_EQ(acc[e], s["epochs"][e]["test_accuracy"]);
  EXPECT_EQ(h5.read_double("batch_loss").data.size(), 8u * 8u);  // 500 / 64 -> 8 batches
}

TEST(SnnTrainCli, SameSeedGivesIdenticalCurvesForEveryMode) {
  TempDir dir;
  const auto data = write_blobs(dir.path(), 200);
  for (const char* preset : {"test", "deterministic", "stochastic"}) {
    std::vector<nlohmann::json> runs;
    for (int i = 0; i < 2; ++i) {
      const auto out = dir / (std::string(preset) + std::to_string(i));
      const auto r = run_qneuro(std::string("snn train -q --preset ") + preset +
                                " --set data.train_rows=150 --set train.epochs=2 --set "
                                "model.hidden=16 --set model.steps=6 --data " +
                                quote_path(data) + " --out " + quote_path(out));
      ASSERT_EQ(r.exit_code, 0) << r.output;
      runs.push_back(read_json(out / "summary.json")["epochs"]);
    }
    for (std::size_t e = 0; e < runs[0].size(); ++e) {
      EXPECT_EQ(runs[0][e]["loss"], runs[1][e]["loss"]) << preset;
      EXPECT_EQ(runs[0][e]["test_accuracy"], runs[1][e]["test_accuracy"]) << preset;
    }
  }
}

void write_idx(const std::filesystem::path& path, uint32_t magic, std::vector<uint32_t> dims,
               const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  auto be = [&](uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
    out.write(b, 4);
  };
  be(magic);
  for (uint32_t d : dims) be(d);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

TEST(SnnTrainCli, ReadsMnistIdxDirectories) {
  TempDir dir;
  const auto mnist = dir / "mnist";
  std::filesystem::create_directories(mnist);
  auto images = [](std::size_t n) {
    std::vector<uint8_t> b(n * 16);
    for (std::size_t i = 0; i < n; ++i) b[i * 16 + (i % 4) * 4] = 255;  // class = i % 4
    return b;
  };
  auto labels = [](std::size_t n) {
    std::vector<uint8_t> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i % 4);
    return b;
  };
  write_idx(mnist / "train-images-idx3-ubyte", 0x803, {40, 4, 4}, images(40));
  write_idx(mnist / "train-labels-idx1-ubyte", 0x801, {40}, labels(40));
  write_idx(mnist / "t10k-images-idx3-ubyte", 0x803, {12, 4, 4}, images(12));
  write_idx(mnist / "t10k-labels-idx1-ubyte", 0x801, {12}, labels(12));
  const auto out = dir / "run";
  const auto r = run_qneuro("snn train -q --preset test --data " + quote_path(mnist) + " --out " +
                            quote_path(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto s = read_json(out / "summary.json");
  EXPECT_EQ(s["data"]["format"], "idx");
  EXPECT_EQ(s["data"]["train_samples"], 40);
  EXPECT_EQ(s["data"]["test_samples"], 12);
  EXPECT_EQ(s["data"]["features"], 16);
  EXPECT_EQ(s["data"]["classes"], 4);
  // a truncated image file
  write_idx(mnist / "t10k-images-idx3-ubyte", 0x803, {12, 4, 4}, images(11));
  const auto bad = run_qneuro("snn train -q --preset test --data " + quote_path(mnist) + " --out " +
                              quote_path(dir / "bad"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("t10k-images-idx3-ubyte"), std::string::npos) << bad.output;
}

TEST(SnnTrainCli, BadDataAndConfigExitTwoNamingTheProblem) {
  TempDir dir;
  const auto good = write_blobs(dir.path(), 100);
  const auto ragged = dir / "ragged.csv";
  std::ofstream(ragged) << "1,2,3,0\n1,2,1\n";
  const auto badlabel = dir / "badlabel.csv";
  std::ofstream(badlabel) << "1,2,3,0\n1,2,3,0.5\n";
  struct Case {
    std::string args, needle;
  };
  const std::vector<Case> cases = {
      {"--out " + quote_path(dir / "x"), "--data"},
      {"--data " + quote_path(dir / "missing.csv"), "missing.csv"},
      {"--data " + quote_path(ragged), ":2: 3 columns"},
      {"--data " + quote_path(badlabel), "label"},
      {"--data " + quote_path(good) + " --set data.train_rows=100", "data.train_rows"},
      {"--data " + quote_path(good) + " --set model.hiden=3", "model.hidden"},
      {"--data " + quote_path(good) + " --set train.lr=-1", "train.lr"},
      {"--data " + quote_path(good) + " --set model.encoding=phase", "model.encoding"},
  };
  for (const auto& c : cases) {
    const auto r = run_qneuro("snn train -q --preset test " + c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.needle), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(SnnTrainCli, BenchTrainPrintsBothLayersFigures) {
  const auto r = run_qneuro("snn bench-train -q --hidden 32 --batch 16 --steps 5 --iterations 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  for (const char* k :
       {"fused_samples_per_s", "oracle_samples_per_s", "speedup", "fused_layer_step_ms",
        "oracle_layer_step_ms", "layer_speedup", "fused_saved_bytes_accounted"}) {
    ASSERT_TRUE(j.contains(k)) << k;
    EXPECT_GT(j[k].get<double>(), 0.0) << k;
  }
  // input (4 B) + spike byte (1 B) + parameters; the call after reset() saves no initial state
  EXPECT_NEAR(j["fused_saved_bytes_accounted"].get<double>(), 5.0, 0.1);
  // The split of a step: every phase timed (the encoding also runs inside forward).
  for (const char* layer : {"fused_step_split_ms", "oracle_step_split_ms"}) {
    ASSERT_TRUE(j.contains(layer)) << layer;
    for (const char* phase : {"encode", "forward", "backward", "optimizer"}) {
      ASSERT_TRUE(j[layer].contains(phase)) << layer << " " << phase;
      EXPECT_GT(j[layer][phase].get<double>(), 0.0) << layer << " " << phase;
    }
  }
}

}  // namespace
}  // namespace qneuro
