// Throughput of the neural-field ADI step against the memory-bandwidth floor, and the seed
// preset's projected cost. Prints one JSON line per case (and a summary table on stderr).
//
// Bytes a step must move: the linear ADI step makes two passes over the state, each reading and
// writing it once (pass 1: half phase + x and y lines per r-slab, which fits in cache; pass 2: r
// lines per y-plane + the second half phase), so the algorithmic floor is
//   4 * sizeof(complex)  = 64 B per node (double), 32 B (float)
// and the absolute floor of any scheme that touches the state once per step is half of that.
// floor_s = bytes / triad bandwidth (STREAM triad measured in the same run, same threads);
// fraction = floor_s / measured_s.
//
// Each grid also runs with the MQP, the connectivity and both (the seed's full nonlinear step),
// reported with their ratio to the linear step; 32^3 (state in L2) is the arithmetic's ceiling.
//
// Usage: bench_field [--quick] [--seed-steps N] [--no-seed]
//   --quick       32^3, 64^3 and 128^3 only
//   --seed-steps  steps timed for the seed preset (default 3; projected to 20480)

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/core/bandwidth.hpp"
#include "qneuro/core/memory.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/field/initial.hpp"
#include "qneuro/field/simulation.hpp"
#include "qneuro/field/solver.hpp"

