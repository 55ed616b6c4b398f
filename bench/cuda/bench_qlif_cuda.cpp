// QLIF on CUDA: kernel time and throughput against the device's own copy and write bandwidth,
// measured in the same run (docs/gpu.md). One JSON object per line on stdout:
//   probe       cudaMemcpy device-to-device (bytes read + written per second) and cudaMemset
//               (bytes written per second), best of 5
//   kernel      one run_device launch (outputs in device memory): kernel milliseconds (CUDA
//               events; best and median of the repeats), neuron-steps/s, the bytes it moves
//               and their fraction of the copy bandwidth
//   streamed    run_host: outputs streamed to host memory in chunks (wall time, GB/s to host)
// Sizes: --neurons (default 16,000,000), --steps (100), --repeats (5), --stream-neurons and
// --stream-steps for the run bigger than GPU memory (default 64,000,000 x 1,000, spikes only;
// scaled down to the host memory available, and said so). Exit 77 without a usable GPU.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "qlif_device.hpp"
#include "qneuro/core/device.hpp"
#include "qneuro/snn/qlif_neuron.hpp"

namespace {

using namespace qneuro;
using snn::NeuronParams;

/// cudaMalloc for typed pointers (cuda_runtime_api.h has only the void** form).
template <typename T>
cudaError_t device_alloc(T** p, std::size_t bytes) {
  void* raw = nullptr;
  const cudaError_t err = cudaMalloc(&raw, bytes);
  *p = static_cast<T*>(raw);
  return err;
}

void ok(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    std::fprintf(stderr, "CUDA error in %s: %s\n", what, cudaGetErrorString(err));
    std::exit(1);
  }
}

struct Args {
  std::size_t neurons = 16000000, steps = 100, stream_neurons = 64000000, stream_steps = 1000;
  int repeats = 5;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const auto v = std::strtoull(argv[i + 1], nullptr, 10);
    if (k == "--neurons")
      a.neurons = v;
    else if (k == "--steps")
      a.steps = v;
    else if (k == "--repeats")
      a.repeats = static_cast<int>(v);
    else if (k == "--stream-neurons")
      a.stream_neurons = v;
    else if (k == "--stream-steps")
      a.stream_steps = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Probe {
  double copy_gbs = 0, write_gbs = 0;
};

Probe probe_bandwidth() {
  const std::size_t bytes = std::size_t{2} << 30;
  void *a = nullptr, *b = nullptr;
  ok(cudaMalloc(&a, bytes), "probe malloc");
  ok(cudaMalloc(&b, bytes), "probe malloc");
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  Probe p;
  for (int r = 0; r < 6; ++r) {
    cudaEventRecord(e0);
    ok(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice), "probe copy");
    cudaEventRecord(e1);
    cudaEventSynchronize(e1);
    float ms = 0;
    cudaEventElapsedTime(&ms, e0, e1);
    if (r > 0)
      p.copy_gbs =
          std::max(p.copy_gbs, 2.0 * static_cast<double>(bytes) / (static_cast<double>(ms) * 1e6));
    cudaEventRecord(e0);
    ok(cudaMemset(a, r, bytes), "probe memset");
    cudaEventRecord(e1);
    cudaEventSynchronize(e1);
    cudaEventElapsedTime(&ms, e0, e1);
    if (r > 0)
      p.write_gbs =
          std::max(p.write_gbs, static_cast<double>(bytes) / (static_cast<double>(ms) * 1e6));
  }
  cudaFree(a);
  cudaFree(b);
  std::printf("{\"bench\": \"probe\", \"copy_gbs\": %.1f, \"write_gbs\": %.1f}\n", p.copy_gbs,
              p.write_gbs);
  return p;
}

struct KernelCase {
  std::string name;
  NeuronParams params;
  std::size_t N, T, B = 1;
  bool voltage = true;
  bool input_per_step = false;  ///< a (T, B, N) input read from device memory
  bool modulated = false;       ///< a (T, 1, 1) modulation
};

