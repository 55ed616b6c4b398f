// The CUDA backend of Population (private; docs/gpu.md). Plain C++: no CUDA type appears here,
// so population.cpp compiles the same with and without CUDA; qlif_cuda.cu implements it, and
// qlif_device_stub.cpp (builds without CUDA) throws from make_cuda_runner.
//
// The runner keeps the B N neuron states on the device between calls (structure of arrays) and
// runs qlif_neuron_sequence (snn/qlif_neuron.hpp) with one thread per neuron. run_host streams
// a (T, B, N) host input and the host outputs through the device in chunks of T, double
// buffered (copies of one chunk overlap the kernel of the next), so a run larger than GPU memory
// works; run_device takes device pointers and runs one launch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "qneuro/snn/population.hpp"
#include "qneuro/snn/qlif_neuron.hpp"

namespace qneuro::snn::device {

struct HostRun {
  const float* input = nullptr;  ///< (T, B, N), or (B, N) held over T if input_constant
  bool input_constant = false;
  const Modulation* modulation = nullptr;  ///< (T, mod_B, mod_N) or null
  RunViews out;                            ///< host outputs (T, B, N); spikes may be empty
  std::size_t T = 0;
  uint64_t t0 = 0;
  bool training = true;
};

/// Timings of the last run_host / run_device call (seconds), for the benchmarks.
struct RunTimings {
  double kernel = 0;  ///< sum of the kernel times (CUDA events)
  double total = 0;   ///< wall time of the call
  std::size_t chunks = 0, chunk_steps = 0;
};

class QlifRunner {
 public:
  virtual ~QlifRunner() = default;
  /// (Re)allocates B N states on the device, all equal to `initial`.
  virtual void reset(std::size_t B, const NeuronState<float>& initial) = 0;
  virtual void run_host(const HostRun& run) = 0;
  /// `args` holds device pointers; seed, layer, first_neuron and B, N are the runner's.
  virtual void run_device(NeuronSequenceArgs args) = 0;
  virtual void download_states(NeuronState<float>* host) = 0;
  /// Device bytes per buffer set for run_host's chunks (0: automatic, about 1/8 of free memory,
  /// at most 1 GiB); tests set it small to force many chunks.
  virtual void set_chunk_bytes(std::size_t bytes) = 0;
  [[nodiscard]] virtual RunTimings timings() const = 0;
};

/// A runner for N neurons (per batch row) of a layer; throws RuntimeError when CUDA is missing.
std::unique_ptr<QlifRunner> make_cuda_runner(const StepConstants<float>& c, std::size_t N,
                                             uint32_t seed, uint32_t layer, uint64_t first_neuron);

}  // namespace qneuro::snn::device
