#include "qneuro/field/params.hpp"

#include <cmath>

#include "qneuro/core/error.hpp"

namespace qneuro::field {

std::string to_string(Precision p) {
  switch (p) {
    case Precision::Double:
      return "double";
    case Precision::Float:
      return "float";
    case Precision::Mixed:
      return "mixed";
  }
  return "?";
}

std::string to_string(SolverKind s) {
  return s == SolverKind::Adi ? "adi" : "splitstep";
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
