// snn::simulate (snn/run.hpp) from library code: chunks streamed to the observer, an input array
// from memory, a stop that keeps the steps done, and the kernel benchmark's statistics.
#include <gtest/gtest.h>

#include <algorithm>

#include "qneuro/io/hdf5.hpp"
#include "qneuro/snn/run.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

config::Config test_config(std::vector<std::string> sets = {}) {
  return config::Config::resolve(snn::snn_schema(), "test", {}, sets);
}

struct Chunks : snn::SnnObserver {
  std::size_t steps_seen = 0, spikes_seen = 0;
  std::size_t stop_after = 0;  ///< 0: never
  void on_chunk(const snn::SnnChunk& c) override {
    EXPECT_EQ(c.t0, steps_seen);
    EXPECT_EQ(c.spikes.size(), c.steps * c.B * c.N);
    EXPECT_EQ(c.voltage.size(), c.spikes.size());
    steps_seen += c.steps;
    spikes_seen += static_cast<std::size_t>(std::count(c.spikes.begin(), c.spikes.end(), 1));
  }
  bool stop_requested() override { return stop_after > 0 && steps_seen >= stop_after; }
};

TEST(SnnRun, ObserverChunksCoverTheRunAndFilesEqualMemory) {
  Chunks obs;
  const auto cfg = test_config({"sim.steps=1000", "sim.neurons=2000"});  // several chunks
  const snn::SnnRunResult mem = snn::simulate(cfg, {}, &obs);
  EXPECT_EQ(obs.steps_seen, 1000u);
  EXPECT_EQ(obs.spikes_seen, mem.stats.total_spikes);
  EXPECT_EQ(mem.status, RunStatus::Completed);
  TempDir dir;
  snn::SnnRunOptions opt;
  opt.out = dir / "pop";
  const snn::SnnRunResult disk = snn::simulate(cfg, opt);
  EXPECT_EQ(disk.spikes, mem.spikes);
  const auto h5 = io::H5File::open_read(opt.out / "spikes.h5");
  EXPECT_TRUE(h5.exists("input"));  // generated inputs are stored
  EXPECT_EQ(h5.attr_string("/", "schema"), "qneuro.snn/1");
}

TEST(SnnRun, InputArrayFromMemorySetsTheShapeAndIsNotStored) {
  snn::InputArray in;
  in.T = 70;
  in.B = 2;
  in.N = 5;
  in.values.assign(in.T * in.B * in.N, 1.4f);
  TempDir dir;
  snn::SnnRunOptions opt;
  opt.out = dir / "pop";
  opt.input = &in;
  const snn::SnnRunResult r = snn::simulate(test_config(), opt);
  EXPECT_EQ(r.params.steps, 70u);
  EXPECT_EQ(r.params.batch, 2u);
  EXPECT_EQ(r.params.neurons, 5u);
  EXPECT_EQ(r.summary["input"], "array");
  EXPECT_FALSE(io::H5File::open_read(opt.out / "spikes.h5").exists("input"));
  // An explicit sim.* key that disagrees with the array is a config error naming it.
  try {
    (void)snn::simulate(test_config({"sim.neurons=6"}), opt);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sim.neurons"), std::string::npos) << e.what();
  }
  snn::InputArray bad = in;
  bad.values.pop_back();
  opt.input = &bad;
  EXPECT_THROW((void)snn::simulate(test_config(), opt), InputError);
}

TEST(SnnRun, StopKeepsTheStepsDoneInEveryOutput) {
  Chunks obs;
  obs.stop_after = 300;
  TempDir dir;
  snn::SnnRunOptions opt;
  opt.out = dir / "pop";
  const auto cfg = test_config({"sim.steps=1000", "sim.neurons=2000", "record.traces=true"});
  const snn::SnnRunResult r = snn::simulate(cfg, opt, &obs);
  EXPECT_EQ(r.status, RunStatus::Interrupted);
  const std::size_t T = r.params.steps;
  EXPECT_GE(T, 300u);
  EXPECT_LT(T, 1000u);
  EXPECT_EQ(r.spikes.size(), T * 2000);
  EXPECT_EQ(r.p.size(), T * 2000);
  EXPECT_EQ(r.summary["status"], "interrupted");
  EXPECT_EQ(r.summary["steps"], T);
  const auto h5 = io::H5File::open_read(opt.out / "spikes.h5");
  EXPECT_EQ(h5.read_float("voltage").shape, (std::vector<uint64_t>{T, 1, 2000}));
  // The steps done equal those of an uninterrupted run.
  const snn::SnnRunResult whole = snn::simulate(cfg, {});
  EXPECT_TRUE(std::equal(r.spikes.begin(), r.spikes.end(), whole.spikes.begin()));
}

TEST(KernelBench, SecondsMinIsTheFastestRepeatAndNeverAboveTheMedian) {
  // Regression: `snn bench` reported the first timed repeat as seconds_min (e.g. 1.06 s against
  // a median of 0.91 s).
  snn::KernelBenchParams p;
  p.neurons = 4096;
  p.steps = 20;
  p.repeats = 5;
  const snn::KernelBenchResult r = snn::bench_kernel(p);
  EXPECT_GT(r.seconds_min, 0.0);
  EXPECT_LE(r.seconds_min, r.seconds);
  const auto j = r.to_json();
  EXPECT_LE(j["seconds_min"].get<double>(), j["seconds"].get<double>());
  EXPECT_EQ(j["mode"], "quantum");
  EXPECT_GT(j["first_call_seconds"].get<double>(), 0.0);
  EXPECT_FALSE(j.contains("breakdown"));
}

TEST(KernelBench, BreakdownTimesEveryPartAndReportsWhatTheyImply) {
  snn::KernelBenchParams p;
  p.neurons = 8192;
  p.steps = 64;
  p.repeats = 2;
  p.record_voltage = true;
  p.breakdown = true;
  const snn::KernelBenchResult r = snn::bench_kernel(p);
  const snn::KernelBreakdown& k = r.breakdown;
  EXPECT_GT(k.in_cache, 0.0);
  EXPECT_GT(k.deterministic_in_cache, 0.0);
  EXPECT_GT(k.philox, 0.0);  // quantum mode with membrane noise draws two streams
  EXPECT_GT(k.memory_floor, 0.0);
  EXPECT_GT(k.first_call, 0.0);
  const auto b = r.to_json()["breakdown"];
  EXPECT_DOUBLE_EQ(b["beyond_cache_s"].get<double>(), r.seconds - k.in_cache);
  EXPECT_DOUBLE_EQ(b["page_faults_s"].get<double>(), k.first_call - r.seconds);
  EXPECT_DOUBLE_EQ(b["mode_specific_s"].get<double>(), k.in_cache - k.deterministic_in_cache);
  // The deterministic mode draws no random numbers.
  p.mode = snn::Mode::Deterministic;
  EXPECT_EQ(snn::bench_kernel(p).breakdown.philox, 0.0);
}

TEST(Calibration, CheckReproducesTheTargets) {
  const snn::CalibrationCheck c = snn::check_calibration(0.02, 0.1, snn::QuantumMap::Tanh, 0.1);
  EXPECT_TRUE(c.ok);
  EXPECT_NEAR(c.p_at_0, 0.02, 1e-9);
  EXPECT_THROW((void)snn::check_calibration(1.5, 0.1, snn::QuantumMap::Sigmoid, 0.0), UsageError);
}

}  // namespace
}  // namespace qneuro
