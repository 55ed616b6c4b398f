// Interoperability of qneuro's EDF+ files with MNE-Python (the reader most EEG users have).
//
// The EDF files are written by qneuro (the library's write_edf, and `qneuro synth`) and read by
// MNE 1.3 through tests/validation/mne_edf_check.py or an inline snippet: channel names, sampling
// rate, sample count, every sample within one LSB (physical units converted to microvolts, so a
// channel stored in mV is checked too) and the EDF+ annotations. The expected data travel to
// Python as .npy files written by tests/support/npy.hpp, which is itself checked against NumPy.

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "npy.hpp"
#include "qneuro/io/edf.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using qneuro::testing::run_command;
using qneuro::testing::run_qneuro;
using qneuro::testing::shell_quote;
using qneuro::testing::TempDir;
using qneuro::testing::write_npy;

std::string python() {
  return shell_quote(QNEURO_PYTHON);
}

std::string checker() {
  return shell_quote(std::string(QNEURO_SOURCE_DIR) + "/tests/validation/mne_edf_check.py");
}

/// Runs an inline Python snippet with arguments (each quoted here).
qneuro::testing::CommandResult run_python(const std::string& code,
                                          const std::vector<std::string>& args) {
  std::string cmd = python() + " -c " + shell_quote(code);
  for (const auto& a : args) {
    cmd += ' ';  // appended separately: `" " + std::string&&` trips GCC 12's -Wrestrict (PR 105329)
    cmd += shell_quote(a);
  }
  return run_command(cmd);
}

/// Channels of the interop recording: label, physical dimension it is stored in, microvolts per
/// stored unit. "µV" exercises the writer's µ -> 'u' header conversion; "mV" a scaled channel.
struct ChannelSpec {
  const char* label;
  const char* dimension;
  double uv_per_unit;
};
constexpr ChannelSpec kChannels[] = {
    {"Fp1", "uV", 1.0},    {"Cz", "uV", 1.0}, {"O2", "\u00b5V", 1.0},
    {"ECG", "mV", 1000.0}, {"T7", "uV", 1.0},
};
constexpr double kFs = 160.0;
// Not a whole number of 1 s records: the writer pads the last record and MNE returns the padding.
constexpr std::size_t kSamples = 1683;

/// EEG-like data in microvolts: sines, a slow drift and Gaussian noise (fixed seed); the ECG-like
/// channel is about 1 mV so that its mV storage is meaningful.
std::vector<std::vector<double>> make_uv() {
  std::mt19937_64 rng(20240611);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::vector<std::vector<double>> uv(std::size(kChannels), std::vector<double>(kSamples));
  for (std::size_t c = 0; c < uv.size(); ++c) {
    const double scale = kChannels[c].uv_per_unit > 1.0 ? 800.0 : 20.0;
    for (std::size_t t = 0; t < kSamples; ++t) {
      const double time = static_cast<double>(t) / kFs;
      uv[c][t] = scale * (std::sin(2 * std::numbers::pi * (7.0 + static_cast<double>(c)) * time +
                                   0.4 * static_cast<double>(c)) +
                          0.3 * std::sin(2 * std::numbers::pi * 0.2 * time)) +
                 0.1 * scale * gauss(rng);
    }
  }
  return uv;
}

const std::vector<qneuro::io::Annotation> kAnnotations = {
    {0.0, 0.0, "recording start"},
    {2.5, 1.25, "stimulus A"},
    {7.0, 0.0, "T1"},
};

/// Writes the interop EDF+ (channels stored in their own dimension) and the same data in
/// microvolts as NPY.
void write_interop_files(const fs::path& edf, const fs::path& npy,
                         std::vector<std::vector<double>> uv) {
  std::vector<std::vector<double>> stored(uv.size());
  std::vector<qneuro::io::EdfWriteSignal> signals;
  for (std::size_t c = 0; c < uv.size(); ++c) {
    stored[c].resize(kSamples);
    for (std::size_t t = 0; t < kSamples; ++t) stored[c][t] = uv[c][t] / kChannels[c].uv_per_unit;
  }
  for (std::size_t c = 0; c < uv.size(); ++c) {
    signals.push_back(
        {kChannels[c].label, kChannels[c].dimension, "AgAgCl", "HP:0.1Hz", kFs, stored[c]});
  }
  qneuro::io::write_edf(edf, signals, kAnnotations);
  write_npy(npy, uv);
}

