// Memory-bandwidth probe (STREAM triad a[i] = b[i] + s * c[i]) for benchmark ratios.
//
// Benchmarks report a kernel's throughput against the bandwidth measured in the same run: the
// bytes a kernel must move divided by this figure is its floor time. Triad moves 24 bytes per
// element (two loads, one store; write-allocate traffic not counted, as in STREAM).
#pragma once

#include <cstddef>

namespace qneuro {

struct TriadResult {
  double gbs = 0.0;          ///< best-of-repeats bandwidth, 1e9 bytes per second
  std::size_t elements = 0;  ///< per array
  int threads = 0;
};

/// Runs the triad over three arrays of `elements` doubles (default 3 x 128 MiB, well beyond any
/// cache) with the current OpenMP thread count, `repeats` times, and returns the best rate.
TriadResult measure_triad(std::size_t elements = std::size_t{1} << 24, int repeats = 5);

}  // namespace qneuro
