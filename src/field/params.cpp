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
      {"wake", 0.0}, {"light", 0.3}, {"deep", 0.8}, {"rem", 0.2}};
  return states;
}

bool ModelParams::has_absorption() const {
  if (sponge_w0 == 0.0 || sponge_width == 0.0) return false;
  for (const auto& e : schedule) {
    if (e.alpha != 0.0) return true;
  }
  return false;
}

double ModelParams::alpha_at(double t_s) const {
  if (schedule.empty()) return 0.0;
  double alpha = schedule.front().alpha;
  for (std::size_t i = 1; i < schedule.size(); ++i) {
    const ScheduleEntry& e = schedule[i];
    if (t_s < e.start_s) break;
    const double prev = alpha;
    if (transition_s <= 0.0 || t_s >= e.start_s + transition_s) {
      alpha = e.alpha;
    } else {
      const double u = (t_s - e.start_s) / transition_s;
      const double s = u * u * (3.0 - 2.0 * u);  // smoothstep
      alpha = prev + (e.alpha - prev) * s;
    }
  }
  return alpha;
}

uint64_t FieldParams::steps_per_sample() const {
  const double k = 1.0 / (readout.fs_hz * time.dt * time.time_unit_s);
  return static_cast<uint64_t>(std::llround(k));
}

}  // namespace qneuro::field
