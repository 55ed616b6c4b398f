// Validation of `qneuro analyze` against an independent SciPy/NumPy reference.
//
// Each test writes a synthetic recording, runs the CLI on it as a user would, runs
// tests/validation/reference_analysis.py (MNE for EDF reading, scipy.signal.welch, numpy FFTs:
// the DESIGN.md section 4 definitions written independently of the C++ code) on the same file,
// and lets tests/validation/compare_analysis.py check every number of summary.json and
// analysis.h5 against the reference to 1e-6 relative (with tiny absolute floors only for values
// that can legitimately be ~0: PLI/wPLI, the aperiodic offset, PSD bins far below the peak).
//
// The recordings are built so that discrete decisions cannot depend on rounding:
//  - EDF at 160 Hz with 1 s records, so fs is exactly 160 and every bin frequency k*fs/n that
//    falls on a band edge is exact on both sides;
//  - CSV at 128 Hz, so the time step 1/128 is exact in binary and 1/median(dt) is exactly 128
//    (at 160 Hz the printed times give fs = 160.0000000000034, and the bins on band edges would
//    then hinge on how each side computes the median);
//  - every channel carries its own noise, so no pair is exactly in phase (Im(z_a conj z_b) would
//    then be rounding noise and PLI would count its random signs).

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "qneuro/io/edf.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using qneuro::testing::run_command;
using qneuro::testing::run_qneuro;
using qneuro::testing::shell_quote;
using qneuro::testing::TempDir;

/// A synthetic multichannel recording in microvolts.
struct Synthetic {
  std::vector<std::string> names;
  double sfreq_hz = 0.0;
  std::vector<std::vector<double>> uv;  ///< [channel][sample]
};

/// One oscillatory component: a sine whose phase advances by `lag_rad` from channel to channel
/// (a travelling wave, so channel pairs have non-zero phase lags and PLI/wPLI are informative).
struct Rhythm {
  double freq_hz;
  double amplitude_uv;
  double lag_rad;
};

/// EEG-like test signals: sines in every default band with channel-dependent amplitudes and phase
/// lags, a leaky random walk (AR(1), coefficient 0.995: a 1/f²-like low-frequency background of
/// about 12 µV) and white Gaussian noise (4 µV), all from a fixed-seed mt19937_64.
Synthetic make_recording(std::size_t n_channels, double sfreq_hz, double duration_s,
                         std::uint64_t seed) {
  static const char* const kLabels[] = {"Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4",
                                        "O1",  "O2",  "F7", "F8", "T7", "T8", "Fz", "Cz"};
  static const Rhythm kRhythms[] = {
      {2.3, 18.0, 0.15},   // delta
      {6.1, 10.0, 0.25},   // theta
      {10.2, 25.0, 0.35},  // alpha (scaled up towards the posterior channels below)
      {19.7, 6.0, 0.50},   // beta
      {37.9, 3.0, 0.80},   // gamma
  };

  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 2.0 * std::numbers::pi);

  Synthetic rec;
  rec.sfreq_hz = sfreq_hz;
  const auto n = static_cast<std::size_t>(std::llround(duration_s * sfreq_hz));
  double base_phase[std::size(kRhythms)];
  for (double& phase : base_phase) phase = uniform(rng);

  for (std::size_t c = 0; c < n_channels; ++c) {
    rec.names.push_back(c < std::size(kLabels) ? std::string(kLabels[c])
                                               : "Ch" + std::to_string(c + 1));
    const double posterior = static_cast<double>(c) / static_cast<double>(n_channels);
    std::vector<double> x(n, 0.0);
    for (std::size_t r = 0; r < std::size(kRhythms); ++r) {
      const Rhythm& rhythm = kRhythms[r];
      const double amp = rhythm.amplitude_uv * (r == 2 ? 0.4 + 1.2 * posterior : 1.0) *
                         (0.8 + 0.4 * std::fmod(0.37 * static_cast<double>(c + r), 1.0));
      const double phase = base_phase[r] + rhythm.lag_rad * static_cast<double>(c);
      for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / sfreq_hz;
        x[i] += amp * std::sin(2.0 * std::numbers::pi * rhythm.freq_hz * t + phase);
      }
    }
    double walk = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      walk = 0.995 * walk + 1.2 * gauss(rng);
      x[i] += walk + 4.0 * gauss(rng);
    }
    rec.uv.push_back(std::move(x));
  }
  return rec;
}

