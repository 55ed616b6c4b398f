// Scoped flush-to-zero / denormals-are-zero for float field arithmetic (float kernels of the field and snn layers).
#pragma once

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace qneuro {

/// Flushes denormals to zero (FTZ/DAZ) in the current thread while alive. Float states reach the
/// denormal range in the far tails of a packet (|psi|^2 ~ 1e-58 is 0 in float but denormal on
/// the way there), where x86 arithmetic is ~100x slower; flushing them changes nothing measurable
/// and is the same in every thread, so results stay thread-count invariant.
class DenormalGuard {
 public:
  explicit DenormalGuard(bool on) : on_(on) {
#if defined(__SSE__)
    if (on_) {
      saved_ = _mm_getcsr();
      _mm_setcsr(saved_ | 0x8040u);  // FTZ | DAZ
    }
#endif
  }
  ~DenormalGuard() {
#if defined(__SSE__)
    if (on_) _mm_setcsr(saved_);
#endif
  }
  DenormalGuard(const DenormalGuard&) = delete;
  DenormalGuard& operator=(const DenormalGuard&) = delete;

 private:
  bool on_;
  unsigned saved_ = 0;
};

}  // namespace qneuro
