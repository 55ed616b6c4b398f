#include "qneuro/field/cayley.hpp"

#include <algorithm>

#include "qneuro/core/error.hpp"
#include "qneuro/core/target_clones.hpp"

namespace qneuro::field {

namespace {
using Cd = std::complex<double>;

// Thomas factors of a tridiagonal matrix with constant off-diagonal `off` and diagonal `diag`.
void thomas_factors(const std::vector<Cd>& diag, Cd off, std::vector<Cd>& cprime,
                    std::vector<Cd>& inv_pivot) {
  const std::size_t n = diag.size();
  cprime.assign(n, 0.0);
  inv_pivot.assign(n, 0.0);
  inv_pivot[0] = 1.0 / diag[0];
  cprime[0] = off * inv_pivot[0];
  for (std::size_t j = 1; j < n; ++j) {
    inv_pivot[j] = 1.0 / (diag[j] - off * cprime[j - 1]);
    cprime[j] = off * inv_pivot[j];
  }
}

std::vector<Cd> thomas_solve(const std::vector<Cd>& cprime, const std::vector<Cd>& inv_pivot,
                             Cd off, std::vector<Cd> r) {
  const std::size_t n = r.size();
  r[0] *= inv_pivot[0];
  for (std::size_t j = 1; j < n; ++j) r[j] = (r[j] - off * r[j - 1]) * inv_pivot[j];
  for (std::size_t j = n - 1; j-- > 0;) r[j] -= cprime[j] * r[j + 1];
  return r;
}
}  // namespace

template <typename Real>
CayleyAxis<Real>::CayleyAxis(std::size_t n, Boundary bc, double mu) : n_(n) {
  if (n <= 1) return;
  periodic_ = bc == Boundary::Periodic;
  if (periodic_ && n < 3) {
    throw InputError("a periodic axis needs n = 1 or n >= 3 cells, got " + std::to_string(n));
  }
  const Cd off(0.0, -mu);                      // -i mu * (+1 off-diagonal of T)
  std::vector<Cd> diag(n, Cd(1.0, 2.0 * mu));  // 1 - i mu * (-2)
  if (bc == Boundary::Neumann) {
    diag.front() = Cd(1.0, mu);  // T_00 = -1: the ghost equals the boundary cell
    diag.back() = Cd(1.0, mu);
  }
  std::vector<Cd> cprime, inv_pivot;
  if (periodic_) {
    // A = B + u v^T with u = (gamma, 0, .., 0, off), v = (1, 0, .., 0, off / gamma).
    const Cd gamma = -diag[0];
    std::vector<Cd> bdiag = diag;
    bdiag.front() = diag.front() - gamma;
    bdiag.back() = diag.back() - off * off / gamma;
    thomas_factors(bdiag, off, cprime, inv_pivot);
    std::vector<Cd> u(n, 0.0);
    u.front() = gamma;
    u.back() = off;
    const std::vector<Cd> z = thomas_solve(cprime, inv_pivot, off, u);
    const Cd ratio = off / gamma;
    const Cd denom = 1.0 + z.front() + ratio * z.back();
    z_.assign(z.begin(), z.end());
    for (std::size_t j = 0; j < n; ++j) z_[j] = Complex(z[j]);
    ratio_ = Complex(ratio);
    inv_denominator_ = Complex(1.0 / denom);
  } else {
    thomas_factors(diag, off, cprime, inv_pivot);
  }
  off_ = Complex(off);
  cprime_.resize(n);
  inv_pivot_.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    cprime_[j] = Complex(cprime[j]);
    inv_pivot_[j] = Complex(inv_pivot[j]);
  }
}

template <typename Real>
void CayleyAxis<Real>::apply_line(Complex* psi, Complex* work) const {
  if (n_ <= 1) return;
  const std::size_t n = n_;
  const Complex off = off_;
  // Forward elimination into work, back substitution in place in work.
  work[0] = psi[0] * inv_pivot_[0];
  for (std::size_t j = 1; j < n; ++j) work[j] = (psi[j] - off * work[j - 1]) * inv_pivot_[j];
  for (std::size_t j = n - 1; j-- > 0;) work[j] -= cprime_[j] * work[j + 1];
  if (periodic_) {
    const Complex f = (work[0] + ratio_ * work[n - 1]) * inv_denominator_;
    for (std::size_t j = 0; j < n; ++j) psi[j] = Real(2) * (work[j] - f * z_[j]) - psi[j];
  } else {
    for (std::size_t j = 0; j < n; ++j) psi[j] = Real(2) * work[j] - psi[j];
  }
}

