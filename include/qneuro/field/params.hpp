// Parameters of a neural-field run: the typed form of the `qneuro field` config. field_config.cpp
// binds each config key to one member here (the one documented mapping), and the member
// initialisers below are the defaults of both: a default-constructed FieldParams is the `demo`
// problem that `qneuro field` runs (64x64x32, MQP and connectivity on, 4 s at 128 Hz).
// Units: lengths in grid units (the same unit as grid.h), time in model time units (one unit =
// time.time_unit_s seconds), potentials in energy units of the equation
// i D dpsi/dt = -D^2 (d_x^2 + d_y^2 + gamma_r d_r^2) psi + U psi (docs/field.md).
#pragma once

#include <array>
#include <cstdint>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "qneuro/core/enum_names.hpp"
#include "qneuro/field/grid.hpp"

namespace qneuro::field {

enum class Precision { Double, Float, Mixed };
enum class SolverKind { Adi, SplitStep };
enum class KernelKind { Exponential, PowerLaw };
enum class ConnectivityForm { Hartree, Laplacian };
enum class ReadoutWeight { Uniform, Signed };
enum class InitialKind { Gaussian, BoxModes, Harmonic, Noise };

}  // namespace qneuro::field

namespace qneuro {
template <>
inline constexpr std::array enum_names<field::Precision>{
    EnumName{field::Precision::Double, "double"}, EnumName{field::Precision::Float, "float"},
    EnumName{field::Precision::Mixed, "mixed"}};
template <>
inline constexpr std::array enum_names<field::SolverKind>{
    EnumName{field::SolverKind::Adi, "adi"}, EnumName{field::SolverKind::SplitStep, "splitstep"}};
template <>
inline constexpr std::array enum_names<field::KernelKind>{
    EnumName{field::KernelKind::Exponential, "exponential"},
    EnumName{field::KernelKind::PowerLaw, "power_law"}};
template <>
inline constexpr std::array enum_names<field::ConnectivityForm>{
    EnumName{field::ConnectivityForm::Hartree, "hartree"},
    EnumName{field::ConnectivityForm::Laplacian, "laplacian"}};
template <>
inline constexpr std::array enum_names<field::ReadoutWeight>{
    EnumName{field::ReadoutWeight::Uniform, "uniform"},
    EnumName{field::ReadoutWeight::Signed, "signed"}};
template <>
inline constexpr std::array enum_names<field::InitialKind>{
    EnumName{field::InitialKind::Gaussian, "gaussian"},
    EnumName{field::InitialKind::BoxModes, "box_modes"},
    EnumName{field::InitialKind::Harmonic, "harmonic"},
    EnumName{field::InitialKind::Noise, "noise"}};
}  // namespace qneuro

namespace qneuro::field {

using qneuro::to_string;

/// Brain states and what each does to the field (docs/field.md, "Brain states"):
///   alpha        absorption factor of the sponge layers, W_abs = alpha W0 sum s^2 (the
///                prototype's code table: damps sleep most)
///   decoherence  factor of the dephasing rate, Gamma = decoherence * Gamma0 (the prototype's
///                text: wakefulness disrupts coherence, deep sleep keeps it)
struct BrainState {
  std::string name;
  double alpha = 0.0;
  double decoherence = 0.0;
};
/// wake (alpha 0.0, decoherence 1.0), light (0.3, 0.3), deep (0.8, 0.05), rem (0.2, 0.6).
const std::vector<BrainState>& brain_states();

/// One entry of the schedule: from `start_s` (seconds) on, the state `state` (alpha,
/// decoherence); the change from the previous entry is a smoothstep over `transition_s`.
struct ScheduleEntry {
  std::string state;
  double alpha = 0.0;
  double start_s = 0.0;
  double decoherence = 0.0;
};

/// One neural population of a multi-population run (`populations.*`): its own psi_j with its
/// own D, harmonic trap, initial packet centre and readout weight. Population j's connectivity
/// potential is V_j = V_conn[sum_k W_jk rho_k] (W = `populations.coupling`, row-major P x P).
struct PopulationParams {
  std::string name;
  double D = 0.3;
  std::array<double, 3> harmonic_omega{0.0, 0.0, 0.0};
  std::array<double, 3> initial_center{0.0, 0.0, 0.0};
  double readout = 1.0;          ///< weight c_j of rho_j in the electrodes' density
  std::vector<double> coupling;  ///< row j of W: W_jk for k = 0..P-1
};

struct ModelParams {
  double D = 0.3;        ///< fractal diffusion coefficient (hbar -> D, m -> 1/2)
  double gamma_r = 1.0;  ///< relative stiffness of the r axis
  /// V = omega^2/4 coord^2 per axis (the demo's 10 Hz / 10 Hz / 6 Hz trap)
  std::array<double, 3> harmonic_omega{2.0 * std::numbers::pi * 10.0, 2.0 * std::numbers::pi * 10.0,
                                       2.0 * std::numbers::pi * 6.0};

  // Macroscopic quantum potential, lambda_Q * Q, Q = -kappa D^2 (L a) a / (a^2 + eps^2).
  double mqp_coupling = 0.25;  ///< lambda_Q (0 = off)
  double mqp_scale = 2.0;      ///< kappa
  double mqp_eps_rel = 0.05;   ///< eps = eps_rel * <a>_rho, <a>_rho = sum a^3 / sum a^2
  double mqp_clamp = 0.0;      ///< |Q| <= clamp (0 = no clamp)

