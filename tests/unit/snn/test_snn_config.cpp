// The snn configuration, input generators and spike statistics against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/inputs.hpp"
#include "qneuro/snn/snn_config.hpp"
#include "qneuro/snn/spike_stats.hpp"
#include "qneuro/snn/train_config.hpp"

namespace qneuro::snn {
namespace {

config::Config resolve(const std::string& preset, const std::vector<std::string>& sets = {}) {
  return config::Config::resolve(snn_schema(), preset, std::nullopt, sets);
}

TEST(SnnConfig, DefaultsAreTheSeedReadmeTable) {
  const SnnRunParams p = snn_params_from_config(resolve("default"));
  const NeuronParams d;
  EXPECT_EQ(p.neuron.V_th, 1.0);
  EXPECT_EQ(p.neuron.tau, 20.0);
  EXPECT_EQ(p.neuron.eta, 0.1);
  EXPECT_EQ(p.neuron.noise_std, 0.1);
  EXPECT_EQ(p.neuron.base_alpha, 2.0);
  EXPECT_EQ(p.neuron.recovery_rate, 0.05);
  EXPECT_EQ(p.neuron.mode, Mode::Quantum);
  EXPECT_EQ(p.neuron.quantum_map, QuantumMap::Sigmoid);
  EXPECT_EQ(p.neuron.neuromod_mode, NeuromodMode::Gain);
  EXPECT_EQ(p.neuron.q_scale, d.q_scale);
}

TEST(SnnConfig, CompatPresetSetsEveryQuirk) {
  const SnnRunParams p = snn_params_from_config(resolve("compat"));
  const CompatSwitches& c = p.neuron.compat;
  EXPECT_TRUE(c.soft_reset && c.modulator_idles_at_one && c.modulator_persists &&
              c.probability_drives_state && c.dsp_updated_twice && c.dsp_ignores_dt &&
              c.eta_unused && c.eval_threshold_half && c.clamp_quantum_probability);
  EXPECT_EQ(p.neuron.quantum_map, QuantumMap::Tanh);
  const NeuronParams golden = compat_params();
  EXPECT_EQ(p.neuron.q_bias, golden.q_bias);  // the seed's init, calibrated from p0 and slope
  EXPECT_EQ(p.neuron.q_scale, golden.q_scale);
  EXPECT_EQ(p.neuron.quantum_leak, golden.quantum_leak);
}

TEST(SnnConfig, CalibrationKeysOverrideBiasAndScale) {
  const SnnRunParams p =
      snn_params_from_config(resolve("default", {"quantum.p0=0.02", "quantum.slope=0.1"}));
  EXPECT_NEAR(quantum_probability(QuantumMap::Sigmoid, p.neuron.q_scale, p.neuron.q_bias, 0.0, 0.0),
              0.02, 1e-12);
}

TEST(SnnConfig, DocsKeyTableMatchesTheSchema) {
  std::ifstream in(std::string(QNEURO_SOURCE_DIR) + "/docs/snn.md");
  std::stringstream ss;
  ss << in.rdbuf();
  ASSERT_FALSE(ss.str().empty()) << "docs/snn.md is missing";
  std::istringstream rows(snn_schema().markdown());
  std::string row;
  while (std::getline(rows, row)) {
    EXPECT_NE(ss.str().find(row), std::string::npos)
        << "docs/snn.md lacks (regenerate with qneuro snn --describe-config):\n"
        << row;
  }
}

TEST(SnnInputs, GeneratorsFollowTheirFormulas) {
  InputSpec s;
  s.level = 1.0;
  s.amplitude = 2.0;
  s.kind = InputKind::Constant;
  EXPECT_EQ(generate_input(s, 3, 2, 4, 1.0, 1).values, std::vector<float>(24, 1.0f));
  s.kind = InputKind::Ramp;
  const auto ramp = generate_input(s, 8, 1, 1, 1.0, 1).values;  // t0 = 2, t1 = 6
  EXPECT_EQ(ramp, (std::vector<float>{0, 0, 0, 0.75f, 1.5f, 2.25f, 0, 0}));
  s.kind = InputKind::Sine;
  s.freq_hz = 250.0;  // a quarter period per 1 ms step
  const auto sine = generate_input(s, 3, 1, 1, 1.0, 1).values;
  EXPECT_NEAR(sine[0], 1.0f, 1e-6f);
  EXPECT_NEAR(sine[1], 3.0f, 1e-6f);
  EXPECT_NEAR(sine[2], 1.0f, 1e-5f);
  s.kind = InputKind::Noise;
  s.level = 0.5;
  s.amplitude = 1.0;
  const auto noise = generate_input(s, 200, 2, 250, 1.0, 7).values;
  double mean = 0, var = 0;
  for (const float v : noise) mean += static_cast<double>(v);
  mean /= static_cast<double>(noise.size());
  for (const float v : noise)
    var += (static_cast<double>(v) - mean) * (static_cast<double>(v) - mean);
  var /= static_cast<double>(noise.size());
  EXPECT_NEAR(mean, 0.5, 5.0 / std::sqrt(1e5));
  EXPECT_NEAR(var, 1.0, 0.02);
  EXPECT_EQ(noise, generate_input(s, 200, 2, 250, 1.0, 7).values);  // seeded
  s.kind = InputKind::File;
  EXPECT_THROW(generate_input(s, 1, 1, 1, 1.0, 1), InputError);
}

TEST(SnnInputs, PoissonInputHasTheExpectedMean) {
  InputSpec s;
  s.kind = InputKind::Poisson;
  s.level = 0.0;
  s.rate_hz = 50.0;
  s.sources = 64;
  s.weight_mean = 1.0;
  s.weight_std = 0.0;
  // mean input = K * p * w = 64 * 0.05 * (1 / 8) = 0.4 per step
  const auto a = generate_input(s, 4000, 1, 3, 1.0, 3).values;
  double mean = 0;
  for (const float v : a) mean += static_cast<double>(v);
  mean /= static_cast<double>(a.size());
  EXPECT_NEAR(mean, 0.4, 0.01);
}

TEST(SpikeStats, RatesIsiCvAndFanoOfKnownTrains) {
  // Neuron 0: regular, every 10 steps (CV 0, Fano 0); neuron 1: silent.
  const std::size_t T = 100, N = 2;
  std::vector<uint8_t> s(T * N, 0);
  for (std::size_t t = 0; t < T; t += 10) s[t * N] = 1;
  const SpikeStats st = spike_stats(s, T, 1, N, 1.0, 20);
  EXPECT_DOUBLE_EQ(st.rate_hz[0], 100.0);  // 10 spikes in 0.1 s
  EXPECT_DOUBLE_EQ(st.rate_hz[1], 0.0);
  EXPECT_DOUBLE_EQ(st.population_rate_hz, 50.0);
  EXPECT_DOUBLE_EQ(st.active_fraction, 0.5);
  EXPECT_EQ(st.isi_trains, 1u);
  EXPECT_DOUBLE_EQ(st.isi_cv, 0.0);
  EXPECT_EQ(st.fano_trains, 1u);
  EXPECT_DOUBLE_EQ(st.fano, 0.0);
  // ISIs 1 and 3: mean 2, population std 1 -> CV 0.5.
  std::vector<uint8_t> u(10, 0);
  u[0] = u[1] = u[4] = 1;
  EXPECT_DOUBLE_EQ(spike_stats(u, 10, 1, 1, 1.0, 5).isi_cv, 0.5);
  // Window counts 3 (steps 0, 1, 4) and 0 (windows of 5): mean 1.5, variance 2.25 -> Fano 1.5.
  EXPECT_NEAR(spike_stats(u, 10, 1, 1, 1.0, 5).fano, 1.5, 1e-12);
}

}  // namespace
}  // namespace qneuro::snn

namespace qneuro::snn {
namespace {

TEST(TrainConfig, DocsKeyTableMatchesTheSchema) {
  std::ifstream in(std::string(QNEURO_SOURCE_DIR) + "/docs/snn-train.md");
  std::stringstream ss;
  ss << in.rdbuf();
  ASSERT_FALSE(ss.str().empty()) << "docs/snn-train.md is missing";
  std::istringstream rows(train_schema().markdown());
  std::string row;
  while (std::getline(rows, row)) {
    EXPECT_NE(ss.str().find(row), std::string::npos)
        << "docs/snn-train.md lacks (regenerate with qneuro snn train --describe-config):\n"
        << row;
  }
}

}  // namespace
}  // namespace qneuro::snn
