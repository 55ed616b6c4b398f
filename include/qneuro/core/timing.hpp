// Timing helpers shared by the benchmarks (bench/, and the engines' bench functions).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <utility>
#include <vector>

namespace qneuro {

/// The median of timed repeats (the upper middle one for an even count): benchmarks report it
/// because it ignores the odd repeat a busy machine slows down. `times` must not be empty.
[[nodiscard]] inline double median_seconds(std::vector<double> times) {
  const auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  return *middle;
}

/// Wall seconds `f()` takes.
template <typename F>
[[nodiscard]] double seconds_of(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  std::forward<F>(f)();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace qneuro
