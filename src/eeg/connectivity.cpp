#include "qneuro/eeg/connectivity.hpp"

#include <cmath>
#include <complex>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/core/fft.hpp"
#include "qneuro/core/huge_pages.hpp"
#include "qneuro/core/target_clones.hpp"
#include "qneuro/eeg/analytic.hpp"

namespace qneuro::eeg {
namespace {

// Time block: 1024 samples x 16 B x 2 channels per pair; a block of all channels (for C = 64:
// 1 MiB) stays in L2/L3 while every pair streams through it.
constexpr std::size_t kTimeBlock = 1024;
// Rows of the pair matrix handled together (register blocking over a).
constexpr std::size_t kRows = 4;

// Index of pair (a, a+1) in the row-major upper triangle of a C x C matrix.
std::size_t pair_offset(std::size_t a, std::size_t C) {
  return a * (2 * C - a - 1) / 2;
}

struct PairSums {
  double sign = 0.0;
  double im = 0.0;
  double abs = 0.0;
};

// The pair kernels are the hot loop (C^2/2 x N per band). They are compiled for several
// instruction sets and the best one the CPU supports is picked at load time (GCC target_clones),
// so the portable build runs AVX2/AVX-512 code where available; results for a given machine do
// not depend on the thread count.
#define QNEURO_KERNEL_CLONES QNEURO_TARGET_CLONES

// Adds sign(v), v and |v| over t for v = Im(z_a conj z_b) = Im z_a Re z_b - Re z_a Im z_b.
QNEURO_KERNEL_CLONES void accumulate_pair(const double* ar, const double* ai, const double* br,
                                          const double* bi, std::size_t len, PairSums& out) {
  double s_sign = 0.0, s_im = 0.0, s_abs = 0.0;
#pragma omp simd reduction(+ : s_sign, s_im, s_abs)
  for (std::size_t t = 0; t < len; ++t) {
    const double v = ai[t] * br[t] - ar[t] * bi[t];
    s_im += v;
    s_abs += std::fabs(v);
    s_sign += static_cast<double>((v > 0.0) - (v < 0.0));
  }
  out.sign += s_sign;
  out.im += s_im;
  out.abs += s_abs;
}

// The same for four consecutive rows a..a+3 (row stride `stride`) against one b: b is loaded
// once for four pairs. Each pair's sums are computed exactly as by accumulate_pair.
QNEURO_KERNEL_CLONES void accumulate_rows(const double* ar, const double* ai, std::size_t stride,
                                          const double* br, const double* bi, std::size_t len,
                                          PairSums& o0, PairSums& o1, PairSums& o2, PairSums& o3) {
  const double *ar0 = ar, *ar1 = ar + stride, *ar2 = ar + 2 * stride, *ar3 = ar + 3 * stride;
  const double *ai0 = ai, *ai1 = ai + stride, *ai2 = ai + 2 * stride, *ai3 = ai + 3 * stride;
  double g0 = 0, m0 = 0, b0 = 0, g1 = 0, m1 = 0, b1 = 0, g2 = 0, m2 = 0, b2 = 0, g3 = 0, m3 = 0,
         b3 = 0;
#pragma omp simd reduction(+ : g0, m0, b0, g1, m1, b1, g2, m2, b2, g3, m3, b3)
  for (std::size_t t = 0; t < len; ++t) {
    const double xr = br[t], xi = bi[t];
    const double v0 = ai0[t] * xr - ar0[t] * xi;
    const double v1 = ai1[t] * xr - ar1[t] * xi;
    const double v2 = ai2[t] * xr - ar2[t] * xi;
    const double v3 = ai3[t] * xr - ar3[t] * xi;
    m0 += v0;
    m1 += v1;
    m2 += v2;
    m3 += v3;
    b0 += std::fabs(v0);
    b1 += std::fabs(v1);
    b2 += std::fabs(v2);
    b3 += std::fabs(v3);
    g0 += static_cast<double>((v0 > 0.0) - (v0 < 0.0));
    g1 += static_cast<double>((v1 > 0.0) - (v1 < 0.0));
    g2 += static_cast<double>((v2 > 0.0) - (v2 < 0.0));
    g3 += static_cast<double>((v3 > 0.0) - (v3 < 0.0));
  }
  o0.sign += g0;
  o0.im += m0;
  o0.abs += b0;
  o1.sign += g1;
  o1.im += m1;
  o1.abs += b1;
  o2.sign += g2;
  o2.im += m2;
  o2.abs += b2;
  o3.sign += g3;
  o3.im += m3;
  o3.abs += b3;
}

/// [C x N] planes of one band's analytic signals: large (39 MB each for 64 channels x 5 min at
/// 256 Hz), so in huge pages, and not zeroed by resize() (core/huge_pages.hpp): band_planes'
/// parallel loop is their first touch. Zeroed page by page in one thread, they took a tenth of a
/// whole analysis.
using Planes = UninitializedVector<double>;

/// The band's analytic signals without the edges, as real and imaginary planes [C x N].
void band_planes(const AnalyticSignals& analytic, const Band& band, std::size_t e, std::size_t N,
                 Planes& re, Planes& im) {
  const std::size_t C = analytic.channels();
  re.resize(C * N);
  im.resize(C * N);
#pragma omp parallel
  {
    AnalyticSignals::Scratch scratch(analytic.samples());
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(C); ++ci) {
      const auto c = static_cast<std::size_t>(ci);
      analytic.band(c, band.lo, band.hi, scratch);
      double* r = re.data() + c * N;
      double* i = im.data() + c * N;
      for (std::size_t t = 0; t < N; ++t) {
        r[t] = scratch.signal[e + t].real();
        i[t] = scratch.signal[e + t].imag();
      }
    }
  }
}

/// Sums of every pair over the samples [t_begin, t_end) of the planes (row stride N).
// Rows are taken kRows at a time by one thread, which walks the time blocks in order: no
// barriers, the rows' blocks stay in L1/L2 while each b block is loaded once for kRows pairs,
// and every pair's sums have one fixed order of addition (independent of the thread count).
void pair_sums(const Planes& re, const Planes& im, std::size_t C, std::size_t N,
               std::size_t t_begin, std::size_t t_end, std::vector<PairSums>& sums) {
  sums.assign(C * (C - 1) / 2, PairSums{});
  const std::size_t n_groups = (C + kRows - 1) / kRows;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::ptrdiff_t g = 0; g < static_cast<std::ptrdiff_t>(n_groups); ++g) {
    const std::size_t a0 = static_cast<std::size_t>(g) * kRows;
    const std::size_t a_end = std::min(a0 + kRows, C);
    for (std::size_t t0 = t_begin; t0 < t_end; t0 += kTimeBlock) {
      const std::size_t len = std::min(kTimeBlock, t_end - t0);
      auto re_at = [&](std::size_t c) { return re.data() + c * N + t0; };
      auto im_at = [&](std::size_t c) { return im.data() + c * N + t0; };
      auto sums_at = [&](std::size_t a, std::size_t b) -> PairSums& {
        return sums[pair_offset(a, C) + (b - a - 1)];
      };
      for (std::size_t b = a0 + 1; b < C; ++b) {
        if (b >= a_end && a_end - a0 == kRows) {
          accumulate_rows(re_at(a0), im_at(a0), N, re_at(b), im_at(b), len, sums_at(a0, b),
                          sums_at(a0 + 1, b), sums_at(a0 + 2, b), sums_at(a0 + 3, b));
          continue;
        }
        for (std::size_t a = a0; a < std::min(a_end, b); ++a) {
          accumulate_pair(re_at(a), im_at(a), re_at(b), im_at(b), len, sums_at(a, b));
        }
      }
    }
  }
}

