#include "qneuro/field/solver.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numbers>
#include <type_traits>

#include "phase_kernel.hpp"
#include "qneuro/core/denormals.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/fft.hpp"
#include "qneuro/field/operators.hpp"

namespace qneuro::field {

namespace {

/// Per-axis sponge profile s(u)^2: u = 1 - d / width in the layers of `fraction` of the axis at
/// each end (d = distance of the cell centre from the edge, in cells), 0 inside.
std::vector<double> sponge_profile(const Axis& a, double fraction) {
  std::vector<double> s(a.n, 0.0);
  if (a.n <= 1 || fraction <= 0.0) return s;
  const double width = fraction * static_cast<double>(a.n);
  for (std::size_t i = 0; i < a.n; ++i) {
    const double d = std::min(static_cast<double>(i) + 0.5,
                              static_cast<double>(a.n) - static_cast<double>(i) - 0.5);
    if (d < width) {
      const double u = 1.0 - d / width;
      s[i] = u * u;
    }
  }
  return s;
}

// Per-thread scratch lines, grown on demand (the thread count may change between steps).
template <typename T>
struct ThreadScratch {
  std::vector<AlignedVector<T>> buffers;
  void ensure(std::size_t threads, std::size_t size) {
    if (buffers.size() < threads) buffers.resize(threads);
    for (auto& b : buffers) {
      if (b.size() < size) b.resize(size);
    }
  }
};

/// out[c * rows + r] = in[r * cols + c] (an in-cache slab transpose, blocked for locality).
template <typename T>
void transpose_block(const T* __restrict in, T* __restrict out, std::size_t rows,
                     std::size_t cols) {
  constexpr std::size_t B = 16;
  for (std::size_t r0 = 0; r0 < rows; r0 += B) {
    const std::size_t r1 = std::min(rows, r0 + B);
    for (std::size_t c0 = 0; c0 < cols; c0 += B) {
      const std::size_t c1 = std::min(cols, c0 + B);
      for (std::size_t r = r0; r < r1; ++r) {
        for (std::size_t c = c0; c < c1; ++c) out[c * rows + r] = in[r * cols + c];
      }
    }
  }
}

}  // namespace

/// Lines solved together in the batched sweeps: wide enough for full SIMD vectors, narrow enough
/// that n x kLineBlock complex values stay in L2 for n up to a few hundred.
constexpr std::size_t kLineBlock = 64;

template <typename Real>
constexpr bool kFlushDenormalsFor = std::is_same_v<Real, float>;

// Phase factors of one half step at a given time.
template <typename Real>
struct FieldSolver<Real>::PhaseFactors {
  bool pointwise = false;  // per-node angle (nonlinear U or an active stimulus)
  bool use_unl = false;
  bool has_stim = false;
  double unl_scale = 0.0;                         // dt / 2D
  std::array<std::vector<Complex>, 3> separable;  // decay * exp(-i h V_a), when !pointwise
  std::array<std::vector<double>, 3> angle;       // h V_a
  std::array<std::vector<double>, 3> stim;        // h A(t) profile_a (A folded into axis 0)
  std::array<std::vector<Real>, 3> decay;         // exp(-h alpha W0 s_a^2)
};

namespace {
template <typename Real>
ThreadScratch<std::complex<Real>>& scratch() {
  static thread_local ThreadScratch<std::complex<Real>> s;  // owned by the calling thread
  return s;
}
}  // namespace

template <typename Real>
FieldSolver<Real>::FieldSolver(const Grid& grid, const ModelParams& model, double dt,
                               double time_unit_s, SolverKind solver, Precision precision)
    : grid_(grid),
      model_(model),
      dt_(dt),
      time_unit_s_(time_unit_s),
      solver_(solver),
      precision_(precision),
      pre_(std::make_unique<PhaseFactors>()),
      post_(std::make_unique<PhaseFactors>()) {
  const double D = model.D;
  for (int a = 0; a < 3; ++a) {
    const Axis& ax = grid.axes[a];
    const double c = a == 2 ? D * model.gamma_r : D;
    cayley_[a] = CayleyAxis<Real>(ax.n, ax.bc, c * dt / (2.0 * ax.h * ax.h));
    v_axis_[a].resize(ax.n);
    stim_axis_[a].resize(ax.n);
    const double w = model.harmonic_omega[a];
    for (std::size_t i = 0; i < ax.n; ++i) {
      const double x = ax.coord(i);
      v_axis_[a][i] = 0.25 * w * w * x * x;
      const double d = ax.n == 1 ? 0.0 : ax.separation(model.stim_center[a], x);
      stim_axis_[a][i] = std::exp(-d * d / (2.0 * model.stim_width * model.stim_width));
    }
    sponge_axis_[a] = sponge_profile(ax, model.sponge_width);
  }
  psi_.assign(grid.size(), Complex(0));
  if (model.nonlinear()) {
    unl_.assign(grid.size(), Real(0));
    amp_.assign(grid.size(), Real(0));
  }
  if (model.has_connectivity()) {
    connectivity_ = std::make_unique<Connectivity>(grid, model, precision == Precision::Mixed);
  }
  if (model.has_dephasing()) dephasing_ = std::make_unique<Dephasing>(grid, model);
  if (solver == SolverKind::SplitStep) {
    if (!grid.all_periodic()) {
      throw InputError(
          "the split-step Fourier solver needs periodic boundaries on every axis (grid.bc)");
    }
    spectral_factor_.resize(grid.size());
    const std::size_t nx = grid.nx(), ny = grid.ny(), nr = grid.nr();
    auto wavenumber = [](const Axis& ax, std::size_t i) {
      const long m = static_cast<long>(i) <= static_cast<long>(ax.n) / 2
                         ? static_cast<long>(i)
                         : static_cast<long>(i) - static_cast<long>(ax.n);
      // Nyquist (even n): +-pi/h give the same k^2.
      return 2.0 * std::numbers::pi * static_cast<double>(m) / ax.length();
    };
    const double inv_n = 1.0 / static_cast<double>(grid.size());
    for (std::size_t ir = 0; ir < nr; ++ir) {
      const double kr = nr == 1 ? 0.0 : wavenumber(grid.axes[2], ir);
      for (std::size_t iy = 0; iy < ny; ++iy) {
        const double ky = ny == 1 ? 0.0 : wavenumber(grid.axes[1], iy);
        for (std::size_t ix = 0; ix < nx; ++ix) {
          const double kx = nx == 1 ? 0.0 : wavenumber(grid.axes[0], ix);
          const double lambda = -(kx * kx + ky * ky + model.gamma_r * kr * kr);
          spectral_factor_[grid.index(ix, iy, ir)] = Complex(std::polar(inv_n, D * dt * lambda));
        }
      }
    }
    const int dims[3] = {static_cast<int>(nr), static_cast<int>(ny), static_cast<int>(nx)};
    Complex* p = psi_.data();  // in place on the state
    plan_forward_ = fft::Plan<Real>::complex(dims, p, p, fft::Direction::Forward);
    plan_backward_ = fft::Plan<Real>::complex(dims, p, p, fft::Direction::Backward);
  }
}

template <typename Real>
FieldSolver<Real>::~FieldSolver() = default;

template <typename Real>
void FieldSolver<Real>::set_state(std::span<const std::complex<double>> psi) {
  if (psi.size() != psi_.size()) {
    throw InputError("state has " + std::to_string(psi.size()) + " values, grid " +
                     grid_.describe() + " needs " + std::to_string(psi_.size()));
  }
  for (std::size_t i = 0; i < psi.size(); ++i) psi_[i] = Complex(psi[i]);
  unl_valid_ = false;
}

template <typename Real>
std::vector<std::complex<double>> FieldSolver<Real>::state() const {
  return {psi_.begin(), psi_.end()};
}

template <typename Real>
std::span<const std::byte> FieldSolver<Real>::raw_state() const {
  return std::as_bytes(std::span<const Complex>(psi_.data(), psi_.size()));
}

template <typename Real>
void FieldSolver<Real>::set_raw_state(std::span<const std::byte> bytes) {
  if (bytes.size() != psi_.size() * sizeof(Complex)) {
    throw InputError("checkpoint state has " + std::to_string(bytes.size()) + " bytes, expected " +
                     std::to_string(psi_.size() * sizeof(Complex)) + " (grid " + grid_.describe() +
                     ", " + std::to_string(sizeof(Complex)) + " bytes/node)");
  }
  std::memcpy(psi_.data(), bytes.data(), bytes.size());
  unl_valid_ = false;
}

template <typename Real>
std::span<const std::byte> FieldSolver<Real>::raw_potential_cache() const {
  if (!unl_valid_) return {};
  return std::as_bytes(std::span<const Real>(unl_.data(), unl_.size()));
}

template <typename Real>
void FieldSolver<Real>::set_raw_potential_cache(std::span<const std::byte> bytes) {
  if (bytes.size() != unl_.size() * sizeof(Real) || !model_.nonlinear()) {
    throw InputError("checkpoint potential cache has " + std::to_string(bytes.size()) +
                     " bytes, expected " + std::to_string(unl_.size() * sizeof(Real)));
  }
  std::memcpy(unl_.data(), bytes.data(), bytes.size());
  unl_valid_ = true;
}

template <typename Real>
void FieldSolver<Real>::prepare_phase(double t_model, PhaseFactors& f) const {
  const double h = dt_ / (2.0 * model_.D);
  const double t_s = t_model * time_unit_s_;
  const double alpha = model_.alpha_at(t_s);
  const bool stim_on =
      model_.stim_amplitude != 0.0 && t_s >= model_.stim_t0_s && t_s < model_.stim_t1_s;
  f.has_stim = stim_on;
  f.use_unl = model_.nonlinear();
  f.pointwise = f.use_unl || stim_on;
  f.unl_scale = h;
  const double stim_amp =
      stim_on ? model_.stim_amplitude * std::sin(2.0 * std::numbers::pi * model_.stim_freq_hz * t_s)
              : 0.0;
  for (int a = 0; a < 3; ++a) {
    const std::size_t n = grid_.axes[a].n;
    f.decay[a].resize(n);
    f.angle[a].resize(n);
    f.stim[a].resize(n);
    f.separable[a].resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double decay = std::exp(-h * alpha * model_.sponge_w0 * sponge_axis_[a][i]);
      f.decay[a][i] = static_cast<Real>(decay);
      f.angle[a][i] = h * v_axis_[a][i];
      f.stim[a][i] = (a == 0 ? h * stim_amp : 1.0) * stim_axis_[a][i];
      f.separable[a][i] = Complex(std::polar(decay, -h * v_axis_[a][i]));
    }
  }
}

