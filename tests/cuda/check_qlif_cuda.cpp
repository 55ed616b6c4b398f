// The QLIF CUDA backend against its host reference (docs/gpu.md, "Exactness").
//
// The chain: tests/unit/snn/test_qlif_neuron_sequence.cpp proves on the CPU that the kernel's
// body, qlif_neuron_sequence, run on the host equals Population's vectorised CPU kernel bit for
// bit; this program proves that the same body run on the GPU equals the host run:
//   1. Philox on the device: Random123's known answers, and the host's words at 2^20 random
//      coordinates;
//   2. every case of qlif_cases.hpp (modes, maps, shots, neuromodulation, compat) through
//      run_device (device pointers), in two calls whose boundary splits a Philox group;
//   3. the same through run_host (host arrays streamed in chunks of a few steps, two buffer
//      sets), and a constant input held over T;
//   4. 10^6 neurons x 100 steps of the default quantum mode: the spike agreement statistic.
// A case passes if it is bit-identical; otherwise a deterministic case must have identical
// spikes and voltages within 1 ulp, and a random one >= 99.99 % identical spikes (differences
// only where p lies within rounding of the uniform). Each case's result is printed as one JSON
// line. Exit 0: all passed; 1: a check failed; 77: no usable GPU (ctest reports it skipped).
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "device_philox.hpp"
#include "philox_kats.hpp"
#include "qlif_cases.hpp"
#include "qlif_device.hpp"
#include "qneuro/core/device.hpp"
#include "qneuro/core/philox.hpp"
#include "qneuro/snn/qlif_neuron.hpp"