namespace {
// Pointers to one axis's factors, for the free (target-cloned) batched solver.
template <typename Real>
struct LineFactors {
  std::size_t n;
  bool periodic;
  std::complex<Real> off;
  const std::complex<Real>* cprime;
  const std::complex<Real>* inv_pivot;
  const std::complex<Real>* z;
  std::complex<Real> ratio;
  std::complex<Real> inv_denominator;
};

template <typename Real>
__attribute__((always_inline)) inline void lines_body(const LineFactors<Real>& fac,
                                                      std::complex<Real>* psi, std::size_t stride,
                                                      std::size_t count, std::complex<Real>* work) {
  const std::size_t n = fac.n;
  // Work on interleaved real/imaginary parts so the inner loops vectorise without relying on
  // the compiler's complex arithmetic.
  Real* __restrict w = reinterpret_cast<Real*>(work);
  Real* __restrict p = reinterpret_cast<Real*>(psi);
  const std::size_t m = 2 * count;
  const Real ore = fac.off.real(), oim = fac.off.imag();
  {
    const Real ar = fac.inv_pivot[0].real(), ai = fac.inv_pivot[0].imag();
    const Real* src = p;
    Real* dst = w;
#pragma omp simd
    for (std::size_t l = 0; l < m; l += 2) {
      const Real xr = src[l], xi = src[l + 1];
      dst[l] = xr * ar - xi * ai;
      dst[l + 1] = xr * ai + xi * ar;
    }
  }
  for (std::size_t j = 1; j < n; ++j) {
    const Real ar = fac.inv_pivot[j].real(), ai = fac.inv_pivot[j].imag();
    const Real* src = p + 2 * j * stride;
    const Real* prev = w + (j - 1) * m;
    Real* dst = w + j * m;
#pragma omp simd
    for (std::size_t l = 0; l < m; l += 2) {
      const Real tr = src[l] - (ore * prev[l] - oim * prev[l + 1]);
      const Real ti = src[l + 1] - (ore * prev[l + 1] + oim * prev[l]);
      dst[l] = tr * ar - ti * ai;
      dst[l + 1] = tr * ai + ti * ar;
    }
  }
  for (std::size_t j = n - 1; j-- > 0;) {
    const Real cr = fac.cprime[j].real(), ci = fac.cprime[j].imag();
    const Real* next = w + (j + 1) * m;
    Real* dst = w + j * m;
#pragma omp simd
    for (std::size_t l = 0; l < m; l += 2) {
      const Real yr = next[l], yi = next[l + 1];
      dst[l] -= cr * yr - ci * yi;
      dst[l + 1] -= cr * yi + ci * yr;
    }
  }
  if (fac.periodic) {
    // f_l = (y_0 + ratio y_{n-1}) / denom per line, then x = y - f z.
    const Real rr = fac.ratio.real(), ri = fac.ratio.imag();
    const Real dr = fac.inv_denominator.real(), di = fac.inv_denominator.imag();
    const Real* y0 = w;
    const Real* yl = w + (n - 1) * m;
    // f per line, computed once (batches of up to kMaxBatch lines; wider batches are split).
    constexpr std::size_t kMaxBatch = 128;
    for (std::size_t l0 = 0; l0 < m; l0 += 2 * kMaxBatch) {
      const std::size_t l1 = std::min(m, l0 + 2 * kMaxBatch);
      alignas(64) Real f[2 * kMaxBatch];
#pragma omp simd
      for (std::size_t l = l0; l < l1; l += 2) {
        const Real sr = y0[l] + (rr * yl[l] - ri * yl[l + 1]);
        const Real si = y0[l + 1] + (rr * yl[l + 1] + ri * yl[l]);
        f[l - l0] = sr * dr - si * di;
        f[l - l0 + 1] = sr * di + si * dr;
      }
      for (std::size_t j = 0; j < n; ++j) {
        const Real zr = fac.z[j].real(), zi = fac.z[j].imag();
        const Real* yj = w + j * m;
        Real* out = p + 2 * j * stride;
#pragma omp simd
        for (std::size_t l = l0; l < l1; l += 2) {
          const Real fr = f[l - l0], fi = f[l - l0 + 1];
          const Real xr = yj[l] - (fr * zr - fi * zi);
          const Real xi = yj[l + 1] - (fr * zi + fi * zr);
          out[l] = Real(2) * xr - out[l];
          out[l + 1] = Real(2) * xi - out[l + 1];
        }
      }
    }
  } else {
    for (std::size_t j = 0; j < n; ++j) {
      const Real* yj = w + j * m;
      Real* out = p + 2 * j * stride;
#pragma omp simd
      for (std::size_t l = 0; l < m; l += 2) {
        out[l] = Real(2) * yj[l] - out[l];
        out[l + 1] = Real(2) * yj[l + 1] - out[l + 1];
      }
    }
  }
}

// Clones for AVX-512, AVX2 and the baseline: without FMA contraction each computes the same
// IEEE operations per lane, so the result does not depend on the CPU that runs it.
QNEURO_TARGET_CLONES void solve_lines(const LineFactors<double>& fac, std::complex<double>* psi,
                                      std::size_t stride, std::size_t count,
                                      std::complex<double>* work) {
  lines_body(fac, psi, stride, count, work);
}
QNEURO_TARGET_CLONES void solve_lines(const LineFactors<float>& fac, std::complex<float>* psi,
                                      std::size_t stride, std::size_t count,
                                      std::complex<float>* work) {
  lines_body(fac, psi, stride, count, work);
}
}  // namespace

template <typename Real>
void CayleyAxis<Real>::apply_lines(Complex* psi, std::size_t stride, std::size_t count,
                                   Complex* work) const {
  if (n_ <= 1) return;
  const LineFactors<Real> fac{
      n_, periodic_, off_, cprime_.data(), inv_pivot_.data(), z_.data(), ratio_, inv_denominator_};
  solve_lines(fac, psi, stride, count, work);
}

template class CayleyAxis<float>;
template class CayleyAxis<double>;

}  // namespace qneuro::field