void bench_kernel(const KernelCase& k, const Probe& probe, int repeats) {
  const std::size_t BN = k.B * k.N, cells = BN * k.T;
  const snn::StepConstants<float> c(k.params);
  auto runner = snn::device::make_cuda_runner(c, k.N, 1, 0, 0);
  runner->reset(k.B, c.initial_state());
  float *d_in = nullptr, *d_v = nullptr, *d_mod = nullptr;
  uint8_t* d_spk = nullptr;
  const std::size_t in_values = k.input_per_step ? cells : BN;
  ok(device_alloc(&d_in, in_values * sizeof(float)), "input malloc");
  std::vector<float> host_in(std::min<std::size_t>(in_values, BN));
  for (std::size_t i = 0; i < host_in.size(); ++i)
    host_in[i] = 0.8f + 1.4f * float(i % 977) / 977.0f;
  for (std::size_t at = 0; at < in_values; at += host_in.size()) {
    ok(cudaMemcpy(d_in + at, host_in.data(), host_in.size() * sizeof(float),
                  cudaMemcpyHostToDevice),
       "input copy");
  }
  ok(device_alloc(&d_spk, cells), "spikes malloc");
  if (k.voltage) ok(device_alloc(&d_v, cells * sizeof(float)), "voltage malloc");
  if (k.modulated) {
    std::vector<float> mod(k.T);
    for (std::size_t t = 0; t < k.T; ++t) mod[t] = 0.5f * float(t % 10) - 2.0f;
    ok(device_alloc(&d_mod, k.T * sizeof(float)), "mod malloc");
    ok(cudaMemcpy(d_mod, mod.data(), k.T * sizeof(float), cudaMemcpyHostToDevice), "mod copy");
  }
  std::vector<double> ms;
  for (int r = 0; r <= repeats; ++r) {  // r = 0 warms up (and touches the output pages)
    snn::NeuronSequenceArgs a;
    a.input = d_in;
    a.input_t_stride = k.input_per_step ? BN : 0;
    a.mod = d_mod;
    a.spikes = d_spk;
    a.voltage = d_v;
    a.T = k.T;
    a.t0 = static_cast<uint64_t>(r) * k.T;
    runner->run_device(a);
    if (r > 0) ms.push_back(runner->timings().kernel * 1e3);
  }
  std::sort(ms.begin(), ms.end());
  const double best = ms.front(), median = ms[ms.size() / 2];
  const double bytes =
      static_cast<double>(cells) * (1 + (k.voltage ? 4 : 0) + (k.input_per_step ? 4 : 0));
  const double gbs = bytes / (best * 1e6);
  std::printf(
      "{\"bench\": \"kernel\", \"case\": \"%s\", \"neurons\": %zu, \"batch\": %zu, "
      "\"steps\": %zu, \"voltage\": %s, \"input\": \"%s\", \"kernel_ms_best\": %.3f, "
      "\"kernel_ms_median\": %.3f, \"neuron_steps_per_s\": %.4g, \"bytes_moved\": %.4g, "
      "\"gbs\": %.1f, \"fraction_of_copy_bandwidth\": %.3f, "
      "\"fraction_of_write_bandwidth\": %.3f}\n",
      k.name.c_str(), k.N, k.B, k.T, k.voltage ? "true" : "false",
      k.input_per_step ? "(T,B,N) device" : "(B,N) constant", best, median,
      static_cast<double>(cells) / (best * 1e-3), bytes, gbs, gbs / probe.copy_gbs,
      gbs / probe.write_gbs);
  cudaFree(d_in);
  cudaFree(d_spk);
  cudaFree(d_v);
  cudaFree(d_mod);
}

std::size_t host_available_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  std::size_t kb = 0;
  std::string unit;
  while (f >> key >> kb >> unit) {
    if (key == "MemAvailable:") return kb * 1024;
  }
  return 0;
}