namespace qneuro::cuda_checks {
namespace {

using snn::NeuronParams;
using snn::NeuronSequenceArgs;
using snn::NeuronState;
using snn::StepConstants;

int g_failures = 0;

void fail_if(bool bad, const std::string& what) {
  if (bad) {
    ++g_failures;
    std::printf("{\"check\": \"%s\", \"ok\": false}\n", what.c_str());
  }
}

void cuda_ok(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    std::printf("{\"check\": \"%s\", \"ok\": false, \"cuda_error\": \"%s\"}\n", what,
                cudaGetErrorString(err));
    std::exit(1);
  }
}

// ---- 1. Philox ----
void check_philox() {
  std::vector<PhiloxCoord> coords;
  for (const auto& k : test_kats::kPhiloxKats)
    coords.push_back({k.seed, k.stream, k.step, k.entity});
  std::mt19937_64 gen(17);
  const std::size_t kats = coords.size();
  for (int i = 0; i < (1 << 20); ++i) {
    coords.push_back({static_cast<uint32_t>(gen()), static_cast<uint32_t>(gen()), gen(), gen()});
  }
  std::vector<uint32_t> out;
  const std::string err = philox_on_device(coords, out);
  if (!err.empty()) {
    fail_if(true, "philox kernel: " + err);
    return;
  }
  std::size_t kat_bad = 0, host_bad = 0;
  for (std::size_t i = 0; i < coords.size(); ++i) {
    const PhiloxWords h =
        philox4x32_10(coords[i].seed, coords[i].stream, coords[i].step, coords[i].entity);
    for (int q = 0; q < 4; ++q) {
      if (i < kats && out[4 * i + q] != test_kats::kPhiloxKats[i].expect[q]) ++kat_bad;
      if (out[4 * i + q] != h.w[q]) ++host_bad;
    }
  }
  std::printf(
      "{\"check\": \"philox\", \"known_answers_wrong\": %zu, \"draws\": %zu, "
      "\"words_differing_from_host\": %zu, \"ok\": %s}\n",
      kat_bad, coords.size(), host_bad, kat_bad == 0 && host_bad == 0 ? "true" : "false");
  fail_if(kat_bad != 0 || host_bad != 0, "philox");
}

// ---- outputs and their comparison ----
struct Outputs {
  std::vector<uint8_t> spikes;
  std::vector<float> f[6];  // voltage, p, D, A, E, Theta
  void resize(std::size_t n) {
    spikes.assign(n, 0);
    for (auto& v : f) v.assign(n, 0.0f);
  }
};
const char* const kFloatNames[6] = {"voltage", "p", "D", "A", "E", "Theta"};

int64_t ulp_distance(float a, float b) {
  if (a == b) return 0;
  if (std::isnan(a) || std::isnan(b)) return INT64_MAX;
  auto key = [](float x) {
    int32_t i = 0;
    std::memcpy(&i, &x, 4);
    return i < 0 ? int64_t{INT32_MIN} - i : int64_t{i};
  };
  return std::llabs(key(a) - key(b));
}

void compare(const std::string& name, snn::Mode mode, const Outputs& host, const Outputs& dev,
             const std::vector<NeuronState<float>>& host_state,
             const std::vector<NeuronState<float>>& dev_state) {
  std::size_t same_spikes = 0;
  for (std::size_t i = 0; i < host.spikes.size(); ++i)
    same_spikes += host.spikes[i] == dev.spikes[i];
  const double agreement = static_cast<double>(same_spikes) /
                           static_cast<double>(std::max<std::size_t>(1, host.spikes.size()));
  int64_t worst[6] = {0, 0, 0, 0, 0, 0};
  bool identical = same_spikes == host.spikes.size();
  for (int k = 0; k < 6; ++k) {
    for (std::size_t i = 0; i < host.f[k].size(); ++i) {
      worst[k] = std::max(worst[k], ulp_distance(host.f[k][i], dev.f[k][i]));
    }
    identical = identical && worst[k] == 0;
  }
  const bool state_identical = host_state.size() == dev_state.size() &&
                               std::memcmp(host_state.data(), dev_state.data(),
                                           host_state.size() * sizeof(host_state[0])) == 0;
  identical = identical && state_identical;
  bool ok = identical;
  if (!ok && mode == snn::Mode::Deterministic) ok = agreement == 1.0 && worst[0] <= 1;
  if (!ok && mode != snn::Mode::Deterministic) ok = agreement >= 0.9999;
  std::size_t spikes = 0;
  for (const uint8_t s : host.spikes) spikes += s;
  std::printf(
      "{\"check\": \"%s\", \"neuron_steps\": %zu, \"spikes\": %zu, \"bit_identical\": %s, "
      "\"spike_agreement\": %.8f, \"max_ulp\": {",
      name.c_str(), host.spikes.size(), spikes, identical ? "true" : "false", agreement);
  for (int k = 0; k < 6; ++k) {
    std::printf("%s\"%s\": %lld", k == 0 ? "" : ", ", kFloatNames[k],
                static_cast<long long>(worst[k]));
  }
  std::printf("}, \"final_state_identical\": %s, \"ok\": %s}\n", state_identical ? "true" : "false",
              ok ? "true" : "false");
  fail_if(!ok, name);
}

// ---- the host reference ----
struct Run {
  std::size_t T, B, N;
  uint32_t seed = 99, layer = 2;
  uint64_t first = 4096;
  std::vector<std::size_t> cuts;  // call boundaries in (0, T)
  Run(std::size_t t, std::size_t b, std::size_t n) : T(t), B(b), N(n) {}
};

std::vector<std::pair<std::size_t, std::size_t>> calls_of(const Run& r) {
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  std::size_t t0 = 0;
  for (const std::size_t cut : r.cuts) {
    calls.emplace_back(t0, cut - t0);
    t0 = cut;
  }
  calls.emplace_back(t0, r.T - t0);
  return calls;
}

NeuronSequenceArgs args_at(const Run& r, std::size_t t0, std::size_t len) {
  NeuronSequenceArgs a;
  a.T = len;
  a.B = r.B;
  a.N = r.N;
  a.t0 = t0;
  a.seed = r.seed;
  a.layer = r.layer;
  a.first_neuron = r.first;
  return a;
}

void host_reference(const StepConstants<float>& c, const Run& r, const std::vector<float>& input,
                    const std::vector<float>* mod, Outputs& out,
                    std::vector<NeuronState<float>>& state) {
  const std::size_t BN = r.B * r.N;
  out.resize(r.T * BN);
  state.assign(BN, c.initial_state());
  for (const auto& [t0, len] : calls_of(r)) {
    NeuronSequenceArgs a = args_at(r, t0, len);
    a.input = input.data() + t0 * BN;
    a.input_t_stride = BN;
    if (mod != nullptr) {
      a.mod = mod->data() + t0 * BN;
      a.mod_B = r.B;
      a.mod_N = r.N;
    }
    a.spikes = out.spikes.data() + t0 * BN;
    float** dst[6] = {&a.voltage, &a.p, &a.D, &a.A, &a.E, &a.Theta};
    for (int k = 0; k < 6; ++k) *dst[k] = out.f[k].data() + t0 * BN;
    snn::run_neuron_sequences(c, a, state.data());
  }
}

// ---- the device runs ----
template <typename T>
T* to_device(const std::vector<T>& v) {
  void* raw = nullptr;
  cuda_ok(cudaMalloc(&raw, v.size() * sizeof(T)), "cudaMalloc");
  T* d = static_cast<T*>(raw);
  cuda_ok(cudaMemcpy(d, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), "copy to device");
  return d;
}
template <typename T>
void to_host(std::vector<T>& v, const T* d) {
  cuda_ok(cudaMemcpy(v.data(), d, v.size() * sizeof(T), cudaMemcpyDeviceToHost), "copy to host");
}

void device_run(const StepConstants<float>& c, const Run& r, const std::vector<float>& input,
                const std::vector<float>* mod, Outputs& out,
                std::vector<NeuronState<float>>& state) {
  const std::size_t BN = r.B * r.N, n = r.T * BN;
  out.resize(n);
  auto runner = snn::device::make_cuda_runner(c, r.N, r.seed, r.layer, r.first);
  runner->reset(r.B, c.initial_state());
  float* d_in = to_device(input);
  float* d_mod = mod != nullptr ? to_device(*mod) : nullptr;
  uint8_t* d_spk = to_device(out.spikes);
  float* d_f[6];
  for (int k = 0; k < 6; ++k) d_f[k] = to_device(out.f[k]);
  for (const auto& [t0, len] : calls_of(r)) {
    NeuronSequenceArgs a = args_at(r, t0, len);
    a.input = d_in + t0 * BN;
    a.input_t_stride = BN;
    if (d_mod != nullptr) {
      a.mod = d_mod + t0 * BN;
      a.mod_B = r.B;
      a.mod_N = r.N;
    }
    a.spikes = d_spk + t0 * BN;
    float** dst[6] = {&a.voltage, &a.p, &a.D, &a.A, &a.E, &a.Theta};
    for (int k = 0; k < 6; ++k) *dst[k] = d_f[k] + t0 * BN;
    runner->run_device(a);
  }
  to_host(out.spikes, d_spk);
  for (int k = 0; k < 6; ++k) to_host(out.f[k], d_f[k]);
  state.assign(BN, NeuronState<float>{});
  runner->download_states(state.data());
  cudaFree(d_in);
  cudaFree(d_mod);
  cudaFree(d_spk);
  for (float* p : d_f) cudaFree(p);
}

void streamed_run(const StepConstants<float>& c, const Run& r, const std::vector<float>& input,
                  const std::vector<float>* mod, std::size_t chunk_bytes, Outputs& out,
                  std::vector<NeuronState<float>>& state) {
  const std::size_t BN = r.B * r.N;
  out.resize(r.T * BN);
  auto runner = snn::device::make_cuda_runner(c, r.N, r.seed, r.layer, r.first);
  runner->set_chunk_bytes(chunk_bytes);
  runner->reset(r.B, c.initial_state());
  for (const auto& [t0, len] : calls_of(r)) {
    snn::device::HostRun h;
    h.input = input.data() + t0 * BN;
    snn::Modulation m;
    if (mod != nullptr) {
      m.values = std::span<const float>(*mod).subspan(t0 * BN, len * BN);
      m.B = r.B;
      m.N = r.N;
      h.modulation = &m;
    }
    const std::size_t at = t0 * BN, n = len * BN;
    h.out.spikes = std::span<uint8_t>(out.spikes).subspan(at, n);
    std::span<float>* dst[6] = {&h.out.voltage, &h.out.p, &h.out.D,
                                &h.out.A,       &h.out.E, &h.out.Theta};
    for (int k = 0; k < 6; ++k) *dst[k] = std::span<float>(out.f[k]).subspan(at, n);
    h.T = len;
    h.t0 = t0;
    runner->run_host(h);
  }
  state.assign(BN, NeuronState<float>{});
  runner->download_states(state.data());
}

using snn::test_cases::random_values;

void check_cases() {
  Run r(64, 2, 5000);
  r.cuts = {29};  // 29 is inside a four-step group
  const std::size_t n = r.T * r.B * r.N;
  const auto input = random_values(n, 1, 0.0f, 3.0f);
  const auto mod = random_values(n, 2, -2.0f, 2.0f);
  for (const auto& cs : snn::test_cases::qlif_cases()) {
    const StepConstants<float> c(cs.params);
    const std::vector<float>* m = cs.modulated ? &mod : nullptr;
    Outputs host, dev, streamed;
    std::vector<NeuronState<float>> hs, ds, ss;
    host_reference(c, r, input, m, host, hs);
    device_run(c, r, input, m, dev, ds);
    compare(std::string("device/") + cs.name, cs.params.mode, host, dev, hs, ds);
    // About 3 steps per chunk: many chunks through both buffer sets, across the call boundary.
    streamed_run(c, r, input, m, 3 * r.B * r.N * 29, streamed, ss);
    compare(std::string("streamed/") + cs.name, cs.params.mode, host, streamed, hs, ss);
  }
}

void check_constant_input() {
  Run r(50, 3, 2000);
  const StepConstants<float> c(NeuronParams{});
  const auto current = random_values(r.B * r.N, 5, 0.5f, 2.5f);
  std::vector<float> repeated(r.T * r.B * r.N);
  for (std::size_t t = 0; t < r.T; ++t) {
    std::copy(current.begin(), current.end(), repeated.begin() + t * r.B * r.N);
  }
  Outputs host, dev;
  std::vector<NeuronState<float>> hs, ds;
  host_reference(c, r, repeated, nullptr, host, hs);
  dev.resize(r.T * r.B * r.N);
  auto runner = snn::device::make_cuda_runner(c, r.N, r.seed, r.layer, r.first);
  runner->set_chunk_bytes(r.B * r.N * 5 * 7);
  runner->reset(r.B, c.initial_state());
  snn::device::HostRun h;
  h.input = current.data();
  h.input_constant = true;
  h.out.spikes = dev.spikes;
  std::span<float>* dst[6] = {&h.out.voltage, &h.out.p, &h.out.D, &h.out.A, &h.out.E, &h.out.Theta};
  for (int k = 0; k < 6; ++k) *dst[k] = dev.f[k];
  h.T = r.T;
  runner->run_host(h);
  ds.assign(r.B * r.N, NeuronState<float>{});
  runner->download_states(ds.data());
  compare("streamed/constant_input", snn::Mode::Quantum, host, dev, hs, ds);
}

void check_large_quantum() {
  Run r(100, 1, 1000000);
  const StepConstants<float> c(NeuronParams{});
  const auto input = random_values(r.T * r.N, 9, 0.0f, 3.0f);
  Outputs host, dev;
  std::vector<NeuronState<float>> hs, ds;
  host_reference(c, r, input, nullptr, host, hs);
  device_run(c, r, input, nullptr, dev, ds);
  compare("device/quantum_1M_x_100", snn::Mode::Quantum, host, dev, hs, ds);
}

}  // namespace
}  // namespace qneuro::cuda_checks

int main() {
  using namespace qneuro;
  const CudaInfo& info = cuda_info();
  if (!info.usable) {
    std::printf("SKIPPED: %s\n", info.reason.c_str());
    return 77;
  }
  std::printf("{\"device\": \"%s\", \"sm\": %d%d, \"memory_gb\": %.1f}\n", info.name.c_str(),
              info.major, info.minor, static_cast<double>(info.memory_bytes) / 1e9);
  try {
    cuda_checks::check_philox();
    cuda_checks::check_cases();
    cuda_checks::check_constant_input();
    cuda_checks::check_large_quantum();
  } catch (const std::exception& e) {
    std::printf("{\"check\": \"exception\", \"ok\": false, \"what\": \"%s\"}\n", e.what());
    return 1;
  }
  std::printf("{\"summary\": \"%s\", \"failures\": %d}\n",
              cuda_checks::g_failures == 0 ? "all passed" : "FAILED", cuda_checks::g_failures);
  return cuda_checks::g_failures == 0 ? 0 : 1;
}
