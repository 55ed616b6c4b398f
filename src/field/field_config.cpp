#include "qneuro/field/field_config.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

#include "qneuro/core/config_bindings.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/memory.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/field/readout.hpp"

namespace qneuro::field {

namespace {

using config::Bounds;
using config::KeyDoc;

// The `qneuro field` keys in the order --describe-config and docs/field.md list them. Each bind()
// names the FieldParams member the key sets, whose initialiser (params.hpp) is the default.
// Declared by hand, because they do not map onto one member: grid.n / grid.h / grid.bc (one
// list over the three Axis structs), state.schedule ("state@t" strings -> ScheduleEntry),
// stimulus.window_s (stim_t0_s, stim_t1_s), initial.modes (flat list -> triples) and
// readout.electrodes (points or a lattice size -> positions and labels).
config::BoundSchema<FieldParams> build_keys() {
  config::BoundSchema<FieldParams> b("field");
  config::Schema& s = b.schema();
  const FieldParams d;
  const Bounds positive{0.0, std::nullopt, true, false};
  const Bounds non_negative{0.0, std::nullopt, false, false};
  std::vector<int64_t> n;
  std::vector<double> h;
  std::vector<std::string> bc;
  for (const Axis& ax : d.grid.axes) {
    n.push_back(static_cast<int64_t>(ax.n));
    h.push_back(ax.h);
    bc.push_back(to_string(ax.bc));
  }
  s.add_int_list("grid.n", n, {"cells", "number of cells along x, y and r"}, Bounds{1.0, 4096.0}, 3,
                 3);
  s.add_float_list("grid.h", h,
                   {"length", "cell width along x, y and r (the unit of every length key)"},
                   positive, 3, 3);
  s.add_string_list("grid.bc", bc,
                    {"", "boundary condition per axis: periodic, neumann or dirichlet"});
  b.bind("time.dt", QNEURO_MEMBER(time.dt),
         {"time units", "time step (a time unit is time.time_unit_s seconds)"}, positive);
  b.bind("time.steps", QNEURO_MEMBER(time.steps), {"steps", "number of time steps"},
         Bounds{1.0, 1e12});
  b.bind("time.time_unit_s", QNEURO_MEMBER(time.time_unit_s), {"s", "seconds per model time unit"},
         positive);
  b.bind("model.D", QNEURO_MEMBER(model.D),
         {"length^2/time", "fractal diffusion coefficient D (hbar -> D, m -> 1/2)"}, positive);
  b.bind("model.gamma_r", QNEURO_MEMBER(model.gamma_r),
         {"", "relative stiffness of the r axis (kinetic term D^2 gamma_r d_r^2)"}, positive);
  b.bind("mqp.coupling", QNEURO_MEMBER(model.mqp_coupling),
         {"", "lambda_Q: weight of the macroscopic quantum potential (0 = off)"},
         Bounds{-100.0, 100.0});
  b.bind("mqp.scale", QNEURO_MEMBER(model.mqp_scale),
         {"", "kappa: MQP scaling, Q = -kappa D^2 lap(a)/a"}, non_negative);
  b.bind("mqp.eps_rel", QNEURO_MEMBER(model.mqp_eps_rel),
         {"", "regularisation eps of Q relative to the density-weighted mean amplitude"},
         Bounds{0.0, 1.0, true, false});
  b.bind("mqp.clamp", QNEURO_MEMBER(model.mqp_clamp),
         {"energy", "clamp |Q| to this value (0 = no clamp); clamped cells are counted"},
         non_negative);
  b.bind("connectivity.beta", QNEURO_MEMBER(model.conn_beta),
         {"energy*volume", "strength beta of the connectivity potential (0 = off)"},
         Bounds{-1e6, 1e6});
  b.bind("connectivity.mu", QNEURO_MEMBER(model.conn_mu), {"", "mu of the log-normal weights g"},
         Bounds{-10.0, 10.0});
  b.bind("connectivity.sigma", QNEURO_MEMBER(model.conn_sigma),
         {"", "sigma of the log-normal weights g"}, Bounds{0.0, 5.0});
  b.bind("connectivity.threshold", QNEURO_MEMBER(model.conn_threshold),
         {"", "weights g below this are set to 0 (sparsity)"}, non_negative);
  b.bind("connectivity.p_exc", QNEURO_MEMBER(model.conn_p_exc),
         {"", "probability that a site is excitatory (E = +1, else -1)"}, Bounds{0.0, 1.0});
  b.bind("connectivity.kernel", QNEURO_MEMBER(model.conn_kernel),
         {"", "distance kernel K: exp(-d/l) or (1 + d/l)^-exponent"});
  b.bind("connectivity.length", QNEURO_MEMBER(model.conn_length),
         {"length", "kernel length scale l"}, positive);
  b.bind("connectivity.exponent", QNEURO_MEMBER(model.conn_exponent),
         {"", "power-law kernel exponent"}, positive);
  b.bind("connectivity.form", QNEURO_MEMBER(model.conn_form),
         {"", "hartree: K * (g E rho); laplacian: the seed's K * (g E lap_xy rho)"});
  b.bind("connectivity.seed", QNEURO_MEMBER(model.conn_seed),
         {"", "seed of the connectivity network (Philox)"}, Bounds{0.0, 4294967295.0});
  std::vector<std::string> schedule;
  for (const ScheduleEntry& e : d.model.schedule) {
    schedule.push_back(e.start_s == 0.0 ? e.state
                                        : e.state + "@" + strings::format_number(e.start_s));
  }
  s.add_string_list("state.schedule", schedule,
                    {"",
                     "brain states over time: \"state\" or \"state@t_s\" entries with states wake, "
                     "light, deep, rem"});
  std::vector<double> alphas, decoherences;
  for (const BrainState& st : brain_states()) {
    alphas.push_back(st.alpha);
    decoherences.push_back(st.decoherence);
  }
  s.add_float_list("state.alpha", alphas,
                   {"", "absorption factor alpha of wake, light, deep, rem (W_abs = alpha W0 s^2)"},
                   non_negative, 4, 4);
  s.add_float_list(
      "state.decoherence", decoherences,
      {"", "dephasing factor of wake, light, deep, rem (Gamma = factor * decoherence.rate_hz)"},
      non_negative, 4, 4);
  b.bind("state.transition_s", QNEURO_MEMBER(model.transition_s),
         {"s", "duration of the smooth change between scheduled states"}, non_negative);
  b.bind("state.w0", QNEURO_MEMBER(model.sponge_w0),
         {"energy", "absorption strength W0 of the sponge layers"}, non_negative);
  b.bind("state.sponge_width", QNEURO_MEMBER(model.sponge_width),
         {"", "sponge layer width as a fraction of each axis, at each end"}, Bounds{0.0, 0.5});
  b.bind("decoherence.rate_hz", QNEURO_MEMBER(model.dephasing_rate_hz),
         {"1/s",
          "dephasing rate Gamma0 of the stochastic potential in the state with factor 1 (wake); "
          "coherence decays as exp(-Gamma t) (0 = off)"},
         non_negative);
  b.bind("decoherence.length", QNEURO_MEMBER(model.dephasing_length),
         {"length", "correlation length of the dephasing noise (0 = independent per node)"},
         non_negative);
  b.bind("decoherence.seed", QNEURO_MEMBER(model.dephasing_seed),
         {"", "seed of the dephasing noise (Philox)"}, Bounds{0.0, 4294967295.0});
  b.bind("potential.harmonic_omega", QNEURO_MEMBER(model.harmonic_omega),
         {"rad/time", "harmonic confinement V = omega^2/4 coord^2 per axis (0 = none)"},
         non_negative);
  b.bind("stimulus.amplitude", QNEURO_MEMBER(model.stim_amplitude),
         {"energy", "amplitude A of a Gaussian stimulus bump (0 = off)"});
  b.bind("stimulus.center", QNEURO_MEMBER(model.stim_center),
         {"length", "stimulus centre (x, y, r)"});
  b.bind("stimulus.width", QNEURO_MEMBER(model.stim_width),
         {"length", "stimulus standard deviation w"}, positive);
  b.bind("stimulus.freq_hz", QNEURO_MEMBER(model.stim_freq_hz),
         {"Hz", "stimulus modulation A sin(2 pi f t)"}, non_negative);
  s.add_float_list("stimulus.window_s", {d.model.stim_t0_s, d.model.stim_t1_s},
                   {"s", "stimulus on for t in [t0, t1)"}, non_negative, 2, 2);
  b.bind("initial.kind", QNEURO_MEMBER(initial.kind), {"", "initial state (see docs/field.md)"});
  b.bind("initial.center", QNEURO_MEMBER(initial.center), {"length", "packet centre (x, y, r)"});
  b.bind("initial.width", QNEURO_MEMBER(initial.width),
         {"length", "packet standard deviation of |psi|^2 (gaussian), smoothing width (noise)"},
         positive);
  b.bind("initial.k0", QNEURO_MEMBER(initial.k0), {"1/length", "mean wave vector of the packet"});
  std::vector<int64_t> modes;
  for (const auto& m : d.initial.modes) modes.insert(modes.end(), m.begin(), m.end());
  s.add_int_list(
      "initial.modes", modes,
      {"", "mode numbers (kx, ky, kr, kx2, ...) for box_modes; quantum numbers for harmonic"},
      Bounds{0.0, 4096.0}, 3);
  b.bind("initial.seed", QNEURO_MEMBER(initial.seed),
         {"", "seed of the noise initial state (Philox)"}, Bounds{0.0, 4294967295.0});
  b.bind("readout.fs_hz", QNEURO_MEMBER(readout.fs_hz),
         {"Hz", "EEG sampling rate; 1/(fs dt time_unit_s) must be an integer"}, positive);
  s.add_point_list("readout.electrodes", d.readout.electrodes,
                   {"length", "electrode positions [[x, y], ...], or a lattice size [mx, my]"}, {},
                   true);
  b.bind("readout.sigma", QNEURO_MEMBER(readout.sigma),
         {"length", "Gaussian lead-field width of each electrode"}, positive);
  b.bind("readout.weight", QNEURO_MEMBER(readout.weight),
         {"", "r weighting w(r): 1, or r / r_max (excitatory +, inhibitory -)"});
  b.bind("readout.scale_uv", QNEURO_MEMBER(readout.scale_uv),
         {"uV", "microvolts per unit of electrode signal s_e"}, positive);
  b.bind("output.snapshot_every", QNEURO_MEMBER(output.snapshot_every),
         {"steps", "store density slices every n steps (0 = none)"}, Bounds{0.0, 1e12});
  b.bind_list("output.snapshot_r", QNEURO_MEMBER(output.snapshot_r),
              {"", "r indices of the stored slices (-1 = the centre slice)"}, Bounds{-1.0, 4095.0},
              1);
  b.bind("output.diag_every", QNEURO_MEMBER(output.diag_every),
         {"steps", "diagnostics every n steps (0 = start and end only)"}, Bounds{0.0, 1e12});
  b.bind("output.checkpoint_every", QNEURO_MEMBER(output.checkpoint_every),
         {"steps", "write checkpoint.h5 every n steps and at the end (0 = only on Ctrl-C)"},
         Bounds{0.0, 1e12});
  b.bind("output.norm_tolerance", QNEURO_MEMBER(output.norm_tolerance),
         {"", "stop if |norm - 1| (no absorption) or the norm's growth exceeds this"},
         Bounds{0.0, 1.0, true, false});
  s.add_string_list("populations.names", {},
                    {"", "names of P >= 2 populations (empty: one population, the model above)"});
  s.add_float_list("populations.D", {},
                   {"length^2/time", "D of each population (empty: model.D for all)"}, positive);
  s.add_float_list(
      "populations.harmonic_omega", {},
      {"rad/time", "trap omega (x, y, r) of each population, 3P values (empty: "
                   "potential.harmonic_omega for all)"},
      non_negative);
  s.add_float_list("populations.initial_center", {},
                   {"length", "initial packet centre (x, y, r) of each population, 3P values "
                              "(empty: initial.center for all)"});
  s.add_float_list("populations.readout", {},
                   {"", "weight c_j of each population's density in the electrodes (empty: 1)"});
  s.add_float_list("populations.coupling", {},
                   {"", "P x P matrix W, row-major: population j's connectivity potential is "
                        "V_conn[sum_k W_jk rho_k] (empty: identity, uncoupled)"});
  b.bind("precision", QNEURO_MEMBER(precision),
         {"", "arithmetic: double; float; mixed (float state, double phases, half weights)"});
  b.bind("solver", QNEURO_MEMBER(solver),
         {"", "kinetic step: ADI Crank-Nicolson, or split-step Fourier (periodic grids only)"});

  s.add_preset(
      "demo", "",
      "64x64x32 grid: displaced packet in a 10 Hz (x, y) / 6 Hz (r) harmonic trap with MQP "
      "(lambda_Q = 0.25) and log-normal connectivity, 4 s at 128 Hz (seconds on 2 cores)");
  s.add_preset("linear", "mqp.coupling = 0.0\nconnectivity.beta = 0.0\n",
               "the demo without MQP and connectivity: the plain Schroedinger equation");
  s.add_preset(
      "seed",
      "grid.n = [256, 256, 128]\ngrid.h = [0.1, 0.1, 0.1]\nmqp.coupling = 1.0\n"
      "time.dt = 0.00048828125\ntime.steps = 20480\nreadout.fs_hz = 512.0\n"
      "potential.harmonic_omega = [0.0, 0.0, 0.0]\n"
      "initial.kind = \"noise\"\ninitial.width = [0.5, 0.5, 0.5]\n"
      "readout.electrodes = [8, 8]\nreadout.sigma = 1.0\noutput.diag_every = 512\n"
      "output.checkpoint_every = 2048\n",
      "the seed's full problem: 256x256x128, h = 0.1, dt = 1/2048, 20480 steps (10 s at 512 Hz), "
      "MQP lambda_Q = 1, kappa = 2, log-normal connectivity mu 0 sigma 1.2, wake");
  s.add_preset(
      "test",
      "grid.n = [16, 16, 8]\ngrid.h = [0.05, 0.05, 0.05]\ntime.steps = 512\n"
      "readout.fs_hz = 256.0\nreadout.electrodes = [2, 2]\nreadout.sigma = 0.2\n"
      "potential.harmonic_omega = [62.83185307179586, 62.83185307179586, 37.69911184307752]\n"
      "initial.center = [0.15, 0.0, 0.05]\nconnectivity.length = 0.2\n"
      "output.diag_every = 16\n",
      "16x16x8, 512 steps: the test suite's run (well under a second)");
  return b;
}

const config::BoundSchema<FieldParams>& field_keys() {
  static const config::BoundSchema<FieldParams> keys = build_keys();
  return keys;
}

std::vector<ScheduleEntry> parse_schedule(const config::Config& cfg) {
  std::vector<ScheduleEntry> out;
  const auto alphas = cfg.get_floats("state.alpha");
  const auto decoherences = cfg.get_floats("state.decoherence");
  const double transition = cfg.get_float("state.transition_s");
  for (const auto& entry : cfg.get_strings("state.schedule")) {
    const auto at = entry.find('@');
    const std::string name = strings::to_lower(strings::trim(entry.substr(0, at)));
    double start = 0.0;
    if (at != std::string::npos) {
      const std::string t = strings::trim(entry.substr(at + 1));
      char* end = nullptr;
      start = std::strtod(t.c_str(), &end);
      if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(start) || start < 0.0) {
        cfg.fail("state.schedule", "entry '" + entry + "' has a bad time '" + t +
                                       "' (expected state@seconds, e.g. deep@2.5)");
      }
    }
    std::size_t state = brain_states().size();
    for (std::size_t i = 0; i < brain_states().size(); ++i) {
      if (brain_states()[i].name == name) state = i;
    }
    if (state == brain_states().size()) {
      cfg.fail("state.schedule", "entry '" + entry + "' names unknown state '" + name +
                                     "' (expected wake, light, deep or rem)");
    }
    if (!out.empty() && start <= out.back().start_s) {
      cfg.fail("state.schedule", "entry '" + entry + "' must start after the previous entry (" +
                                     strings::format_number(out.back().start_s) + " s)");
    }
    if (out.empty() && start != 0.0) {
      cfg.fail("state.schedule", "the first entry must start at 0 s, got '" + entry + "'");
    }
    // Entry i's change takes transition_s from its start; the next entry must not begin before
    // it is complete (overlapping changes would make the state sequence ambiguous).
    if (out.size() >= 2 && start < out.back().start_s + transition) {
      cfg.fail("state.schedule",
               "entry '" + entry + "' overlaps the change to '" + out.back().state + "' at " +
                   strings::format_number(out.back().start_s) + " s, which lasts state.transition_s = " +
                   strings::format_number(transition) + " s; start it at or after " +
                   strings::format_number(out.back().start_s + transition) +
                   " s or shorten state.transition_s");
    }
    out.push_back({name, alphas[state], start, decoherences[state]});
  }
  if (out.empty()) cfg.fail("state.schedule", "must have at least one entry (e.g. [\"wake\"])");
  return out;
}

/// populations.* -> PopulationParams (empty for a single-population run). Every list must have
/// one entry per name (3 for the per-axis lists, P x P for the coupling) or be empty.
std::vector<PopulationParams> parse_populations(const config::Config& cfg, const FieldParams& p) {
  const auto names = cfg.get_strings("populations.names");
  const char* keys[] = {"populations.D", "populations.harmonic_omega",
                        "populations.initial_center", "populations.readout",
                        "populations.coupling"};
  if (names.empty()) {
    for (const char* key : keys) {
      if (!cfg.get_floats(key).empty()) {
        cfg.fail(key, "is set but populations.names is empty: name the populations (P >= 2), "
                      "e.g. populations.names = [\"exc\", \"inh\"]");
      }
    }
    return {};
  }
  const std::size_t P = names.size();
  if (P < 2) {
    cfg.fail("populations.names",
             "lists one population; a single population is the plain model (leave "
             "populations.names empty) and several need at least 2 names");
  }
  std::vector<PopulationParams> out(P);
  for (std::size_t j = 0; j < P; ++j) {
    const std::string name = strings::trim(names[j]);
    const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!ok) {
      cfg.fail("populations.names", "entry " + std::to_string(j) + " '" + names[j] +
                                        "' must be a non-empty name of letters, digits, _ or -");
    }
    for (std::size_t k = 0; k < j; ++k) {
      if (out[k].name == name) {
        cfg.fail("populations.names", "names population '" + name + "' twice");
      }
    }
    out[j].name = name;
  }
  // A list with `per` values per population, or none.
  auto list = [&](const char* key, std::size_t per) -> std::vector<double> {
    auto v = cfg.get_floats(key);
    if (!v.empty() && v.size() != per * P) {
      cfg.fail(key, "has " + std::to_string(v.size()) + " values; " + std::to_string(P) +
                        " populations (populations.names) need " + std::to_string(per * P) +
                        (per == 1   ? " (one each)"
                         : per == 3 ? " (x, y, r for each)"
                                    : " (a P x P matrix, row-major)") +
                        ", or leave it empty");
    }
    return v;
  };
  const auto D = list("populations.D", 1);
  const auto omega = list("populations.harmonic_omega", 3);
  const auto centre = list("populations.initial_center", 3);
  const auto readout = list("populations.readout", 1);
  const auto coupling = list("populations.coupling", P);
  for (std::size_t j = 0; j < P; ++j) {
    PopulationParams& pop = out[j];
    pop.D = D.empty() ? p.model.D : D[j];
    for (int a = 0; a < 3; ++a) {
      pop.harmonic_omega[a] = omega.empty() ? p.model.harmonic_omega[a] : omega[3 * j + a];
      pop.initial_center[a] = centre.empty() ? p.initial.center[a] : centre[3 * j + a];
    }
    pop.readout = readout.empty() ? 1.0 : readout[j];
    pop.coupling.assign(P, 0.0);
    for (std::size_t k = 0; k < P; ++k) {
      pop.coupling[k] = coupling.empty() ? (j == k ? 1.0 : 0.0) : coupling[j * P + k];
      if (!std::isfinite(pop.coupling[k])) {
        cfg.fail("populations.coupling", "W[" + std::to_string(j) + "][" + std::to_string(k) +
                                             "] is not finite");
      }
    }
  }
  return out;
}

}  // namespace