template <typename Real>
void FieldSolver<Real>::phase_line(Complex* line, std::size_t iy, std::size_t ir,
                                   const PhaseFactors& f) const {
  const std::size_t nx = grid_.nx();
  if (!f.pointwise) {
    const Complex yr = f.separable[1][iy] * f.separable[2][ir];
    const Complex* sx = f.separable[0].data();
    for (std::size_t ix = 0; ix < nx; ++ix) line[ix] *= sx[ix] * yr;
    return;
  }
  kernels::PhaseLine a{};
  a.n = nx;
  a.angle = f.angle[0].data();
  a.stim = f.stim[0].data();
  a.u = f.use_unl ? static_cast<const void*>(unl_.data() + (ir * grid_.ny() + iy) * nx) : nullptr;
  a.decay = f.decay[0].data();
  a.base = f.angle[1][iy] + f.angle[2][ir];
  a.stim_yr = f.has_stim ? f.stim[1][iy] * f.stim[2][ir] : 0.0;
  a.us = f.unl_scale;
  a.decay_yr = static_cast<double>(f.decay[1][iy] * f.decay[2][ir]);
  Real* p = reinterpret_cast<Real*>(line);
  if constexpr (std::is_same_v<Real, double>) {
    kernels::phase_line_dd(p, a);
  } else if (precision_ == Precision::Float) {
    kernels::phase_line_ff(p, a);
  } else {
    kernels::phase_line_fd(p, a);
  }
}

