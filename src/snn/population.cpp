#include "qneuro/snn/population.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/core/rng.hpp"

namespace qneuro::snn {

void draw_step_randoms(uint32_t seed, uint32_t layer, uint64_t t, uint64_t b, uint64_t neuron,
                       int shots, float& xi, float* u) {
  const uint64_t entity = (b << 32) | neuron;
  const uint32_t base = static_cast<uint32_t>(rng::Stream::SnnLayer0);
  const rng::Philox gen(seed, base + layer);
  const rng::Words w = gen.words(t, entity);
  const float u0 = rng::Philox::uniform01f(w[0]);
  const float u1 = rng::Philox::uniform01f(w[1]);
  xi = std::sqrt(-2.0f * std::log(u0)) * std::cos(2.0f * std::numbers::pi_v<float> * u1);
  u[0] = rng::Philox::uniform01f(w[2]);
  if (shots > 1) u[1] = rng::Philox::uniform01f(w[3]);
  for (int k = 2; k < shots; k += 4) {
    const rng::Philox extra(seed, base + 1024u * static_cast<uint32_t>(1 + (k - 2) / 4) + layer);
    const rng::Words e = extra.words(t, entity);
    for (int j = 0; j < 4 && k + j < shots; ++j) u[k + j] = rng::Philox::uniform01f(e[j]);
  }
}

Population::Population(NeuronParams params, std::size_t neurons, uint32_t seed, uint32_t layer,
                       std::size_t first_neuron)
    : params_((params.validate(), params)),
      constants_(params_),
      N_(neurons),
      seed_(seed),
      layer_(layer),
      first_(first_neuron) {
  if (neurons == 0) throw InputError("a population needs at least one neuron");
  if (layer >= 1024) throw InputError("layer index must be below 1024");
}

void Population::reset() {
  states_.clear();
  B_ = 0;
  t_ = 0;
}

RunOutput Population::run(std::span<const float> input, std::size_t T, std::size_t B,
                          const Modulation* mod, const RunOptions& opt) {
  if (B == 0) throw InputError("batch size must be >= 1");
  if (input.size() != T * B * N_) {
    throw InputError("input has " + std::to_string(input.size()) + " values, shape (T, B, N) = (" +
                     std::to_string(T) + ", " + std::to_string(B) + ", " + std::to_string(N_) +
                     ") needs " + std::to_string(T * B * N_));
  }
  if (B_ == 0) {
    B_ = B;
    states_.assign(B * N_, constants_.initial_state());
  } else if (B != B_) {
    throw InputError("batch size changed from " + std::to_string(B_) + " to " + std::to_string(B) +
                     " while state is carried; call reset() first");
  }
  if (mod != nullptr) {
    if ((mod->B != 1 && mod->B != B) || (mod->N != 1 && mod->N != N_) ||
        mod->values.size() != T * mod->B * mod->N) {
      throw InputError("modulation has shape (" + std::to_string(T) + ", " +
                       std::to_string(mod->B) + ", " + std::to_string(mod->N) + ") with " +
                       std::to_string(mod->values.size()) + " values; expected (T, 1 or " +
                       std::to_string(B) + ", 1 or " + std::to_string(N_) + ")");
    }
  }
  RunOutput out;
  out.T = T;
  out.B = B;
  out.N = N_;
  const std::size_t total = T * B * N_;
  out.spikes.assign(total, 0);
  if (opt.record_voltage) out.voltage.assign(total, 0.0f);
  if (opt.record_traces) {
    for (auto* v : {&out.p, &out.D, &out.A, &out.E, &out.Theta}) v->assign(total, 0.0f);
  }
  const StepConstants<float>& c = constants_;
  const int shots = params_.mode == Mode::Quantum ? params_.quantum_shots : 1;
  const bool needs_random = params_.mode != Mode::Deterministic;
  const uint64_t t0 = t_;
  const std::size_t N = N_;
  // Neurons are processed in blocks of kBlock contiguous n: for each t the block's inputs and
  // outputs are contiguous (one neuron at a time over T would stride by B N floats per step),
  // and the block's state stays in L1.
  constexpr std::size_t kBlock = 64;
  const std::size_t blocks_per_row = (N + kBlock - 1) / kBlock;
  const auto n_blocks = static_cast<long long>(B * blocks_per_row);
#pragma omp parallel
  {
    std::vector<float> u(static_cast<std::size_t>(std::max(shots, 1)) * kBlock, 0.5f);
    NeuronState<float> block[kBlock];
#pragma omp for schedule(static)
    for (long long blk = 0; blk < n_blocks; ++blk) {
      const std::size_t b = static_cast<std::size_t>(blk) / blocks_per_row;
      const std::size_t n0 = (static_cast<std::size_t>(blk) % blocks_per_row) * kBlock;
      const std::size_t len = std::min(kBlock, N - n0);
      NeuronState<float>* state = states_.data() + b * N + n0;
      std::copy(state, state + len, block);
      for (std::size_t t = 0; t < T; ++t) {
        const std::size_t row = (t * B + b) * N + n0;
        for (std::size_t j = 0; j < len; ++j) {
          const std::size_t at = row + j;
          StepInput<float> in;
          in.u = u.data() + j * static_cast<std::size_t>(std::max(shots, 1));
          in.training = opt.training;
          in.I = input[at];
          if (mod != nullptr) {
            in.has_mod = true;
            in.mod = mod->values[(t * mod->B + (mod->B == 1 ? 0 : b)) * mod->N +
                                 (mod->N == 1 ? 0 : n0 + j)];
          }
          if (needs_random) {
            draw_step_randoms(seed_, layer_, t0 + t, b, first_ + n0 + j, shots, in.xi,
                              u.data() + j * static_cast<std::size_t>(std::max(shots, 1)));
          }
          NeuronState<float>& st = block[j];
          const StepOutput<float> o = qlif_step(c, st, in);
          out.spikes[at] = static_cast<uint8_t>(o.z != 0.0f);
          if (opt.record_voltage) out.voltage[at] = st.V;
          if (opt.record_traces) {
            out.p[at] = o.p;
            out.D[at] = st.D;
            out.A[at] = st.A;
            out.E[at] = st.E;
            out.Theta[at] = st.Theta;
          }
        }
      }
      std::copy(block, block + len, state);
    }
  }
  t_ += T;
  return out;
}

}  // namespace qneuro::snn
