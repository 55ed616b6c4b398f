// `qneuro analyze --epochs` against the independent SciPy/MNE reference of
// tests/validation/epochs_reference.py (docs/analyze.md, "Epochs and ERD"), on
//  - a synthetic EDF+ recording with annotations, built so that the answer is known: during T1
//    the 10 Hz rhythm of C3 drops to half its amplitude (power to a quarter: ERD about -75 %),
//    during T2 the 20 Hz rhythm of C4 doubles (ERS about +300 %); both references (a baseline
//    condition and a pre-event window) are checked to 1e-6;
//  - the real PhysioNet motor-imagery run ../shared/data/eegmmidb/S001R04.edf (skipped when the
//    shared data is absent): mu and beta power fall during imagery at C3 and C4, most over C3
//    for the right fist (T2), and the numbers equal SciPy's to 1e-6.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "qneuro/io/recording.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using qneuro::testing::read_json;
using qneuro::testing::run_command;
using qneuro::testing::run_qneuro;
using qneuro::testing::shell_quote;
using qneuro::testing::TempDir;

const std::string kReference =
    std::string(QNEURO_SOURCE_DIR) + "/tests/validation/epochs_reference.py";

/// 4 channels at 160 Hz, 4 s trials cycling T0, T1, T0, T2 (annotated), 10 Hz and 20 Hz rhythms
/// with random phases per trial plus white noise; T1 halves C3's 10 Hz, T2 doubles C4's 20 Hz.
qneuro::io::Recording synthetic_trials() {
  qneuro::io::Recording rec;
  rec.source = "synthetic";
  rec.sfreq_hz = 160.0;
  rec.channels = {"C3", "Cz", "C4", "Pz"};
  const std::size_t trials = 24, per_trial = 640;
  rec.data.assign(4, std::vector<double>(trials * per_trial + 160));
  std::mt19937_64 gen(404);
  std::normal_distribution<double> noise(0.0, 2.0);
  std::uniform_real_distribution<double> phase(0.0, 2 * std::numbers::pi);
  const char* const kinds[] = {"T0", "T1", "T0", "T2"};
  for (std::size_t k = 0; k < trials; ++k) {
    const std::string kind = kinds[k % 4];
    rec.annotations.push_back({static_cast<double>(k * per_trial) / rec.sfreq_hz, 4.0, kind});
    const double pa = phase(gen), pb = phase(gen);
    for (std::size_t c = 0; c < 4; ++c) {
      const double alpha = (kind == "T1" && c == 0) ? 10.0 : 20.0;
      const double beta = (kind == "T2" && c == 2) ? 16.0 : 8.0;
      for (std::size_t j = 0; j < per_trial; ++j) {
        const double t = static_cast<double>(j) / rec.sfreq_hz;
        rec.data[c][k * per_trial + j] = alpha * std::sin(2 * std::numbers::pi * 10.0 * t + pa) +
                                         beta * std::sin(2 * std::numbers::pi * 20.0 * t + pb) +
                                         noise(gen);
      }
    }
  }
  for (auto& x : rec.data) {
    for (std::size_t j = trials * per_trial; j < x.size(); ++j) x[j] = noise(gen);
  }
  return rec;
}

std::string common_args(const std::string& edf, const fs::path& out) {
  return "--quiet analyze " + shell_quote(edf) + " --no-connectivity -o " +
         shell_quote(out.string()) +
         " --set 'bands={alpha=[8.0,13.0], beta=[13.0,30.0]}' --channels C3,Cz,C4";
}