template <typename Real>
void FieldSolver<Real>::phase_pass(const PhaseFactors& f) {
  const std::size_t nx = grid_.nx(), ny = grid_.ny(), nr = grid_.nr();
  Complex* psi = psi_.data();
#pragma omp parallel
  {
    const DenormalGuard ftz(kFlushDenormalsFor<Real>);
#pragma omp for schedule(static)
    for (std::size_t ir = 0; ir < nr; ++ir) {
      for (std::size_t iy = 0; iy < ny; ++iy) phase_line(psi + (ir * ny + iy) * nx, iy, ir, f);
    }
  }
}

template <typename Real>
void FieldSolver<Real>::adi_kinetic(const PhaseFactors& pre, const PhaseFactors* post) {
  const std::size_t nx = grid_.nx(), ny = grid_.ny(), nr = grid_.nr(), plane = grid_.plane();
  Complex* psi = psi_.data();
  // Largest need: a transposed block of kLineBlock rows (kLineBlock * nx), the work of a batch of
  // kLineBlock lines (n * kLineBlock), or one x line (nx).
  const std::size_t scratch_size = std::max({nx, ny, nr}) * kLineBlock;
#pragma omp parallel
  {
    const DenormalGuard ftz(kFlushDenormalsFor<Real>);
    auto& s = scratch<Real>();
    s.ensure(2, scratch_size);
    Complex* work = s.buffers[0].data();
    Complex* transposed = s.buffers[1].data();
#pragma omp for schedule(static)
    for (std::size_t ir = 0; ir < nr; ++ir) {
      Complex* slab = psi + ir * plane;
      for (std::size_t iy = 0; iy < ny; ++iy) phase_line(slab + iy * nx, iy, ir, pre);
      if (ny >= 8 && nx > 1) {
        // x lines batched across y, kLineBlock rows at a time: transpose the rows (in cache),
        // solve, transpose back.
        for (std::size_t y0 = 0; y0 < ny; y0 += kLineBlock) {
          const std::size_t b = std::min(kLineBlock, ny - y0);
          transpose_block(slab + y0 * nx, transposed, b, nx);
          cayley_[0].apply_lines(transposed, b, b, work);
          transpose_block(transposed, slab + y0 * nx, nx, b);
        }
      } else {
        for (std::size_t iy = 0; iy < ny; ++iy) cayley_[0].apply_line(slab + iy * nx, work);
      }
      // y lines, kLineBlock columns at a time (the working set stays in L2 for wide slabs).
      for (std::size_t x0 = 0; x0 < nx; x0 += kLineBlock) {
        cayley_[1].apply_lines(slab + x0, nx, std::min(kLineBlock, nx - x0), work);
      }
    }
#pragma omp for schedule(static)
    for (std::size_t iy = 0; iy < ny; ++iy) {
      for (std::size_t x0 = 0; x0 < nx; x0 += kLineBlock) {
        cayley_[2].apply_lines(psi + iy * nx + x0, plane, std::min(kLineBlock, nx - x0), work);
      }
      if (post != nullptr) {
        for (std::size_t ir = 0; ir < nr; ++ir)
          phase_line(psi + ir * plane + iy * nx, iy, ir, *post);
      }
    }
  }
}

