// The time-resolved parts of `qneuro analyze` (spectrogram, PLI/wPLI in sliding windows,
// phase-amplitude coupling with surrogates) against the independent NumPy/SciPy reference of
// tests/validation/time_resolved_reference.py, to 1e-6 relative: on a synthetic EDF with a
// coupled channel (always), and on the PhysioNet run in ../shared (skipped when absent).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>

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
    std::string(QNEURO_SOURCE_DIR) + "/tests/validation/time_resolved_reference.py";
constexpr double kPi = std::numbers::pi;

/// 4 channels at 160 Hz for 40 s: C3 carries a wandering ~6 Hz rhythm that modulates 50 Hz
/// (Tort's signal), the others alpha with channel-dependent lags and noise.
qneuro::io::Recording synthetic() {
  qneuro::io::Recording rec;
  rec.source = "synthetic";
  rec.sfreq_hz = 160.0;
  rec.channels = {"C3", "C4", "O1", "O2"};
  const std::size_t n = 6400;
  rec.data.assign(4, std::vector<double>(n));
  std::mt19937_64 gen(77);
  std::normal_distribution<double> noise(0.0, 1.0), drift(0.0, 0.05);
  double phi = 0.0, dev = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rec.sfreq_hz;
    dev = std::clamp(0.998 * dev + drift(gen), -1.5, 1.5);
    phi += 2 * kPi * (6.0 + dev) / rec.sfreq_hz;
    const double env = (std::sin(phi) + 1.0) / 2.0;
    rec.data[0][i] = 8.0 * std::sin(phi) + 6.0 * env * std::sin(2 * kPi * 50.0 * t) + noise(gen);
    for (std::size_t c = 1; c < 4; ++c) {
      const double amp = t > 20.0 ? 12.0 : 4.0;  // alpha rises in the second half
      rec.data[c][i] =
          amp * std::sin(2 * kPi * 10.0 * t + 0.5 * static_cast<double>(c)) + 3.0 * noise(gen);
    }
  }
  return rec;
}

void run_and_compare(const fs::path& edf, const std::string& extra) {
  TempDir dir;
  const auto out = dir.path() / "o";
  const auto r = run_qneuro("--quiet analyze " + shell_quote(edf.string()) + " -o " +
                            shell_quote(out.string()) +
                            " --set spectrogram.enabled=true --set connectivity.over_time=true"
                            " --set pac.enabled=true --set pac.surrogates=40 " +
                            extra);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ref =
      run_command(shell_quote(QNEURO_PYTHON) + " " + shell_quote(kReference) + " " +
                  shell_quote(edf.string()) + " " + shell_quote((out / "analysis.h5").string()));
  EXPECT_EQ(ref.exit_code, 0) << ref.output;
  EXPECT_NE(ref.output.find("all equal"), std::string::npos) << ref.output;
  const auto s = read_json(out / "summary.json");
  EXPECT_TRUE(s.contains("spectrogram"));
  EXPECT_TRUE(s.contains("connectivity_over_time"));
  EXPECT_TRUE(s.contains("pac"));
}

TEST(TimeResolvedReference, SyntheticRecordingMatchesSciPy) {
  TempDir dir;
  const fs::path edf = dir.path() / "synthetic.edf";
  qneuro::io::save_recording(edf, synthetic());
  run_and_compare(edf,
                  "--set 'pac.phase_centers_hz=[5.0, 6.0, 7.0]' --set pac.phase_width_hz=3.0 "
                  "--set 'pac.amp_centers_hz=[50.0, 60.0]' --set pac.amp_width_hz=20.0");
  // The coupled channel stands out from its surrogates; the others do not.
  TempDir dir2;
  const auto out = dir2.path() / "o";
  const auto r = run_qneuro("--quiet analyze " + shell_quote(edf.string()) + " -o " +
                            shell_quote(out.string()) +
                            " --set pac.enabled=true --set pac.surrogates=100"
                            " --set 'pac.phase_centers_hz=[6.0]' --set pac.phase_width_hz=4.0"
                            " --set 'pac.amp_centers_hz=[50.0]' --set pac.amp_width_hz=20.0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto pac = read_json(out / "summary.json")["pac"]["channels"];
  EXPECT_GT(pac["C3"]["mi_z"][0][0].get<double>(), 10.0);
  EXPECT_LT(pac["O1"]["mi_z"][0][0].get<double>(), 4.0);
}

TEST(TimeResolvedReference, PhysionetRunMatchesSciPy) {
  const fs::path edf = fs::path(QNEURO_SOURCE_DIR) / "../shared/data/eegmmidb/S001R04.edf";
  if (!fs::exists(edf)) GTEST_SKIP() << "no shared data at " << edf;
  run_and_compare(edf, "--channels C3,Cz,C4,O1 --set 'pac.channels=[\"C3\"]'");
}

}  // namespace
