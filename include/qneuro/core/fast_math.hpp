// Branch-free elementary functions that vectorise inside `#pragma omp simd` loops (libm's calls
// are scalar and dominated the field's phase step and the QLIF kernel). No FMA contraction is
// assumed (the project builds with -ffp-contract=off), so every target clone gives the same bits
// and the scalar drivers (test references, the LibTorch layer) reproduce the vector kernels.
//
// fast_sincos: range reduction by pi/2 with a three-part
// Cody-Waite constant (exact products for |x| < 2^20 in double, 2^10 in float; the rounding shift
// needs |x| < 2^50 / 2^21), then the Cephes minimax polynomials on [-pi/4, pi/4]: relative error
// about 1e-16 (double) / 1e-7 (float), checked against std::sin/std::cos in
// tests/unit/core/test_fast_math.cpp.
// fast_exp (float): x clamped to [-87, 88] (results stay normal floats, no inf), 2^n by exponent
// bits, Cephes expf polynomial on |r| <= ln2/2: relative error < 2e-7.
// fast_log (float, x > 0 normal): Cephes logf (mantissa in [sqrt(1/2), sqrt(2)), degree-9
// polynomial): absolute error < 1e-7 near 1, relative < 2e-7 elsewhere.
// Phase angles of the field stay far below the reduction limit
// (it is checked by the caller's tests, not at run time).
// Every function is QNEURO_HD (core/hd.hpp): the CUDA kernels call the same code.
#pragma once

#include <cmath>
#include <cstdint>

#include "qneuro/core/hd.hpp"

// omp declare simd lets GCC call these from vectorised loops; nvcc has no use for it.
#if defined(__CUDACC__)
#define QNEURO_DECLARE_SIMD
#else
#define QNEURO_DECLARE_SIMD _Pragma("omp declare simd")
#endif

namespace qneuro {

QNEURO_DECLARE_SIMD
QNEURO_HD_INLINE void fast_sincos(double x, double& s, double& c) {
  // Round to nearest with the 1.5 * 2^52 trick (no libm call, so the loop vectorises on any
  // x86-64); the quadrant is the low bits of the shifted mantissa.
  constexpr double kShift = 6755399441055744.0;
  const double shifted = x * 0.63661977236758134308 + kShift;  // 2/pi
  const double j = shifted - kShift;
  const double r = ((x - j * 1.57079632673412561417e+00) - j * 6.07710050630396597660e-11) -
                   j * 2.02226624879595063154e-21;
  const double z = r * r;
  const double sp = ((((((1.58962301576546568060e-10 * z - 2.50507477628578072866e-8) * z +
                         2.75573136213857245213e-6) *
                            z -
                        1.98412698295895385996e-4) *
                           z +
                       8.33333333332211858878e-3) *
                          z -
                      1.66666666666666307295e-1));
  const double sr = r + r * z * sp;
  const double cp = (((((-1.13585365213876817300e-11 * z + 2.08757008419747316778e-9) * z -
                        2.75573141792967388112e-7) *
                           z +
                       2.48015872888517045348e-5) *
                          z -
                      1.38888888888730564116e-3) *
                         z +
                     4.16666666666665929218e-2);
  const double cr = 1.0 - 0.5 * z + z * z * cp;
  const uint64_t q = hd::bits(shifted) & 3u;
  const double s0 = (q & 1) ? cr : sr;
  const double c0 = (q & 1) ? sr : cr;
  s = (q & 2) ? -s0 : s0;
  c = ((q + 1) & 2) ? -c0 : c0;
}

QNEURO_DECLARE_SIMD
QNEURO_HD_INLINE void fast_sincos(float x, float& s, float& c) {
  constexpr float kShift = 12582912.0f;  // 1.5 * 2^23
  const float shifted = x * 0.636619772f + kShift;
  const float j = shifted - kShift;
  const float r =
      ((x - j * 1.5703125f) - j * 4.837512969970703125e-4f) - j * 7.54978995489188216e-8f;
  const float z = r * r;
  const float sr = r + r * z * ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f);
  const float cr =
      1.0f - 0.5f * z +
      z * z * ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f);
  const uint32_t q = hd::bits(shifted) & 3u;
  const float s0 = (q & 1) ? cr : sr;
  const float c0 = (q & 1) ? sr : cr;
  s = (q & 2) ? -s0 : s0;
  c = ((q + 1) & 2) ? -c0 : c0;
}

QNEURO_DECLARE_SIMD
QNEURO_HD_INLINE float fast_exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  constexpr float kShift = 12582912.0f;  // 1.5 * 2^23: round to nearest
  const float shifted = x * 1.44269504088896341f + kShift;
  const float n = shifted - kShift;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  const float z = r * r;
  const float y = (((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r +
                     4.1665795894e-2f) *
                        r +
                    1.6666665459e-1f) *
                       r +
                   5.0000001201e-1f) *
                      z +
                  r + 1.0f;
  // n is in [-126, 127]: add it to the exponent field.
  const int32_t bits = static_cast<int32_t>(hd::bits(y)) + (static_cast<int32_t>(n) << 23);
  return hd::from_bits(static_cast<uint32_t>(bits));
}

QNEURO_DECLARE_SIMD
QNEURO_HD_INLINE float fast_log(float x) {
  const uint32_t bits = hd::bits(x);
  float e = static_cast<float>(static_cast<int32_t>((bits >> 23) & 0xffu) - 126);
  float m = hd::from_bits((bits & 0x807fffffu) | 0x3f000000u);  // [0.5, 1)
  const bool low = m < 0.707106781186547524f;
  e = low ? e - 1.0f : e;
  m = low ? m + m - 1.0f : m - 1.0f;
  const float z = m * m;
  float y = ((((((((7.0376836292e-2f * m - 1.1514610310e-1f) * m + 1.1676998740e-1f) * m -
                  1.2420140846e-1f) *
                     m +
                 1.4249322787e-1f) *
                    m -
                1.6668057665e-1f) *
                   m +
               2.0000714765e-1f) *
                  m -
              2.4999993993e-1f) *
                 m +
             3.3333331174e-1f) *
            m * z;
  y = y + -2.12194440e-4f * e;
  y = y - 0.5f * z;
  return (m + y) + 0.693359375f * e;
}

}  // namespace qneuro
