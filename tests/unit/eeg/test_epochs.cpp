// Epochs and ERD (eeg/epochs.hpp): the definitions on signals whose answer is exact, the counts
// of dropped and rejected epochs, the events file, and every bad input as an InputError naming
// the key or event (the SciPy comparison is tests/validation/test_epochs_reference.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/eeg/epochs.hpp"
#include "test_support.hpp"

namespace qneuro::eeg {
namespace {

/// One channel at 100 Hz: a 10 Hz sine of amplitude 2 during "B" trials and 1 otherwise, trials
/// of 2 s alternating A, B from t = 1 s; 1 s of amplitude-1 sine before and after.
io::Recording alternating(std::size_t trials) {
  io::Recording rec;
  rec.source = "test";
  rec.sfreq_hz = 100.0;
  rec.channels = {"Cz"};
  const std::size_t n = 100 + trials * 200 + 100;
  rec.data.assign(1, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const bool in_trial = i >= 100 && i < 100 + trials * 200;
    const bool b = in_trial && ((i - 100) / 200) % 2 == 1;
    rec.data[0][i] =
        (b ? 2.0 : 1.0) * std::sin(2 * std::numbers::pi * 10.0 * static_cast<double>(i) / 100.0);
  }
  for (std::size_t k = 0; k < trials; ++k) {
    rec.annotations.push_back({1.0 + 2.0 * static_cast<double>(k), 2.0, k % 2 == 0 ? "A" : "B"});
  }
  return rec;
}

EpochResult run(const io::Recording& rec, const EpochParams& p) {
  return compute_epochs(rec, p, {{"alpha", 8.0, 13.0}}, 0, 0.5, Window::Hann, Detrend::Constant,
                        0.5, 45.0);
}

TEST(Epochs, ErdOfAQuadrupledPowerIsThreeHundredPercent) {
  EpochParams p;
  p.conditions = {"B"};
  p.baseline = std::string(1, 'A');  // (a literal here trips GCC 12's -Wrestrict, bug 105329)
  p.tmin_s = 0.0;
  p.tmax_s = 2.0;
  const EpochResult r = run(alternating(10), p);
  ASSERT_EQ(r.conditions.size(), 2u);  // B, then the baseline A
  EXPECT_EQ(r.conditions[0].name, "B");
  EXPECT_EQ(r.conditions[0].kept(), 5u);
  EXPECT_EQ(r.conditions[1].kept(), 5u);
  EXPECT_EQ(r.nperseg, 200u);  // 2 s, capped at the window
  // Every B window holds the same sine, 4x the power of every A window: exactly +300 %.
  EXPECT_NEAR(r.conditions[0].erd_mean[0], 300.0, 1e-6);
  EXPECT_NEAR(r.conditions[0].erd_sem[0], 0.0, 1e-6);
  EXPECT_NEAR(r.conditions[1].erd_mean[0], 0.0, 1e-9);
  // Band power of a unit sine: its variance 0.5 (less the Hann window's leakage outside the band).
  EXPECT_NEAR(r.conditions[1].band_power_mean[0], 0.5, 0.01);
}

TEST(Epochs, PreEventWindowReferenceAndOutOfRangeEpochs) {
  EpochParams p;
  p.conditions = {"B"};
  p.tmin_s = -2.0;  // the previous (A) trial is the reference
  p.tmax_s = 2.0;
  p.baseline_window_s = {-2.0, 0.0};
  const EpochResult r = run(alternating(10), p);
  EXPECT_NEAR(r.conditions[0].erd_mean[0], 300.0, 1e-6);
  // The first A trial's window [-2, 2) s around t = 1 s starts before the recording.
  p.conditions = {"A"};
  p.min_epochs = 1;
  const EpochResult a = run(alternating(10), p);
  EXPECT_EQ(a.conditions[0].n_events, 5u);
  EXPECT_EQ(a.conditions[0].n_out_of_range, 1u);
  EXPECT_EQ(a.conditions[0].kept(), 4u);
}

TEST(Epochs, AmplitudeRejectionCountsEpochs) {
  EpochParams p;
  p.conditions = {"A", "B"};
  p.tmin_s = 0.0;
  p.tmax_s = 2.0;
  p.reject_uv = 3.0;  // A peaks at 2 uV peak-to-peak, B at 4
  p.min_epochs = 0;
  const EpochResult r = run(alternating(10), p);
  EXPECT_EQ(r.conditions[0].kept(), 5u);
  EXPECT_EQ(r.conditions[1].n_rejected, 5u);
}

void expect_input_error(const io::Recording& rec, const EpochParams& p, const std::string& needle) {
  try {
    (void)run(rec, p);
    FAIL() << "accepted; expected an error mentioning " << needle;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Epochs, BadInputNamesTheKeyOrEvent) {
  const io::Recording rec = alternating(10);
  EpochParams p;
  p.conditions = {"C"};
  expect_input_error(rec, p, "no event 'C'");
  p.conditions = {"A"};
  p.baseline = std::string(1, 'Z');
  expect_input_error(rec, p, "epochs.baseline: no event 'Z'");
  p.baseline = std::string(1, 'B');
  p.baseline_window_s = {-1.0, 0.0};
  expect_input_error(rec, p, "choose one reference");
  p.baseline.clear();
  p.baseline_window_s = {-0.5, 0.5};  // overlaps the activity window
  expect_input_error(rec, p, "epochs.baseline_window_s");
  p.baseline_window_s.clear();
  p.tmin_s = 1.0;
  p.tmax_s = 1.0;
  expect_input_error(rec, p, "epochs.tmin_s");
  p.tmin_s = 0.0;
  p.tmax_s = 2.0;
  p.reject_uv = 0.5;  // rejects everything
  expect_input_error(rec, p, "rejected by epochs.reject_uv");
  p.reject_uv = 0.0;
  p.tmin_s = 100.0;
  p.tmax_s = 102.0;
  expect_input_error(rec, p, "outside the recording");
}

TEST(Epochs, EventsFileIsReadAndCheckedLineByLine) {
  testing::TempDir dir;
  const auto good = dir.path() / "events.tsv";
  std::ofstream(good) << "onset_s\tduration_s\tcondition\n3.0\t2\tB\n1.0\t2\tA\n";
  const auto events = read_events_file(good);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].text, "A");  // sorted by onset
  EXPECT_DOUBLE_EQ(events[1].onset_s, 3.0);
  const auto bad = dir.path() / "bad.csv";
  std::ofstream(bad) << "onset_s,condition\n1.0,A\nsoon,B\n";
  try {
    (void)read_events_file(bad);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  const auto no_header = dir.path() / "nohead.csv";
  std::ofstream(no_header) << "1.0,A\n";
  EXPECT_THROW((void)read_events_file(no_header), InputError);
}

}  // namespace
}  // namespace qneuro::eeg
