#include "qneuro/core/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "qneuro/core/log.hpp"

namespace qneuro {

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, bool enabled)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(std::max<uint64_t>(total, 1)),
      enabled_(enabled && log::verbosity() != log::Verbosity::Quiet),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (!finished_) finish();
}

std::string ProgressBar::format_duration(double seconds) {
  char buf[64];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%d min %02d s", static_cast<int>(seconds / 60),
                  static_cast<int>(seconds) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%d h %02d min", static_cast<int>(seconds / 3600),
                  (static_cast<int>(seconds) / 60) % 60);
  }
  return buf;
}

void ProgressBar::update(uint64_t done, const std::string& extra) {
  done_ = std::min(done, total_);
  extra_ = extra;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (tty_) {
    if (since >= 0.1) draw(false);
  } else {
    const int decile = static_cast<int>(10 * done_ / total_);
    if (decile > last_decile_ && since >= 2.0) draw(false);
  }
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) draw(true);
}

void ProgressBar::draw(bool final_draw) {
  const auto now = std::chrono::steady_clock::now();
  last_draw_ = now;
  last_decile_ = static_cast<int>(10 * done_ / total_);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
  const std::string eta = final_draw ? "done in " + format_duration(elapsed)
                          : rate > 0
                              ? "ETA " + format_duration(static_cast<double>(total_ - done_) / rate)
                              : "ETA ?";
  char stats[160];
  std::snprintf(stats, sizeof stats, "%3.0f%%  %llu/%llu %s  %.3g %s/s  %s", 100.0 * fraction,
                static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_),
                unit_.c_str(), rate, unit_.c_str(), eta.c_str());
  if (tty_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
    std::fprintf(stderr, "\r\033[K%s [%s] %s%s%s", label_.c_str(), bar.c_str(), stats,
                 extra_.empty() ? "" : "  ", extra_.c_str());
    if (final_draw) std::fputc('\n', stderr);
    std::fflush(stderr);
  } else {
    log::info("{}: {}{}{}", label_, stats, extra_.empty() ? "" : "  ", extra_);
  }
}

}  // namespace qneuro
