// The `qneuro snn` configuration: schema (every key with unit, default, range and meaning;
// docs/snn.md carries the generated table, checked by a test), presets, and the conversion to
// typed run parameters with the cross-key checks a schema cannot express. Every failure is a
// ConfigError naming the key, the value and what is allowed (exit code 2).
#pragma once

#include <cstdint>
#include <string>

#include "qneuro/core/config.hpp"
#include "qneuro/core/config_bindings.hpp"
#include "qneuro/core/device.hpp"
#include "qneuro/snn/inputs.hpp"
#include "qneuro/snn/params.hpp"

namespace qneuro::snn {
/// The neuromodulation signal of a run: none, a constant level, or level + amplitude sin(2 pi f t).
enum class ModulationSignal { None, Constant, Sine };
}  // namespace qneuro::snn

template <>
inline constexpr std::array qneuro::enum_names<qneuro::snn::ModulationSignal>{
    qneuro::EnumName{qneuro::snn::ModulationSignal::None, "none"},
    qneuro::EnumName{qneuro::snn::ModulationSignal::Constant, "constant"},
    qneuro::EnumName{qneuro::snn::ModulationSignal::Sine, "sine"}};

namespace qneuro::snn {

/// Binds the neuron model's keys (neuron.*, mode, quantum.*, neuromod.mode/strength, compat.*)
/// to P::neuron (a NeuronParams): `qneuro snn` (SnnRunParams) and `qneuro snn train`
/// (TrainParams) share them. Also declares quantum.p0 and quantum.slope.
template <typename P>
void bind_neuron_keys(config::BoundSchema<P>& b);
/// After reading those keys: calibration from quantum.p0/slope and the cross-key checks
/// (ConfigError naming the key).
void finish_neuron_params(const config::Config& cfg, NeuronParams& p);

/// Schema of `qneuro snn`; presets default, compat, deterministic, stochastic, test.
const config::Schema& snn_schema();

inline constexpr const char* kDefaultSnnPreset = "default";

/// Neuromodulation signal fed to the population (T, 1, 1): none, constant level, or a sinusoid
/// level + amplitude sin(2 pi f t).
struct ModulationSpec {
  ModulationSignal signal = ModulationSignal::None;
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
  Device device = Device::Cpu;  ///< where the population runs (docs/gpu.md)

  /// Sampling rate of the recorded per-step signals: 1000 / (dt * time_unit_ms) Hz.
  [[nodiscard]] double fs_hz() const { return 1000.0 / (neuron.dt * time_unit_ms); }
};

/// Typed, validated parameters (ConfigError naming the key on failure).
SnnRunParams snn_params_from_config(const config::Config& cfg);

/// Bytes the run will hold: input, spikes, recorded voltage and traces.
uint64_t snn_memory_bytes(const SnnRunParams& p);

}  // namespace qneuro::snn
