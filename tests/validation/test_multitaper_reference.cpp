// The multitaper estimator (eeg/multitaper.hpp) against SciPy's DPSS and MNE's
// psd_array_multitaper (tests/validation/multitaper_reference.py): tapers and concentration
// ratios for symmetric and periodic tapers of several sizes, and the PSD of `qneuro analyze
// --set spectrum.method=multitaper` on a synthetic EDF (always) and the PhysioNet run (skipped
// when ../shared is absent).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "npy.hpp"
#include "qneuro/eeg/multitaper.hpp"
#include "qneuro/io/recording.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using qneuro::testing::run_command;
using qneuro::testing::run_qneuro;
using qneuro::testing::shell_quote;
using qneuro::testing::TempDir;

const std::string kScript =
    std::string(QNEURO_SOURCE_DIR) + "/tests/validation/multitaper_reference.py";

std::string python(const std::string& args) {
  return shell_quote(QNEURO_PYTHON) + " " + shell_quote(kScript) + " " + args;
}

TEST(MultitaperReference, DpssEqualsScipy) {
  struct Case {
    std::size_t M;
    double NW;
    std::size_t K;
    bool sym;
  };
  for (const Case c : {Case{64, 2.5, 4, false}, Case{101, 4.0, 8, true}, Case{1000, 4.0, 7, false},
                       Case{4096, 3.0, 5, true}}) {
    TempDir dir;
    const qneuro::eeg::Dpss d = qneuro::eeg::dpss(c.M, c.NW, c.K, c.sym);
    qneuro::testing::write_npy(dir.path() / "t.npy", d.tapers);
    qneuro::testing::write_npy(dir.path() / "r.npy", {d.ratios});
    const auto r = run_command(python("dpss " + shell_quote((dir.path() / "t.npy").string()) + " " +
                                      shell_quote((dir.path() / "r.npy").string()) + " " +
                                      std::to_string(c.M) + " " + std::to_string(c.NW) + " " +
                                      std::to_string(c.K) + (c.sym ? " 1" : " 0")));
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
}

void analyze_and_compare(const fs::path& edf, const std::string& extra, double bandwidth) {
  TempDir dir;
  const auto out = dir.path() / "o";
  const auto r =
      run_qneuro("--quiet analyze " + shell_quote(edf.string()) + " -o " +
                 shell_quote(out.string()) + " --no-connectivity --set spectrum.method=multitaper" +
                 (bandwidth > 0 ? " --set spectrum.mt_bandwidth_hz=" + std::to_string(bandwidth)
                                : std::string()) +
                 extra);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ref = run_command(python("psd " + shell_quote(edf.string()) + " " +
                                      shell_quote((out / "analysis.h5").string()) + " " +
                                      std::to_string(bandwidth)));
  EXPECT_EQ(ref.exit_code, 0) << ref.output;
}

TEST(MultitaperReference, PsdEqualsMne) {
  TempDir dir;
  qneuro::io::Recording rec;
  rec.source = "synthetic";
  rec.sfreq_hz = 128.0;
  rec.channels = {"Fz", "Cz", "Pz"};
  std::mt19937_64 gen(12);
  std::normal_distribution<double> noise(0.0, 5.0);
  rec.data.assign(3, std::vector<double>(128 * 30));
  for (auto& x : rec.data) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = 20.0 * std::sin(0.49 * static_cast<double>(i)) + noise(gen);
    }
  }
  const fs::path edf = dir.path() / "mt.edf";
  qneuro::io::save_recording(edf, rec);
  analyze_and_compare(edf, "", 0.0);  // MNE's default: half-bandwidth 4
  analyze_and_compare(edf, "", 2.0);  // 2 Hz: half_nbw = 30, 60 tapers, low-bias kept
}

TEST(MultitaperReference, PhysionetRunEqualsMne) {
  const fs::path edf = fs::path(QNEURO_SOURCE_DIR) / "../shared/data/eegmmidb/S001R04.edf";
  if (!fs::exists(edf)) GTEST_SKIP() << "no shared data at " << edf;
  analyze_and_compare(edf, " --channels C3,Cz,C4,O1", 1.0);
}

}  // namespace
