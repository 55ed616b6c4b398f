// A population of QLIF neurons simulated over whole input sequences (DESIGN.md §5).
//
// run() takes an input current of shape (T, B, N) (row-major, float) and an optional modulation
// signal of shape (T, B or 1, N or 1), and advances every neuron T steps with qlif_step (the time
// loop runs inside the neuron loop, so a neuron's state stays in registers). State is carried
// between calls; reset() returns every neuron to its initial state and the clock to t = 0.
// Outputs: spikes (T, B, N) as bytes, and on request the voltage after reset and the traces
// p, D, A, E and Theta (T, B, N) as float.
//
// Random numbers (Philox4x32-10, core/rng.hpp): for the neuron-step (t, b, n) the words at
// key (seed, SnnLayer0 + layer), counter (t, (b << 32) | (first_neuron + n)) give
//   xi = sqrt(-2 ln u0) cos(2 pi u1) (membrane noise), u[0] = u2 and u[1] = u3 (spike uniforms),
// with u_i = uniform01f(word i); further shots use blocks SnnLayer0 + 1024 k + layer. t is the
// absolute step since the last reset, and first_neuron the population's offset in a larger
// population, so results do not depend on threads, on how many calls a sequence is cut into,
// or on how a population is split into parts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "qneuro/snn/params.hpp"
#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn {

struct RunOutput {
  std::size_t T = 0, B = 0, N = 0;
  std::vector<uint8_t> spikes;           ///< (T, B, N)
  std::vector<float> voltage;            ///< (T, B, N) if recorded
  std::vector<float> p, D, A, E, Theta;  ///< (T, B, N) each, if traces are recorded
};

struct RunOptions {
  bool record_voltage = false;
  bool record_traces = false;
  bool training = true;  ///< see CompatSwitches::eval_threshold_half
};

/// A modulation signal (T, Bm, Nm) with Bm in {1, B} and Nm in {1, N}.
struct Modulation {
  std::span<const float> values;
  std::size_t B = 1, N = 1;
};

/// Draws the random numbers of one neuron-step (see the header comment).
void draw_step_randoms(uint32_t seed, uint32_t layer, uint64_t t, uint64_t b, uint64_t neuron,
                       int shots, float& xi, float* u);

class Population {
 public:
  /// Validates `params` (InputError naming the parameter).
  Population(NeuronParams params, std::size_t neurons, uint32_t seed, uint32_t layer = 0,
             std::size_t first_neuron = 0);

  /// Simulates T steps of a (T, B, N) input. The batch size is fixed by the first call after
  /// construction or reset(); a different B (or a wrong input size) throws InputError.
  RunOutput run(std::span<const float> input, std::size_t T, std::size_t B,
                const Modulation* modulation = nullptr, const RunOptions& options = {});
  void reset();

  [[nodiscard]] std::size_t neurons() const { return N_; }
  [[nodiscard]] std::size_t batch() const { return B_; }
  [[nodiscard]] uint64_t time() const { return t_; }
  [[nodiscard]] const NeuronParams& params() const { return params_; }
  /// State of neuron n in batch b (for tests and checkpoints).
  [[nodiscard]] const NeuronState<float>& state(std::size_t b, std::size_t n) const {
    return states_[b * N_ + n];
  }

 private:
  NeuronParams params_;
  StepConstants<float> constants_;
  std::size_t N_;
  uint32_t seed_, layer_;
  std::size_t first_;
  std::size_t B_ = 0;
  uint64_t t_ = 0;
  std::vector<NeuronState<float>> states_;
};

}  // namespace qneuro::snn