const config::Schema& field_schema() {
  return field_keys().schema();
}

uint64_t estimated_memory_bytes(const FieldParams& p) {
  const uint64_t n = p.grid.size();
  const uint64_t real = p.precision == Precision::Double ? 8 : 4;
  const uint64_t P = p.population_count();
  uint64_t bytes = P * n * 2 * real;                                 // psi
  if (p.model.nonlinear()) bytes += P * 2 * n * real;                // U_nl and |psi|
  if (p.solver == SolverKind::SplitStep) bytes += P * n * 2 * real;  // spectral multipliers
  bytes += n * 16;  // the initial state, built in double
  const uint64_t k = std::max<uint64_t>(1, p.steps_per_sample());
  const uint64_t E = p.readout.electrodes.size();
  bytes += (p.time.steps / k + 1) * E * 8;       // recorded signals
  bytes += E * (p.grid.nx() + p.grid.ny()) * 8;  // separable lead fields
  bytes += 2 * std::max({p.grid.nx(), p.grid.ny(), p.grid.nr()}) * 64 * 2 * real *
           static_cast<uint64_t>(std::max(1, omp_get_max_threads()));  // line-solve scratch
  if (p.output.snapshot_every > 0) {
    bytes += (p.time.steps / p.output.snapshot_every + 1) * p.output.snapshot_r.size() *
             p.grid.plane() * 4;
  }
  return bytes;
}

