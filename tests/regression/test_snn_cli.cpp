// `qneuro snn` end to end: outputs and their readers (h5py), thread-count invariance, file input
// through .npy and HDF5, calibrate's check, bench's JSON line, and every bad parameter of the
// issue exiting 2 with the parameter named.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "npy.hpp"
#include "qneuro/io/hdf5.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

using testing::quote_path;
using testing::read_json;
using testing::run_command;
using testing::run_qneuro;
using testing::shell_quote;
using testing::TempDir;

TEST(SnnCli, TestPresetWritesSpikesVoltageAndSummary) {
  TempDir dir;
  const auto out = dir / "run";
  const auto r =
      run_qneuro("snn --preset test -q --set record.traces=true --out " + quote_path(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto s = read_json(out / "summary.json");
  EXPECT_EQ(s["schema"], "qneuro.snn/1");
  EXPECT_EQ(s["neurons"], 64);
  EXPECT_EQ(s["steps"], 200);
  EXPECT_EQ(s["rates"]["rate_hz_per_neuron"].size(), 64u);
  EXPECT_GT(s["rates"]["population_rate_hz"].get<double>(), 0.0);
  EXPECT_TRUE(s["mean_voltage"].is_number());
  EXPECT_EQ(s["analysis"]["schema"], "qneuro.analysis/1");
  const std::string py =
      "import h5py, numpy as np, json\n"
      "f = h5py.File('" +
      (out / "spikes.h5").string() +
      "', 'r')\n"
      "s = f['spikes'][()]; v = f['voltage'][()]\n"
      "assert s.shape == (200, 1, 64) and s.dtype == np.uint8, (s.shape, s.dtype)\n"
      "assert v.shape == (200, 1, 64) and v.dtype == np.float32\n"
      "for k in ['p', 'D', 'A', 'E', 'Theta', 'input']: assert f[k].shape == (200, 1, 64), k\n"
      "j = json.load(open('" +
      (out / "summary.json").string() +
      "'))\n"
      "rate = s.sum(axis=(0, 1)) / (200 * 1e-3)\n"
      "assert np.allclose(rate, j['rates']['rate_hz_per_neuron']), 'rates'\n"
      "assert abs(v.mean() - j['mean_voltage']) < 1e-5\n"
      "assert np.all((f['E'][()] >= 0) & (f['E'][()] <= 1))\n"
      "print('ok')\n";
  std::ofstream(dir / "check.py") << py;
  const auto c = run_command(std::string(QNEURO_PYTHON) + " " + quote_path(dir / "check.py"));
  EXPECT_EQ(c.exit_code, 0) << c.output;
}

TEST(SnnCli, OneAndTwoThreadsGiveIdenticalSpikes) {
  TempDir dir;
  for (const char* mode : {"quantum", "stochastic"}) {
    const std::string args = std::string(" snn --preset test -q --set sim.batch=2 --set mode=") +
                             mode + " --set sim.neurons=300 --set sim.steps=37 ";
    ASSERT_EQ(run_qneuro("--threads 1" + args + "--out " + quote_path(dir / "t1")).exit_code, 0);
    ASSERT_EQ(run_qneuro("--threads 2" + args + "--out " + quote_path(dir / "t2")).exit_code, 0);
    const auto a = io::H5File::open_read(dir / "t1" / "spikes.h5");
    const auto b = io::H5File::open_read(dir / "t2" / "spikes.h5");
    EXPECT_EQ(a.read_uint8("spikes").data, b.read_uint8("spikes").data) << mode;
    EXPECT_EQ(a.read_float("voltage").data, b.read_float("voltage").data) << mode;
  }
}

TEST(SnnCli, FileInputFromNpyAndHdf5TakesItsShape) {
  TempDir dir;
  std::vector<std::vector<double>> rows(50, std::vector<double>(8));
  for (std::size_t t = 0; t < 50; ++t) {
    for (std::size_t n = 0; n < 8; ++n) rows[t][n] = 1.0 + 0.1 * static_cast<double>(n);
  }
  testing::write_npy(dir / "in.npy", rows);  // [T, N] float64
  const auto r = run_qneuro(
      "snn -q --set input.kind=file --set input.path=" + quote_path((dir / "in.npy").string()) +
      " --out " + quote_path(dir / "npy"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto s = read_json(dir / "npy" / "summary.json");
  EXPECT_EQ(s["steps"], 50);
  EXPECT_EQ(s["neurons"], 8);
  EXPECT_EQ(s["batch"], 1);
  {
    auto f = io::H5File::create(dir / "in.h5");
    std::vector<float> v(20 * 2 * 5, 1.3f);
    f.write("currents", std::span<const float>(v), {20, 2, 5});
    f.close();
  }
  const auto h = run_qneuro("snn -q --set input.kind=file --set input.path=" +
                            quote_path((dir / "in.h5").string() + ":/currents") + " --out " +
                            quote_path(dir / "h5"));
  ASSERT_EQ(h.exit_code, 0) << h.output;
  EXPECT_EQ(read_json(dir / "h5" / "summary.json")["batch"], 2);
  // An explicit sim key that contradicts the file is a usage error naming it.
  const auto bad = run_qneuro("snn -q --set input.kind=file --set input.path=" +
                              quote_path((dir / "in.h5").string() + ":/currents") +
                              " --set sim.neurons=7 --out " + quote_path(dir / "bad"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("sim.neurons"), std::string::npos) << bad.output;
  // A truncated .npy is refused.
  {
    std::ifstream in(dir / "in.npy", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(dir / "cut.npy", std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  }
  const auto cut = run_qneuro(
      "snn -q --set input.kind=file --set input.path=" + quote_path((dir / "cut.npy").string()) +
      " --out " + quote_path(dir / "cut"));
  EXPECT_EQ(cut.exit_code, 2) << cut.output;
  EXPECT_NE(cut.output.find("truncated"), std::string::npos) << cut.output;
}

TEST(SnnCli, CalibrateChecksItsResult) {
  const auto r = run_qneuro("snn calibrate --p0 0.02 --slope 0.1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  EXPECT_TRUE(j["check"]["ok"].get<bool>());
  EXPECT_NEAR(j["check"]["p_at_0"].get<double>(), 0.02, 1e-12);
  EXPECT_NEAR(j["q_bias"].get<double>(), -2.30955786, 1e-8);
}

TEST(SnnCli, BenchPrintsOneJsonLine) {
  const auto r = run_qneuro(
      "--threads 1 snn bench --neurons 1000 --steps 20 --mode quantum --record-voltage "
      "--repeats 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  for (const char* k : {"neuron_steps_per_s", "bytes_per_neuron_step", "bandwidth_gbs", "triad_gbs",
                        "seconds", "threads", "peak_rss_mb"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["bytes_per_neuron_step"], 9.0);
  EXPECT_EQ(j["threads"], 1);
}

struct BadSnn {
  const char* args;
  const char* names;
};

class SnnBadInput : public ::testing::TestWithParam<BadSnn> {};

TEST_P(SnnBadInput, ExitsTwoNamingTheParameter) {
  TempDir dir;
  const auto r =
      run_qneuro(std::string("snn -q ") + GetParam().args + " --out " + quote_path(dir / "o"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(GetParam().names), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "o" / "spikes.h5"));
}

INSTANTIATE_TEST_SUITE_P(
    Issue, SnnBadInput,
    ::testing::Values(BadSnn{"--set neuron.tau=-1", "neuron.tau"},
                      BadSnn{"--set neuron.min_threshold=2.5", "neuron.min_threshold"},
                      BadSnn{"--set mode=fast", "mode"},
                      BadSnn{"--set quantum.map=cosine", "quantum.map"},
                      BadSnn{"--set quantum.p0=1.5 --set quantum.slope=0.1", "quantum.p0"},
                      BadSnn{"--set quantum.p0=0.02", "quantum.slope"},
                      BadSnn{"--set input.kind=file", "input.path"},
                      BadSnn{"--set neuron.tua=3", "neuron.tua"},
                      BadSnn{"--set sim.neurons=100000000 --set sim.steps=100000", "sim.neurons"},
                      BadSnn{"calibrate --p0 0", "--p0"}));

}  // namespace
}  // namespace qneuro