template <typename Real>
void FieldSolver<Real>::spectral_kinetic() {
  plan_forward_.execute();
  const std::size_t n = psi_.size();
  Complex* psi = psi_.data();
  const Complex* k = spectral_factor_.data();
#pragma omp parallel
  {
    const DenormalGuard ftz(kFlushDenormalsFor<Real>);
#pragma omp for schedule(static)
    for (std::size_t i = 0; i < n; ++i) psi[i] *= k[i];
  }
  plan_backward_.execute();
}

template <typename Real>
void FieldSolver<Real>::compute_nonlinear(Real* unl, bool connectivity) {
  const std::size_t nx = grid_.nx(), ny = grid_.ny(), nr = grid_.nr(), plane = grid_.plane();
  const Complex* psi = psi_.data();
  Real* amp = amp_.data();
  // slab_sum: sum a^3, slab_sum2: sum a^2 (the density-weighted mean amplitude, below).
  std::vector<double> slab_sum(nr, 0.0), slab_sum2(nr, 0.0), slab_max(nr, 0.0), slab_min(nr, 0.0);
  std::vector<uint64_t> slab_clamped(nr, 0);
  const bool mqp = model_.has_mqp();
#pragma omp parallel
  {
    const DenormalGuard ftz(kFlushDenormalsFor<Real>);
#pragma omp for schedule(static)
    for (std::size_t ir = 0; ir < nr; ++ir) {
      double sum = 0.0, sum2 = 0.0;
      double mn = std::numeric_limits<double>::infinity();
      for (std::size_t i = ir * plane; i < (ir + 1) * plane; ++i) {
        const Real a = std::sqrt(std::norm(psi[i]));
        amp[i] = a;
        const double ad = static_cast<double>(a);
        sum += ad * ad * ad;
        sum2 += ad * ad;
        mn = std::min(mn, ad);
      }
      slab_sum[ir] = sum;
      slab_sum2[ir] = sum2;
      slab_min[ir] = mn;
    }
  }
  double total = 0.0, total2 = 0.0, min_a = std::numeric_limits<double>::infinity();
  for (std::size_t ir = 0; ir < nr; ++ir) {
    total += slab_sum[ir];
    total2 += slab_sum2[ir];
    min_a = std::min(min_a, slab_min[ir]);
  }
  last_min_a_ = min_a;
  if (mqp) {
    // The mean amplitude as the density sees it, <a>_rho = sum a^3 / sum a^2: the typical
    // amplitude inside the packet, independent of how much empty grid surrounds it (a plain
    // grid mean would make eps vanish for a compact packet in a large box).
    const double mean_a = total2 > 0.0 ? total / total2 : 0.0;
    const Real eps2 = static_cast<Real>(std::pow(model_.mqp_eps_rel * mean_a, 2));
    const Real coef = static_cast<Real>(-model_.mqp_coupling * model_.mqp_scale * model_.D *
                                        model_.D);  // lambda_Q * (-kappa D^2)
    const Real clamp = static_cast<Real>(model_.mqp_clamp * std::abs(model_.mqp_coupling));
    const std::array<Real, 3> w{
        static_cast<Real>(1.0 / (grid_.axes[0].h * grid_.axes[0].h)),
        static_cast<Real>(1.0 / (grid_.axes[1].h * grid_.axes[1].h)),
        static_cast<Real>(model_.gamma_r / (grid_.axes[2].h * grid_.axes[2].h))};
    const bool clamping = model_.mqp_clamp > 0.0;
#pragma omp parallel
    {
      const DenormalGuard ftz(kFlushDenormalsFor<Real>);
      std::vector<Real> la(nx), zero(nx, Real(0));
#pragma omp for schedule(static)
      for (std::size_t ir = 0; ir < nr; ++ir) {
        Real mx = 0;
        uint64_t clamped = 0;
        for (std::size_t iy = 0; iy < ny; ++iy) {
          weighted_laplacian_line(grid_, w, amp, iy, ir, zero.data(), la.data());
          const std::size_t base = (ir * ny + iy) * nx;
          const Real* a = amp + base;
          Real* v = unl + base;
#pragma omp simd reduction(max : mx)
          for (std::size_t ix = 0; ix < nx; ++ix) {
            const Real q = coef * la[ix] * a[ix] / (a[ix] * a[ix] + eps2);
            v[ix] = q;
            mx = std::max(mx, std::abs(q));
          }
          if (clamping) {
            for (std::size_t ix = 0; ix < nx; ++ix) {
              if (std::abs(v[ix]) > clamp) {
                v[ix] = std::copysign(clamp, v[ix]);
                ++clamped;
              }
            }
          }
        }
        slab_max[ir] = static_cast<double>(mx);
        slab_clamped[ir] = clamped;
      }
    }
    double mx = 0.0;
    uint64_t clamped = 0;
    for (std::size_t ir = 0; ir < nr; ++ir) {
      mx = std::max(mx, slab_max[ir]);
      clamped += slab_clamped[ir];
    }
    // Reported as |Q| (without the coupling lambda_Q).
    last_max_q_ = mx / std::abs(model_.mqp_coupling);
    last_clamped_ = clamped;
  } else {
    std::fill(unl, unl + grid_.size(), Real(0));
  }
  if (connectivity && connectivity_) {
    const auto sources = density_sources();
    connectivity_->add_potential(std::span<const DensitySource<Real>>(sources), unl);
  }
}