/// Writes `rec` as EDF+ with 1 s records and a few annotations. Channel `mv_channel` is stored in
/// millivolts (values divided by 1000) to exercise unit scaling on both sides.
void write_edf_recording(const fs::path& path, const Synthetic& rec, std::size_t mv_channel) {
  std::vector<std::vector<double>> stored(rec.uv.size());
  std::vector<qneuro::io::EdfWriteSignal> signals;
  for (std::size_t c = 0; c < rec.uv.size(); ++c) {
    qneuro::io::EdfWriteSignal sig;
    sig.label = rec.names[c];
    sig.transducer = "AgAgCl electrode";
    sig.prefiltering = "HP:0.1Hz LP:70Hz";
    sig.sfreq_hz = rec.sfreq_hz;
    stored[c] = rec.uv[c];
    if (c == mv_channel) {
      sig.physical_dimension = "mV";
      for (double& v : stored[c]) v /= 1000.0;
    } else {
      sig.physical_dimension = "uV";
    }
    sig.samples = stored[c];
    signals.push_back(std::move(sig));
  }
  const std::vector<qneuro::io::Annotation> annotations = {
      {5.0, 10.0, "eyes closed"},
      {20.0, 0.0, "stimulus"},
      {42.5, 2.0, "artifact: movement"},
  };
  qneuro::io::EdfWriteOptions options;
  options.edf_plus = true;
  options.record_duration_s = 1.0;
  qneuro::io::write_edf(path, signals, annotations, options);
}

/// Writes `rec` as CSV (time column, then channels) with full double precision.
void write_csv_recording(const fs::path& path, const Synthetic& rec) {
  std::ofstream out(path);
  ASSERT_TRUE(out) << "cannot write " << path;
  out << "time";
  for (const std::string& name : rec.names) out << ',' << name;
  out << '\n';
  char buffer[64];
  const std::size_t n = rec.uv.front().size();
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buffer, sizeof(buffer), "%.17g", static_cast<double>(i) / rec.sfreq_hz);
    out << buffer;
    for (const std::vector<double>& channel : rec.uv) {
      std::snprintf(buffer, sizeof(buffer), "%.17g", channel[i]);
      out << ',' << buffer;
    }
    out << '\n';
  }
  out.close();
  ASSERT_TRUE(out) << "error writing " << path;
}

std::string python_script(const std::string& name) {
  return (fs::path(QNEURO_SOURCE_DIR) / "tests" / "validation" / name).string();
}

/// Runs `qneuro analyze` (with `cli_args`) and the reference (with `config_json`, if non-empty)
/// on `input`, then the comparator; every step must exit 0.
void check_against_reference(const TempDir& dir, const fs::path& input, const std::string& cli_args,
                             const std::string& config_json) {
  const fs::path ours = dir / "ours";
  const fs::path ref = dir / "ref.json";

  const auto analyze = run_qneuro("analyze " + shell_quote(input.string()) + " --out " +
                                  shell_quote(ours.string()) + " --quiet " + cli_args);
  ASSERT_EQ(analyze.exit_code, 0) << "qneuro analyze failed:\n" << analyze.output;

  std::string ref_command = shell_quote(QNEURO_PYTHON) + " " +
                            shell_quote(python_script("reference_analysis.py")) + " " +
                            shell_quote(input.string()) + " --out " + shell_quote(ref.string());
  if (!config_json.empty()) {
    const fs::path config = dir / "config.json";
    std::ofstream(config) << config_json << '\n';
    ref_command += " --config-json " + shell_quote(config.string());
  }
  const auto reference = run_command(ref_command);
  ASSERT_EQ(reference.exit_code, 0) << "reference_analysis.py failed:\n" << reference.output;

  const auto compare = run_command(shell_quote(QNEURO_PYTHON) + " " +
                                   shell_quote(python_script("compare_analysis.py")) + " " +
                                   shell_quote(ours.string()) + " " + shell_quote(ref.string()));
  ASSERT_EQ(compare.exit_code, 0) << "qneuro analyze disagrees with the SciPy reference:\n"
                                  << compare.output;
  std::cout << compare.output;  // the compact report (worst errors), visible with ctest -V
}

