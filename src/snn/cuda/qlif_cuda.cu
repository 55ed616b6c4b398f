// The CUDA backend of Population (qlif_device.hpp; docs/gpu.md).
//
// Kernel: one thread per neuron (b, n), flattened i = b N + n, 256 threads per block; the
// thread loads its state (structure of arrays, coalesced), runs the whole time loop of
// qlif_neuron_sequence (the same code as the CPU reference, core/hd.hpp) with the state in
// registers, and stores it back. Step t of neighbouring threads writes neighbouring addresses
// (t B N + i), so every output store is coalesced; one Philox call per stream serves four steps.
//
// Host streaming (run_host): T is cut into chunks whose device buffers fit a byte budget; two
// buffer sets alternate on two streams. Chunk k's input copy and output copies run on its own
// stream while chunk k - 1's kernel runs on the other; the kernels are serialised by events
// (each needs the state the previous one left). Host arrays are staged through pinned buffers,
// copied by several threads, so the PCIe copies run at full speed from pageable user memory.
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../qlif_device.hpp"
#include "qneuro/core/error.hpp"

namespace qneuro::snn::device {

namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    throw RuntimeError(std::string("CUDA (QLIF): ") + what + ": " + cudaGetErrorString(err));
  }
}

constexpr int kThreads = 256;
constexpr int kStateArrays = 9;  // V, A, E, H, R, D, Theta, m, s_prev

struct DeviceState {
  float* v[kStateArrays] = {};
};

__device__ __forceinline__ NeuronState<float> load_state(const DeviceState& s, std::size_t i) {
  NeuronState<float> st;
  st.V = s.v[0][i];
  st.A = s.v[1][i];
  st.E = s.v[2][i];
  st.H = s.v[3][i];
  st.R = s.v[4][i];
  st.D = s.v[5][i];
  st.Theta = s.v[6][i];
  st.m = s.v[7][i];
  st.s_prev = s.v[8][i];
  return st;
}

__device__ __forceinline__ void store_state(const DeviceState& s, std::size_t i,
                                            const NeuronState<float>& st) {
  s.v[0][i] = st.V;
  s.v[1][i] = st.A;
  s.v[2][i] = st.E;
  s.v[3][i] = st.H;
  s.v[4][i] = st.R;
  s.v[5][i] = st.D;
  s.v[6][i] = st.Theta;
  s.v[7][i] = st.m;
  s.v[8][i] = st.s_prev;
}

template <Mode M, QuantumMap Map, bool HasMod, bool MultiShot>
__global__ void __launch_bounds__(kThreads)
    qlif_sequence_kernel(const StepConstants<float> c, const NeuronSequenceArgs a,
                         const DeviceState s) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= a.B * a.N) return;
  NeuronState<float> st = load_state(s, i);
  qlif_neuron_sequence<M, Map, HasMod, MultiShot>(c, a, i / a.N, i % a.N, st);
  store_state(s, i, st);
}

__global__ void fill_kernel(float* p, std::size_t n, float value) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) p[i] = value;
}

unsigned grid_for(std::size_t n) {
  return static_cast<unsigned>((n + kThreads - 1) / kThreads);
}

void launch(const StepConstants<float>& c, const NeuronSequenceArgs& a, const DeviceState& s,
            cudaStream_t stream) {
  const std::size_t total = a.B * a.N;
  dispatch_neuron_sequence(c, a.mod != nullptr,
                           [&]<Mode M, QuantumMap Map, bool HasMod, bool MultiShot>() {
                             qlif_sequence_kernel<M, Map, HasMod, MultiShot>
                                 <<<grid_for(total), kThreads, 0, stream>>>(c, a, s);
                           });
  check(cudaGetLastError(), "kernel launch");
}