void bench_streamed(std::size_t N, std::size_t T, bool voltage, const std::string& name) {
  const std::size_t per_step = N * (1 + (voltage ? 4 : 0));
  const std::size_t avail = host_available_bytes();
  std::size_t steps = T;
  if (avail != 0 && per_step * T > avail * 7 / 10) {
    steps = std::max<std::size_t>(1, avail * 7 / 10 / per_step);
  }
  const snn::StepConstants<float> c(NeuronParams{});
  auto runner = snn::device::make_cuda_runner(c, N, 1, 0, 0);
  runner->reset(1, c.initial_state());
  std::vector<float> current(N);
  for (std::size_t i = 0; i < N; ++i) current[i] = 0.8f + 1.4f * float(i % 977) / 977.0f;
  // Uninitialised, then touched outside the timed call (page faults are the host's cost, not
  // the backend's; first_touch_s reports them).
  const std::size_t cells = N * steps;
  auto spikes_buf = std::make_unique_for_overwrite<uint8_t[]>(cells);
  auto v_buf = std::make_unique_for_overwrite<float[]>(voltage ? cells : 1);
  const auto t_touch = std::chrono::steady_clock::now();
  std::memset(spikes_buf.get(), 0, cells);
  if (voltage) std::memset(v_buf.get(), 0, cells * sizeof(float));
  const double touch_s = seconds_since(t_touch);
  const std::span<uint8_t> spikes(spikes_buf.get(), cells);
  const std::span<float> v(v_buf.get(), voltage ? cells : 0);
  snn::device::HostRun h;
  h.input = current.data();
  h.input_constant = true;
  h.out.spikes = spikes;
  if (voltage) h.out.voltage = v;
  h.T = steps;
  runner->run_host(h);
  const snn::device::RunTimings t = runner->timings();
  std::size_t count = 0;
  for (std::size_t i = 0; i < spikes.size(); i += 4099) count += spikes[i];
  const double bytes = static_cast<double>(per_step) * static_cast<double>(steps);
  std::printf(
      "{\"bench\": \"streamed\", \"case\": \"%s\", \"neurons\": %zu, \"steps\": %zu, "
      "\"steps_asked\": %zu, \"voltage\": %s, \"host_gb\": %.1f, \"wall_s\": %.3f, "
      "\"kernel_s\": %.3f, \"chunks\": %zu, \"chunk_steps\": %zu, "
      "\"gbs_to_host\": %.1f, \"first_touch_s\": %.2f, \"sampled_spikes\": %zu}\n",
      name.c_str(), N, steps, T, voltage ? "true" : "false", bytes / 1e9, t.total, t.kernel,
      t.chunks, t.chunk_steps, bytes / (t.total * 1e9), touch_s, count);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const CudaInfo& info = cuda_info();
  if (!info.usable) {
    std::printf("SKIPPED: %s\n", info.reason.c_str());
    return 77;
  }
  std::printf("{\"device\": \"%s\", \"sm\": %d%d, \"memory_gb\": %.1f}\n", info.name.c_str(),
              info.major, info.minor, static_cast<double>(info.memory_bytes) / 1e9);
  try {
    const Probe probe = probe_bandwidth();
    const std::size_t N = args.neurons, T = args.steps;
    NeuronParams quantum;  // the default: quantum, sigmoid map, adaptive threshold, AHP, ...
    std::vector<KernelCase> cases = {
        {"quantum_voltage", quantum, N, T},
        {"quantum_spikes_only", quantum, N, T, 1, false},
        {"quantum_voltage_input_per_step", quantum, N, T, 1, true, true},
        {"quantum_voltage_1M", quantum, 1000000, T},
        {"quantum_voltage_batch16", quantum, N / 16, T, 16},
    };
    NeuronParams p;
    p.mode = snn::Mode::Deterministic;
    cases.push_back({"deterministic_voltage", p, N, T});
    p = NeuronParams{};
    p.mode = snn::Mode::Stochastic;
    cases.push_back({"stochastic_voltage", p, N, T});
    p = NeuronParams{};
    p.quantum_map = snn::QuantumMap::Tanh;
    cases.push_back({"quantum_tanh_voltage", p, N, T});
    p.quantum_map = snn::QuantumMap::Linear;
    cases.push_back({"quantum_linear_voltage", p, N, T});
    p = NeuronParams{};
    p.quantum_shots = 5;
    cases.push_back({"quantum_5_shots_voltage", p, N, T});
    p = NeuronParams{};
    p.neuromod_mode = snn::NeuromodMode::Threshold;
    KernelCase modulated{"neuromod_threshold_modulated", p, N, T};
    modulated.modulated = true;
    cases.push_back(modulated);
    cases.push_back({"compat_voltage", snn::compat_params(), N, T});
    for (const KernelCase& k : cases) bench_kernel(k, probe, args.repeats);
    bench_streamed(N, T, true, "quantum_voltage_to_host");
    bench_streamed(args.stream_neurons, args.stream_steps, false, "bigger_than_gpu_spikes_to_host");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_qlif_cuda: %s\n", e.what());
    return 1;
  }
  return 0;
}
