#include "phase_kernel.hpp"

#include "qneuro/core/fast_math.hpp"
#include "qneuro/core/target_clones.hpp"

namespace qneuro::field::kernels {

namespace {
template <typename Real, typename A>
__attribute__((always_inline)) inline void phase_body(Real* __restrict p, const PhaseLine& a) {
  const A base = static_cast<A>(a.base), stim_yr = static_cast<A>(a.stim_yr);
  const A us = static_cast<A>(a.us), decay_yr = static_cast<A>(a.decay_yr);
  const double* __restrict ang = a.angle;
  const double* __restrict st = a.stim;
  const Real* __restrict dec = static_cast<const Real*>(a.decay);
  const Real* __restrict uu = a.u != nullptr ? static_cast<const Real*>(a.u) : dec;
  const A uscale = a.u != nullptr ? us : A(0);
  const std::size_t n = a.n;
#pragma omp simd
  for (std::size_t ix = 0; ix < n; ++ix) {
    const A theta = base + static_cast<A>(ang[ix]) + stim_yr * static_cast<A>(st[ix]) +
                    uscale * static_cast<A>(uu[ix]);
    const A d = decay_yr * static_cast<A>(dec[ix]);
    A sn, cs;
    fast_sincos(theta, sn, cs);
    const Real fr = static_cast<Real>(d * cs), fi = static_cast<Real>(-d * sn);
    const Real re = p[2 * ix], im = p[2 * ix + 1];
    p[2 * ix] = re * fr - im * fi;
    p[2 * ix + 1] = re * fi + im * fr;
  }
}
}  // namespace

#define QNEURO_CLONES QNEURO_TARGET_CLONES

QNEURO_CLONES void phase_line_dd(double* psi, const PhaseLine& a) {
  phase_body<double, double>(psi, a);
}
QNEURO_CLONES void phase_line_ff(float* psi, const PhaseLine& a) {
  phase_body<float, float>(psi, a);
}
QNEURO_CLONES void phase_line_fd(float* psi, const PhaseLine& a) {
  phase_body<float, double>(psi, a);
}

}  // namespace qneuro::field::kernels