template <typename Real>
std::vector<DensitySource<Real>> FieldSolver<Real>::density_sources() const {
  if (coupling_.empty()) return {DensitySource<Real>{psi_.data(), 1.0}};
  std::vector<DensitySource<Real>> out;
  for (const auto& [w, solver] : coupling_) {
    if (w != 0.0) out.push_back({solver->psi_.data(), w});
  }
  return out;
}

template <typename Real>
void FieldSolver<Real>::set_coupling(
    std::vector<std::pair<double, const FieldSolverBase*>> sources) {
  coupling_.clear();
  for (const auto& [w, base] : sources) {
    const auto* solver = dynamic_cast<const FieldSolver*>(base);
    if (solver == nullptr || solver->grid_.describe() != grid_.describe()) {
      throw InputError("coupled populations must share the grid and the precision");
    }
    coupling_.emplace_back(w, solver);
  }
  unl_valid_ = false;
}

template <typename Real>
void FieldSolver<Real>::dephase(uint64_t step) {
  if (!dephasing_) return;
  // Gamma at the middle of the step; the phase variance over the step is 2 Gamma |dt_s|.
  const double t_mid_s = (static_cast<double>(step) + 0.5) * dt_ * time_unit_s_;
  const double variance = 2.0 * model_.dephasing_rate_at(t_mid_s) * std::abs(dt_ * time_unit_s_);
  dephasing_->apply(psi_.data(), step, variance);
}

