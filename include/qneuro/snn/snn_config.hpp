// The `qneuro snn` configuration: schema (every key with unit, default, range and meaning;
// docs/snn.md carries the generated table, checked by a test), presets, and the conversion to
// typed run parameters with the cross-key checks a schema cannot express. Every failure is a
// ConfigError naming the key, the value and what is allowed (exit code 2).
#pragma once

#include <cstdint>
#include <string>

#include "qneuro/core/config.hpp"
#include "qneuro/snn/inputs.hpp"
#include "qneuro/snn/params.hpp"

namespace qneuro::snn {

/// Adds the neuron model's keys (neuron.*, mode, quantum.*, neuromod.mode/strength, compat.*)
/// to a schema: `qneuro snn` and `qneuro snn train` share them.
void add_neuron_keys(config::Schema& s);
/// NeuronParams from those keys, with calibration (quantum.p0/slope) and the cross-key checks.
NeuronParams neuron_params_from_config(const config::Config& cfg);

/// Schema of `qneuro snn`; presets default, compat, deterministic, stochastic, test.
const config::Schema& snn_schema();

inline constexpr const char* kDefaultSnnPreset = "default";

/// Neuromodulation signal fed to the population (T, 1, 1): none, constant level, or a sinusoid
/// level + amplitude sin(2 pi f t).
struct ModulationSpec {
  std::string signal = "none";
  double level = 0.0, amplitude = 1.0, freq_hz = 1.0;
};

struct SnnRunParams {
  NeuronParams neuron;
  std::size_t neurons = 1000, batch = 1, steps = 1000;
  uint32_t seed = 1;
  double time_unit_ms = 1.0;  ///< milliseconds per model time unit (sets the LFP sampling rate)
  InputSpec input;
  ModulationSpec modulation;
  bool record_voltage = true, record_traces = false;
  bool training = true;  ///< train()/eval() semantics for CompatSwitches::eval_threshold_half

  /// Sampling rate of the recorded per-step signals: 1000 / (dt * time_unit_ms) Hz.
  [[nodiscard]] double fs_hz() const { return 1000.0 / (neuron.dt * time_unit_ms); }
};

/// Typed, validated parameters (ConfigError naming the key on failure).
SnnRunParams snn_params_from_config(const config::Config& cfg);

/// Bytes the run will hold: input, spikes, recorded voltage and traces.
uint64_t snn_memory_bytes(const SnnRunParams& p);

}  // namespace qneuro::snn