/// memcpy by up to 8 threads for large blocks (pinned <-> pageable staging).
void host_copy(void* dst, const void* src, std::size_t bytes) {
  constexpr std::size_t kPerThread = std::size_t{32} << 20;
  const std::size_t parts = std::min<std::size_t>(8, std::max<std::size_t>(1, bytes / kPerThread));
  if (parts == 1) {
    std::memcpy(dst, src, bytes);
    return;
  }
  std::vector<std::thread> threads;
  const std::size_t step = (bytes + parts - 1) / parts;
  for (std::size_t k = 0; k < parts; ++k) {
    const std::size_t at = k * step;
    if (at >= bytes) break;
    const std::size_t len = std::min(step, bytes - at);
    threads.emplace_back([=] {
      std::memcpy(static_cast<char*>(dst) + at, static_cast<const char*>(src) + at, len);
    });
  }
  for (auto& t : threads) t.join();
}

/// A device buffer and its pinned host twin, grown on demand.
struct Staged {
  void* dev = nullptr;
  void* host = nullptr;
  std::size_t capacity = 0;
  void ensure(std::size_t bytes) {
    if (bytes <= capacity) return;
    release();
    check(cudaMalloc(&dev, bytes), "cudaMalloc (chunk buffer)");
    check(cudaMallocHost(&host, bytes), "cudaMallocHost (pinned staging buffer)");
    capacity = bytes;
  }
  void release() {
    if (dev != nullptr) cudaFree(dev);
    if (host != nullptr) cudaFreeHost(host);
    dev = host = nullptr;
    capacity = 0;
  }
};

// The recorded outputs in a fixed order: spikes (bytes), then the float arrays.
constexpr int kOutputs = 7;  // spikes, voltage, p, D, A, E, Theta

struct BufferSet {
  cudaStream_t stream = nullptr;
  cudaEvent_t kernel_start = nullptr, kernel_done = nullptr;
  Staged input, mod;
  std::array<Staged, kOutputs> out;
  // the chunk whose outputs are in flight: copied to the user's arrays by finish()
  bool pending = false;
  std::size_t t = 0, len = 0;
};

class CudaQlifRunner final : public QlifRunner {
 public:
  CudaQlifRunner(const StepConstants<float>& c, std::size_t N, uint32_t seed, uint32_t layer,
                 uint64_t first)
      : c_(c), N_(N), seed_(seed), layer_(layer), first_(first) {
    for (BufferSet& set : sets_) {
      check(cudaStreamCreateWithFlags(&set.stream, cudaStreamNonBlocking), "cudaStreamCreate");
      check(cudaEventCreate(&set.kernel_start), "cudaEventCreate");
      check(cudaEventCreate(&set.kernel_done), "cudaEventCreate");
    }
  }
  ~CudaQlifRunner() override {
    for (BufferSet& set : sets_) {
      if (set.stream != nullptr) cudaStreamSynchronize(set.stream);
      set.input.release();
      set.mod.release();
      for (Staged& o : set.out) o.release();
      cudaEventDestroy(set.kernel_start);
      cudaEventDestroy(set.kernel_done);
      cudaStreamDestroy(set.stream);
    }
    free_state();
    if (const_input_ != nullptr) cudaFree(const_input_);
  }

  void reset(std::size_t B, const NeuronState<float>& initial) override {
    free_state();
    B_ = B;
    const std::size_t n = B * N_;
    const float values[kStateArrays] = {initial.V,     initial.A, initial.E,
                                        initial.H,     initial.R, initial.D,
                                        initial.Theta, initial.m, initial.s_prev};
    for (int k = 0; k < kStateArrays; ++k) {
      check(cudaMalloc(&state_.v[k], n * sizeof(float)), "cudaMalloc (neuron state)");
      fill_kernel<<<grid_for(n), kThreads>>>(state_.v[k], n, values[k]);
    }
    check(cudaGetLastError(), "state initialisation");
    check(cudaDeviceSynchronize(), "state initialisation");
  }