template <typename Real>
void FieldSolver<Real>::step(uint64_t step) {
  if (solver_ == SolverKind::Adi && !model_.nonlinear()) {
    // Linear: both half phases fused into the kinetic passes.
    const DenormalGuard ftz(kFlushDenormalsFor<Real>);
    prepare_phase(static_cast<double>(step) * dt_, *pre_);
    prepare_phase(static_cast<double>(step + 1) * dt_, *post_);
    adi_kinetic(*pre_, post_.get());
    dephase(step);
    return;
  }
  stage_potential();
  stage_kinetic(step);
  stage_update_potential();
  stage_finish(step);
}

template <typename Real>
void FieldSolver<Real>::stage_potential() {
  // Without absorption the second half phase of the previous step left rho unchanged (a
  // unimodular factor; dephasing too), so the U it used is U(rho) for this step's first half:
  // reuse it.
  const DenormalGuard ftz(kFlushDenormalsFor<Real>);  // serial parts and FFTW on this thread
  if (model_.nonlinear() && !unl_valid_) compute_nonlinear(unl_.data());
}

template <typename Real>
void FieldSolver<Real>::stage_kinetic(uint64_t step) {
  const DenormalGuard ftz(kFlushDenormalsFor<Real>);
  prepare_phase(static_cast<double>(step) * dt_, *pre_);
  if (solver_ == SolverKind::Adi) {
    adi_kinetic(*pre_, nullptr);
  } else {
    phase_pass(*pre_);
    spectral_kinetic();
  }
}

