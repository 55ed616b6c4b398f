#include "qneuro/core/fft.hpp"

#include <fftw3.h>

#include <mutex>
#include <new>
#include <string>
#include <type_traits>

#include "qneuro/core/error.hpp"

namespace qneuro::fft {
namespace {

/// FFTW's planner is global state: every plan and destroy in the process takes this lock.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

int checked_int(std::size_t n) {
  if (n == 0 || n > static_cast<std::size_t>(1) << 30) {
    throw InputError("FFT length " + std::to_string(n) + " is out of range [1, 2^30]");
  }
  return static_cast<int>(n);
}

std::string describe(std::span<const int> dims) {
  std::string s;
  for (const int d : dims) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

template <typename Real>
struct Api;

template <>
struct Api<double> {
  using plan = fftw_plan;
  using cx = fftw_complex;
  static plan dft(std::span<const int> d, std::complex<double>* in, std::complex<double>* out,
                  int sign) {
    return fftw_plan_dft(static_cast<int>(d.size()), d.data(), reinterpret_cast<cx*>(in),
                         reinterpret_cast<cx*>(out), sign, FFTW_ESTIMATE);
  }
  static plan r2c(std::span<const int> d, double* in, std::complex<double>* out) {
    return fftw_plan_dft_r2c(static_cast<int>(d.size()), d.data(), in, reinterpret_cast<cx*>(out),
                             FFTW_ESTIMATE);
  }
  static plan c2r(std::span<const int> d, std::complex<double>* in, double* out) {
    return fftw_plan_dft_c2r(static_cast<int>(d.size()), d.data(), reinterpret_cast<cx*>(in), out,
                             FFTW_ESTIMATE);
  }
  static void destroy(void* p) { fftw_destroy_plan(static_cast<plan>(p)); }
  static void execute(void* p) { fftw_execute(static_cast<plan>(p)); }
  static void execute(void* p, std::complex<double>* in, std::complex<double>* out) {
    fftw_execute_dft(static_cast<plan>(p), reinterpret_cast<cx*>(in), reinterpret_cast<cx*>(out));
  }
  static void execute(void* p, double* in, std::complex<double>* out) {
    fftw_execute_dft_r2c(static_cast<plan>(p), in, reinterpret_cast<cx*>(out));
  }
  static void execute(void* p, std::complex<double>* in, double* out) {
    fftw_execute_dft_c2r(static_cast<plan>(p), reinterpret_cast<cx*>(in), out);
  }
};

template <>
struct Api<float> {
  using plan = fftwf_plan;
  using cx = fftwf_complex;
  static plan dft(std::span<const int> d, std::complex<float>* in, std::complex<float>* out,
                  int sign) {
    return fftwf_plan_dft(static_cast<int>(d.size()), d.data(), reinterpret_cast<cx*>(in),
                          reinterpret_cast<cx*>(out), sign, FFTW_ESTIMATE);
  }
  static plan r2c(std::span<const int> d, float* in, std::complex<float>* out) {
    return fftwf_plan_dft_r2c(static_cast<int>(d.size()), d.data(), in, reinterpret_cast<cx*>(out),
                              FFTW_ESTIMATE);
  }
  static plan c2r(std::span<const int> d, std::complex<float>* in, float* out) {
    return fftwf_plan_dft_c2r(static_cast<int>(d.size()), d.data(), reinterpret_cast<cx*>(in), out,
                              FFTW_ESTIMATE);
  }
  static void destroy(void* p) { fftwf_destroy_plan(static_cast<plan>(p)); }
  static void execute(void* p) { fftwf_execute(static_cast<plan>(p)); }
  static void execute(void* p, std::complex<float>* in, std::complex<float>* out) {
    fftwf_execute_dft(static_cast<plan>(p), reinterpret_cast<cx*>(in), reinterpret_cast<cx*>(out));
  }
  static void execute(void* p, float* in, std::complex<float>* out) {
    fftwf_execute_dft_r2c(static_cast<plan>(p), in, reinterpret_cast<cx*>(out));
  }
  static void execute(void* p, std::complex<float>* in, float* out) {
    fftwf_execute_dft_c2r(static_cast<plan>(p), reinterpret_cast<cx*>(in), out);
  }
};

template <typename Real, typename Make>
void* make_plan(std::span<const int> dims, const char* what, Make&& make) {
  for (const int d : dims) checked_int(static_cast<std::size_t>(d < 0 ? 0 : d));
  void* p = nullptr;
  {
    std::lock_guard lock(planner_mutex());
    p = static_cast<void*>(make());
  }
  if (p == nullptr) {
    throw RuntimeError(std::string("FFTW could not plan a ") + what + " FFT of size " +
                       describe(dims));
  }
  return p;
}

}  // namespace

template <typename T>
Buffer<T>::Buffer(std::size_t n) : n_(n) {
  void* p = fftw_malloc(sizeof(T) * (n == 0 ? 1 : n));
  if (p == nullptr) throw std::bad_alloc();
  ptr_.reset(static_cast<T*>(p));
}

template <typename T>
void Buffer<T>::Free::operator()(void* p) const {
  fftw_free(p);
}

template class Buffer<float>;
template class Buffer<double>;
template class Buffer<std::complex<float>>;
template class Buffer<std::complex<double>>;

template <typename Real>
Plan<Real> Plan<Real>::complex(std::span<const int> dims, Complex* in, Complex* out,
                               Direction direction) {
  const int sign = direction == Direction::Forward ? FFTW_FORWARD : FFTW_BACKWARD;
  return Plan(
      make_plan<Real>(dims, "complex", [&] { return Api<Real>::dft(dims, in, out, sign); }));
}

template <typename Real>
Plan<Real> Plan<Real>::real_to_complex(std::span<const int> dims, Real* in, Complex* out) {
  return Plan(make_plan<Real>(dims, "real", [&] { return Api<Real>::r2c(dims, in, out); }));
}

template <typename Real>
Plan<Real> Plan<Real>::complex_to_real(std::span<const int> dims, Complex* in, Real* out) {
  return Plan(
      make_plan<Real>(dims, "complex-to-real", [&] { return Api<Real>::c2r(dims, in, out); }));
}

template <typename Real>
Plan<Real>& Plan<Real>::operator=(Plan&& other) noexcept {
  if (this != &other) {
    Plan old(plan_);  // destroyed (under the lock) at the end of this scope
    plan_ = other.plan_;
    other.plan_ = nullptr;
  }
  return *this;
}

template <typename Real>
Plan<Real>::~Plan() {
  if (plan_ != nullptr) {
    std::lock_guard lock(planner_mutex());
    Api<Real>::destroy(plan_);
  }
}

template <typename Real>
void Plan<Real>::execute() const {
  Api<Real>::execute(plan_);
}

template <typename Real>
void Plan<Real>::execute(Complex* in, Complex* out) const {
  Api<Real>::execute(plan_, in, out);
}

template <typename Real>
void Plan<Real>::execute(Real* in, Complex* out) const {
  Api<Real>::execute(plan_, in, out);
}

template <typename Real>
void Plan<Real>::execute(Complex* in, Real* out) const {
  Api<Real>::execute(plan_, in, out);
}

template class Plan<double>;
template class Plan<float>;

RealFft::RealFft(std::size_t n) : n_(n) {
  const int dims[1] = {checked_int(n)};
  Buffer<double> in(n);
  Buffer<std::complex<double>> out(n / 2 + 1);
  plan_ = Plan<double>::real_to_complex(dims, in.data(), out.data());
}

void RealFft::forward(Buffer<double>& in, Buffer<std::complex<double>>& out) const {
  plan_.execute(in.data(), out.data());
}

ComplexFft::ComplexFft(std::size_t n) : n_(n) {
  const int dims[1] = {checked_int(n)};
  Buffer<std::complex<double>> in(n);
  Buffer<std::complex<double>> out(n);
  forward_ = Plan<double>::complex(dims, in.data(), out.data(), Direction::Forward);
  backward_ = Plan<double>::complex(dims, in.data(), out.data(), Direction::Backward);
}

void ComplexFft::forward(Buffer<std::complex<double>>& in,
                         Buffer<std::complex<double>>& out) const {
  forward_.execute(in.data(), out.data());
}

void ComplexFft::inverse(Buffer<std::complex<double>>& in,
                         Buffer<std::complex<double>>& out) const {
  backward_.execute(in.data(), out.data());
  const double scale = 1.0 / static_cast<double>(n_);
  for (std::size_t i = 0; i < n_; ++i) out[i] *= scale;
}

}  // namespace qneuro::fft
