// field::simulate / resume (field/run.hpp) from library code: in memory or with files, live data
// through the observer, and a stop requested by the observer that resume() continues exactly.
#include <gtest/gtest.h>

#include "qneuro/field/field_config.hpp"
#include "qneuro/field/run.hpp"
#include "qneuro/io/recording.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

config::Config test_config(std::vector<std::string> sets = {}) {
  return config::Config::resolve(field::field_schema(), "test", {}, sets);
}

struct Recorder : field::FieldObserver {
  std::size_t samples = 0, diagnostics = 0, snapshots = 0, checkpoints = 0;
  uint64_t last_progress = 0, total = 0;
  uint64_t stop_at = 0;  ///< 0: never
  void on_progress(const Progress& p) override {
    last_progress = p.done;
    total = p.total;
  }
  bool stop_requested() override { return stop_at > 0 && last_progress >= stop_at; }
  void on_sample(const field::FieldRecord& r, std::size_t i) override {
    EXPECT_EQ(i, samples);
    EXPECT_EQ(r.signals_uv.front().size(), i + 1);
    ++samples;
  }
  void on_diagnostics(const field::Diagnostics&) override { ++diagnostics; }
  void on_snapshot(const field::FieldRecord&, std::size_t) override { ++snapshots; }
  void on_checkpoint(uint64_t, const fs::path& p) override {
    EXPECT_TRUE(fs::exists(p));
    ++checkpoints;
  }
};

TEST(FieldRun, InMemoryRunEqualsTheFilesAndTheObserverSeesEverything) {
  const auto cfg = test_config({"output.snapshot_every=128"});
  Recorder obs;
  const field::FieldRunResult mem = field::simulate(cfg, {}, &obs);
  EXPECT_EQ(mem.status, RunStatus::Completed);
  EXPECT_EQ(mem.steps, 512u);
  EXPECT_EQ(obs.total, 512u);
  EXPECT_EQ(obs.last_progress, 512u);
  EXPECT_EQ(obs.samples, mem.eeg.n_samples());
  EXPECT_EQ(obs.diagnostics, mem.record.diagnostics.size());
  EXPECT_EQ(obs.snapshots, mem.record.snapshot_steps.size());
  EXPECT_EQ(obs.snapshots, 4u);
  ASSERT_TRUE(mem.analysis.has_value());
  EXPECT_EQ(mem.summary["field"]["status"], "completed");

  TempDir dir;
  field::FieldRunOptions opt;
  opt.out = dir / "run";
  const field::FieldRunResult disk = field::simulate(cfg, opt);
  for (const char* f : {"eeg.h5", "eeg.edf", "summary.json", "config.resolved.toml", "run.json"}) {
    EXPECT_TRUE(fs::exists(opt.out / f)) << f;
  }
  EXPECT_EQ(disk.eeg.data, mem.eeg.data);  // files change nothing in the numbers
  const io::Recording h5 = io::load_recording(opt.out / "eeg.h5");
  EXPECT_EQ(h5.data, mem.eeg.data);
  EXPECT_EQ(h5.channels, mem.eeg.channels);
}

TEST(FieldRun, StopRequestedThenResumeIsBitIdenticalToOneRun) {
  const auto cfg = test_config({"output.checkpoint_every=128"});
  const field::FieldRunResult whole = field::simulate(cfg, {});
  TempDir dir;
  field::FieldRunOptions opt;
  opt.out = dir / "run";
  Recorder stopper;
  stopper.stop_at = 200;
  const field::FieldRunResult part = field::simulate(cfg, opt, &stopper);
  EXPECT_EQ(part.status, RunStatus::Interrupted);
  EXPECT_EQ(part.steps, 200u);
  EXPECT_TRUE(part.checkpoint_written);
  EXPECT_EQ(stopper.checkpoints, 2u);  // step 128, then the stop
  EXPECT_EQ(part.summary["field"]["status"], "interrupted");
  const field::FieldRunResult rest = field::resume(field::resume_config(opt.out), opt);
  EXPECT_EQ(rest.status, RunStatus::Completed);
  EXPECT_EQ(rest.steps, 512u);
  EXPECT_EQ(rest.eeg.data, whole.eeg.data);
  ASSERT_EQ(rest.record.diagnostics.size(), whole.record.diagnostics.size());
  EXPECT_EQ(rest.record.diagnostics.back().energy, whole.record.diagnostics.back().energy);
}

TEST(FieldRun, ResumeNeedsACheckpointedRunAndOnlyAllowsTimeAndOutputChanges) {
  TempDir dir;
  EXPECT_THROW(field::check_resumable(dir.path()), InputError);
  field::FieldRunOptions opt;
  opt.out = dir / "run";
  (void)field::simulate(test_config({"output.checkpoint_every=256"}), opt);
  EXPECT_NO_THROW(field::check_resumable(opt.out));
  const auto longer = field::resume_config(opt.out, {"time.steps=640"});
  EXPECT_EQ(field::resume(longer, opt).steps, 640u);
  const auto changed = field::resume_config(opt.out, {"model.D=0.31"});
  EXPECT_THROW((void)field::resume(changed, opt), InputError);
}

TEST(FieldRun, DefaultParamsAreTheDemoPreset) {
  // One source of truth: the schema's defaults are FieldParams' initialisers.
  const auto demo =
      field::params_from_config(config::Config::resolve(field::field_schema(), "demo", {}, {}));
  const field::FieldParams d;
  EXPECT_EQ(demo.time.dt, d.time.dt);
  EXPECT_EQ(demo.time.steps, d.time.steps);
  EXPECT_EQ(demo.model.mqp_coupling, d.model.mqp_coupling);
  EXPECT_EQ(demo.model.conn_beta, d.model.conn_beta);
  EXPECT_EQ(demo.model.harmonic_omega, d.model.harmonic_omega);
  EXPECT_EQ(demo.model.sponge_w0, d.model.sponge_w0);
  EXPECT_EQ(demo.grid.describe(), d.grid.describe());
  EXPECT_EQ(demo.readout.electrodes, d.readout.electrodes);
  EXPECT_EQ(demo.readout.fs_hz, d.readout.fs_hz);
  EXPECT_EQ(demo.initial.center, d.initial.center);
  EXPECT_EQ(demo.output.diag_every, d.output.diag_every);
  const field::ModelParams plain = field::ModelParams::plain();
  EXPECT_FALSE(plain.nonlinear());
  EXPECT_FALSE(plain.has_absorption());
  EXPECT_EQ(plain.harmonic_omega, (std::array<double, 3>{0, 0, 0}));
}

}  // namespace
}  // namespace qneuro