template <typename Real>
void FieldSolver<Real>::stage_update_potential() {
  const DenormalGuard ftz(kFlushDenormalsFor<Real>);
  if (!model_.nonlinear()) return;
  compute_nonlinear(unl_.data());
  unl_valid_ = !model_.has_absorption();
}

template <typename Real>
void FieldSolver<Real>::stage_finish(uint64_t step) {
  const DenormalGuard ftz(kFlushDenormalsFor<Real>);
  prepare_phase(static_cast<double>(step + 1) * dt_, *post_);
  phase_pass(*post_);
  dephase(step);
}

template <typename Real>
Diagnostics FieldSolver<Real>::diagnostics(uint64_t step) {
  Diagnostics d;
  d.step = step;
  const double t_model = static_cast<double>(step) * dt_;
  d.t_s = t_model * time_unit_s_;
  const std::size_t nx = grid_.nx(), ny = grid_.ny(), nr = grid_.nr();
  const double dV = grid_.dV();
  const double D = model_.D;
  // |psi| and the MQP statistics, into scratch: the step's potential cache must not depend on
  // when diagnostics run. V_conn is evaluated on its own below (for the connectivity energy).
  if (model_.nonlinear()) {
    AlignedVector<Real> scratch_u(grid_.size());
    compute_nonlinear(scratch_u.data(), /*connectivity=*/false);
  }
  // Stimulus value at this time (for the external energy).
  const bool stim_on =
      model_.stim_amplitude != 0.0 && d.t_s >= model_.stim_t0_s && d.t_s < model_.stim_t1_s;
  const double stim_amp =
      stim_on
          ? model_.stim_amplitude * std::sin(2.0 * std::numbers::pi * model_.stim_freq_hz * d.t_s)
          : 0.0;
  const std::array<Real, 3> w{
      static_cast<Real>(1.0 / (grid_.axes[0].h * grid_.axes[0].h)),
      static_cast<Real>(1.0 / (grid_.axes[1].h * grid_.axes[1].h)),
      static_cast<Real>(model_.gamma_r / (grid_.axes[2].h * grid_.axes[2].h))};
  struct Partial {
    double norm = 0, kin = 0, ext = 0, mqp = 0, x = 0, y = 0, r = 0;
    bool finite = true;
  };
  std::vector<Partial> part(nr);
  const Complex* psi = psi_.data();
  const bool mqp = model_.has_mqp();
#pragma omp parallel
  {
    const DenormalGuard ftz(kFlushDenormalsFor<Real>);
#pragma omp for schedule(static)
    for (std::size_t ir = 0; ir < nr; ++ir) {
      Partial pt;
      const double r = grid_.axes[2].coord(ir);
      for (std::size_t iy = 0; iy < ny; ++iy) {
        const double y = grid_.axes[1].coord(iy);
        for (std::size_t ix = 0; ix < nx; ++ix) {
          const std::size_t p = grid_.index(ix, iy, ir);
          const std::complex<double> z(psi[p]);
          const double rho = std::norm(z);
          if (!std::isfinite(rho)) pt.finite = false;
          const std::complex<double> lz(weighted_laplacian_at(grid_, w, psi, ix, iy, ir));
          pt.norm += rho;
          pt.kin += -(std::conj(z) * lz).real();
          const double v = v_axis_[0][ix] + v_axis_[1][iy] + v_axis_[2][ir] +
                           stim_amp * stim_axis_[0][ix] * stim_axis_[1][iy] * stim_axis_[2][ir];
          pt.ext += v * rho;
          pt.x += grid_.axes[0].coord(ix) * rho;
          pt.y += y * rho;
          pt.r += r * rho;
          if (mqp) {
            const double a = static_cast<double>(amp_[p]);
            pt.mqp -=
                a * static_cast<double>(weighted_laplacian_at(grid_, w, amp_.data(), ix, iy, ir));
          }
        }
      }
      part[ir] = pt;
    }
  }
  Partial sum;
  for (const auto& pt : part) {
    sum.norm += pt.norm;
    sum.kin += pt.kin;
    sum.ext += pt.ext;
    sum.mqp += pt.mqp;
    sum.x += pt.x;
    sum.y += pt.y;
    sum.r += pt.r;
    sum.finite = sum.finite && pt.finite;
  }
  d.norm = sum.norm * dV;
  d.e_kinetic = D * D * sum.kin * dV;
  d.e_external = sum.ext * dV;
  d.e_mqp = mqp ? model_.mqp_coupling * model_.mqp_scale * D * D * sum.mqp * dV : 0.0;
  d.e_connectivity = 0.0;
  if (connectivity_) {
    // V_conn alone: evaluate it into a scratch potential (U_nl also holds lambda_Q Q).
    AlignedVector<Real> vconn(grid_.size(), Real(0));
    const auto sources = density_sources();
    connectivity_->add_potential(std::span<const DensitySource<Real>>(sources), vconn.data());
    std::vector<double> slab(nr, 0.0);
#pragma omp parallel
    {
      const DenormalGuard ftz(kFlushDenormalsFor<Real>);
#pragma omp for schedule(static)
      for (std::size_t ir = 0; ir < nr; ++ir) {
        double s = 0.0;
        for (std::size_t i = ir * grid_.plane(); i < (ir + 1) * grid_.plane(); ++i) {
          s += static_cast<double>(vconn[i]) * std::norm(std::complex<double>(psi[i]));
        }
        slab[ir] = s;
      }
    }
    double s = 0.0;
    for (double v : slab) s += v;
    d.e_connectivity = 0.5 * s * dV;
  }
  d.energy = d.e_kinetic + d.e_external + d.e_connectivity + d.e_mqp;
  if (d.norm > 0.0) {
    d.mean_position = {sum.x * dV / d.norm, sum.y * dV / d.norm, sum.r * dV / d.norm};
  }
  d.max_abs_q = model_.has_mqp() ? last_max_q_ : 0.0;
  d.min_amplitude = model_.nonlinear() ? last_min_a_ : 0.0;
  d.clamped = model_.has_mqp() ? last_clamped_ : 0;
  d.finite = sum.finite && std::isfinite(d.energy);
  return d;
}

