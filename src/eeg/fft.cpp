#include "qneuro/eeg/fft.hpp"

#include <fftw3.h>

#include <mutex>
#include <new>

#include "qneuro/core/error.hpp"
#include "qneuro/core/parallel.hpp"

namespace qneuro::eeg {
namespace {

fftw_complex* as_fftw(std::complex<double>* p) {
  return reinterpret_cast<fftw_complex*>(p);
}

int checked_int(std::size_t n) {
  if (n == 0 || n > static_cast<std::size_t>(1) << 30) {
    throw InputError("FFT length " + std::to_string(n) + " is out of range [1, 2^30]");
  }
  return static_cast<int>(n);
}

}  // namespace

template <typename T>
FftBuffer<T>::FftBuffer(std::size_t n) : n_(n) {
  void* p = fftw_malloc(sizeof(T) * (n == 0 ? 1 : n));
  if (p == nullptr) throw std::bad_alloc();
  ptr_.reset(static_cast<T*>(p));
}

template <typename T>
void FftBuffer<T>::Free::operator()(void* p) const {
  fftw_free(p);
}

template class FftBuffer<double>;
template class FftBuffer<std::complex<double>>;

RealFft::RealFft(std::size_t n) : n_(n), plan_(nullptr) {
  const int ni = checked_int(n);
  FftBuffer<double> in(n);
  FftBuffer<std::complex<double>> out(n / 2 + 1);
  std::lock_guard<std::mutex> lock(parallel::fftw_planner_mutex());
  plan_ = fftw_plan_dft_r2c_1d(ni, in.data(), as_fftw(out.data()), FFTW_ESTIMATE);
  if (plan_ == nullptr)
    throw RuntimeError("FFTW could not plan a real FFT of length " + std::to_string(n));
}

RealFft::~RealFft() {
  std::lock_guard<std::mutex> lock(parallel::fftw_planner_mutex());
  fftw_destroy_plan(static_cast<fftw_plan>(plan_));
}

void RealFft::forward(FftBuffer<double>& in, FftBuffer<std::complex<double>>& out) const {
  fftw_execute_dft_r2c(static_cast<fftw_plan>(plan_), in.data(), as_fftw(out.data()));
}

ComplexFft::ComplexFft(std::size_t n) : n_(n), forward_plan_(nullptr), backward_plan_(nullptr) {
  const int ni = checked_int(n);
  FftBuffer<std::complex<double>> in(n);
  FftBuffer<std::complex<double>> out(n);
  std::lock_guard<std::mutex> lock(parallel::fftw_planner_mutex());
  forward_plan_ =
      fftw_plan_dft_1d(ni, as_fftw(in.data()), as_fftw(out.data()), FFTW_FORWARD, FFTW_ESTIMATE);
  backward_plan_ =
      fftw_plan_dft_1d(ni, as_fftw(in.data()), as_fftw(out.data()), FFTW_BACKWARD, FFTW_ESTIMATE);
  if (forward_plan_ == nullptr || backward_plan_ == nullptr) {
    if (forward_plan_ != nullptr) fftw_destroy_plan(static_cast<fftw_plan>(forward_plan_));
    if (backward_plan_ != nullptr) fftw_destroy_plan(static_cast<fftw_plan>(backward_plan_));
    throw RuntimeError("FFTW could not plan a complex FFT of length " + std::to_string(n));
  }
}

ComplexFft::~ComplexFft() {
  std::lock_guard<std::mutex> lock(parallel::fftw_planner_mutex());
  fftw_destroy_plan(static_cast<fftw_plan>(forward_plan_));
  fftw_destroy_plan(static_cast<fftw_plan>(backward_plan_));
}

void ComplexFft::forward(FftBuffer<std::complex<double>>& in,
                         FftBuffer<std::complex<double>>& out) const {
  fftw_execute_dft(static_cast<fftw_plan>(forward_plan_), as_fftw(in.data()), as_fftw(out.data()));
}

void ComplexFft::inverse(FftBuffer<std::complex<double>>& in,
                         FftBuffer<std::complex<double>>& out) const {
  fftw_execute_dft(static_cast<fftw_plan>(backward_plan_), as_fftw(in.data()), as_fftw(out.data()));
  const double scale = 1.0 / static_cast<double>(n_);
  for (std::size_t i = 0; i < n_; ++i) out[i] *= scale;
}

}  // namespace qneuro::eeg
