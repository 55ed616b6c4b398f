// Parameters of a neural-field run (the typed form of the `qneuro field` config; field_config.hpp
// maps keys to these fields). Units: lengths in grid units (the same unit as grid.h), time in
// model time units (one unit = time.time_unit_s seconds), potentials in energy units of the
// equation i D dpsi/dt = -D^2 (d_x^2 + d_y^2 + gamma_r d_r^2) psi + U psi (docs/field.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "qneuro/field/grid.hpp"

namespace qneuro::field {

enum class Precision { Double, Float, Mixed };
enum class SolverKind { Adi, SplitStep };
enum class KernelKind { Exponential, PowerLaw };
enum class ConnectivityForm { Hartree, Laplacian };
enum class ReadoutWeight { Uniform, Signed };
enum class InitialKind { Gaussian, BoxModes, Harmonic, Noise };

std::string to_string(Precision p);
std::string to_string(SolverKind s);

/// Brain states and their absorption factors alpha (DESIGN.md §3).
struct BrainState {
  std::string name;
  double alpha = 0.0;
};
/// wake 0.0, light 0.3, deep 0.8, rem 0.2.
const std::vector<BrainState>& brain_states();

/// One entry of the schedule: from `start_s` (seconds) on, the state `state` (alpha); the change
/// from the previous entry is a smoothstep over `transition_s`.
struct ScheduleEntry {
  std::string state;
  double alpha = 0.0;
  double start_s = 0.0;
};

struct ModelParams {
  double D = 0.3;        ///< fractal diffusion coefficient (hbar -> D, m -> 1/2)
  double gamma_r = 1.0;  ///< relative stiffness of the r axis
  std::array<double, 3> harmonic_omega{0.0, 0.0, 0.0};  ///< V = omega^2/4 coord^2 per axis

  // Macroscopic quantum potential, lambda_Q * Q, Q = -kappa D^2 (L a) a / (a^2 + eps^2).
  double mqp_coupling = 0.0;  ///< lambda_Q (0 = off)
  double mqp_scale = 2.0;     ///< kappa
  double mqp_eps_rel = 0.05;  ///< eps = eps_rel * <a>_rho, <a>_rho = sum a^3 / sum a^2
  double mqp_clamp = 0.0;     ///< |Q| <= clamp (0 = no clamp)

  // Log-normal connectivity V_conn = beta K (*) (g E rho) per r-slice.
  double conn_beta = 0.0;  ///< beta (0 = off)
  double conn_mu = 0.0;
  double conn_sigma = 1.2;
  double conn_threshold = 0.005;
  double conn_p_exc = 0.8;
  KernelKind conn_kernel = KernelKind::Exponential;
  double conn_length = 0.5;    ///< kernel length scale l
  double conn_exponent = 1.5;  ///< power law (1 + d/l)^-exponent
  ConnectivityForm conn_form = ConnectivityForm::Hartree;
  uint32_t conn_seed = 1;

  // Absorption: W = alpha(t) W0 sum_axes s(u)^2 in sponge layers.
  std::vector<ScheduleEntry> schedule{{"wake", 0.0, 0.0}};
  double transition_s = 0.5;
  double sponge_w0 = 1.0;
  double sponge_width = 0.1;  ///< fraction of each axis length, at each end

  // Stimulus: A exp(-|x - c|^2 / (2 w^2)) sin(2 pi f t_s) for t_s in [t0, t1) seconds.
  double stim_amplitude = 0.0;
  std::array<double, 3> stim_center{0.0, 0.0, 0.0};
  double stim_width = 0.5;
  double stim_freq_hz = 10.0;
  double stim_t0_s = 0.0;
  double stim_t1_s = 1e300;

  [[nodiscard]] bool has_mqp() const { return mqp_coupling != 0.0; }
  [[nodiscard]] bool has_connectivity() const { return conn_beta != 0.0; }
  [[nodiscard]] bool nonlinear() const { return has_mqp() || has_connectivity(); }
  [[nodiscard]] bool has_absorption() const;
  /// alpha(t) at time t_s seconds.
  [[nodiscard]] double alpha_at(double t_s) const;
};

struct TimeParams {
  double dt = 1.0 / 2048.0;  ///< model time units
  uint64_t steps = 20480;
  double time_unit_s = 1.0;  ///< seconds per model time unit
};

struct InitialParams {
  InitialKind kind = InitialKind::Gaussian;
  std::array<double, 3> center{0.0, 0.0, 0.0};
  std::array<double, 3> width{0.5, 0.5, 0.5};
  std::array<double, 3> k0{0.0, 0.0, 0.0};
  std::vector<std::array<int64_t, 3>> modes{{0, 0, 0}};  ///< box-mode or harmonic quantum numbers
  uint32_t seed = 1;
};

struct ReadoutParams {
  double fs_hz = 512.0;
  std::vector<std::pair<double, double>> electrodes;  ///< resolved positions (x, y)
  std::vector<std::string> labels;
  double sigma = 0.5;
  ReadoutWeight weight = ReadoutWeight::Uniform;
  double scale_uv = 100.0;  ///< microvolts per unit of s_e
};

struct OutputParams {
  uint64_t diag_every = 0;          ///< steps (0 = only at the start and the end)
  uint64_t snapshot_every = 0;      ///< steps (0 = none)
  std::vector<int64_t> snapshot_r;  ///< r-slice indices of the snapshots
  uint64_t checkpoint_every = 0;    ///< steps (0 = none)
  double norm_tolerance = 1e-3;     ///< |norm - expected| above this stops the run
};

struct FieldParams {
  Grid grid;
  ModelParams model;
  TimeParams time;
  InitialParams initial;
  ReadoutParams readout;
  OutputParams output;
  Precision precision = Precision::Double;
  SolverKind solver = SolverKind::Adi;

  /// Steps per readout sample, k = 1 / (fs dt time_unit_s) (validated to be an integer).
  [[nodiscard]] uint64_t steps_per_sample() const;
};

}  // namespace qneuro::field
