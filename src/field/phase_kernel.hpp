// The pointwise phase factor of one x-line, psi *= d exp(-i theta), with
//   theta = base + angle[x] + stim_yr * stim[x] + us * u[x],   d = decay_yr * decay[x]
// (see FieldSolver::phase_line). Free functions with GCC target clones (AVX-512, AVX2, baseline)
// so the loop vectorises on any x86-64 machine; without FMA contraction (-ffp-contract=off) every
// clone computes the same IEEE operations lane by lane, so results do not depend on the CPU.
// Variants: double state with double angles; float state with float angles (precision float);
// float state with double angles (precision mixed).
#pragma once

#include <cstddef>

namespace qneuro::field::kernels {

struct PhaseLine {
  std::size_t n;
  const double* angle;  // h V_x
  const double* stim;   // h A(t) profile_x
  const void* u;        // nonlinear potential (state precision), or null
  const void* decay;    // per-x damping (state precision)
  double base, stim_yr, us, decay_yr;
};

void phase_line_dd(double* psi, const PhaseLine& a);
void phase_line_ff(float* psi, const PhaseLine& a);
void phase_line_fd(float* psi, const PhaseLine& a);

}  // namespace qneuro::field::kernels
