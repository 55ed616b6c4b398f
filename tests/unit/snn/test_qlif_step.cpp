// The per-step QLIF update (qlif_step.hpp) against hand-computed values: one neuron, a few steps,
// each mechanism of DESIGN.md §5 on its own.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn {
namespace {

using C = StepConstants<double>;

NeuronParams deterministic() {
  NeuronParams p;
  p.mode = Mode::Deterministic;
  return p;
}

StepInput<double> input(double I, const double* u = nullptr, double xi = 0.0) {
  StepInput<double> in;
  in.I = I;
  if (u != nullptr) {
    in.u0 = u[0];
    in.u_more = u + 1;
  }
  in.xi = xi;
  return in;
}

TEST(QlifStep, EulerIntegrationBelowThreshold) {
  const C c(deterministic());
  auto st = c.initial_state();
  const auto out = qlif_step(c, st, input(1.5));
  // V = 0 + (dt/tau)(I E - A - g H - V) = 1.5 / 20.
  EXPECT_DOUBLE_EQ(st.V, 0.075);
  EXPECT_EQ(out.z, 0.0);
  EXPECT_DOUBLE_EQ(out.Vth, 1.0);
  EXPECT_DOUBLE_EQ(out.delta, 0.075 - 1.0);
  EXPECT_EQ(st.A, 0.0);
  EXPECT_EQ(st.E, 1.0);
  EXPECT_EQ(st.Theta, 0.0);
}

TEST(QlifStep, SpikeResetsAndUpdatesEveryTrace) {
  const C c(deterministic());
  auto st = c.initial_state();
  st.V = 0.99;
  const auto out = qlif_step(c, st, input(2.0));
  // V = 0.99 + (2 - 0.99)/20 = 1.0405 >= 1: spike, hard reset to V_reset = 0.
  EXPECT_EQ(out.z, 1.0);
  EXPECT_NEAR(out.delta, 0.0405, 1e-15);
  EXPECT_EQ(st.V, 0.0);
  EXPECT_DOUBLE_EQ(st.R, 1.0);      // 0 e^{-1/6} + 1
  EXPECT_DOUBLE_EQ(st.H, 0.3);      // min(0 + 0.3, 2)
  EXPECT_DOUBLE_EQ(st.A, 0.5);      // 0 * 0.9 + 0.5
  EXPECT_DOUBLE_EQ(st.E, 0.9);      // 1 (1 - 0.1) + 0.05 (1 - 1)
  EXPECT_DOUBLE_EQ(st.Theta, 0.1);  // 0 + 0.1 * 1
  // Next step, same input: threshold 1.1; I_eff = 2 * 0.9 - 0.5 - 0.2 * 0.3 = 1.24.
  const auto out2 = qlif_step(c, st, input(2.0));
  EXPECT_DOUBLE_EQ(out2.Vth, 1.1);
  EXPECT_DOUBLE_EQ(st.V, 1.24 / 20.0);
  EXPECT_EQ(out2.z, 0.0);
  EXPECT_DOUBLE_EQ(st.A, 0.45);
  EXPECT_DOUBLE_EQ(st.E, 0.9 + 0.05 * 0.1);
  EXPECT_DOUBLE_EQ(st.Theta, 0.1 - 0.1 * 0.1);
  EXPECT_DOUBLE_EQ(st.H, 0.3 * std::exp(-1.0 / 120.0));
  EXPECT_DOUBLE_EQ(st.R, std::exp(-1.0 / 6.0));
}

TEST(QlifStep, ThresholdIsClampedToItsBounds) {
  NeuronParams p = deterministic();
  p.eta = 0.9;  // large jumps of Theta
  const C c(p);
  auto st = c.initial_state();
  st.Theta = 5.0;
  EXPECT_DOUBLE_EQ(qlif_step(c, st, input(0.0)).Vth, 2.0);  // max_threshold
  st.Theta = -5.0;
  EXPECT_DOUBLE_EQ(qlif_step(c, st, input(0.0)).Vth, 0.5);  // min_threshold
}

TEST(QlifStep, ExactIntegratorRelaxesExponentially) {
  NeuronParams p = deterministic();
  p.integrator = Integrator::Exact;
  const C c(p);
  auto st = c.initial_state();
  qlif_step(c, st, input(0.8));
  EXPECT_NEAR(st.V, 0.8 * (1.0 - std::exp(-1.0 / 20.0)), 1e-16);  // I + (V - I) e^{-dt/tau}
}

TEST(QlifStep, NoiseOnlyOutsideDeterministicMode) {
  const C det(deterministic());
  auto a = det.initial_state();
  qlif_step(det, a, input(0.0, nullptr, 2.0));
  EXPECT_EQ(a.V, 0.0);
  NeuronParams p;
  p.mode = Mode::Stochastic;
  const C sto(p);
  auto b = sto.initial_state();
  const double u = 0.999;
  qlif_step(sto, b, input(0.0, &u, 2.0));
  EXPECT_DOUBLE_EQ(b.V, 0.1 * 2.0);  // sigma xi
}

TEST(QlifStep, StochasticStaticSigmoidWithRefractoryDamping) {
  NeuronParams p;
  p.mode = Mode::Stochastic;
  p.allow_dynamic_spike_probability = false;
  p.noise_std = 0.0;
  const C c(p);
  auto st = c.initial_state();
  st.V = 1.0;
  st.R = 0.5;
  const double u_hi = 0.99, u_lo = 0.01;
  auto st2 = st;
  const auto out = qlif_step(c, st, input(1.0, &u_hi));
  // V stays 1 (I_eff = V), Delta = 0: p = sigmoid(0) e^{-0.5}.
  EXPECT_DOUBLE_EQ(out.p, 0.5 * std::exp(-0.5));
  EXPECT_EQ(out.z, 0.0);
  EXPECT_EQ(qlif_step(c, st2, input(1.0, &u_lo)).z, 1.0);
}

TEST(QlifStep, DynamicProbabilitySlopeFollowsTheSpikeTrace) {
  NeuronParams p;
  p.mode = Mode::Stochastic;
  p.noise_std = 0.0;
  const C c(p);
  auto st = c.initial_state();
  st.V = 1.5;  // stays 1.5 with I = 1.5
  st.s_prev = 1.0;
  st.D = 1.0;
  const double u = 0.999;
  const auto out = qlif_step(c, st, input(1.5, &u));
  // D = 1 e^{-1/20} + 1; a = clamp(2 / (1 + D), 0.05, 5); p = sigmoid(a * 0.5) e^{0}.
  const double D = std::exp(-1.0 / 20.0) + 1.0;
  EXPECT_DOUBLE_EQ(st.D, D);
  EXPECT_DOUBLE_EQ(out.p, 1.0 / (1.0 + std::exp(-(2.0 / (1.0 + D)) * 0.5)));
}

TEST(QlifStep, QuantumSigmoidMapProbability) {
  NeuronParams p;
  p.noise_std = 0.0;
  p.q_scale = 3.0;
  p.q_bias = -2.0;
  p.quantum_leak = 0.25;
  const C c(p);
  auto st = c.initial_state();
  st.V = 1.2;
  const double u = 0.5;
  const auto out = qlif_step(c, st, input(1.2, &u));
  const double theta = std::numbers::pi / (1.0 + std::exp(-(3.0 * 0.2 - 2.0 - 0.25)));
  EXPECT_NEAR(out.p, std::pow(std::sin(theta / 2.0), 2), 1e-15);
  EXPECT_EQ(out.z, u < out.p ? 1.0 : 0.0);
}

TEST(QlifStep, QuantumShotsTakeTheMajority) {
  NeuronParams p;
  p.noise_std = 0.0;
  p.quantum_shots = 3;
  const C c(p);
  auto st = c.initial_state();
  st.V = 1.0;  // Delta = 0: p = p(0) for q_bias = -2.3
  const double theta = std::numbers::pi / (1.0 + std::exp(2.3));
  const double p0 = std::pow(std::sin(theta / 2.0), 2);
  const double two_of_three[3] = {p0 / 2, p0 / 3, 0.9};
  EXPECT_EQ(qlif_step(c, st, input(1.0, two_of_three)).z, 1.0);
  auto st2 = c.initial_state();
  st2.V = 1.0;
  const double one_of_three[3] = {p0 / 2, 0.8, 0.9};
  EXPECT_EQ(qlif_step(c, st2, input(1.0, one_of_three)).z, 0.0);
}

TEST(QlifStep, NeuromodulationModes) {
  const double mod = 0.4, m = 1.0 / (1.0 + std::exp(-0.4));
  StepInput<double> in = input(1.0);
  in.mod = mod;
  in.has_mod = true;
  {  // gain: I_eff = (1 + lambda m) I
    NeuronParams p = deterministic();
    p.neuromod_mode = NeuromodMode::Gain;
    const C c(p);
    auto st = c.initial_state();
    qlif_step(c, st, in);
    EXPECT_DOUBLE_EQ(st.V, (1.0 + m) / 20.0);
    EXPECT_DOUBLE_EQ(st.m, m);
  }
  {  // threshold: Vth = V_th + lambda m
    NeuronParams p = deterministic();
    p.neuromod_mode = NeuromodMode::Threshold;
    const C c(p);
    auto st = c.initial_state();
    EXPECT_DOUBLE_EQ(qlif_step(c, st, in).Vth, 1.0 + m);
    EXPECT_DOUBLE_EQ(st.V, 1.0 / 20.0);
  }
  {  // without a modulation value m idles at m_idle = 0 (the gain is 1)
    const C c(deterministic());
    auto st = c.initial_state();
    qlif_step(c, st, input(1.0));
    EXPECT_DOUBLE_EQ(st.V, 1.0 / 20.0);
  }
}

TEST(QlifStep, CompatSoftResetAndIdleModulatorDoubleTheGain) {
  NeuronParams p = compat_params();
  p.mode = Mode::Deterministic;
  const C c(p);
  auto st = c.initial_state();
  EXPECT_EQ(st.m, 1.0);
  st.V = 0.99;
  const auto out = qlif_step(c, st, input(1.0));
  // gain 1 + 1 * 1 = 2: V = 0.99 + (2 - 0.99)/20 = 1.0405; spike; soft reset keeps 70 %.
  EXPECT_EQ(out.z, 1.0);
  EXPECT_NEAR(st.V, 0.7 * 1.0405, 1e-15);
  EXPECT_EQ(st.Theta, 0.0);  // eta unused
}

TEST(QlifStep, CompatQuantumStateFollowsTheProbabilityAndDspTwice) {
  NeuronParams p = compat_params();
  p.noise_std = 0.0;
  const C c(p);
  auto st = c.initial_state();
  st.V = 1.0;
  st.s_prev = 0.25;
  const double u = 0.999999;  // no sample
  const auto out = qlif_step(c, st, input(0.5, &u));
  EXPECT_EQ(out.z, 0.0);
  EXPECT_EQ(out.s, out.p);  // state driven by p
  const double decay = std::exp(-1.0 / 20.0);
  EXPECT_DOUBLE_EQ(st.D, (0.0 * decay + 0.25) * decay + out.p);
  EXPECT_DOUBLE_EQ(st.A, 0.5 * out.p);
  EXPECT_EQ(st.H, 0.0);  // AHP from the sample z = 0
}

TEST(QlifStep, CompatEvaluationUsesHalfThreshold) {
  NeuronParams p = compat_params();
  p.mode = Mode::Stochastic;
  p.noise_std = 0.0;
  p.allow_dynamic_spike_probability = false;
  const C c(p);
  auto st = c.initial_state();
  st.V = 3.0;
  StepInput<double> in = input(1.5);
  in.training = false;  // no uniform needed
  const auto out = qlif_step(c, st, in);
  EXPECT_GT(out.p, 0.5);
  EXPECT_EQ(out.z, 1.0);
}

TEST(Calibration, GivesTheAskedProbabilityAndSlopeForEveryMap) {
  for (const QuantumMap map : {QuantumMap::Sigmoid, QuantumMap::Tanh, QuantumMap::Linear}) {
    NeuronParams p;
    p.quantum_map = map;
    p.quantum_leak = 0.1;
    p.noise_std = 0.0;
    p.neuromod_mode = NeuromodMode::Off;
    const Calibration cal = calibrate(0.02, 0.1, map, p.quantum_leak, p.theta_max, p.tanh_gain);
    p.q_bias = cal.q_bias;
    p.q_scale = cal.q_scale;
    const C c(p);
    auto prob = [&](double delta) {
      auto st = c.initial_state();
      st.V = 1.0 + delta;
      const double u = 0.5;
      return qlif_step(c, st, input(1.0 + delta, &u)).p;  // V stays put: I_eff = V
    };
    EXPECT_NEAR(prob(0.0), 0.02, 1e-12) << to_string(map);
    const double h = 1e-5;
    EXPECT_NEAR((prob(h) - prob(-h)) / (2 * h), 0.1, 1e-6) << to_string(map);
  }
  EXPECT_THROW(calibrate(0.0, 0.1, QuantumMap::Sigmoid), InputError);
  EXPECT_THROW(calibrate(1.0, 0.1, QuantumMap::Sigmoid), InputError);
  EXPECT_THROW(calibrate(0.5, -1.0, QuantumMap::Sigmoid), InputError);
}

TEST(Calibration, CompatInitMatchesTheSeedsGoldenValues) {
  // notes/qlif-original-code.md: beta = acos(1 - 2 p0) = 0.2838, q_scale = 0.4562,
  // q_bias = beta + leak = 0.3838 for p0 = 0.02, slope 0.1, theta_max = pi/2 - 5e-3.
  const NeuronParams p = compat_params();
  EXPECT_NEAR(p.q_bias, 0.3838, 5e-5);
  EXPECT_NEAR(p.q_scale, 0.4562, 5e-5);
}

TEST(Validation, BadParametersNameThemselves) {
  auto message = [](const NeuronParams& p) {
    try {
      p.validate();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  NeuronParams p;
  EXPECT_EQ(message(p), "");
  p.tau = -1.0;
  EXPECT_NE(message(p).find("'tau'"), std::string::npos);
  p = NeuronParams{};
  p.min_threshold = 3.0;
  EXPECT_NE(message(p).find("'min_threshold'"), std::string::npos);
  p = NeuronParams{};
  p.quantum_shots = 0;
  EXPECT_NE(message(p).find("'quantum_shots'"), std::string::npos);
  p = NeuronParams{};
  p.depression_rate = 1.5;
  EXPECT_NE(message(p).find("'depression_rate'"), std::string::npos);
  EXPECT_THROW((void)parse_enum<Mode>("quantun", "mode"), InputError);
  EXPECT_THROW((void)parse_enum<QuantumMap>("cosine", "quantum.map"), InputError);
}

}  // namespace
}  // namespace qneuro::snn
