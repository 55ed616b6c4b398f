#include "qneuro/field/params.hpp"

#include <cmath>

#include "qneuro/core/error.hpp"

namespace qneuro::field {

ModelParams ModelParams::plain() {
  ModelParams m;
  m.harmonic_omega = {0.0, 0.0, 0.0};
  m.mqp_coupling = 0.0;
  m.conn_beta = 0.0;
  m.schedule = {{"wake", 0.0, 0.0}};
  m.stim_amplitude = 0.0;
  return m;
}

std::vector<std::pair<double, double>> demo_montage() {
  std::vector<std::pair<double, double>> montage;
  for (const double y : {-0.45, -0.15, 0.15, 0.45}) {
    for (const double x : {-0.45, -0.15, 0.15, 0.45}) montage.emplace_back(x, y);
  }
  return montage;
}

Grid demo_grid() {
  return Grid{{Axis{64, 0.05, Boundary::Periodic}, Axis{64, 0.05, Boundary::Periodic},
               Axis{32, 0.075, Boundary::Neumann}}};
}

const std::vector<BrainState>& brain_states() {
  static const std::vector<BrainState> states{
      {"wake", 0.0, 1.0}, {"light", 0.3, 0.3}, {"deep", 0.8, 0.05}, {"rem", 0.2, 0.6}};
  return states;
}

bool ModelParams::has_absorption() const {
  if (sponge_w0 == 0.0 || sponge_width == 0.0) return false;
  for (const auto& e : schedule) {
    if (e.alpha != 0.0) return true;
  }
  return false;
}

bool ModelParams::has_dephasing() const {
  if (dephasing_rate_hz == 0.0) return false;
  for (const auto& e : schedule) {
    if (e.decoherence != 0.0) return true;
  }
  return false;
}

namespace {
/// A scheduled quantity (alpha or decoherence) at t_s: each entry's value from its start on,
/// reached from the previous value by a smoothstep over transition_s.
double scheduled(const std::vector<ScheduleEntry>& schedule, double transition_s, double t_s,
                 double ScheduleEntry::*value) {
  if (schedule.empty()) return 0.0;
  double v = schedule.front().*value;
  for (std::size_t i = 1; i < schedule.size(); ++i) {
    const ScheduleEntry& e = schedule[i];
    if (t_s < e.start_s) break;
    const double prev = v;
    if (transition_s <= 0.0 || t_s >= e.start_s + transition_s) {
      v = e.*value;
    } else {
      const double u = (t_s - e.start_s) / transition_s;
      const double s = u * u * (3.0 - 2.0 * u);  // smoothstep
      v = prev + (e.*value - prev) * s;
    }
  }
  return v;
}
}  // namespace

double ModelParams::alpha_at(double t_s) const {
  return scheduled(schedule, transition_s, t_s, &ScheduleEntry::alpha);
}

double ModelParams::dephasing_rate_at(double t_s) const {
  return dephasing_rate_hz * scheduled(schedule, transition_s, t_s, &ScheduleEntry::decoherence);
}

ModelParams FieldParams::population_model(std::size_t j) const {
  ModelParams m = model;
  if (populations.empty()) return m;
  const PopulationParams& pop = populations.at(j);
  m.D = pop.D;
  m.harmonic_omega = pop.harmonic_omega;
  m.population = static_cast<uint32_t>(j);
  return m;
}

InitialParams FieldParams::population_initial(std::size_t j) const {
  InitialParams init = initial;
  if (populations.empty()) return init;
  init.center = populations.at(j).initial_center;
  init.seed = initial.seed + static_cast<uint32_t>(j);
  return init;
}

uint64_t FieldParams::steps_per_sample() const {
  const double k = 1.0 / (readout.fs_hz * time.dt * time.time_unit_s);
  return static_cast<uint64_t>(std::llround(k));
}

}  // namespace qneuro::field