  // Log-normal connectivity V_conn = beta K (*) (g E rho) per r-slice.
  double conn_beta = 1.0;  ///< beta (0 = off)
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
  double sponge_w0 = 10.0;
  double sponge_width = 0.1;  ///< fraction of each axis length, at each end

  // Dephasing (a stochastic potential): per step, psi <- exp(-i phi) psi with phi a Gaussian
  // field of variance 2 Gamma(t) dt_s, Gamma = decoherence(t) * dephasing_rate_hz, correlated
  // over dephasing_length (0 = independent per node). Coherence decays as exp(-int Gamma dt_s).
  double dephasing_rate_hz = 0.0;  ///< Gamma0 in 1/s (0 = off)
  double dephasing_length = 0.0;   ///< correlation length in grid length units (0 = white)
  uint32_t dephasing_seed = 1;
  uint32_t population = 0;  ///< index of this psi among the run's populations (noise entity)

  // Stimulus: A exp(-|x - c|^2 / (2 w^2)) sin(2 pi f t_s) for t_s in [t0, t1) seconds.
  double stim_amplitude = 0.0;
  std::array<double, 3> stim_center{0.0, 0.0, 0.0};
  double stim_width = 0.2;
  double stim_freq_hz = 10.0;
  double stim_t0_s = 0.0;
  double stim_t1_s = 1e9;

  /// The plain Schroedinger equation i D dpsi/dt = -D^2 (d_x^2 + d_y^2 + gamma_r d_r^2) psi: no
  /// potential, MQP, connectivity, absorption or stimulus (D = 0.3, gamma_r = 1). Validation
  /// tests start from it and switch on what they check.
  [[nodiscard]] static ModelParams plain();

  [[nodiscard]] bool has_mqp() const { return mqp_coupling != 0.0; }
  [[nodiscard]] bool has_connectivity() const { return conn_beta != 0.0; }
  [[nodiscard]] bool nonlinear() const { return has_mqp() || has_connectivity(); }
  [[nodiscard]] bool has_absorption() const;
  [[nodiscard]] bool has_dephasing() const;
  /// alpha(t) at time t_s seconds.
  [[nodiscard]] double alpha_at(double t_s) const;
  /// Gamma(t) = decoherence(t) * dephasing_rate_hz at time t_s seconds (1/s).
  [[nodiscard]] double dephasing_rate_at(double t_s) const;
};

struct TimeParams {
  double dt = 1.0 / 1024.0;  ///< model time units
  uint64_t steps = 4096;
  double time_unit_s = 1.0;  ///< seconds per model time unit
};

struct InitialParams {
  InitialKind kind = InitialKind::Gaussian;
  std::array<double, 3> center{0.3, 0.0, 0.2};
  std::array<double, 3> width{0.1, 0.1, 0.1};
  std::array<double, 3> k0{0.0, 0.0, 0.0};
  std::vector<std::array<int64_t, 3>> modes{{0, 0, 0}};  ///< box-mode or harmonic quantum numbers
  uint32_t seed = 1;
};

/// The demo montage: a 4 x 4 grid of electrodes 0.3 apart over the trap (a lattice over the whole
/// 3.2 x 3.2 sheet would put most electrodes where only the far tails of the packet reach).
std::vector<std::pair<double, double>> demo_montage();

struct ReadoutParams {
  double fs_hz = 128.0;
  std::vector<std::pair<double, double>> electrodes = demo_montage();  ///< positions (x, y)
  std::vector<std::string> labels;  ///< empty: E1, E2, ... (a lattice names its rows and columns)
  double sigma = 0.25;
  ReadoutWeight weight = ReadoutWeight::Uniform;
  double scale_uv = 100.0;  ///< microvolts per unit of s_e
};

struct OutputParams {
  uint64_t diag_every = 64;             ///< steps (0 = only at the start and the end)
  uint64_t snapshot_every = 0;          ///< steps (0 = none)
  std::vector<int64_t> snapshot_r{-1};  ///< r-slice indices of the snapshots (-1: the centre)
  uint64_t checkpoint_every = 0;        ///< steps (0 = none)
  double norm_tolerance = 1e-3;         ///< |norm - expected| above this stops the run
};

/// The demo grid: 64 x 64 x 32 cells of 0.05 x 0.05 x 0.075, periodic in x and y, Neumann in r.
Grid demo_grid();

struct FieldParams {
  Grid grid = demo_grid();
  ModelParams model;
  TimeParams time;
  InitialParams initial;
  ReadoutParams readout;
  OutputParams output;
  Precision precision = Precision::Double;
  SolverKind solver = SolverKind::Adi;
  /// Empty: one population (the model above). Otherwise P >= 2 populations sharing the model's
  /// other terms (MQP, connectivity network, states, dephasing, stimulus) and the grid.
  std::vector<PopulationParams> populations;

  [[nodiscard]] std::size_t population_count() const {
    return populations.empty() ? 1 : populations.size();
  }
  /// The model of population j (D, trap and index replaced; the model itself when P = 1).
  [[nodiscard]] ModelParams population_model(std::size_t j) const;
  /// The initial state parameters of population j (centre replaced; noise seed + j).
  [[nodiscard]] InitialParams population_initial(std::size_t j) const;

  /// Steps per readout sample, k = 1 / (fs dt time_unit_s) (validated to be an integer).
  [[nodiscard]] uint64_t steps_per_sample() const;
};

}  // namespace qneuro::field