  void run_host(const HostRun& run) override {
    const auto wall0 = std::chrono::steady_clock::now();
    timings_ = {};
    const std::size_t BN = B_ * N_;
    std::array<void*, kOutputs> user{};  // the user's arrays: spikes, then the floats
    user[0] = run.out.spikes.empty() ? nullptr : run.out.spikes.data();
    const std::array<std::span<float>, kOutputs - 1> floats = {
        run.out.voltage, run.out.p, run.out.D, run.out.A, run.out.E, run.out.Theta};
    for (int k = 1; k < kOutputs; ++k) {
      user[k] = floats[k - 1].empty() ? nullptr : floats[k - 1].data();
    }
    auto out_bytes = [&](int k) { return k == 0 ? std::size_t{1} : sizeof(float); };
    std::size_t per_step = 0;
    for (int k = 0; k < kOutputs; ++k) {
      if (user[k] != nullptr) per_step += BN * out_bytes(k);
    }
    const float* d_const = nullptr;
    if (run.input_constant) {
      if (const_input_ != nullptr) cudaFree(const_input_);
      check(cudaMalloc(&const_input_, BN * sizeof(float)), "cudaMalloc (input)");
      check(cudaMemcpy(const_input_, run.input, BN * sizeof(float), cudaMemcpyHostToDevice),
            "copy of the input");
      d_const = const_input_;
    } else {
      per_step += BN * sizeof(float);
    }
    const Modulation* mod = run.modulation;
    const std::size_t mod_step = mod != nullptr ? mod->B * mod->N : 0;
    per_step += mod_step * sizeof(float);
    const std::size_t budget = chunk_budget();
    const std::size_t chunk = std::clamp<std::size_t>(budget / std::max<std::size_t>(1, per_step),
                                                      1, std::max<std::size_t>(1, run.T));
    timings_.chunk_steps = chunk;

    float kernel_ms_total = 0;
    auto finish = [&](BufferSet& set) {
      if (!set.pending) return;
      check(cudaStreamSynchronize(set.stream), "QLIF chunk");
      float ms = 0;
      check(cudaEventElapsedTime(&ms, set.kernel_start, set.kernel_done), "event timing");
      kernel_ms_total += ms;
      for (int k = 0; k < kOutputs; ++k) {
        if (user[k] == nullptr) continue;
        const std::size_t bytes = set.len * BN * out_bytes(k);
        host_copy(static_cast<char*>(user[k]) + set.t * BN * out_bytes(k), set.out[k].host, bytes);
      }
      set.pending = false;
    };

    std::size_t index = 0;
    for (std::size_t t = 0; t < run.T; t += chunk, ++index) {
      BufferSet& set = sets_[index & 1];
      BufferSet& other = sets_[(index + 1) & 1];
      finish(set);  // its buffers are free again (and its outputs delivered)
      const std::size_t len = std::min(chunk, run.T - t);
      NeuronSequenceArgs a = base_args();
      a.T = len;
      a.t0 = run.t0 + t;
      a.training = run.training;
      if (run.input_constant) {
        a.input = d_const;
        a.input_t_stride = 0;
      } else {
        const std::size_t bytes = len * BN * sizeof(float);
        set.input.ensure(chunk * BN * sizeof(float));
        host_copy(set.input.host, run.input + t * BN, bytes);
        check(cudaMemcpyAsync(set.input.dev, set.input.host, bytes, cudaMemcpyHostToDevice,
                              set.stream),
              "input copy");
        a.input = static_cast<const float*>(set.input.dev);
        a.input_t_stride = BN;
      }
      if (mod != nullptr) {
        const std::size_t bytes = len * mod_step * sizeof(float);
        set.mod.ensure(chunk * mod_step * sizeof(float));
        std::memcpy(set.mod.host, mod->values.data() + t * mod_step, bytes);
        check(cudaMemcpyAsync(set.mod.dev, set.mod.host, bytes, cudaMemcpyHostToDevice, set.stream),
              "modulation copy");
        a.mod = static_cast<const float*>(set.mod.dev);
        a.mod_B = mod->B;
        a.mod_N = mod->N;
      }
      for (int k = 0; k < kOutputs; ++k) {
        if (user[k] == nullptr) continue;
        set.out[k].ensure(chunk * BN * out_bytes(k));
      }
      a.spikes = static_cast<uint8_t*>(user[0] != nullptr ? set.out[0].dev : nullptr);
      float** dst[kOutputs - 1] = {&a.voltage, &a.p, &a.D, &a.A, &a.E, &a.Theta};
      for (int k = 1; k < kOutputs; ++k) {
        *dst[k - 1] = user[k] != nullptr ? static_cast<float*>(set.out[k].dev) : nullptr;
      }
      if (index > 0) {
        check(cudaStreamWaitEvent(set.stream, other.kernel_done, 0), "stream ordering");
      }
      check(cudaEventRecord(set.kernel_start, set.stream), "event");
      launch(c_, a, state_, set.stream);
      check(cudaEventRecord(set.kernel_done, set.stream), "event");
      for (int k = 0; k < kOutputs; ++k) {
        if (user[k] == nullptr) continue;
        check(cudaMemcpyAsync(set.out[k].host, set.out[k].dev, len * BN * out_bytes(k),
                              cudaMemcpyDeviceToHost, set.stream),
              "output copy");
      }
      set.pending = true;
      set.t = t;
      set.len = len;
      // Deliver the previous chunk while this one computes.
      finish(other);
    }
    for (std::size_t k = 0; k < 2; ++k) finish(sets_[(index + k) & 1]);
    timings_.chunks = index;
    timings_.kernel = kernel_ms_total * 1e-3;
    timings_.total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  }

