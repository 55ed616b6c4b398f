// FFTW behind one wrapper: every FFT in qneuro (Welch spectra and analytic signals in eeg, the
// connectivity convolution and the split-step solver in field) is planned and run here.
//
// - Plans use FFTW_ESTIMATE: the plan, hence every result bit, depends only on the sizes and the
//   arrays' alignment, never on timing measurements, which keeps runs reproducible. Planning and
//   destroying a plan take one process-wide lock (FFTW's planner is global and not thread-safe);
//   executing is thread-safe, so one plan serves every thread through the new-array calls.
// - Buffers come from fftw_malloc (Buffer<T>), so their alignment matches the plan's; a plan made
//   on Buffers may execute on any other Buffers of the same sizes.
// - Transforms are unnormalised, as FFTW's and NumPy's forward FFT. ComplexFft::inverse divides
//   by n (NumPy's ifft); Plan leaves scaling to the caller.
// - Sizes are row-major (slowest axis first), as FFTW's rank/n arguments; a real transform of
//   last size n has n/2 + 1 complex outputs along that axis.
// Public headers never include fftw3.h: plans are held as void*.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <span>

namespace qneuro::fft {

/// An fftw_malloc'ed array of T (float, double, std::complex<float>, std::complex<double>).
template <typename T>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t n);
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;
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

enum class Direction { Forward, Backward };

/// One FFTW plan in precision Real (double or float). Move-only.
template <typename Real>
class Plan {
 public:
  using Complex = std::complex<Real>;

  /// Complex transform over `dims` (in == out: in place). Forward is e^{-2 pi i jk/n}.
  static Plan complex(std::span<const int> dims, Complex* in, Complex* out, Direction direction);
  /// Real-to-complex forward transform (out has dims[last] / 2 + 1 along the last axis).
  static Plan real_to_complex(std::span<const int> dims, Real* in, Complex* out);
  /// Complex-to-real backward transform (destroys its input, as FFTW's c2r does).
  static Plan complex_to_real(std::span<const int> dims, Complex* in, Real* out);

  Plan() = default;
  Plan(Plan&& other) noexcept : plan_(other.plan_) { other.plan_ = nullptr; }
  Plan& operator=(Plan&& other) noexcept;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;
  ~Plan();

  /// Runs on the arrays the plan was made with.
  void execute() const;
  /// Runs on other arrays of the same sizes and alignment (thread-safe).
  void execute(Complex* in, Complex* out) const;
  void execute(Real* in, Complex* out) const;
  void execute(Complex* in, Real* out) const;

 private:
  explicit Plan(void* plan) : plan_(plan) {}
  void* plan_ = nullptr;
};

extern template class Plan<double>;
extern template class Plan<float>;

/// Real-to-complex forward transform of length n: out[k] = sum_j x[j] e^{-2 pi i jk/n},
/// k = 0..n/2 (n/2 + 1 outputs).
class RealFft {
 public:
  explicit RealFft(std::size_t n);
  [[nodiscard]] std::size_t size() const { return n_; }
  void forward(Buffer<double>& in, Buffer<std::complex<double>>& out) const;

 private:
  std::size_t n_;
  Plan<double> plan_;
};

/// Complex transform of length n. inverse divides by n (NumPy's ifft).
class ComplexFft {
 public:
  explicit ComplexFft(std::size_t n);
  [[nodiscard]] std::size_t size() const { return n_; }
  void forward(Buffer<std::complex<double>>& in, Buffer<std::complex<double>>& out) const;
  void inverse(Buffer<std::complex<double>>& in, Buffer<std::complex<double>>& out) const;

 private:
  std::size_t n_;
  Plan<double> forward_;
  Plan<double> backward_;
};

}  // namespace qneuro::fft