/// PLI and wPLI matrices from pair sums over `count` samples.
void lag_matrices(const std::vector<PairSums>& sums, std::size_t C, std::size_t count,
                  Array2<double>& pli, Array2<double>& wpli) {
  pli = Array2<double>(C, C, 0.0);
  wpli = Array2<double>(C, C, 0.0);
  for (std::size_t a = 0; a < C; ++a) {
    for (std::size_t b = a + 1; b < C; ++b) {
      const PairSums& s = sums[pair_offset(a, C) + (b - a - 1)];
      const double v_pli = std::fabs(s.sign) / static_cast<double>(count);
      const double v_wpli = s.abs > 0 ? std::fabs(s.im) / s.abs : 0.0;
      pli(a, b) = pli(b, a) = v_pli;
      wpli(a, b) = wpli(b, a) = v_wpli;
    }
  }
}

std::size_t checked_edge(std::size_t n, double fs_hz, const std::vector<Band>& bands,
                         double edge_s) {
  const auto e = static_cast<std::size_t>(std::llround(std::max(0.0, edge_s) * fs_hz));
  if (n == 0 || 2 * e >= n) {
    throw InputError("connectivity.edge_s = " + std::to_string(edge_s) + " s drops " +
                     std::to_string(2 * e) + " of " + std::to_string(n) +
                     " samples: nothing is left (reduce connectivity.edge_s)");
  }
  for (const auto& b : bands) {
    if (b.lo < 0 || b.hi > fs_hz / 2 || !(b.lo < b.hi)) {
      throw InputError("band '" + b.name + "' [" + std::to_string(b.lo) + ", " +
                       std::to_string(b.hi) +
                       ") Hz is outside [0, fs/2 = " + std::to_string(fs_hz / 2) + "] Hz");
    }
  }
  return e;
}

}  // namespace

