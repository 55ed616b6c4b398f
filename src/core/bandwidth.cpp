#include "qneuro/core/bandwidth.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace qneuro {

TriadResult measure_triad(std::size_t elements, int repeats) {
  // Raw arrays, first-touched in parallel so pages land where the threads run.
  std::unique_ptr<double[]> a(new double[elements]);
  std::unique_ptr<double[]> b(new double[elements]);
  std::unique_ptr<double[]> c(new double[elements]);
  const auto n = static_cast<std::ptrdiff_t>(elements);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    a[i] = 0.0;
    b[i] = 1.0;
    c[i] = 2.0;
  }
  const double s = 3.0;
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  // Keep the result observable so the loop cannot be elided.
  volatile double sink = a[elements / 2];
  (void)sink;
  TriadResult result;
  result.elements = elements;
  result.threads = omp_get_max_threads();
  result.gbs = 24.0 * static_cast<double>(elements) / best / 1e9;
  return result;
}

}  // namespace qneuro
