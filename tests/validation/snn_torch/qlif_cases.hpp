// The configurations every gradient test runs: each mode, surrogate, quantum map, neuromodulation
// mode and the compat presets, with small shapes and inputs away from the clamps' corners.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "qneuro/snn/params.hpp"
#include "qneuro/snn/torch/qlif_layer.hpp"

namespace qneuro::snn::testing {

struct Case {
  std::string name;
  NeuronParams params;
  bool modulation = false;
};
inline void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

inline std::vector<Case> all_cases() {
  std::vector<Case> cases;
  auto add = [&](std::string name, NeuronParams p, bool mod = false) {
    cases.push_back({std::move(name), p, mod});
  };
  NeuronParams det;
  det.mode = Mode::Deterministic;
  for (auto s :
       {Surrogate::Heaviside, Surrogate::FastSigmoid, Surrogate::Gaussian, Surrogate::Arctan}) {
    NeuronParams p = det;
    p.surrogate = s;
    p.alpha = 0.8;
    add("deterministic_" + to_string(s), p);
  }
  NeuronParams det_exact = det;
  det_exact.integrator = Integrator::Exact;
  det_exact.surrogate = Surrogate::FastSigmoid;
  add("deterministic_exact_integrator", det_exact);
  NeuronParams sto;
  sto.mode = Mode::Stochastic;
  add("stochastic_dynamic", sto);
  NeuronParams sto_static = sto;
  sto_static.allow_dynamic_spike_probability = false;
  add("stochastic_static", sto_static);
  for (auto map : {QuantumMap::Sigmoid, QuantumMap::Tanh, QuantumMap::Linear}) {
    NeuronParams q;
    q.mode = Mode::Quantum;
    q.quantum_map = map;
    if (map == QuantumMap::Linear) q.q_bias = 1.2;  // inside (0, pi)
    if (map == QuantumMap::Tanh) q.q_bias = 0.6;
    add("quantum_" + to_string(map), q);
  }
  NeuronParams shots;
  shots.mode = Mode::Quantum;
  shots.quantum_shots = 3;
  add("quantum_three_shots", shots);
  for (auto nm : {NeuromodMode::Gain, NeuromodMode::Threshold, NeuromodMode::ProbSlope}) {
    NeuronParams q;
    q.mode = nm == NeuromodMode::Threshold ? Mode::Deterministic : Mode::Quantum;
    q.surrogate = Surrogate::Arctan;
    q.neuromod_mode = nm;
    q.neuromod_strength = 0.4;
    add("modulated_" + to_string(nm), q, true);
  }
  NeuronParams sto_mod = sto;
  sto_mod.neuromod_mode = NeuromodMode::ProbSlope;
  sto_mod.neuromod_strength = 0.4;
  add("modulated_stochastic_prob_slope", sto_mod, true);
  NeuronParams compat_q = compat_params();
  compat_q.mode = Mode::Quantum;
  compat_q.quantum_map = QuantumMap::Tanh;
  add("compat_quantum", compat_q);
  NeuronParams compat_s = compat_params();
  compat_s.mode = Mode::Stochastic;
  add("compat_stochastic", compat_s);
  NeuronParams persist = compat_params();
  persist.mode = Mode::Quantum;
  persist.neuromod_mode = NeuromodMode::Gain;
  persist.neuromod_strength = 0.3;
  add("compat_quantum_modulated", persist, true);
  return cases;
}

/// Every parameter learnable, so that each gets a gradient to check.
inline QLIFOptions all_learnable(const NeuronParams& p, int64_t N, uint32_t seed = 7) {
  return QLIFOptions(N)
      .params(p)
      .learnable_threshold(true)
      .learnable_tau(true)
      .learnable_eta(true)
      .learnable_qscale(true)
      .learnable_qbias(true)
      .seed(seed);
}

}  // namespace qneuro::snn::testing
