// Regression: a CSV written at 80 Hz with times k/80 printed to 17 digits gave
// fs = 80.0000000000011, which moved bins on band edges (0.5, 4, 8, 12, 30 Hz) into the wrong
// band and changed band powers by up to 27 %. The reader now snaps rates within 1 ppm of a whole
// millihertz to it.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "qneuro/io/csv.hpp"

namespace {

std::string csv_at(double fs, int n, const char* fmt) {
  std::string text = "time_s,a\n";
  char buf[64];
  for (int k = 0; k < n; ++k) {
    std::snprintf(buf, sizeof buf, fmt, static_cast<double>(k) / fs);
    text += buf;
    text += ",1.0\n";
  }
  return text;
}

TEST(CsvRate, PrintedTimesGiveTheExactRate) {
  for (double fs : {80.0, 128.0, 160.0, 250.0, 256.0, 500.0, 512.0, 1000.0, 0.5}) {
    EXPECT_EQ(qneuro::io::parse_csv(csv_at(fs, 800, "%.17g"), "x.csv").sfreq_hz, fs) << fs;
    EXPECT_EQ(qneuro::io::parse_csv(csv_at(fs, 800, "%.6f"), "x.csv").sfreq_hz, fs) << fs;
  }
}

TEST(CsvRate, GenuinelyOddRatesAreKept) {
  // 1/3 Hz is 333 ppm away from the nearest millihertz: it must not be snapped.
  const double fs = 1.0 / 3.0;
  EXPECT_NEAR(qneuro::io::parse_csv(csv_at(fs, 100, "%.17g"), "x.csv").sfreq_hz, fs, 1e-15);
}

}  // namespace