template <typename Real>
void FieldSolver<Real>::column_density(std::span<const double> w_r,
                                       std::vector<double>& out) const {
  const std::size_t nx = grid_.nx(), ny = grid_.ny(), nr = grid_.nr(), plane = grid_.plane();
  out.assign(plane, 0.0);
  const double hr = grid_.axes[2].h;
  const Complex* psi = psi_.data();
#pragma omp parallel
  {
    const DenormalGuard ftz(kFlushDenormalsFor<Real>);
#pragma omp for schedule(static)
    for (std::size_t iy = 0; iy < ny; ++iy) {
      double* o = out.data() + iy * nx;
      for (std::size_t ir = 0; ir < nr; ++ir) {
        const Complex* line = psi + ir * plane + iy * nx;
        const double wr = w_r[ir] * hr;
        for (std::size_t ix = 0; ix < nx; ++ix) {
          o[ix] += wr * static_cast<double>(std::norm(line[ix]));
        }
      }
    }
  }
}

template <typename Real>
void FieldSolver<Real>::slice_density(std::size_t ir, std::span<float> out) const {
  const std::size_t plane = grid_.plane();
  const Complex* s = psi_.data() + ir * plane;
  for (std::size_t i = 0; i < plane; ++i) out[i] = static_cast<float>(std::norm(s[i]));
}

template class FieldSolver<float>;
template class FieldSolver<double>;

std::unique_ptr<FieldSolverBase> make_solver(const Grid& grid, const ModelParams& model, double dt,
                                             double time_unit_s, SolverKind solver,
                                             Precision precision) {
  if (precision == Precision::Double) {
    return std::make_unique<FieldSolver<double>>(grid, model, dt, time_unit_s, solver, precision);
  }
  return std::make_unique<FieldSolver<float>>(grid, model, dt, time_unit_s, solver, precision);
}

}  // namespace qneuro::field
