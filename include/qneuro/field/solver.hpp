// The time stepper of the neural field (DESIGN.md §3):
//
//   i D dpsi/dt = -D^2 (d_x^2 + d_y^2 + gamma_r d_r^2) psi + U psi,
//   U = V_ext(t) + V_conn[rho] + lambda_Q Q[rho] - i W_abs(t),     rho = |psi|^2
//
// One step of dt is a Strang splitting, second order and time reversible:
//   1. half phase  psi <- exp(-i dt U(t_n, rho) / 2D) psi      (exact, pointwise; with W_abs the
//                                                                factor exp(-dt W / 2D) damps)
//   2. kinetic     psi <- K_r K_y K_x psi                       (ADI: per-axis Cayley factors,
//                                                                cayley.hpp; or, solver
//                                                                "splitstep", the exact spectral
//                                                                propagator by 3-D FFT)
//   3. half phase  psi <- exp(-i dt U(t_{n+1}, rho*) / 2D) psi  with rho* after step 2.
//   4. dephasing   psi <- exp(-i phi_n) psi                     (only with decoherence.rate_hz
//                                                                > 0: dephasing.hpp)
// A run of several populations interleaves these stages across its solvers (stage_*), because
// each population's U reads every population's density at the same time level.
// U is evaluated from the current density before each half phase. Without absorption the second
// half phase leaves rho unchanged (|exp(-i theta)| = 1), so the U it used is reused for the next
// step's first half (one evaluation per step instead of two); that cache is part of checkpoints,
// so a step depends only on (psi, cache, step index) and a restart is bit-identical.
//
// Potentials (docs/field.md): V_ext = sum_a omega_a^2/4 x_a^2 (harmonic, from the grid centre)
// + A exp(-|x - c|^2/2w^2) sin(2 pi f t_s) (stimulus in its window); W_abs = alpha(t_s) W0
// sum_a s(u_a)^2 with u_a in [0, 1] the depth into the sponge layer of axis a (non-periodic and
// periodic axes alike); Q = -kappa D^2 (L a) a / (a^2 + eps^2), a = |psi|, eps = eps_rel <a>_rho
// (<a>_rho = sum a^3 / sum a^2, the amplitude the density sees), optionally clamped to
// |Q| <= clamp; V_conn from connectivity.hpp. The MQP is explicit in the phase step: stable for
// dt |lambda_Q| kappa D sum_a 4 gamma_a / h_a^2 <= 1 (checked by field_config).
//
// Passes over memory per ADI step without nonlinear terms: (1) per r-slab (in cache): half phase,
// x lines, y lines batched across x; (2) per y-plane: r lines batched across x, then the second
// half phase. With MQP or connectivity, U is evaluated before each half phase (|psi|, the
// stencil of Q, 2-D FFTs per r-slice) and the second half phase is its own pass.
// Parallel over r-slabs / y-planes with OpenMP; every node's arithmetic is independent of the
// partition and reductions combine per-slab partials in a fixed order, so results are
// bit-identical for any thread count.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "qneuro/core/aligned.hpp"
#include "qneuro/core/fft.hpp"
#include "qneuro/field/cayley.hpp"
#include "qneuro/field/connectivity.hpp"
#include "qneuro/field/dephasing.hpp"
#include "qneuro/field/params.hpp"

namespace qneuro::field {

/// Diagnostics of one state (all sums over nodes times dV, combined in double).
struct Diagnostics {
  uint64_t step = 0;
  double t_s = 0.0;  ///< seconds
  double norm = 0.0;
  double energy = 0.0;  ///< e_kinetic + e_external + e_connectivity + e_mqp
  double e_kinetic = 0.0;
  double e_external = 0.0;
  double e_connectivity = 0.0;                         ///< (1/2) sum V_conn rho dV
  double e_mqp = 0.0;                                  ///< lambda_Q kappa D^2 sum a (-L a) dV
  std::array<double, 3> mean_position{0.0, 0.0, 0.0};  ///< <x>, <y>, <r> (normalised by norm)
  double max_abs_q = 0.0;  ///< of the last potential evaluation (0 without MQP)
  double min_amplitude = 0.0;
  uint64_t clamped = 0;
  bool finite = true;
};

/// Precision-independent interface (the simulation driver holds one of these).
class FieldSolverBase {
 public:
  virtual ~FieldSolverBase() = default;
  /// Sets the state (converted to the solver's precision; not renormalised).
  virtual void set_state(std::span<const std::complex<double>> psi) = 0;
  /// The state in double (a copy).
  [[nodiscard]] virtual std::vector<std::complex<double>> state() const = 0;
  /// Raw state bytes (for checkpoints): re, im interleaved, in the solver's precision.
  [[nodiscard]] virtual std::span<const std::byte> raw_state() const = 0;
  virtual void set_raw_state(std::span<const std::byte> bytes) = 0;
  /// The cached nonlinear potential (empty when none is cached); part of a checkpoint, because
  /// the next step reuses it instead of re-evaluating U from the state.
  [[nodiscard]] virtual std::span<const std::byte> raw_potential_cache() const = 0;
  virtual void set_raw_potential_cache(std::span<const std::byte> bytes) = 0;
  /// Advances from t = step * dt to (step + 1) * dt (the four stages below, in order).
  virtual void step(uint64_t step) = 0;
  /// The stages of step() for multi-population runs: every solver completes a stage before any
  /// starts the next. (1) U of the current state unless cached; (2) first half phase and
  /// kinetic step; (3) U of the new state; (4) second half phase and dephasing.
  virtual void stage_potential() = 0;
  virtual void stage_kinetic(uint64_t step) = 0;
  virtual void stage_update_potential() = 0;
  virtual void stage_finish(uint64_t step) = 0;
  /// Population coupling: the connectivity potential becomes V_conn[sum_k w_k |psi_k|^2] over
  /// these solvers (same grid and precision; may include this one). Empty: V_conn[|psi|^2].
  virtual void set_coupling(std::vector<std::pair<double, const FieldSolverBase*>> sources) = 0;
  [[nodiscard]] virtual Diagnostics diagnostics(uint64_t step) = 0;
  /// rho weighted along r and summed: out[iy * nx + ix] = sum_r w(r) |psi|^2 hr.
  virtual void column_density(std::span<const double> w_r, std::vector<double>& out) const = 0;
  /// |psi|^2 on r-slice ir, row-major [ny][nx].
  virtual void slice_density(std::size_t ir, std::span<float> out) const = 0;
  [[nodiscard]] virtual std::size_t bytes_per_element() const = 0;
};

template <typename Real>
class FieldSolver final : public FieldSolverBase {
 public:
  using Complex = std::complex<Real>;

