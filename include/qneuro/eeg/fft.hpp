// FFTW plans reused across calls and threads.
//
// Each object plans its length once (FFTW's planner is not thread-safe, so planning is serialised
// by a global mutex) and is then shared by every channel and thread. Plans use FFTW_ESTIMATE: the
// plan, hence every result bit, depends only on the size, never on timing measurements, which keeps
// runs reproducible. Execution uses FFTW's new-array interface, which is thread-safe, on buffers
// from FftBuffer (fftw_malloc, so their alignment matches the plan's). Transforms are unnormalised,
// as FFTW's and NumPy's forward FFT; the inverse here divides by n so that inverse(forward(x)) == x
// (NumPy's ifft convention).
#pragma once

#include <complex>
#include <cstddef>
#include <memory>

namespace qneuro::eeg {

/// An fftw_malloc'ed buffer of T (double or std::complex<double>).
template <typename T>
class FftBuffer {
 public:
  FftBuffer() = default;
  explicit FftBuffer(std::size_t n);
  FftBuffer(FftBuffer&&) noexcept = default;
  FftBuffer& operator=(FftBuffer&&) noexcept = default;
  T* data() { return ptr_.get(); }
  const T* data() const { return ptr_.get(); }
  T& operator[](std::size_t i) { return ptr_.get()[i]; }
  const T& operator[](std::size_t i) const { return ptr_.get()[i]; }
  [[nodiscard]] std::size_t size() const { return n_; }

 private:
  struct Free {
    void operator()(void* p) const;
  };
  std::unique_ptr<T, Free> ptr_;
  std::size_t n_ = 0;
};

/// Real-to-complex forward transform of length n: out[k] = sum_j x[j] e^{-2 pi i jk/n},
/// k = 0..n/2 (n/2 + 1 outputs).
class RealFft {
 public:
  explicit RealFft(std::size_t n);
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;
  ~RealFft();
  [[nodiscard]] std::size_t size() const { return n_; }
  void forward(FftBuffer<double>& in, FftBuffer<std::complex<double>>& out) const;

 private:
  std::size_t n_;
  void* plan_;
};

/// Complex transform of length n. Backward divides by n (NumPy's ifft).
class ComplexFft {
 public:
  explicit ComplexFft(std::size_t n);
  ComplexFft(const ComplexFft&) = delete;
  ComplexFft& operator=(const ComplexFft&) = delete;
  ~ComplexFft();
  [[nodiscard]] std::size_t size() const { return n_; }
  void forward(FftBuffer<std::complex<double>>& in, FftBuffer<std::complex<double>>& out) const;
  void inverse(FftBuffer<std::complex<double>>& in, FftBuffer<std::complex<double>>& out) const;

 private:
  std::size_t n_;
  void* forward_plan_;
  void* backward_plan_;
};

}  // namespace qneuro::eeg