TEST(NpyWriter, LoadsInNumpyWithExactValuesShapeAndAlignedHeader) {
  TempDir dir;
  const auto path = dir / "a.npy";
  std::vector<std::vector<double>> rows(3, std::vector<double>(1001));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      rows[r][c] = static_cast<double>(r) * 1e6 - static_cast<double>(c) / 7.0;
    }
  }
  rows[1][5] = -0.0;
  rows[2][7] = 1e-310;  // subnormal
  write_npy(path, rows);
  const auto r = run_python(
      "import sys, numpy as np\n"
      "a = np.load(sys.argv[1], allow_pickle=False)\n"
      "assert a.dtype == np.dtype('<f8') and a.shape == (3, 1001), (a.dtype, a.shape)\n"
      "assert a.flags['C_CONTIGUOUS']\n"
      "e = np.arange(3)[:, None] * 1e6 - np.arange(1001)[None, :] / 7.0\n"
      "e[1, 5] = -0.0; e[2, 7] = 1e-310\n"
      "assert np.array_equal(a, e), np.max(np.abs(a - e))\n"
      "assert np.signbit(a[1, 5])\n"
      "raw = open(sys.argv[1], 'rb').read()\n"
      "n = int.from_bytes(raw[8:10], 'little')\n"
      "assert raw[:8] == b'\\x93NUMPY\\x01\\x00' and (10 + n) % 64 == 0 and raw[9 + n] == 10\n"
      "print('npy ok')\n",
      {path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("npy ok"), std::string::npos) << r.output;
}

TEST(EdfInterop, MneReadsWriteEdfOutputWithinOneLsbIncludingMillivoltChannel) {
  TempDir dir;
  const auto edf = dir / "interop.edf";
  const auto npy = dir / "interop.npy";
  write_interop_files(edf, npy, make_uv());
  const auto r = run_command(python() + " " + checker() + " " + shell_quote(edf.string()) + " " +
                             shell_quote(npy.string()) + " --channels Fp1,Cz,O2,ECG,T7");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("OK: MNE reads 5 channels x 1683 samples"), std::string::npos)
      << r.output;
}

TEST(EdfInterop, MneCheckRejectsDataOffByTwoLsbSoTheInteropCheckIsNotVacuous) {
  // The same files, but the expected ECG channel is off by ~2 LSB in one sample: the checker
  // must see it (a check that always passes would make the test above meaningless).
  TempDir dir;
  const auto edf = dir / "interop.edf";
  const auto npy = dir / "interop.npy";
  auto uv = make_uv();
  write_interop_files(edf, npy, uv);
  const auto header = qneuro::io::read_edf(edf);
  ASSERT_EQ(header.signals.size(), std::size(kChannels));
  const auto& ecg = header.signals[3];
  ASSERT_EQ(ecg.physical_dimension, "mV");
  const double lsb_uv = (ecg.physical_max - ecg.physical_min) /
                        static_cast<double>(ecg.digital_max - ecg.digital_min) * 1000.0;
  uv[3][100] += 2.5 * lsb_uv;
  write_npy(npy, uv);
  const auto r = run_command(python() + " " + checker() + " " + shell_quote(edf.string()) + " " +
                             shell_quote(npy.string()));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("MISMATCH: channel 'ECG' sample 100"), std::string::npos) << r.output;
}

