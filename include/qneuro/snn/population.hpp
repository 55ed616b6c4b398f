// A population of QLIF neurons simulated over whole input sequences (DESIGN.md §5).
//
// run() takes an input current of shape (T, B, N) (row-major, float) and an optional modulation
// signal of shape (T, B or 1, N or 1), and advances every neuron T steps with qlif_step (the time
// loop runs inside the neuron loop, so a neuron's state stays in registers). State is carried
// between calls; reset() returns every neuron to its initial state and the clock to t = 0.
// Outputs: spikes (T, B, N) as bytes, and on request the voltage after reset and the traces
// p, D, A, E and Theta (T, B, N) as float.
//
// Random numbers (Philox4x32-10, core/rng.hpp). The neuron-step (t, b, n) belongs to the group
// g = t >> 2 of four consecutive steps and takes word q = t & 3 of the blocks
//   key (seed, SnnLayer0 + 1024 * block + layer), counter ((e << 32) | g, (b << 32) | (first_neuron
//   + n))
// with e the episode (0 here; the trainable layer counts its sequences, qlif_sequence.hpp):
//   block 0:      u0 = uniform01f(w[q])                 (stochastic spike / first measurement)
//   block 1:      membrane noise, Box-Muller on (w0, w1) for q = 0, 1 and (w2, w3) for q = 2, 3:
//                 xi = sqrt(-2 ln u_a) (cos | sin)(2 pi u_b), cos for even q, sin for odd q
//   block 1 + k:  u_k = uniform01f(w[q]) for the extra measurement shots k = 1..K-1
// with uniform01f(w) = ((w >> 9) + 0.5) 2^-23 in (0, 1). One Philox call thus serves four steps.
// t is the absolute step since the last reset, and first_neuron the population's offset in a
// larger population, so results do not depend on threads, on how many calls a sequence is cut
// into, or on how a population is split into parts.
//
// The kernel: neurons are processed in blocks of 256 contiguous n per batch row; a block's state
// (structure of arrays) and random numbers stay in L1 while the time loop runs over the block,
// and each step of a block is one vectorised loop over its lanes calling qlif_advance (built
// for AVX-512, AVX2 and baseline x86-64 by target clones; no FMA contraction, so every clone and
// the scalar qlif_step give the same bits). Denormals are flushed to zero inside the kernel.
//
// Device::Cuda (docs/gpu.md) runs the same update on a GPU: the states stay on the device
// between calls, inputs and outputs stream through it in chunks, and the results equal the CPU
// kernel's bit for bit (the same code and random numbers; core/hd.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "qneuro/core/device.hpp"
#include "qneuro/core/huge_pages.hpp"
#include "qneuro/snn/params.hpp"
#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn {

/// (T, B, N) arrays live in huge pages (core/huge_pages.hpp): faulting in 500 MB of outputs page
/// by page cost 1.8 s on the project's VM, five times the kernel that fills them.
struct RunOutput {
  std::size_t T = 0, B = 0, N = 0;
  HugePageVector<uint8_t> spikes;           ///< (T, B, N)
  HugePageVector<float> voltage;            ///< (T, B, N) if recorded
  HugePageVector<float> p, D, A, E, Theta;  ///< (T, B, N) each, if traces are recorded
};

/// Caller-owned output buffers for run_into(): spikes is required (T B N bytes); the others may
/// be empty (not recorded) or hold T B N floats.
struct RunViews {
  std::span<uint8_t> spikes;
  std::span<float> voltage, p, D, A, E, Theta;
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

/// Draws the random numbers of one neuron-step (see the header comment); `episode` is the
/// trainable layer's sequence counter (0 for a Population).
void draw_step_randoms(uint32_t seed, uint32_t layer, uint64_t t, uint64_t b, uint64_t neuron,
                       int shots, float& xi, float* u, uint64_t episode = 0);

namespace device {
class QlifRunner;
}

class Population {
 public:
  /// Validates `params` (InputError naming the parameter); Device::Cuda needs a usable GPU
  /// (InputError saying why not, core/device.hpp).
  Population(NeuronParams params, std::size_t neurons, uint32_t seed, uint32_t layer = 0,
             std::size_t first_neuron = 0, Device device = Device::Cpu);
  ~Population();
  Population(Population&&) noexcept;
  Population& operator=(Population&&) noexcept;
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  /// Simulates T steps of a (T, B, N) input. The batch size is fixed by the first call after
  /// construction or reset(); a different B (or a wrong input size) throws InputError.
  RunOutput run(std::span<const float> input, std::size_t T, std::size_t B,
                const Modulation* modulation = nullptr, const RunOptions& options = {});
  /// As run(), into caller-owned buffers (no allocation, for benchmarks and streaming drivers):
  /// voltage and traces are recorded when their views are non-empty (options' record flags are
  /// ignored). Throws InputError for views of the wrong size.
  void run_into(std::span<const float> input, std::size_t T, std::size_t B,
                const Modulation* modulation, const RunViews& out, bool training = true);
  void reset();

  [[nodiscard]] std::size_t neurons() const { return N_; }
  [[nodiscard]] std::size_t batch() const { return B_; }
  [[nodiscard]] uint64_t time() const { return t_; }
  [[nodiscard]] const NeuronParams& params() const { return params_; }
  [[nodiscard]] Device device() const { return device_; }
  /// State of neuron n in batch b (for tests and checkpoints; on a GPU, copied back first).
  [[nodiscard]] const NeuronState<float>& state(std::size_t b, std::size_t n) const;
  /// Device::Cuda: device bytes per buffer set of the streamed chunks (0 = automatic); tests
  /// set it small to cut a run into many chunks.
  void set_device_chunk_bytes(std::size_t bytes);

 private:
  void check_input(std::span<const float> input, std::size_t T, std::size_t B,
                   const Modulation* modulation) const;

  NeuronParams params_;
  StepConstants<float> constants_;
  std::size_t N_;
  uint32_t seed_, layer_;
  std::size_t first_;
  std::size_t B_ = 0;
  uint64_t t_ = 0;
  mutable HugePageVector<NeuronState<float>> states_;  ///< huge pages: first touch of 36 B x B N
  Device device_ = Device::Cpu;
  std::unique_ptr<device::QlifRunner> gpu_;
  mutable bool states_on_device_ = false;  ///< states_ is stale; the runner holds the state
};

}  // namespace qneuro::snn