  void run_device(NeuronSequenceArgs args) override {
    const auto wall0 = std::chrono::steady_clock::now();
    timings_ = {};
    const NeuronSequenceArgs base = base_args();
    args.B = base.B;
    args.N = base.N;
    args.seed = base.seed;
    args.layer = base.layer;
    args.first_neuron = base.first_neuron;
    BufferSet& set = sets_[0];
    check(cudaEventRecord(set.kernel_start, set.stream), "event");
    launch(c_, args, state_, set.stream);
    check(cudaEventRecord(set.kernel_done, set.stream), "event");
    check(cudaStreamSynchronize(set.stream), "QLIF kernel");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, set.kernel_start, set.kernel_done), "event timing");
    timings_.kernel = ms * 1e-3;
    timings_.chunks = 1;
    timings_.chunk_steps = args.T;
    timings_.total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  }

  void download_states(NeuronState<float>* host) override {
    const std::size_t n = B_ * N_;
    std::vector<float> buf(n);
    for (int k = 0; k < kStateArrays; ++k) {
      check(cudaMemcpy(buf.data(), state_.v[k], n * sizeof(float), cudaMemcpyDeviceToHost),
            "state download");
      for (std::size_t i = 0; i < n; ++i) {
        float* fields[kStateArrays] = {&host[i].V,     &host[i].A, &host[i].E,
                                       &host[i].H,     &host[i].R, &host[i].D,
                                       &host[i].Theta, &host[i].m, &host[i].s_prev};
        *fields[k] = buf[i];
      }
    }
  }

  void set_chunk_bytes(std::size_t bytes) override { chunk_bytes_ = bytes; }
  [[nodiscard]] RunTimings timings() const override { return timings_; }

 private:
  NeuronSequenceArgs base_args() const {
    NeuronSequenceArgs a;
    a.B = B_;
    a.N = N_;
    a.seed = seed_;
    a.layer = layer_;
    a.first_neuron = first_;
    return a;
  }
  std::size_t chunk_budget() const {
    if (chunk_bytes_ != 0) return chunk_bytes_;
    std::size_t free_bytes = 0, total = 0;
    check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    return std::min<std::size_t>(free_bytes / 8, std::size_t{1} << 30);
  }
  void free_state() {
    for (float*& p : state_.v) {
      if (p != nullptr) cudaFree(p);
      p = nullptr;
    }
  }

  StepConstants<float> c_;
  std::size_t N_, B_ = 0;
  uint32_t seed_, layer_;
  uint64_t first_;
  DeviceState state_;
  std::array<BufferSet, 2> sets_;
  float* const_input_ = nullptr;
  std::size_t chunk_bytes_ = 0;
  RunTimings timings_;
};

}  // namespace

std::unique_ptr<QlifRunner> make_cuda_runner(const StepConstants<float>& c, std::size_t N,
                                             uint32_t seed, uint32_t layer, uint64_t first_neuron) {
  return std::make_unique<CudaQlifRunner>(c, N, seed, layer, first_neuron);
}

}  // namespace qneuro::snn::device
