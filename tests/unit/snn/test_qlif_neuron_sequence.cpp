// The CUDA kernel's body, qlif_neuron_sequence (snn/qlif_neuron.hpp), run on the host: it must
// reproduce Population's vectorised CPU kernel bit for bit (spikes, voltage, every trace and the
// final state) in every case of qlif_cases.hpp, across two calls whose boundary falls inside a
// four-step Philox group, with a layer index and a neuron offset in the Philox entity, and with
// more than one kernel block of neurons. That proves on a CPU the index math, the Philox keys and
// counters and the arithmetic the GPU runs (the device side of the chain is tests/cuda).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "qlif_cases.hpp"
#include "qneuro/snn/population.hpp"
#include "qneuro/snn/qlif_neuron.hpp"

namespace qneuro::snn {
namespace {

using test_cases::random_values;

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

struct Outputs {
  std::vector<uint8_t> spikes;
  std::vector<float> voltage, p, D, A, E, Theta;
  void resize(std::size_t n) {
    spikes.assign(n, 0);
    for (auto* v : {&voltage, &p, &D, &A, &E, &Theta}) v->assign(n, 0.0f);
  }
};

constexpr std::size_t kT = 37, kT1 = 13, kB = 2, kN = 300;  // 300 > one 256-lane block
constexpr uint32_t kSeed = 77, kLayer = 3;
constexpr std::size_t kFirst = 1000;

/// Population (the CPU kernel) in two calls of kT1 and kT - kT1 steps.
Outputs run_population(const NeuronParams& params, const std::vector<float>& input,
                       const std::vector<float>* mod, std::size_t mod_B, std::size_t mod_N,
                       std::vector<NeuronState<float>>& final_state) {
  Population pop(params, kN, kSeed, kLayer, kFirst);
  Outputs out;
  out.resize(kT * kB * kN);
  for (const auto& [t0, len] : {std::pair{std::size_t{0}, kT1}, std::pair{kT1, kT - kT1}}) {
    const std::size_t at = t0 * kB * kN, n = len * kB * kN;
    RunViews v;
    v.spikes = std::span<uint8_t>(out.spikes).subspan(at, n);
    v.voltage = std::span<float>(out.voltage).subspan(at, n);
    v.p = std::span<float>(out.p).subspan(at, n);
    v.D = std::span<float>(out.D).subspan(at, n);
    v.A = std::span<float>(out.A).subspan(at, n);
    v.E = std::span<float>(out.E).subspan(at, n);
    v.Theta = std::span<float>(out.Theta).subspan(at, n);
    Modulation m;
    if (mod != nullptr) {
      m.values = std::span<const float>(*mod).subspan(t0 * mod_B * mod_N, len * mod_B * mod_N);
      m.B = mod_B;
      m.N = mod_N;
    }
    pop.run_into(std::span<const float>(input).subspan(at, n), len, kB,
                 mod != nullptr ? &m : nullptr, v);
  }
  final_state.resize(kB * kN);
  for (std::size_t b = 0; b < kB; ++b) {
    for (std::size_t n = 0; n < kN; ++n) final_state[b * kN + n] = pop.state(b, n);
  }
  return out;
}

/// qlif_neuron_sequence (the GPU kernel's body) on the host, in the same two calls.
Outputs run_sequences(const NeuronParams& params, const std::vector<float>& input,
                      const std::vector<float>* mod, std::size_t mod_B, std::size_t mod_N,
                      std::vector<NeuronState<float>>& states) {
  const StepConstants<float> c(params);
  states.assign(kB * kN, c.initial_state());
  Outputs out;
  out.resize(kT * kB * kN);
  for (const auto& [t0, len] : {std::pair{std::size_t{0}, kT1}, std::pair{kT1, kT - kT1}}) {
    const std::size_t at = t0 * kB * kN;
    NeuronSequenceArgs a;
    a.input = input.data() + at;
    a.input_t_stride = kB * kN;
    if (mod != nullptr) {
      a.mod = mod->data() + t0 * mod_B * mod_N;
      a.mod_B = mod_B;
      a.mod_N = mod_N;
    }
    a.spikes = out.spikes.data() + at;
    a.voltage = out.voltage.data() + at;
    a.p = out.p.data() + at;
    a.D = out.D.data() + at;
    a.A = out.A.data() + at;
    a.E = out.E.data() + at;
    a.Theta = out.Theta.data() + at;
    a.T = len;
    a.B = kB;
    a.N = kN;
    a.t0 = t0;
    a.seed = kSeed;
    a.layer = kLayer;
    a.first_neuron = kFirst;
    run_neuron_sequences(c, a, states.data());
  }
  return out;
}

bool same_states(const std::vector<NeuronState<float>>& a,
                 const std::vector<NeuronState<float>>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(NeuronState<float>)) == 0;
}

void expect_identical(const Outputs& cpu, const Outputs& seq, const char* name) {
  EXPECT_TRUE(same_bits(cpu.spikes, seq.spikes)) << name << ": spikes";
  EXPECT_TRUE(same_bits(cpu.voltage, seq.voltage)) << name << ": voltage";
  EXPECT_TRUE(same_bits(cpu.p, seq.p)) << name << ": p";
  EXPECT_TRUE(same_bits(cpu.D, seq.D)) << name << ": D";
  EXPECT_TRUE(same_bits(cpu.A, seq.A)) << name << ": A";
  EXPECT_TRUE(same_bits(cpu.E, seq.E)) << name << ": E";
  EXPECT_TRUE(same_bits(cpu.Theta, seq.Theta)) << name << ": Theta";
}

TEST(QlifNeuronSequence, BitIdenticalToTheCpuKernelInEveryCase) {
  const auto input = random_values(kT * kB * kN, 11, 0.0f, 3.0f);
  const auto mod = random_values(kT * kB * kN, 12, -2.0f, 2.0f);
  for (const auto& c : test_cases::qlif_cases()) {
    const std::vector<float>* m = c.modulated ? &mod : nullptr;
    std::vector<NeuronState<float>> cpu_state, seq_state;
    const Outputs cpu = run_population(c.params, input, m, kB, kN, cpu_state);
    const Outputs seq = run_sequences(c.params, input, m, kB, kN, seq_state);
    expect_identical(cpu, seq, c.name);
    EXPECT_TRUE(same_states(cpu_state, seq_state)) << c.name << ": final state";
    std::size_t spikes = 0;
    for (const uint8_t s : cpu.spikes) spikes += s;
    EXPECT_GT(spikes, 0u) << c.name;  // every case must exercise spiking
    EXPECT_LT(spikes, cpu.spikes.size()) << c.name;
  }
}

TEST(QlifNeuronSequence, BroadcastModulationShapesMatchTheCpuKernel) {
  const auto input = random_values(kT * kB * kN, 21, 0.0f, 3.0f);
  NeuronParams p;
  p.neuromod_mode = NeuromodMode::Threshold;
  for (const auto& [mB, mN] : {std::pair{std::size_t{1}, std::size_t{1}},
                               std::pair{kB, std::size_t{1}}, std::pair{std::size_t{1}, kN}}) {
    const auto mod = random_values(kT * mB * mN, 22, -2.0f, 2.0f);
    std::vector<NeuronState<float>> cpu_state, seq_state;
    const Outputs cpu = run_population(p, input, &mod, mB, mN, cpu_state);
    const Outputs seq = run_sequences(p, input, &mod, mB, mN, seq_state);
    expect_identical(cpu, seq, "broadcast modulation");
    EXPECT_TRUE(same_states(cpu_state, seq_state));
  }
}

TEST(QlifNeuronSequence, ConstantInputEqualsTheRepeatedInput) {
  // input_t_stride = 0 (one (B, N) current held over T, the GPU benchmark's input) gives what the
  // same current repeated in a (T, B, N) array gives.
  const StepConstants<float> c(NeuronParams{});
  const auto current = random_values(kB * kN, 31, 0.5f, 2.5f);
  std::vector<float> repeated(kT * kB * kN);
  for (std::size_t t = 0; t < kT; ++t) {
    std::copy(current.begin(), current.end(), repeated.begin() + t * kB * kN);
  }
  std::vector<uint8_t> s1(kT * kB * kN), s2(kT * kB * kN);
  std::vector<float> v1(kT * kB * kN), v2(kT * kB * kN);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<NeuronState<float>> st(kB * kN, c.initial_state());
    NeuronSequenceArgs a;
    a.input = pass == 0 ? current.data() : repeated.data();
    a.input_t_stride = pass == 0 ? 0 : kB * kN;
    a.spikes = pass == 0 ? s1.data() : s2.data();
    a.voltage = pass == 0 ? v1.data() : v2.data();
    a.T = kT;
    a.B = kB;
    a.N = kN;
    a.seed = 5;
    run_neuron_sequences(c, a, st.data());
  }
  EXPECT_TRUE(same_bits(s1, s2));
  EXPECT_TRUE(same_bits(v1, v2));
  std::size_t spikes = 0;
  for (const uint8_t s : s1) spikes += s;
  EXPECT_GT(spikes, 0u);
}

}  // namespace
}  // namespace qneuro::snn