PhaseLagResult phase_lag_index(const std::vector<std::vector<double>>& channels, double fs_hz,
                               const std::vector<Band>& bands, double edge_s,
                               const std::function<void(std::size_t, std::size_t)>& on_band_done) {
  const std::size_t C = channels.size();
  const std::size_t n = C == 0 ? 0 : channels.front().size();
  const std::size_t e = checked_edge(n, fs_hz, bands, edge_s);
  const std::size_t N = n - 2 * e;
  PhaseLagResult result;
  result.edge_samples = e;
  result.used_samples = N;
  const AnalyticSignals analytic(channels, fs_hz);  // spectra of every channel, once
  Planes re, im;  // one band's analytic signals [C x N] (SIMD-friendly planes)
  std::vector<PairSums> sums;
  for (const Band& band : bands) {
    band_planes(analytic, band, e, N, re, im);
    pair_sums(re, im, C, N, 0, N, sums);
    Array2<double> pli, wpli;
    lag_matrices(sums, C, N, pli, wpli);
    result.pli.push_back(std::move(pli));
    result.wpli.push_back(std::move(wpli));
    if (on_band_done) on_band_done(result.pli.size(), bands.size());
  }
  return result;
}

PhaseLagOverTime phase_lag_over_time(const std::vector<std::vector<double>>& channels, double fs_hz,
                                     const std::vector<Band>& bands, double edge_s, double window_s,
                                     double step_s) {
  const std::size_t C = channels.size();
  const std::size_t n = C == 0 ? 0 : channels.front().size();
  const std::size_t e = checked_edge(n, fs_hz, bands, edge_s);
  const std::size_t N = n - 2 * e;
  const auto W = static_cast<std::size_t>(std::llround(window_s * fs_hz));
  const auto S = static_cast<std::size_t>(std::llround(step_s * fs_hz));
  if (W < 2 || W > N) {
    throw InputError("connectivity.window_s = " + std::to_string(window_s) + " s is " +
                     std::to_string(W) + " samples; it must lie in [2, " + std::to_string(N) +
                     "] (the samples left after connectivity.edge_s)");
  }
  if (S < 1) throw InputError("connectivity.step_s must be at least one sample");
  PhaseLagOverTime r;
  r.window_samples = W;
  r.step_samples = S;
  r.edge_samples = e;
  const std::size_t windows = (N - W) / S + 1;
  for (std::size_t w = 0; w < windows; ++w) {
    r.times_s.push_back((static_cast<double>(e + w * S) + static_cast<double>(W) / 2.0) / fs_hz);
  }
  const AnalyticSignals analytic(channels, fs_hz);
  Planes re, im;
  std::vector<PairSums> sums;
  r.pli.assign(bands.size(), {});
  r.wpli.assign(bands.size(), {});
  for (std::size_t b = 0; b < bands.size(); ++b) {
    band_planes(analytic, bands[b], e, N, re, im);
    for (std::size_t w = 0; w < windows; ++w) {
      pair_sums(re, im, C, N, w * S, w * S + W, sums);
      Array2<double> pli, wpli;
      lag_matrices(sums, C, W, pli, wpli);
      r.pli[b].push_back(std::move(pli));
      r.wpli[b].push_back(std::move(wpli));
    }
  }
  return r;
}

}  // namespace qneuro::eeg
