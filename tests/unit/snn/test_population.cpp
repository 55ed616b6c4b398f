// The population driver: an independent scalar reference of DESIGN.md §5 (written out here,
// not calling qlif_step) must give the same spikes and voltages for every mode; results do not
// depend on threads, on cutting a sequence into calls, or on splitting the population; spike
// rates match the probability; shapes are checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "qlif_cases.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/fast_math.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/snn/population.hpp"

namespace qneuro::snn {
namespace {

// ---- The reference: DESIGN.md §5 step by step, one neuron at a time, float. ----
struct RefState {
  float V = 0, A = 0, E = 1, H = 0, R = 0, D = 0, Theta = 0, m = 0, s_prev = 0;
};

// Elementary functions: the library's branch-free float versions (core/fast_math.hpp, checked
// against libm to ~1 ulp in tests/unit/core/test_fast_math.cpp), so that spike decisions compare
// bit for bit; the model equations below are written out independently.
float ref_exp(float x) {
  return fast_exp(x);
}
float ref_sigmoid(float x) {
  x = std::min(std::max(x, -80.0f), 80.0f);  // as snn::math::sigmoid: no denormal results
  return 1.0f / (1.0f + ref_exp(-x));
}
float ref_sin(float x) {
  float s = 0, c = 0;
  fast_sincos(x, s, c);
  return s;
}
float ref_tanh(float x) {
  return 1.0f - 2.0f / (ref_exp(2.0f * x) + 1.0f);
}

void reference_run(const NeuronParams& P, uint32_t seed, const std::vector<float>& input,
                   std::size_t T, std::size_t B, std::size_t N, const std::vector<float>* mod,
                   std::vector<uint8_t>& spikes, std::vector<float>& voltage) {
  spikes.assign(T * B * N, 0);
  voltage.assign(T * B * N, 0.0f);
  const CompatSwitches& q = P.compat;
  const float lambda = float(P.neuromod_strength);
  const float m_idle = q.modulator_idles_at_one ? 1.0f : float(P.m_idle);
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t n = 0; n < N; ++n) {
      RefState s;
      s.m = m_idle;
      for (std::size_t t = 0; t < T; ++t) {
        const std::size_t at = (t * B + b) * N + n;
        float xi = 0;
        float u[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        if (P.mode != Mode::Deterministic) {
          draw_step_randoms(seed, 0, t, b, n, P.mode == Mode::Quantum ? P.quantum_shots : 1, xi, u);
        }
        // 1. neuromodulator
        if (mod != nullptr) {
          s.m = ref_sigmoid((*mod)[at]);
        } else if (!q.modulator_persists) {
          s.m = m_idle;
        }
        const float lm = lambda * s.m;
        // 2. threshold
        float vth = float(P.V_th) + s.Theta;
        if (P.neuromod_mode == NeuromodMode::Threshold) vth += lm;
        vth = std::min(std::max(vth, float(P.min_threshold)), float(P.max_threshold));
        // 3. input
        float gain = 1.0f;
        if (P.neuromod_mode == NeuromodMode::Gain) gain = 1.0f + lm;
        const float g_ahp = P.use_ahp ? float(P.g_ahp) : 0.0f;
        const float i_eff = gain * input[at] * s.E - s.A - g_ahp * s.H;
        // 4. membrane
        if (P.integrator == Integrator::Exact) {
          s.V = i_eff + (s.V - i_eff) * float(std::exp(-P.dt / P.tau));
        } else {
          s.V = s.V + float(P.dt / P.tau) * (i_eff - s.V);
        }
        const bool noisy = P.mode == Mode::Stochastic ||
                           (P.mode == Mode::Quantum && q.stochastic_noise_in_quantum);
        if (noisy && P.noise_std > 0) s.V += float(P.noise_std) * xi;
        // 5. gap, dynamic probability
        const float delta = s.V - vth;
        const float slope_mod = P.neuromod_mode == NeuromodMode::ProbSlope ? 1.0f + lm : 1.0f;
        const float dsp_decay = float(std::exp(-(q.dsp_ignores_dt ? 1.0 : P.dt) / P.tau_adapt));
        const bool dsp = P.allow_dynamic_spike_probability && P.mode != Mode::Deterministic;
        if (dsp) s.D = s.D * dsp_decay + s.s_prev;
        // 6. decision
        float z = 0, p = 0;
        if (P.mode == Mode::Deterministic) {
          z = delta >= 0 ? 1.0f : 0.0f;
          p = z;
        } else if (P.mode == Mode::Stochastic) {
          float a = 1.0f;
          if (P.allow_dynamic_spike_probability) {
            a = float(P.base_alpha) / std::max(1.0f + s.D, 1e-6f) * slope_mod;
            a = std::min(std::max(a, float(P.dsp_min_alpha)), float(P.dsp_max_alpha));
          }
          p = ref_sigmoid(a * delta) * ref_exp(-s.R);
          z = u[0] < p ? 1.0f : 0.0f;
        } else {
          const float pre = float(P.q_scale) * delta + float(P.q_bias) - float(P.quantum_leak);
          float theta = 0;
          if (P.quantum_map == QuantumMap::Sigmoid) {
            theta = std::numbers::pi_v<float> * ref_sigmoid(pre * slope_mod);
          } else if (P.quantum_map == QuantumMap::Linear) {
            theta = std::min(std::max(pre * slope_mod, 0.0f), std::numbers::pi_v<float>);
          } else {
            theta = (float(P.q_bias) - float(P.quantum_leak)) +
                    float(P.theta_max) *
                        ref_tanh(float(P.tanh_gain) * float(P.q_scale) * slope_mod * delta);
          }
          const float sn = ref_sin(theta / 2.0f);  // p = sin^2(theta / 2)
          p = sn * sn;
          if (q.clamp_quantum_probability) p = std::min(std::max(p, 1e-5f), 1.0f - 1e-5f);
          int ones = 0;
          for (int k = 0; k < P.quantum_shots; ++k) ones += u[k] < p ? 1 : 0;
          z = 2 * ones >= P.quantum_shots ? 1.0f : 0.0f;
        }
        const float sv = P.mode == Mode::Quantum && q.probability_drives_state ? p : z;
        if (dsp && P.mode == Mode::Quantum && q.dsp_updated_twice) s.D = s.D * dsp_decay + sv;
        // 7. reset and traces
        const float k = q.soft_reset ? float(P.reset_fraction) : 1.0f;
        s.V = s.V - k * sv * (s.V - float(P.V_reset));
        s.R = s.R * float(std::exp(-P.dt / P.tau_ref)) + float(P.r_jump) * sv;
        if (P.use_ahp) {
          s.H = std::min(s.H * float(std::exp(-P.dt / P.tau_ahp)) +
                             float(P.ahp_jump) * (q.ahp_from_sample ? z : sv),
                         float(P.ahp_max));
        }
        s.A = s.A * float(P.adaptation_decay) + float(P.spike_increase) * sv;
        const float e_old = s.E;
        s.E = std::min(std::max(e_old * (1.0f - float(P.depression_rate) * sv) +
                                    float(P.recovery_rate) * (1.0f - e_old),
                                0.0f),
                       1.0f);
        if (P.use_adaptive_threshold && !q.eta_unused) {
          s.Theta = s.Theta + float(P.eta) * sv - float(P.eta) * s.Theta * (1.0f - sv);
        }
        s.s_prev = sv;
        spikes[at] = z != 0.0f;
        voltage[at] = s.V;
      }
    }
  }
}

using test_cases::QlifCase;
std::vector<QlifCase> cases() {
  return test_cases::qlif_cases();
}

using test_cases::random_values;

TEST(Population, MatchesTheScalarReferenceInEveryMode) {
  const std::size_t T = 150, B = 2, N = 24;
  const auto input = random_values(T * B * N, 7, 0.0f, 3.0f);
  const auto mod_values = random_values(T * B * N, 8, -2.0f, 2.0f);
  for (const auto& c : cases()) {
    Population pop(c.params, N, 42);
    Modulation mod{mod_values, B, N};
    RunOptions opt;
    opt.record_voltage = true;
    const RunOutput out = pop.run(input, T, B, c.modulated ? &mod : nullptr, opt);
    std::vector<uint8_t> ref_spikes;
    std::vector<float> ref_v;
    reference_run(c.params, 42, input, T, B, N, c.modulated ? &mod_values : nullptr, ref_spikes,
                  ref_v);
    EXPECT_EQ(out.spikes, ref_spikes) << c.name;
    double worst = 0;
    std::size_t n_spikes = 0;
    for (std::size_t i = 0; i < ref_v.size(); ++i) {
      worst = std::max(worst, double(std::abs(out.voltage[i] - ref_v[i])));
      n_spikes += ref_spikes[i];
    }
    EXPECT_LE(worst, 1e-6) << c.name;
    // Every case must actually exercise spiking (and not fire on every step).
    EXPECT_GT(n_spikes, 0u) << c.name;
    EXPECT_LT(n_spikes, ref_spikes.size()) << c.name;
  }
}

TEST(Population, RecordingTracesChangesNoSpikeOrVoltage) {
  // A run that records only spikes and the voltage takes the kernel's lean path (the other
  // outputs are not stored at all); one that records traces takes the full path. Same bits.
  const std::size_t T = 37, B = 2, N = 300;  // 300: one full and one partial block of lanes
  const auto input = random_values(T * B * N, 11, 0.0f, 3.0f);
  const auto mod_values = random_values(T * B * N, 12, -2.0f, 2.0f);
  for (const auto& c : cases()) {
    Modulation mod{mod_values, B, N};
    RunOptions lean, full;
    lean.record_voltage = full.record_voltage = true;
    full.record_traces = true;
    Population a(c.params, N, 5), b(c.params, N, 5);
    const RunOutput oa = a.run(input, T, B, c.modulated ? &mod : nullptr, lean);
    const RunOutput ob = b.run(input, T, B, c.modulated ? &mod : nullptr, full);
    EXPECT_TRUE(oa.p.empty()) << c.name;
    EXPECT_EQ(ob.p.size(), T * B * N) << c.name;
    EXPECT_EQ(oa.spikes, ob.spikes) << c.name;
    EXPECT_EQ(oa.voltage, ob.voltage) << c.name;
  }
}

TEST(Population, IdenticalForOneAndTwoThreadsSplitsAndChunks) {
  const std::size_t T = 80, B = 3, N = 40;
  const auto input = random_values(T * B * N, 3, 0.0f, 3.0f);
  NeuronParams p;  // default quantum mode: noise and uniforms from Philox
  RunOutput one, two;
  {
    parallel::ScopedThreads threads(1);
    Population pop(p, N, 9);
    one = pop.run(input, T, B);
  }
  {
    parallel::ScopedThreads threads(2);
    Population pop(p, N, 9);
    two = pop.run(input, T, B);
  }
  EXPECT_EQ(one.spikes, two.spikes);
  // The population split in two parts (neurons [0, 15) and [15, 40)).
  Population left(p, 15, 9, 0, 0), right(p, 25, 9, 0, 15);
  std::vector<float> in_l(T * B * 15), in_r(T * B * 25);
  for (std::size_t tb = 0; tb < T * B; ++tb) {
    std::copy_n(input.begin() + tb * N, 15, in_l.begin() + tb * 15);
    std::copy_n(input.begin() + tb * N + 15, 25, in_r.begin() + tb * 25);
  }
  const auto ol = left.run(in_l, T, B), orr = right.run(in_r, T, B);
  for (std::size_t tb = 0; tb < T * B; ++tb) {
    for (std::size_t n = 0; n < N; ++n) {
      const uint8_t s = n < 15 ? ol.spikes[tb * 15 + n] : orr.spikes[tb * 25 + n - 15];
      ASSERT_EQ(s, one.spikes[tb * N + n]) << "tb " << tb << " n " << n;
    }
  }
  // The same sequence in two calls (state and clock carried).
  Population chunked(p, N, 9);
  const std::size_t T1 = 30;
  const auto a = chunked.run(std::span<const float>(input).first(T1 * B * N), T1, B);
  const auto b = chunked.run(std::span<const float>(input).subspan(T1 * B * N), T - T1, B);
  auto joined = a.spikes;
  joined.insert(joined.end(), b.spikes.begin(), b.spikes.end());
  EXPECT_EQ(joined, one.spikes);
  // reset() starts over: the first call is reproduced.
  chunked.reset();
  EXPECT_EQ(chunked.run(input, T, B).spikes, one.spikes);
}

TEST(Population, SpikeRateAtFixedProbabilityMatchesIt) {
  // Freeze the membrane at the threshold: the exact integrator with dt >> tau sets V = I_eff
  // every step, and with I = 1, no noise, no adaptation, no depression, no AHP, no threshold
  // adaptation and V_reset = 1, every step has Delta = 0, hence p = p0 from the calibration.
  NeuronParams p;
  p.noise_std = 0.0;
  p.V_reset = 1.0;
  p.spike_increase = 0.0;
  p.depression_rate = 0.0;
  p.use_ahp = false;
  p.eta = 0.0;
  p.integrator = Integrator::Exact;
  p.dt = 1e3;  // e^{-dt/tau} = 0
  const double p0 = 0.02;
  const Calibration c = calibrate(p0, 0.1, QuantumMap::Sigmoid);
  p.q_bias = c.q_bias;
  p.q_scale = c.q_scale;
  const std::size_t T = 200, N = 1000;
  Population frozen(p, N, 5);
  const std::vector<float> input(T * N, 1.0f);
  const auto out = frozen.run(input, T, 1);
  double count = 0;
  for (uint8_t s : out.spikes) count += s;
  const double n = double(T * N);
  const double rate = count / n;
  const double sd = std::sqrt(p0 * (1 - p0) / n);  // binomial standard deviation of the rate
  EXPECT_NEAR(rate, p0, 5 * sd) << "rate " << rate << " (5 sd = " << 5 * sd << ")";
}

TEST(Population, SigmoidMapIsMonotone) {
  NeuronParams p;
  p.noise_std = 0.0;
  const StepConstants<double> c(p);
  double last = -1;
  for (double delta = -5; delta <= 5; delta += 0.01) {
    auto st = c.initial_state();
    st.V = 1.0 + delta;
    StepInput<double> in;
    in.I = st.V;
    in.u0 = 0.5;
    const double prob = qlif_step(c, st, in).p;
    ASSERT_GE(prob, last) << delta;
    last = prob;
  }
}

TEST(Population, ShapesAreChecked) {
  Population pop(NeuronParams{}, 4, 1);
  const std::vector<float> in(2 * 3 * 4, 1.0f);
  EXPECT_THROW(pop.run(in, 2, 2), InputError);  // 24 values for (2, 2, 4)
  pop.run(in, 2, 3);
  EXPECT_THROW(pop.run(in, 2, 3 - 1), InputError);  // batch changed
  const std::vector<float> m(2 * 2, 0.0f);
  Modulation bad{m, 2, 1};  // B = 2 is neither 1 nor 3
  EXPECT_THROW(pop.run(in, 2, 3, &bad), InputError);
  NeuronParams p;
  p.tau = -1;
  EXPECT_THROW(Population(p, 4, 1), InputError);
}

}  // namespace
}  // namespace qneuro::snn
