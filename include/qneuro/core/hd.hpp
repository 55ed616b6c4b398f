// Code shared by the CPU and the CUDA backends (docs/gpu.md).
//
// A function marked QNEURO_HD compiles for the host and, when the translation unit is compiled by
// nvcc, also for the device. The step functions of the QLIF neuron (snn/qlif_step.hpp), the
// elementary functions they use (core/fast_math.hpp) and Philox (core/philox.hpp) are written once
// this way, so the GPU kernels run the very arithmetic the CPU kernels run. With the flags the
// CUDA build sets (no FMA contraction, IEEE division and square root, denormals flushed as the
// CPU kernels flush them), each float operation rounds the same on both, so the results agree
// bit for bit (tests/unit/snn/test_qlif_neuron_sequence.cpp proves the host side; tests/cuda the
// device side). __CUDACC__ is set by the compiler, not by configure, so this header means the
// same in every build.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define QNEURO_HD __host__ __device__
#define QNEURO_HD_INLINE __host__ __device__ __forceinline__
#else
#define QNEURO_HD
#define QNEURO_HD_INLINE __attribute__((always_inline)) inline
#endif

namespace qneuro::hd {

/// The bits of a float / double and back (std::bit_cast is not callable in device code).
QNEURO_HD_INLINE uint32_t bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  return std::bit_cast<uint32_t>(x);
#endif
}
QNEURO_HD_INLINE float from_bits(uint32_t x) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(x);
#else
  return std::bit_cast<float>(x);
#endif
}
QNEURO_HD_INLINE uint64_t bits(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(x));
#else
  return std::bit_cast<uint64_t>(x);
#endif
}

/// Correctly rounded square root on both sides (sqrtss; sqrt.rn.f32 under -prec-sqrt=true).
QNEURO_HD_INLINE float sqrt(float x) {
#if defined(__CUDA_ARCH__)
  return __fsqrt_rn(x);
#else
  return std::sqrt(x);
#endif
}

}  // namespace qneuro::hd