TEST(EdfInterop, MneReadsWriteEdfAnnotationsAndHeaderUnits) {
  TempDir dir;
  const auto edf = dir / "interop.edf";
  const auto npy = dir / "interop.npy";
  write_interop_files(edf, npy, make_uv());
  const auto r = run_python(
      "import sys, warnings, mne\n"
      "mne.set_log_level('ERROR')\n"
      "with warnings.catch_warnings():\n"
      "    warnings.simplefilter('ignore')\n"
      "    raw = mne.io.read_raw_edf(sys.argv[1], preload=False)\n"
      "assert raw.ch_names == ['Fp1', 'Cz', 'O2', 'ECG', 'T7'], raw.ch_names\n"
      "assert raw.info['sfreq'] == 160.0, raw.info['sfreq']\n"
      "assert 1683 <= raw.n_times < 1683 + 160, raw.n_times\n"
      "a = raw.annotations\n"
      "assert list(a.description) == ['recording start', 'stimulus A', 'T1'], list(a.description)\n"
      "assert list(a.onset) == [0.0, 2.5, 7.0], list(a.onset)\n"
      "assert list(a.duration) == [0.0, 1.25, 0.0], list(a.duration)\n"
      "with open(sys.argv[1], 'rb') as f:\n"
      "    head = f.read(256); ns = int(head[252:256]); sig = f.read(256 * ns)\n"
      "dims = [sig[ns * 96 + 8 * i: ns * 96 + 8 * (i + 1)].decode('ascii').strip()\n"
      "        for i in range(ns)]\n"
      "assert dims[:5] == ['uV', 'uV', 'uV', 'mV', 'uV'], dims\n"
      "print('annotations ok')\n",
      {edf.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("annotations ok"), std::string::npos) << r.output;
}

TEST(EdfInterop, MneReadsSynthEdfChannelsRateLengthAndEyesAnnotations) {
  TempDir dir;
  const auto edf = dir / "X.edf";
  const auto s = run_qneuro("synth --out " + shell_quote(edf.string()) +
                            " --channels 8 --duration 10 --fs 160 --quiet");
  ASSERT_EQ(s.exit_code, 0) << s.output;
  const auto r = run_python(
      "import sys, warnings, mne\n"
      "mne.set_log_level('ERROR')\n"
      "with warnings.catch_warnings():\n"
      "    warnings.simplefilter('ignore')\n"
      "    raw = mne.io.read_raw_edf(sys.argv[1], preload=True)\n"
      "names = ['FC5', 'FC3', 'FC1', 'FCz', 'FC2', 'FC4', 'FC6', 'C5']\n"
      "assert raw.ch_names == names, raw.ch_names\n"
      "assert raw.n_times == 1600, raw.n_times\n"
      "assert raw.info['sfreq'] == 160.0, raw.info['sfreq']\n"
      "assert all(t == 'eeg' for t in raw.get_channel_types()), raw.get_channel_types()\n"
      "a = raw.annotations\n"
      "assert list(a.description) == ['eyes closed', 'eyes open'], list(a.description)\n"
      "assert list(a.onset) == [0.0, 5.0], list(a.onset)\n"
      "d = raw.get_data()\n"
      "import numpy as np\n"
      "rms = np.sqrt(np.mean(d ** 2, axis=1))\n"
      "assert np.all(rms > 1e-6) and np.all(rms < 1e-3), rms  # volts: EEG-sized, in uV\n"
      "print('synth edf ok')\n",
      {edf.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("synth edf ok"), std::string::npos) << r.output;
}

TEST(EdfInterop, MneReadsSynthEdfSamplesEqualToSynthHdf5WithinOneLsb) {
  // Same seed and parameters to EDF and HDF5: MNE's reading of the EDF must match the HDF5
  // signals (float64, microvolts) sample by sample within each channel's LSB.
  TempDir dir;
  const auto edf = dir / "s.edf";
  const auto h5 = dir / "s.h5";
  const auto npy = dir / "s.npy";
  const std::string params = " --channels 8 --duration 10 --fs 160 --seed 7 --quiet";
  ASSERT_EQ(run_qneuro("synth --out " + shell_quote(edf.string()) + params).exit_code, 0);
  ASSERT_EQ(run_qneuro("synth --out " + shell_quote(h5.string()) + params).exit_code, 0);
  const auto conv = run_python(
      "import sys, h5py, numpy as np\n"
      "with h5py.File(sys.argv[1], 'r') as f:\n"
      "    np.save(sys.argv[2], np.asarray(f['signals'], dtype='<f8'))\n",
      {h5.string(), npy.string()});
  ASSERT_EQ(conv.exit_code, 0) << conv.output;
  const auto r = run_command(python() + " " + checker() + " " + shell_quote(edf.string()) + " " +
                             shell_quote(npy.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("OK: MNE reads 8 channels x 1600 samples"), std::string::npos)
      << r.output;
}

}  // namespace
