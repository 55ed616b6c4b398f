// `qneuro field` end to end: outputs and their readers (h5py, MNE, qneuro analyze), resume from a
// checkpoint, thread-count invariance, health stops that keep their outputs, and every bad
// config of the issue exiting 2 with the key named.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "npy.hpp"
#include "qneuro/io/hdf5.hpp"
#include "qneuro/io/recording.hpp"
#include "test_support.hpp"

namespace qneuro {
namespace {

using testing::quote_path;
using testing::read_json;
using testing::run_command;
using testing::run_qneuro;
using testing::shell_quote;
using testing::TempDir;

/// The EEG signals [channel x sample] a run wrote to DIR/eeg.h5, flattened.
std::vector<double> signals(const std::filesystem::path& run_dir) {
  return io::H5File::open_read(run_dir / "eeg.h5").read_double("signals").data;
}

TEST(FieldCli, TestPresetWritesEveryOutputAndPeaksAtTheTrapFrequency) {
  TempDir dir;
  const auto out = dir / "run";
  const auto r = run_qneuro("field --preset test --out " + quote_path(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"eeg.h5", "eeg.edf", "summary.json", "config.resolved.toml", "run.json"}) {
    EXPECT_TRUE(std::filesystem::exists(out / f)) << f;
  }
  const auto s = read_json(out / "summary.json");
  EXPECT_EQ(s["schema"], "qneuro.analysis/1");
  EXPECT_EQ(s["field"]["status"], "completed");
  EXPECT_EQ(s["field"]["steps"], 512);
  // Unitary scheme, no absorption in the test preset: the norm is kept to rounding.
  EXPECT_NEAR(s["field"]["final_norm"].get<double>(), 1.0, 1e-10);
  EXPECT_GT(s["field"]["throughput"]["node_updates_per_s"].get<double>(), 0.0);
  EXPECT_GT(s["field"]["max_abs_q"].get<double>(), 0.0);  // MQP is on in the presets
  // x and y are confined at omega = 2 pi 10 rad/s with time_unit_s = 1: the electrodes see the
  // packet oscillate at 10 Hz (bins are 2 Hz wide at 256 Hz with 128-sample segments).
  ASSERT_EQ(s["channels"].size(), 4u);
  for (const auto& ch : s["per_channel"]) EXPECT_NEAR(ch["peak_hz"].get<double>(), 10.0, 2.0);
  const auto run = read_json(out / "run.json");
  EXPECT_EQ(run["subcommand"], "field");

  const auto h5 = io::H5File::open_read(out / "eeg.h5");
  const auto sig = h5.read_double("signals");
  ASSERT_EQ(sig.shape, (std::vector<uint64_t>{4, 128}));  // 512 steps / 4 steps per sample
  EXPECT_EQ(h5.attr_double("/", "fs_hz"), 256.0);
  EXPECT_EQ(h5.read_double("electrodes/positions").shape, (std::vector<uint64_t>{4, 2}));
  const auto norm = h5.read_double("diagnostics/norm");
  EXPECT_EQ(norm.shape.front(), 512u / 16u + 1u);  // every 16 steps, plus the final state
  // The EDF holds the same signals within one LSB of its 16-bit scaling.
  const auto edf = io::load_recording(out / "eeg.edf");
  ASSERT_EQ(edf.n_channels(), 4u);
  for (std::size_t c = 0; c < 4; ++c) {
    double lo = 1e300, hi = -1e300;
    for (std::size_t i = 0; i < 128; ++i) {
      lo = std::min(lo, sig.data[c * 128 + i]);
      hi = std::max(hi, sig.data[c * 128 + i]);
    }
    const double lsb = (hi - lo) / 65535.0;
    for (std::size_t i = 0; i < 128; ++i) {
      ASSERT_NEAR(edf.data[c][i], sig.data[c * 128 + i], 1.01 * lsb + 1e-12);
    }
  }
}

TEST(FieldCli, OutputsOpenInH5pyMneAndQneuroAnalyze) {
  TempDir dir;
  const auto out = dir / "run";
  ASSERT_EQ(run_qneuro("field --preset test -q --out " + quote_path(out)).exit_code, 0);
  const std::string py =
      "import h5py, mne, numpy as np\n"
      "f = h5py.File('" +
      (out / "eeg.h5").string() +
      "', 'r')\n"
      "s = f['signals'][()]\n"
      "assert s.shape == (4, 128), s.shape\n"
      "assert f.attrs['schema'] == 'qneuro.timeseries/1'\n"
      "assert f['diagnostics/mean_position'].shape[1] == 3\n"
      "raw = mne.io.read_raw_edf('" +
      (out / "eeg.edf").string() +
      "', preload=True, verbose='error')\n"
      "assert raw.info['sfreq'] == 256.0 and len(raw.ch_names) == 4, raw.info\n"
      "d = raw.get_data()[:, :128] * 1e6\n"
      "lsb = (s.max(1) - s.min(1)) / 65535.0\n"
      "assert np.all(np.abs(d - s) <= 1.01 * lsb[:, None] + 1e-12), np.abs(d - s).max()\n"
      "print('ok')\n";
  const auto script = dir / "check.py";
  std::ofstream(script) << py;
  const auto r = run_command(std::string(QNEURO_PYTHON) + " " + quote_path(script));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ok"), std::string::npos) << r.output;
  const auto a = run_qneuro("analyze -q " + quote_path(out / "eeg.h5") +
                            " --set welch.nperseg=128 --set connectivity.edge_s=0.0625 --out " +
                            quote_path(dir / "an"));
  ASSERT_EQ(a.exit_code, 0) << a.output;
  // The same Welch settings give the same spectra as the field run's own analysis.
  const auto s1 = read_json(out / "summary.json");
  const auto s2 = read_json(dir / "an" / "summary.json");
  ASSERT_EQ(s2["per_channel"].size(), 4u);
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_NEAR(s2["per_channel"][c]["total_power"].get<double>(),
                s1["per_channel"][c]["total_power"].get<double>(),
                1e-9 * s1["per_channel"][c]["total_power"].get<double>());
  }
}

class FieldResume : public ::testing::TestWithParam<int> {};

// The first leg ends at 256 steps (a multiple of the 4 steps per sample and of the diagnostics
// cadence) or at 250 (neither: regression for a dropped sample at the seam and a stray final
// diagnostics row in the extended record).
TEST_P(FieldResume, ExtendingACheckpointedRunIsBitIdentical) {
  TempDir dir;
  const std::string common = " --preset test -q --set output.checkpoint_every=100 ";
  ASSERT_EQ(run_qneuro("field" + common + "--out " + quote_path(dir / "full")).exit_code, 0);
  // Part of the run, then extend it to the full length from its final checkpoint.
  ASSERT_EQ(run_qneuro("field" + common + "--set time.steps=" + std::to_string(GetParam()) +
                       " --out " + quote_path(dir / "half"))
                .exit_code,
            0);
  const auto r =
      run_qneuro("field -q --resume " + quote_path(dir / "half") + " --set time.steps=512");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The resolved config of the extended run says what its outputs were computed with.
  std::ifstream toml(dir / "half" / "config.resolved.toml");
  const std::string text((std::istreambuf_iterator<char>(toml)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("steps = 512"), std::string::npos) << text;
  const auto a = io::H5File::open_read(dir / "full" / "eeg.h5");
  const auto b = io::H5File::open_read(dir / "half" / "eeg.h5");
  EXPECT_EQ(a.read_double("signals").data, b.read_double("signals").data);
  EXPECT_EQ(a.read_double("diagnostics/norm").data, b.read_double("diagnostics/norm").data);
  EXPECT_EQ(a.read_double("diagnostics/energy").data, b.read_double("diagnostics/energy").data);
  EXPECT_EQ(a.read_double("diagnostics/step").data, b.read_double("diagnostics/step").data);
  // A physics change is refused: the checkpoint belongs to another model; so is a change of
  // the stored snapshot slices.
  for (const char* change : {"model.D=0.2", "output.snapshot_r=[0,1]"}) {
    const auto bad =
        run_qneuro("field -q --resume " + quote_path(dir / "half") + " --set " + change);
    EXPECT_EQ(bad.exit_code, 2) << change << ": " << bad.output;
    EXPECT_NE(bad.output.find("different configuration"), std::string::npos) << bad.output;
  }
}

INSTANTIATE_TEST_SUITE_P(Seams, FieldResume, ::testing::Values(256, 250));

TEST(FieldCli, CheckpointsNeverHoldABrokenState) {
  TempDir dir;
  // The stimulus turns the state to NaN at t = 0.1 s (step 103); checkpoints are due every
  // 4 steps, and the one at step 104 must be refused.
  const auto r = run_qneuro(
      "field --preset test -q --set stimulus.amplitude=1e308 --set 'stimulus.window_s=[0.1, 1e9]' "
      "--set output.checkpoint_every=4 --set output.diag_every=0 --out " +
      quote_path(dir / "o"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not finite"), std::string::npos) << r.output;
  const auto ck = io::H5File::open_read(dir / "o" / "checkpoint.h5");
  EXPECT_LE(ck.attr_int("/", "step"), 103);
  for (double v : ck.read_double("psi").data) ASSERT_TRUE(std::isfinite(v));
}

TEST(FieldCli, OneAndTwoThreadsGiveIdenticalSignals) {
  TempDir dir;
  const std::string args = " field --preset test -q --set state.schedule=wake,light@0.1 ";
  ASSERT_EQ(run_qneuro("--threads 1" + args + "--out " + quote_path(dir / "t1")).exit_code, 0);
  ASSERT_EQ(run_qneuro("--threads 2" + args + "--out " + quote_path(dir / "t2")).exit_code, 0);
  EXPECT_EQ(signals(dir / "t1"), signals(dir / "t2"));
  // Absorption (light sleep from 0.1 s) removes density: the final norm is below 1.
  const auto s = read_json(dir / "t1" / "summary.json");
  EXPECT_LT(s["field"]["final_norm"].get<double>(), 1.0);
}

// Diagnostics evaluate the potential into scratch: how often they run must not change the
// trajectory (the step reuses its own cached potential).
TEST(FieldCli, DiagnosticsCadenceDoesNotChangeTheSignals) {
  TempDir dir;
  ASSERT_EQ(
      run_qneuro("field --preset test -q --set output.diag_every=0 --out " + quote_path(dir / "a"))
          .exit_code,
      0);
  ASSERT_EQ(
      run_qneuro("field --preset test -q --set output.diag_every=3 --out " + quote_path(dir / "b"))
          .exit_code,
      0);
  EXPECT_EQ(signals(dir / "a"), signals(dir / "b"));
}

TEST(FieldCli, NormDriftStopsTheRunAndKeepsTheOutputs) {
  TempDir dir;
  // In float the norm drifts by rounding (~1e-7 per step); a 1e-12 tolerance must trip.
  const auto r = run_qneuro(
      "field --preset test -q --set precision=\"float\" "
      "--set output.norm_tolerance=1e-12 --out " +
      quote_path(dir / "o"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("norm drifted"), std::string::npos) << r.output;
  const auto s = read_json(dir / "o" / "summary.json");
  EXPECT_EQ(s["field"]["status"], "stopped");
  EXPECT_TRUE(std::filesystem::exists(dir / "o" / "eeg.h5"));
}

TEST(FieldCli, NonFiniteStateStopsTheRunWithADiagnostic) {
  TempDir dir;
  const auto r = run_qneuro(
      "field --preset test -q --set stimulus.amplitude=1e308 "
      "--set stimulus.freq_hz=0.5 --out " +
      quote_path(dir / "o"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not finite"), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "o" / "summary.json"));
}

struct BadConfig {
  const char* sets;
  const char* key;
};

class FieldBadConfig : public ::testing::TestWithParam<BadConfig> {};

TEST_P(FieldBadConfig, ExitsTwoNamingTheKey) {
  TempDir dir;
  const auto r = run_qneuro(std::string("field --preset test -q ") + GetParam().sets + " --out " +
                            quote_path(dir / "o"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(std::string("'") + GetParam().key + "'"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "o" / "summary.json"));
}

INSTANTIATE_TEST_SUITE_P(
    Issue, FieldBadConfig,
    ::testing::Values(
        BadConfig{"--set readout.fs_hz=300", "readout.fs_hz"},  // 1024/300 steps per sample
        BadConfig{"--set grid.h=[-0.05,0.05,0.05]", "grid.h"},
        BadConfig{"--set grid.bc=periodic,reflecting,neumann", "grid.bc"},
        BadConfig{"--set grid.n=[4096,4096,4096]", "grid.n"},  // ~1 TB
        BadConfig{"--set solver=\"splitstep\"", "solver"},     // r is Neumann
        BadConfig{"--set time.dt=0.1", "time.dt"},             // omega dt = 6.3
        BadConfig{"--set time.dt=0", "time.dt"}, BadConfig{"--set model.D=-1", "model.D"},
        BadConfig{"--set initial.width=[0.01,0.1,0.1]", "initial.width"},
        BadConfig{"--set initial.center=[5,0,0]", "initial.center"},
        BadConfig{"--set readout.electrodes=[[9,0]]", "readout.electrodes"},
        BadConfig{"--set state.schedule=wake,coma@1", "state.schedule"},
        BadConfig{"--set state.schedule=wake@1", "state.schedule"},
        BadConfig{"--set time.steps=4", "time.steps"}, BadConfig{"--set grid.n=[16,2,8]", "grid.n"},
        BadConfig{"--set connectivity.p_exc=1.5", "connectivity.p_exc"},
        BadConfig{"--set output.snapshot_r=[99]", "output.snapshot_r"},
        BadConfig{"--set mqp.eps_rel=0", "mqp.eps_rel"},
        BadConfig{"--set mqp.coupling=2", "time.dt"},  // explicit MQP unstable: S = 5.6
        BadConfig{"--set model.Dee=1", "model.Dee"},
        BadConfig{"--set initial.kind=\"box_modes\"", "initial.modes"},  // uniform state
        BadConfig{"--set readout.electrodes=[3000,3000]", "readout.electrodes"},
        // Issue 20: decoherence, populations, schedules.
        BadConfig{"--set decoherence.rate_hz=-1", "decoherence.rate_hz"},
        BadConfig{"--set decoherence.length=-0.5", "decoherence.length"},
        BadConfig{"--set decoherence.length=1e-9", "decoherence.length"},  // finer than a cell
        BadConfig{"--set state.decoherence=[1,0.3,0.05]", "state.decoherence"},
        BadConfig{"--set state.schedule=wake,light@0.1,deep@0.2 --set state.transition_s=0.5",
                  "state.schedule"},
        BadConfig{"--set populations.names=exc", "populations.names"},
        BadConfig{"--set populations.names=exc,exc", "populations.names"},
        BadConfig{"--set 'populations.names=exc,in h'", "populations.names"},
        BadConfig{"--set populations.D=[0.3,0.3]", "populations.D"},  // no names
        BadConfig{"--set populations.names=exc,inh --set populations.D=[0.3]", "populations.D"},
        BadConfig{"--set populations.names=exc,inh --set populations.coupling=[1,0,0]",
                  "populations.coupling"},
        BadConfig{"--set populations.names=exc,inh --set populations.harmonic_omega=[1,2,3]",
                  "populations.harmonic_omega"},
        BadConfig{"--set populations.names=exc,inh --set "
                  "populations.initial_center=[9,0,0,0,0,0]",
                  "populations.initial_center"}));

TEST(FieldCli, EveryPresetResolvesAndHelpExplainsTheModel) {
  for (const char* preset : {"demo", "linear", "seed", "test"}) {
    const auto r = run_qneuro(std::string("field --preset ") + preset + " --print-config");
    EXPECT_EQ(r.exit_code, 0) << preset << ": " << r.output;
  }
  const auto h = run_qneuro("field --help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("Crank-Nicolson"), std::string::npos);
  EXPECT_NE(h.output.find("--resume"), std::string::npos);
}

TEST(FieldCli, SnapshotsAreStoredForTheChosenSlices) {
  TempDir dir;
  ASSERT_EQ(run_qneuro("field --preset test -q --set output.snapshot_every=128 "
                       "--set output.snapshot_r=[0,4] --out " +
                       quote_path(dir / "o"))
                .exit_code,
            0);
  const auto h5 = io::H5File::open_read(dir / "o" / "eeg.h5");
  const auto snap = h5.read_float("snapshots/density");
  EXPECT_EQ(snap.shape, (std::vector<uint64_t>{4, 2, 16, 16}));  // steps 0, 128, 256, 384
  double total = 0.0;
  for (float v : snap.data) total += static_cast<double>(v);
  EXPECT_GT(total, 0.0);
}

// Issue 20: configs/sleep-cycle.toml runs (on a small grid: the shipped size takes minutes) and
// scripts/sleep_cycle_report.py analyses it per state with `qneuro analyze`: one entry per
// scheduled state, windows [start + settle, next start), values in their ranges. The two
// populations, the dephasing schedule and the report are exercised end to end.
TEST(FieldCli, SleepCycleConfigRunsAndIsReportedPerState) {
  TempDir dir;
  auto read_json = [](const std::filesystem::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in);
  };
  const std::string config = quote_path(std::filesystem::path(QNEURO_SOURCE_DIR) / "configs" /
                                        "sleep-cycle.toml");
  const auto r = run_qneuro(
      "field -q --config " + config +
      " --set grid.n=[16,16,8] --set 'readout.electrodes=[[-0.3,0],[-0.1,0],[0.1,0],[0.3,0]]'"
      " --set 'state.schedule=[\"wake\",\"light@5\",\"deep@10\",\"rem@15\",\"wake@20\"]'"
      " --set state.transition_s=0.5 --set time.steps=25600 --set output.checkpoint_every=0"
      " --out " + quote_path(dir / "run"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto summary = read_json(dir / "run" / "summary.json");
  ASSERT_EQ(summary["field"]["populations"].size(), 2u);
  EXPECT_EQ(summary["field"]["populations"][1]["name"], "inh");
  EXPECT_NEAR(summary["field"]["populations"][1]["final_norm"].get<double>(), 1.0, 1e-6);
  EXPECT_EQ(summary["field"]["decoherence"]["rate_hz"], 8.0);
  const auto report = run_command(
      std::string(QNEURO_PYTHON) + " " +
      quote_path(std::filesystem::path(QNEURO_SOURCE_DIR) / "scripts" / "sleep_cycle_report.py") +
      " " + quote_path(QNEURO_CLI) + " " + quote_path(dir / "run") + " " +
      quote_path(dir / "report") + " --settle 1 --near 0.21 --far 0.55");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const auto j = read_json(dir / "report.json");
  ASSERT_EQ(j["states"].size(), 5u);
  const char* names[] = {"wake", "light", "deep", "rem", "wake"};
  for (std::size_t i = 0; i < 5; ++i) {
    const auto& s = j["states"][i];
    EXPECT_EQ(s["state"], names[i]);
    EXPECT_DOUBLE_EQ(s["window_s"][0].get<double>(), 5.0 * double(i) + 1.0);
    EXPECT_DOUBLE_EQ(s["window_s"][1].get<double>(), 5.0 * double(i) + 5.0);
    double total = 0.0;
    for (const auto& [band, v] : s["relative_power"].items()) total += v.get<double>();
    EXPECT_GT(total, 0.5);
    EXPECT_LE(total, 1.0 + 1e-9);
    for (const char* kind : {"pli", "wpli"}) {
      for (const char* pairs : {"near", "distant"}) {
        const double v = s[kind]["alpha"][pairs].get<double>();
        EXPECT_GE(v, 0.0);
        EXPECT_LE(v, 1.0);
      }
    }
    EXPECT_GE(s["pac"]["max_mean_mi"].get<double>(), 0.0);
  }
  EXPECT_EQ(j["pairs"]["near"], 3);     // neighbours 0.2 apart
  EXPECT_EQ(j["pairs"]["distant"], 1);  // the outer pair, 0.6 apart
  EXPECT_TRUE(std::filesystem::exists(dir / "report-timeline.png"));
  EXPECT_TRUE(std::filesystem::exists(dir / "report-states.png"));
}

}  // namespace
}  // namespace qneuro
