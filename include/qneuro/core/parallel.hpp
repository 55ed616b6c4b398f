// OpenMP helpers: one place that sets and reports the thread count.
//
// The CLI's --threads N calls set_threads(N) once (0 = all hardware threads, the OpenMP
// default, honouring OMP_NUM_THREADS). Library code uses `#pragma omp parallel for` directly and
// must produce identical results for any thread count: no reductions whose order depends on
// scheduling (accumulate per item, then combine in a fixed order), and random numbers only from
// rng::Philox keyed by entity, never from a per-thread generator.
#pragma once

namespace qneuro::parallel {

/// Sets the number of OpenMP threads for subsequent parallel regions (0 = default).
void set_threads(int n);
/// Threads a parallel region will use.
[[nodiscard]] int max_threads();
/// Hardware threads available to this process.
[[nodiscard]] int hardware_threads();

/// Restores the previous thread count on destruction (tests compare 1 vs N threads).
class ScopedThreads {
 public:
  explicit ScopedThreads(int n);
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;
  ~ScopedThreads();

 private:
  int previous_;
};

}  // namespace qneuro::parallel