FieldParams params_from_config(const config::Config& cfg, uint64_t available) {
  FieldParams p;
  field_keys().read(cfg, p);
  const char* axis_name[3] = {"x", "y", "r"};
  // Grid.
  const auto n = cfg.get_ints("grid.n");
  const auto h = cfg.get_floats("grid.h");
  const auto bc = cfg.get_strings("grid.bc");
  if (bc.size() != 3) {
    cfg.fail("grid.bc",
             "must list 3 boundary conditions (x, y, r), got " + std::to_string(bc.size()));
  }
  for (int a = 0; a < 3; ++a) {
    Axis& ax = p.grid.axes[a];
    ax.n = static_cast<std::size_t>(n[a]);
    ax.h = h[a];
    const auto boundary = enum_from_name<Boundary>(strings::to_lower(strings::trim(bc[a])));
    if (!boundary) {
      cfg.fail("grid.bc", "element " + std::to_string(a) + " (" + axis_name[a] + ") must be " +
                              enum_choices_text<Boundary>() + ", got '" + bc[a] + "'");
    }
    ax.bc = *boundary;
    if (ax.bc == Boundary::Periodic && ax.n == 2) {
      cfg.fail("grid.n",
               "a periodic axis needs 1 or >= 3 cells, got 2 along " + std::string(axis_name[a]));
    }
  }
  // Model.
  ModelParams& m = p.model;
  m.schedule = parse_schedule(cfg);
  p.populations = parse_populations(cfg, p);
  const auto window = cfg.get_floats("stimulus.window_s");
  m.stim_t0_s = window[0];
  m.stim_t1_s = window[1];
  if (!(window[0] < window[1])) {
    cfg.fail("stimulus.window_s", "must be [t0, t1] with t0 < t1, got [" +
                                      strings::format_number(window[0]) + ", " +
                                      strings::format_number(window[1]) + "]");
  }
  // Initial state.
  InitialParams& init = p.initial;
  const auto modes = cfg.get_ints("initial.modes");
  if (modes.size() % 3 != 0) {
    cfg.fail("initial.modes", "must have a multiple of 3 entries (kx, ky, kr per mode), got " +
                                  std::to_string(modes.size()));
  }
  init.modes.clear();
  for (std::size_t i = 0; i < modes.size(); i += 3) {
    for (int a = 0; a < 3; ++a) {
      if (static_cast<std::size_t>(modes[i + a]) >= p.grid.axes[a].n) {
        cfg.fail("initial.modes",
                 "mode number " + std::to_string(modes[i + a]) + " along " + axis_name[a] +
                     " must be below grid.n = " + std::to_string(p.grid.axes[a].n));
      }
    }
    init.modes.push_back({modes[i], modes[i + 1], modes[i + 2]});
  }
  for (int a = 0; a < 3; ++a) {
    const Axis& ax = p.grid.axes[a];
    if (ax.n == 1) continue;
    if (std::abs(init.center[a]) > 0.5 * ax.length()) {
      cfg.fail("initial.center", "element " + std::to_string(a) + " (" + axis_name[a] +
                                     ") = " + strings::format_number(init.center[a]) +
                                     " lies outside the grid [" +
                                     strings::format_number(-0.5 * ax.length()) + ", " +
                                     strings::format_number(0.5 * ax.length()) + "]");
    }
    const bool width_used = init.kind != InitialKind::BoxModes &&
                            !(init.kind == InitialKind::Harmonic && m.harmonic_omega[a] > 0.0);
    if (width_used && init.width[a] < ax.h) {
      cfg.fail("initial.width", "element " + std::to_string(a) + " (" + axis_name[a] +
                                    ") = " + strings::format_number(init.width[a]) +
                                    " is below the cell width " + strings::format_number(ax.h) +
                                    ": the state would not be resolved");
    }
    if (std::abs(init.k0[a]) * ax.h >= std::numbers::pi / 2.0) {
      cfg.fail("initial.k0", "element " + std::to_string(a) + " (" + axis_name[a] +
                                 ") = " + strings::format_number(init.k0[a]) +
                                 " is not resolved: |k0| must be below pi/(2h) = " +
                                 strings::format_number(std::numbers::pi / (2.0 * ax.h)));
    }
  }
  // The trap and the MQP are checked for every population's D and omega.
  const std::size_t P = p.population_count();
  for (std::size_t j = 0; j < P; ++j) {
    const ModelParams mj = p.population_model(j);
    const std::string of = P == 1 ? std::string() : " of population '" + p.populations[j].name + "'";
    const std::string omega_key = P == 1 ? "potential.harmonic_omega" : "populations.harmonic_omega";
    for (int a = 0; a < 3; ++a) {
      const Axis& ax = p.grid.axes[a];
      if (ax.n == 1) continue;
      if (P > 1 && std::abs(p.populations[j].initial_center[a]) > 0.5 * ax.length()) {
        cfg.fail("populations.initial_center",
                 std::string(axis_name[a]) + " = " +
                     strings::format_number(p.populations[j].initial_center[a]) + of +
                     " lies outside the grid [" + strings::format_number(-0.5 * ax.length()) +
                     ", " + strings::format_number(0.5 * ax.length()) + "]");
      }
      const double omega = mj.harmonic_omega[a];
      if (omega <= 0.0) continue;
      // Along r the oscillator frequency is omega sqrt(gamma_r) (mass 1/(2 gamma_r)).
      const double freq = a == 2 ? omega * std::sqrt(mj.gamma_r) : omega;
      if (freq * p.time.dt >= 1.0) {
        cfg.fail("time.dt", "= " + strings::format_number(p.time.dt) + " is too coarse for " +
                                omega_key + of + " along " + axis_name[a] + " (" +
                                strings::format_number(freq) +
                                " rad per time unit): omega dt must be < 1");
      }
      const double ground = std::sqrt((a == 2 ? mj.D * mj.gamma_r : mj.D) /
                                      (omega * (a == 2 ? std::sqrt(mj.gamma_r) : 1.0)));
      if (ground < ax.h) {
        cfg.fail("grid.h", "element " + std::to_string(a) + " (" + axis_name[a] +
                               ") = " + strings::format_number(ax.h) +
                               " does not resolve the harmonic ground state" + of +
                               " of width " + strings::format_number(ground) +
                               " (sqrt(D/omega)): use h < " + strings::format_number(ground));
      }
    }
  }
  if (m.dephasing_length > 0.0) {
    for (int a = 0; a < 3; ++a) {
      const Axis& ax = p.grid.axes[a];
      if (ax.n > 1 && m.dephasing_length < ax.h) {
        cfg.fail("decoherence.length",
                 "= " + strings::format_number(m.dephasing_length) + " is below the cell width " +
                     strings::format_number(ax.h) + " along " + axis_name[a] +
                     ": use 0 for independent kicks per node, or a length of at least one cell");
      }
    }
  }
  // The MQP is applied explicitly inside the phase step, and Q = -kappa D^2 lap(a)/a behaves like
  // an extra kinetic term on the amplitude: the split scheme is stable only while
  //   S = dt |lambda_Q| kappa D sum_a 4 gamma_a / h_a^2 <= 1
  // (measured: the demo grid conserves energy to 1e-3 at S = 0.7, drifts 20 % at 1.4 and
  // several hundred % at 5.6).
  for (std::size_t j = 0; j < P && m.has_mqp(); ++j) {
    const double D_j = p.population_model(j).D;
    double stiffness = 0.0;
    for (int a = 0; a < 3; ++a) {
      const Axis& ax = p.grid.axes[a];
      if (ax.n > 1) stiffness += 4.0 * (a == 2 ? m.gamma_r : 1.0) / (ax.h * ax.h);
    }
    const double S = p.time.dt * std::abs(m.mqp_coupling) * m.mqp_scale * D_j * stiffness;
    if (S > 1.0) {
      cfg.fail("time.dt",
               "= " + strings::format_number(p.time.dt) +
                   " is unstable with the macroscopic quantum potential: dt |mqp.coupling| "
                   "mqp.scale D sum(4 gamma/h^2) = " +
                   strings::format_number(S) +
                   " must be <= 1; use time.dt <= " + strings::format_number(p.time.dt / S) +
                   " (with readout.fs_hz adjusted), or a smaller mqp.coupling");
    }
  }
  if (init.kind == InitialKind::BoxModes && init.modes.size() == 1) {
    bool uniform = true;
    for (int a = 0; a < 3; ++a) {
      const Axis& ax = p.grid.axes[a];
      if (init.modes[0][a] != 0 || (ax.bc == Boundary::Dirichlet && ax.n > 1)) uniform = false;
    }
    if (uniform) {
      cfg.fail("initial.modes",
               "= [0, 0, 0] alone is the uniform state, which is stationary "
               "(nothing to simulate); add modes or pick another initial.kind");
    }
  }
  if (init.kind == InitialKind::Harmonic && init.modes.size() != 1) {
    cfg.fail("initial.modes", "harmonic states take one triple of quantum numbers, got " +
                                  std::to_string(init.modes.size()));
  }
  // Readout.
  ReadoutParams& r = p.readout;
  const double k = 1.0 / (r.fs_hz * p.time.dt * p.time.time_unit_s);
  if (k < 1.0 - 1e-9 || std::abs(k - std::round(k)) > 1e-9 * k) {
    cfg.fail("readout.fs_hz",
             "= " + strings::format_number(r.fs_hz) +
                 " Hz needs 1/(fs dt time_unit_s) = " + strings::format_number(k) +
                 " steps per sample, which must be a whole number >= 1 (time.dt = " +
                 strings::format_number(p.time.dt) +
                 ", time.time_unit_s = " + strings::format_number(p.time.time_unit_s) + ")");
  }
  const auto electrodes = cfg.get_points("readout.electrodes");
  if (electrodes.lattice) {
    const auto [mx, my] = *electrodes.lattice;
    if (static_cast<uint64_t>(mx) > p.grid.nx() || static_cast<uint64_t>(my) > p.grid.ny()) {
      cfg.fail("readout.electrodes", "lattice [" + std::to_string(mx) + ", " + std::to_string(my) +
                                         "] is finer than the grid (" +
                                         std::to_string(p.grid.nx()) + " x " +
                                         std::to_string(p.grid.ny()) + " cells in x, y)");
    }
    auto lattice =
        electrode_lattice(p.grid, static_cast<std::size_t>(mx), static_cast<std::size_t>(my));
    r.electrodes = std::move(lattice.first);
    r.labels = std::move(lattice.second);
  } else {
    r.electrodes = electrodes.points;
    r.labels.clear();
    for (std::size_t e = 0; e < r.electrodes.size(); ++e) {
      for (int a = 0; a < 2; ++a) {
        const double c = a == 0 ? r.electrodes[e].first : r.electrodes[e].second;
        if (std::abs(c) > 0.5 * p.grid.axes[a].length()) {
          cfg.fail("readout.electrodes",
                   "point " + std::to_string(e) + " " + axis_name[a] + " = " +
                       strings::format_number(c) + " lies outside the grid [" +
                       strings::format_number(-0.5 * p.grid.axes[a].length()) + ", " +
                       strings::format_number(0.5 * p.grid.axes[a].length()) + "]");
        }
      }
    }
  }
  const uint64_t steps_per_sample = p.steps_per_sample();
  if ((p.time.steps + steps_per_sample - 1) / steps_per_sample < 2) {
    cfg.fail("time.steps", "= " + std::to_string(p.time.steps) +
                               " gives fewer than 2 EEG samples at " +
                               strings::format_number(r.fs_hz) + " Hz (" +
                               std::to_string(steps_per_sample) + " steps per sample)");
  }
  // Output.
  OutputParams& o = p.output;
  for (auto& ir : o.snapshot_r) {
    if (ir == -1) ir = static_cast<int64_t>(p.grid.nr() / 2);
    if (ir < 0 || static_cast<std::size_t>(ir) >= p.grid.nr()) {
      cfg.fail("output.snapshot_r", "index " + std::to_string(ir) + " is outside [0, " +
                                        std::to_string(p.grid.nr()) + ") (grid.n r)");
    }
  }
  // Numerics.
  if (p.solver == SolverKind::SplitStep && !p.grid.all_periodic()) {
    cfg.fail("solver",
             "= \"splitstep\" needs grid.bc = [\"periodic\", \"periodic\", "
             "\"periodic\"]; use solver = \"adi\" for other boundaries");
  }
  // Memory.
  const uint64_t need = estimated_memory_bytes(p);
  const uint64_t have = available == 0 ? available_memory_bytes() : available;
  if (need > have) {
    cfg.fail("grid.n", "= " + p.grid.describe() + " needs about " +
                           strings::format_number(static_cast<double>(need) / 1e9) +
                           " GB but only " +
                           strings::format_number(static_cast<double>(have) / 1e9) +
                           " GB are available (use a smaller grid, precision = \"float\", or "
                           "fewer snapshots)");
  }
  return p;
}

}  // namespace qneuro::field
