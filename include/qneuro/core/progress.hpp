// Progress reporting for long runs.
//
// On a terminal (stderr is a TTY) a one-line bar is redrawn at most 10 times a second:
//   label [#########.........]  45%  4500/10000 steps  1.2e+03 steps/s  ETA 4.6 s
// Otherwise (CI, pipes, files) a log line is printed every 10 % (and at most every 2 s), so
// logs stay readable. Disabled entirely when verbosity is Quiet or `enabled` is false.
// Call update() from one thread only (e.g. the master thread between parallel sections).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace qneuro {

class ProgressBar {
 public:
  ProgressBar(std::string label, uint64_t total, std::string unit = "steps", bool enabled = true);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();

  /// Reports `done` units completed (absolute, not incremental). `extra` is appended (e.g. loss).
  void update(uint64_t done, const std::string& extra = {});
  /// Draws the final state and ends the line. Called by the destructor if not called.
  void finish();
  /// Formats seconds as "4.6 s", "3 min 20 s", "2 h 05 min".
  static std::string format_duration(double seconds);

 private:
  void draw(bool final_draw);
  std::string label_;
  std::string unit_;
  uint64_t total_;
  uint64_t done_ = 0;
  std::string extra_;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace qneuro
