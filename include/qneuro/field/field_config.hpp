// The `qneuro field` configuration: schema (every key with unit, default, range and meaning;
// docs/field.md is generated from the same table and checked by a test), presets, and the
// conversion to FieldParams with the cross-key checks that a schema cannot express (boundary
// names, an integer number of steps per readout sample, memory, resolution, the solver's
// requirements). Every failure is a ConfigError naming the key, the value and what is allowed.
#pragma once

#include <cstdint>

#include "qneuro/core/config.hpp"
#include "qneuro/field/params.hpp"

namespace qneuro::field {

/// Schema of `qneuro field`; presets demo (the default), seed, linear, test.
const config::Schema& field_schema();

/// The default preset name ("demo").
inline constexpr const char* kDefaultFieldPreset = "demo";

/// Typed, validated parameters. `available_memory_bytes` bounds the grid (0 = read from the OS).
FieldParams params_from_config(const config::Config& cfg, uint64_t available_memory_bytes = 0);

/// Bytes the run will hold: the state, the potential buffers, and the recorded outputs.
uint64_t estimated_memory_bytes(const FieldParams& params);

}  // namespace qneuro::field