  /// `dt` may be negative (time reversal). Throws InputError for inconsistent parameters
  /// (split-step on a non-periodic grid, a periodic axis with n = 2).
  FieldSolver(const Grid& grid, const ModelParams& model, double dt, double time_unit_s,
              SolverKind solver, Precision precision);
  ~FieldSolver() override;

  void set_state(std::span<const std::complex<double>> psi) override;
  [[nodiscard]] std::vector<std::complex<double>> state() const override;
  [[nodiscard]] std::span<const std::byte> raw_state() const override;
  void set_raw_state(std::span<const std::byte> bytes) override;
  [[nodiscard]] std::span<const std::byte> raw_potential_cache() const override;
  void set_raw_potential_cache(std::span<const std::byte> bytes) override;
  void step(uint64_t step) override;
  void stage_potential() override;
  void stage_kinetic(uint64_t step) override;
  void stage_update_potential() override;
  void stage_finish(uint64_t step) override;
  void set_coupling(std::vector<std::pair<double, const FieldSolverBase*>> sources) override;
  [[nodiscard]] Diagnostics diagnostics(uint64_t step) override;
  void column_density(std::span<const double> w_r, std::vector<double>& out) const override;
  void slice_density(std::size_t ir, std::span<float> out) const override;
  [[nodiscard]] std::size_t bytes_per_element() const override { return sizeof(Complex); }

 private:
  struct PhaseFactors;
  void prepare_phase(double t_model, PhaseFactors& f) const;
  void phase_line(Complex* line, std::size_t iy, std::size_t ir, const PhaseFactors& f) const;
  void phase_pass(const PhaseFactors& f);
  void adi_kinetic(const PhaseFactors& pre, const PhaseFactors* post);
  void spectral_kinetic();
  /// U_nl = V_conn + lambda_Q Q of the current state into `out` (and |psi| into amp_);
  /// without `connectivity` only the MQP part (diagnostics evaluate V_conn on their own).
  void compute_nonlinear(Real* out, bool connectivity = true);
  /// The densities V_conn is evaluated from (this state alone, or the coupled populations).
  [[nodiscard]] std::vector<DensitySource<Real>> density_sources() const;
  void dephase(uint64_t step);

  Grid grid_;
  ModelParams model_;
  double dt_;
  double time_unit_s_;
  SolverKind solver_;
  Precision precision_;
  std::unique_ptr<PhaseFactors> pre_, post_;
  std::array<CayleyAxis<Real>, 3> cayley_;
  AlignedVector<Complex> psi_;
  AlignedVector<Real> unl_;  // nonlinear potential
  bool unl_valid_ = false;   // unl_ holds U(rho) of the current state (reused by step())
  AlignedVector<Real> amp_;  // |psi| scratch for Q
  std::unique_ptr<Connectivity> connectivity_;
  std::vector<std::pair<double, const FieldSolver*>> coupling_;  // (W_jk, solver k)
  std::unique_ptr<Dephasing> dephasing_;
  // Separable static profiles (model units): harmonic V per axis, sponge s^2 per axis,
  // stimulus Gaussian per axis.
  std::array<std::vector<double>, 3> v_axis_, sponge_axis_, stim_axis_;
  // Split-step: kinetic multipliers per node (incl. 1/N) and FFTW plans.
  AlignedVector<Complex> spectral_factor_;
  fft::Plan<Real> plan_forward_, plan_backward_;
  // Statistics of the last nonlinear evaluation.
  double last_max_q_ = 0.0;
  double last_min_a_ = 0.0;
  uint64_t last_clamped_ = 0;
};

extern template class FieldSolver<float>;
extern template class FieldSolver<double>;

/// Creates a solver of the requested precision (float storage for Float and Mixed).
std::unique_ptr<FieldSolverBase> make_solver(const Grid& grid, const ModelParams& model, double dt,
                                             double time_unit_s, SolverKind solver,
                                             Precision precision);

}  // namespace qneuro::field