TEST(EpochsReference, SyntheticTrialsGiveTheDesignedErdAndSciPysNumbers) {
  TempDir dir;
  const fs::path edf = dir.path() / "trials.edf";
  qneuro::io::save_recording(edf, synthetic_trials());
  // Reference: the T0 condition.
  {
    const auto r = run_qneuro(common_args(edf.string(), dir.path() / "a") +
                              " --epochs T1,T2 --tmin 0 --tmax 4 --baseline T0");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = read_json(dir.path() / "a" / "summary.json")["epochs"]["conditions"];
    EXPECT_EQ(j["T1"]["n_epochs"], 6);
    EXPECT_EQ(j["T0"]["n_epochs"], 12);
    EXPECT_NEAR(j["T1"]["erd_percent"]["mean"]["C3"]["alpha"].get<double>(), -75.0, 5.0);
    EXPECT_NEAR(j["T2"]["erd_percent"]["mean"]["C4"]["beta"].get<double>(), 300.0, 30.0);
    EXPECT_NEAR(j["T1"]["erd_percent"]["mean"]["C4"]["alpha"].get<double>(), 0.0, 5.0);
    // The per-epoch values average to the mean.
    const auto per = j["T1"]["per_epoch"]["erd_percent"]["C3"]["alpha"];
    ASSERT_EQ(per.size(), 6u);
    double sum = 0.0;
    for (const auto& v : per) sum += v.get<double>();
    EXPECT_NEAR(sum / 6.0, j["T1"]["erd_percent"]["mean"]["C3"]["alpha"].get<double>(), 1e-9);
    const auto ref = run_command(shell_quote(QNEURO_PYTHON) + " " + shell_quote(kReference) + " " +
                                 shell_quote(edf.string()) + " " +
                                 shell_quote((dir.path() / "a" / "summary.json").string()) +
                                 " --channels C3,Cz,C4 --conditions T1,T2 --baseline T0 --tmin 0 "
                                 "--tmax 4 --bands alpha:8:13,beta:13:30");
    EXPECT_EQ(ref.exit_code, 0) << ref.output;
  }
  // Reference: the pre-event window [-1, 0) of each trial (the previous trial's last second).
  {
    const auto r = run_qneuro(common_args(edf.string(), dir.path() / "b") +
                              " --epochs T1,T2 --tmin -1 --tmax 4 "
                              "--set 'epochs.baseline_window_s=[-1.0, 0.0]'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto ref = run_command(shell_quote(QNEURO_PYTHON) + " " + shell_quote(kReference) + " " +
                                 shell_quote(edf.string()) + " " +
                                 shell_quote((dir.path() / "b" / "summary.json").string()) +
                                 " --channels C3,Cz,C4 --conditions T1,T2 --baseline-window=-1:0 "
                                 "--tmin -1 --tmax 4 --bands alpha:8:13,beta:13:30");
    EXPECT_EQ(ref.exit_code, 0) << ref.output;
    const auto j = read_json(dir.path() / "b" / "summary.json")["epochs"]["conditions"];
    EXPECT_EQ(j["T1"]["n_epochs"], 6);  // the first trial (T0) is not an epoched condition
    EXPECT_NEAR(j["T1"]["erd_percent"]["mean"]["C3"]["alpha"].get<double>(), -75.0, 5.0);
  }
}

TEST(EpochsReference, PhysionetMotorImageryDesynchronisesC3AndC4) {
  const fs::path edf = fs::path(QNEURO_SOURCE_DIR) / "../shared/data/eegmmidb/S001R04.edf";
  if (!fs::exists(edf)) GTEST_SKIP() << "no shared data at " << edf;
  TempDir dir;
  const auto r = run_qneuro("--quiet analyze " + shell_quote(edf.string()) +
                            " --no-connectivity -o " + shell_quote((dir.path() / "o").string()) +
                            " --set 'bands={mu=[8.0,13.0], beta=[13.0,30.0]}' --channels C3,Cz,C4"
                            " --epochs T1,T2 --tmin 0 --tmax 4 --baseline T0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ref = run_command(shell_quote(QNEURO_PYTHON) + " " + shell_quote(kReference) + " " +
                               shell_quote(edf.string()) + " " +
                               shell_quote((dir.path() / "o" / "summary.json").string()) +
                               " --channels C3,Cz,C4 --conditions T1,T2 --baseline T0 --tmin 0 "
                               "--tmax 4 --bands mu:8:13,beta:13:30");
  EXPECT_EQ(ref.exit_code, 0) << ref.output;
  const auto j = read_json(dir.path() / "o" / "summary.json")["epochs"]["conditions"];
  for (const char* cond : {"T1", "T2"}) {
    for (const char* ch : {"C3..", "C4.."}) {
      for (const char* band : {"mu", "beta"}) {
        EXPECT_LT(j[cond]["erd_percent"]["mean"][ch][band].get<double>(), 0.0)
            << cond << " " << ch << " " << band;
      }
    }
  }
  // Right fist (T2): the strongest desynchronisation is over the left hemisphere (C3).
  EXPECT_LT(j["T2"]["erd_percent"]["mean"]["C3.."]["mu"].get<double>(),
            j["T2"]["erd_percent"]["mean"]["C4.."]["mu"].get<double>());
}

}  // namespace
