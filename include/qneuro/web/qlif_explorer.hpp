// The dashboard's QLIF explorer: its controls (every key of the snn schema that changes a
// simulation, grouped, with slider ranges and the settings under which each acts) and one
// in-memory simulation per request, packed for plotting (docs/dev/dashboard-api.md).
#pragma once

#include <nlohmann/json.hpp>

namespace qneuro::web {

/// Neuron-steps one explorer request may simulate (voltage and the five traces are recorded:
/// 28 bytes per neuron-step).
inline constexpr double kMaxExplorerNeuronSteps = 4e6;

/// GET /api/qlif/controls.
nlohmann::json qlif_controls();

/// POST /api/qlif: {preset, set, show} -> the plotted data. ConfigError (naming the key) for bad
/// keys or values; HttpError 400 for a bad body, a run too large, or shown neurons out of range.
nlohmann::json qlif_run(const nlohmann::json& request);

}  // namespace qneuro::web
