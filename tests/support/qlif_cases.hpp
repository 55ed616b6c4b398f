// The QLIF parameter cases every backend is checked on: each mode, each quantum map, several
// measurement shots, each neuromodulation mode (with a modulation signal), the exact integrator
// and the compat preset. Shared by the CPU kernel's tests (tests/unit/snn) and the CUDA checks
// (tests/cuda), which must see the same list.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

#include "qneuro/snn/params.hpp"

namespace qneuro::snn::test_cases {

struct QlifCase {
  const char* name;
  NeuronParams params;
  bool modulated;
};

/// n uniform values in [lo, hi) from mt19937(seed): inputs and modulation signals of the cases.
inline std::vector<float> random_values(std::size_t n, unsigned seed, float lo, float hi) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

inline std::vector<QlifCase> qlif_cases() {
  std::vector<QlifCase> out;
  NeuronParams p;
  p.mode = Mode::Deterministic;
  out.push_back({"deterministic", p, false});
  p = NeuronParams{};
  p.mode = Mode::Stochastic;
  p.allow_dynamic_spike_probability = false;
  out.push_back({"stochastic_static", p, false});
  p.allow_dynamic_spike_probability = true;
  out.push_back({"stochastic_dynamic", p, false});
  for (QuantumMap map : {QuantumMap::Sigmoid, QuantumMap::Tanh, QuantumMap::Linear}) {
    p = NeuronParams{};
    p.quantum_map = map;
    const Calibration c = calibrate(0.05, 0.3, map);
    p.q_bias = c.q_bias;
    p.q_scale = c.q_scale;
    out.push_back({map == QuantumMap::Sigmoid ? "quantum_sigmoid"
                   : map == QuantumMap::Tanh  ? "quantum_tanh"
                                              : "quantum_linear",
                   p, false});
  }
  p = NeuronParams{};
  p.quantum_shots = 5;
  out.push_back({"quantum_5_shots", p, false});
  for (NeuromodMode nm : {NeuromodMode::Gain, NeuromodMode::Threshold, NeuromodMode::ProbSlope}) {
    p = NeuronParams{};
    p.neuromod_mode = nm;
    out.push_back({nm == NeuromodMode::Gain        ? "neuromod_gain"
                   : nm == NeuromodMode::Threshold ? "neuromod_threshold"
                                                   : "neuromod_prob_slope",
                   p, true});
  }
  p = NeuronParams{};
  p.integrator = Integrator::Exact;
  out.push_back({"exact_integrator", p, false});
  out.push_back({"compat", compat_params(), false});
  p = compat_params();
  p.mode = Mode::Stochastic;
  out.push_back({"compat_stochastic", p, true});
  return out;
}

}  // namespace qneuro::snn::test_cases