namespace {

using namespace qneuro::field;
using Clock = std::chrono::steady_clock;

struct Case {
  std::size_t nx, ny, nr;
  Precision precision;
};

/// The potential terms a case steps with: none (the linear ADI step), the MQP alone, the
/// connectivity alone, or both (the seed's full nonlinear step).
enum class Terms { Linear, Mqp, Connectivity, Both };
const char* terms_name(Terms t) {
  switch (t) {
    case Terms::Linear:
      return "linear";
    case Terms::Mqp:
      return "mqp";
    case Terms::Connectivity:
      return "connectivity";
    case Terms::Both:
      return "mqp+connectivity";
  }
  return "";
}

nlohmann::ordered_json bench_adi(const Case& c, double triad_gbs, Terms terms) {
  const bool nonlinear = terms != Terms::Linear;
  Grid g;
  g.axes = {Axis{c.nx, 0.05, Boundary::Periodic}, Axis{c.ny, 0.05, Boundary::Periodic},
            Axis{c.nr, 0.05, Boundary::Neumann}};
  ModelParams m = ModelParams::plain();
  m.harmonic_omega = {62.8, 62.8, 37.7};
  // The demo's couplings: S = dt lambda_Q kappa D sum 4/h^2 = 0.7 (stable).
  if (terms == Terms::Mqp || terms == Terms::Both) m.mqp_coupling = 0.25;
  if (terms == Terms::Connectivity || terms == Terms::Both) m.conn_beta = 1.0;
  InitialParams init;
  init.center = {0.3, 0.0, 0.1};
  init.width = {0.2, 0.2, 0.2};
  auto solver = make_solver(g, m, 1.0 / 1024.0, 1.0, SolverKind::Adi, c.precision);
  solver->set_state(initial_state(g, m, init));
  const double n = static_cast<double>(g.size());
  // Warm up, then time enough steps for ~1 s (at least 3).
  solver->step(0);
  auto t0 = Clock::now();
  solver->step(1);
  const double one = std::chrono::duration<double>(Clock::now() - t0).count();
  const int steps = std::max(3, static_cast<int>(1.0 / std::max(one, 1e-6)));
  t0 = Clock::now();
  for (int s = 0; s < steps; ++s) solver->step(static_cast<uint64_t>(2 + s));
  const double per_step = std::chrono::duration<double>(Clock::now() - t0).count() / steps;
  const double elem = static_cast<double>(solver->bytes_per_element());
  const double bytes = 4.0 * elem * n;
  const double floor_s = bytes / (triad_gbs * 1e9);
  nlohmann::ordered_json j;
  j["bench"] = nonlinear ? "field_step_nonlinear" : "field_adi_step";
  j["terms"] = terms_name(terms);
  j["grid"] = g.describe();
  j["precision"] = to_string(c.precision);
  j["threads"] = qneuro::parallel::max_threads();
  j["steps_timed"] = steps;
  j["seconds_per_step"] = per_step;
  j["node_updates_per_s"] = n / per_step;
  j["triad_gbs"] = triad_gbs;
  // The linear step's 2-pass floor; for the nonlinear step it is the same reference (the floor
  // of the step without potential terms), so the fractions compare directly.
  j["bytes_per_node"] = 4.0 * elem;
  j["implied_gbs"] = bytes / per_step / 1e9;
  j["fraction_of_floor"] = floor_s / per_step;
  j["fraction_of_one_pass_floor"] = 0.5 * floor_s / per_step;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, seed = true;
  int seed_steps = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--no-seed") == 0) seed = false;
    if (std::strcmp(argv[i], "--seed-steps") == 0 && i + 1 < argc)
      seed_steps = std::atoi(argv[++i]);
  }
  const auto triad = qneuro::measure_triad();
  std::cerr << "triad: " << triad.gbs << " GB/s with " << triad.threads << " threads\n";
  // 32^3 keeps the whole state in L2 (512 kB in double): its "fraction of floor" (against the
  // DRAM triad, like the others) is what the arithmetic alone allows, the ceiling of the rest.
  std::vector<Case> cases;
  for (Precision p : {Precision::Double, Precision::Float}) {
    cases.push_back({32, 32, 32, p});
    cases.push_back({64, 64, 64, p});
    cases.push_back({128, 128, 128, p});
    if (!quick) cases.push_back({256, 256, 128, p});
  }
  for (const auto& c : cases) {
    // Each grid: the linear step, then each potential term and both (ratio to the linear step).
    double linear_s = 0.0;
    for (Terms t : {Terms::Linear, Terms::Mqp, Terms::Connectivity, Terms::Both}) {
      if (t != Terms::Linear && c.nx == 32) continue;
      auto j = bench_adi(c, triad.gbs, t);
      const double s = j["seconds_per_step"].get<double>();
      if (t == Terms::Linear) linear_s = s;
      j["ratio_to_linear_step"] = s / linear_s;
      std::cout << j.dump() << std::endl;
      std::fprintf(stderr,
                   "%-12s %-6s %-16s %8.3f ms/step  %9.3g nodes/s  %4.0f %% of floor  %4.2fx linear\n",
                   j["grid"].get<std::string>().c_str(), j["precision"].get<std::string>().c_str(),
                   terms_name(t), 1e3 * s, j["node_updates_per_s"].get<double>(),
                   100.0 * j["fraction_of_floor"].get<double>(), s / linear_s);
    }
  }
  if (seed) {
    // The seed preset exactly as `qneuro field --preset seed` runs it.
    const auto cfg = qneuro::config::Config::resolve(field_schema(), "seed", std::nullopt, {});
    const FieldParams params = params_from_config(cfg);
    const auto t0 = Clock::now();
    Simulation sim(params);
    sim.start();
    const double setup = std::chrono::duration<double>(Clock::now() - t0).count();
    std::vector<double> times;
    auto& solver = sim.solver();
    for (int s = 0; s < seed_steps; ++s) {
      const auto a = Clock::now();
      solver.step(static_cast<uint64_t>(s));
      times.push_back(std::chrono::duration<double>(Clock::now() - a).count());
    }
    double best = times.front(), mean = 0.0;
    for (double t : times) {
      best = std::min(best, t);
      mean += t / static_cast<double>(times.size());
    }
    nlohmann::ordered_json j;
    j["bench"] = "field_seed_preset";
    j["grid"] = params.grid.describe();
    j["precision"] = to_string(params.precision);
    j["threads"] = qneuro::parallel::max_threads();
    j["setup_s"] = setup;
    j["steps_timed"] = seed_steps;
    j["seconds_per_step_mean"] = mean;
    j["seconds_per_step_best"] = best;
    j["steps"] = params.time.steps;
    j["projected_total_s"] = mean * static_cast<double>(params.time.steps);
    j["peak_rss_mb"] = qneuro::peak_rss_mb();
    std::cout << j.dump() << std::endl;
  }
  return 0;
}