TEST(ScipyReference, EdfPlusDefaultParameters) {
  TempDir dir;
  const Synthetic rec = make_recording(16, 160.0, 60.0, 20240601);
  const fs::path input = dir / "recording.edf";
  ASSERT_NO_FATAL_FAILURE(write_edf_recording(input, rec, /*mv_channel=*/5));
  check_against_reference(dir, input, "", "");
}

TEST(ScipyReference, CsvDefaultParameters) {
  TempDir dir;
  const Synthetic rec = make_recording(8, 128.0, 60.0, 7);
  const fs::path input = dir / "recording.csv";
  ASSERT_NO_FATAL_FAILURE(write_csv_recording(input, rec));
  check_against_reference(dir, input, "", "");
}

TEST(ScipyReference, EdfPlusNonDefaultParameters) {
  TempDir dir;
  const Synthetic rec = make_recording(16, 160.0, 60.0, 99);
  const fs::path input = dir / "recording.edf";
  ASSERT_NO_FATAL_FAILURE(write_edf_recording(input, rec, /*mv_channel=*/11));
  // nperseg 256 at 160 Hz gives 0.625 Hz bins with 30 Hz and 40 Hz exactly on bin centres, so
  // the half-open band and range edges are exercised.
  const std::string cli_args =
      "--set welch.nperseg=256 --set welch.overlap=0.25 --set connectivity.edge_s=0.5 "
      "--set 'bands={alpha=[8.0,13.0], beta=[13.0,30.0]}' --set 'spectrum.range_hz=[1.0,40.0]' "
      "--set peaks.min_prominence_db=2.0 --set peaks.max_count=3 "
      "--set 'aperiodic.range_hz=[2.0,30.0]'";
  const std::string config_json =
      R"({"welch": {"nperseg": 256, "overlap": 0.25}, "connectivity": {"edge_s": 0.5},)"
      R"( "bands": {"alpha": [8.0, 13.0], "beta": [13.0, 30.0]},)"
      R"( "spectrum": {"range_hz": [1.0, 40.0]},)"
      R"( "peaks": {"min_prominence_db": 2.0, "max_count": 3},)"
      R"( "aperiodic": {"range_hz": [2.0, 30.0]}})";
  check_against_reference(dir, input, cli_args, config_json);
}

// Real EEG (matplotlib's 4-channel, 80 Hz sample, from Debian's python-matplotlib-data) written
// as an EDF+ file in the layout of PhysioNet's BCI recordings, with Latin-1 bytes in its
// annotations, by an independent Python writer. At 80 Hz gamma must stop at 40 Hz.
TEST(ScipyReference, RealEegAsPhysionetStyleEdfPlus) {
  TempDir dir;
  const fs::path edf = dir / "real.edf";
  const auto write = run_command(shell_quote(QNEURO_PYTHON) + " " +
                                 shell_quote(python_script("physionet_style_edf.py")) + " " +
                                 shell_quote(edf.string()));
  ASSERT_EQ(write.exit_code, 0) << write.output;
  check_against_reference(dir, edf,
                          "--set 'bands.gamma=[30, 40]' --set 'spectrum.range_hz=[0.5, 40]'",
                          R"({"bands": {"delta": [0.5, 4], "theta": [4, 8], "alpha": [8, 12],
                               "beta": [12, 30], "gamma": [30, 40]},
                              "spectrum": {"range_hz": [0.5, 40]}})");
}

}  // namespace
