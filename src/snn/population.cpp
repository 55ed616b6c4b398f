#include "qneuro/snn/population.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>

#include "qlif_device.hpp"
#include "qlif_kernel.hpp"
#include "qneuro/core/denormals.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/rng.hpp"

namespace qneuro::snn {

void draw_step_randoms(uint32_t seed, uint32_t layer, uint64_t t, uint64_t b, uint64_t neuron,
                       int shots, float& xi, float* u, uint64_t episode) {
  const uint64_t entity = (b << 32) | neuron;
  const uint64_t group = kernel::group_counter(episode, t >> 2);
  const auto q = static_cast<std::size_t>(t & 3u);
  const uint32_t base = static_cast<uint32_t>(rng::Stream::SnnLayer0);
  const rng::Words w0 = rng::Philox(seed, base + layer).words(group, entity);
  u[0] = kernel::uniform_of(w0[q]);
  const rng::Words wn = rng::Philox(seed, base + 1024u + layer).words(group, entity);
  float c = 0, s = 0;
  kernel::box_muller(wn[q & 2u], wn[(q & 2u) + 1], c, s);
  xi = (q & 1u) != 0 ? s : c;
  for (int k = 1; k < shots; ++k) {
    const uint32_t stream = base + 1024u * static_cast<uint32_t>(1 + k) + layer;
    u[k] = kernel::uniform_of(rng::Philox(seed, stream).words(group, entity)[q]);
  }
}

Population::Population(NeuronParams params, std::size_t neurons, uint32_t seed, uint32_t layer,
                       std::size_t first_neuron, Device device)
    : params_((params.validate(), params)),
      constants_(params_),
      N_(neurons),
      seed_(seed),
      layer_(layer),
      first_(first_neuron),
      device_(device) {
  if (neurons == 0) throw InputError("a population needs at least one neuron");
  if (layer >= 1024) throw InputError("layer index must be below 1024");
  if (first_neuron + neurons > (uint64_t{1} << 32)) {
    throw InputError("neuron indices must stay below 2^32 (first_neuron + neurons)");
  }
  require_device(device, "population device");
  if (device == Device::Cuda) {
    gpu_ = device::make_cuda_runner(constants_, N_, seed_, layer_, first_);
  }
}

Population::~Population() = default;
Population::Population(Population&&) noexcept = default;
Population& Population::operator=(Population&&) noexcept = default;

void Population::reset() {
  states_.clear();
  states_on_device_ = false;
  B_ = 0;
  t_ = 0;
}

const NeuronState<float>& Population::state(std::size_t b, std::size_t n) const {
  if (states_on_device_) {
    states_.resize(B_ * N_);
    gpu_->download_states(states_.data());
    states_on_device_ = false;
  }
  return states_[b * N_ + n];
}

void Population::set_device_chunk_bytes(std::size_t bytes) {
  if (gpu_ != nullptr) gpu_->set_chunk_bytes(bytes);
}

RunOutput Population::run(std::span<const float> input, std::size_t T, std::size_t B,
                          const Modulation* mod, const RunOptions& opt) {
  check_input(input, T, B, mod);
  RunOutput out;
  out.T = T;
  out.B = B;
  out.N = N_;
  const std::size_t total = T * B * N_;
  out.spikes.resize(total);
  RunViews views;
  views.spikes = out.spikes;
  if (opt.record_voltage) {
    out.voltage.resize(total);
    views.voltage = out.voltage;
  }
  if (opt.record_traces) {
    for (auto* v : {&out.p, &out.D, &out.A, &out.E, &out.Theta}) v->resize(total);
    views.p = out.p;
    views.D = out.D;
    views.A = out.A;
    views.E = out.E;
    views.Theta = out.Theta;
  }
  run_into(input, T, B, mod, views, opt.training);
  return out;
}

void Population::check_input(std::span<const float> input, std::size_t T, std::size_t B,
                             const Modulation* mod) const {
  if (B == 0) throw InputError("batch size must be >= 1");
  if (input.size() != T * B * N_) {
    throw InputError("input has " + std::to_string(input.size()) + " values, shape (T, B, N) = (" +
                     std::to_string(T) + ", " + std::to_string(B) + ", " + std::to_string(N_) +
                     ") needs " + std::to_string(T * B * N_));
  }
  if (B_ != 0 && B != B_) {
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
}

void Population::run_into(std::span<const float> input, std::size_t T, std::size_t B,
                          const Modulation* mod, const RunViews& out, bool training) {
  check_input(input, T, B, mod);
  const std::size_t total = T * B * N_;
  auto check_view = [&](std::size_t size, const char* name, bool required) {
    if ((required || size != 0) && size != total) {
      throw InputError(std::string("output buffer '") + name + "' has " + std::to_string(size) +
                       " elements; (T, B, N) needs " + std::to_string(total));
    }
  };
  check_view(out.spikes.size(), "spikes", true);
  check_view(out.voltage.size(), "voltage", false);
  check_view(out.p.size(), "p", false);
  check_view(out.D.size(), "D", false);
  check_view(out.A.size(), "A", false);
  check_view(out.E.size(), "E", false);
  check_view(out.Theta.size(), "Theta", false);
  if (B_ == 0) {
    B_ = B;
    if (gpu_ != nullptr) {  // the state lives on the device; state() copies it back on demand
      gpu_->reset(B, constants_.initial_state());
      states_on_device_ = true;
    } else {
      states_.assign(B * N_, constants_.initial_state());
    }
  }
  if (T == 0) return;
  if (gpu_ != nullptr) {
    device::HostRun run;
    run.input = input.data();
    run.modulation = mod;
    run.out = out;
    run.T = T;
    run.t0 = t_;
    run.training = training;
    gpu_->run_host(run);
    states_on_device_ = true;  // states_ (if copied back before) is stale now
    t_ += T;
    return;
  }
  auto ptr = [](std::span<float> v) { return v.empty() ? nullptr : v.data(); };
  kernel::BlockArgs base;
  base.c = &constants_;
  base.input = input.data();
  if (mod != nullptr) {
    base.mod = mod->values.data();
    base.mod_B = mod->B;
    base.mod_N = mod->N;
  }
  base.spikes = out.spikes.data();
  base.out_stride = B * N_;
  base.voltage = ptr(out.voltage);
  base.p = ptr(out.p);
  base.D = ptr(out.D);
  base.A = ptr(out.A);
  base.E = ptr(out.E);
  base.Theta = ptr(out.Theta);
  base.T = T;
  base.B = B;
  base.N = N_;
  base.t0 = t_;
  base.seed = seed_;
  base.layer = layer_;
  base.first_neuron = first_;
  base.training = training;
  kernel::run_all_blocks(base, states_.data());
  t_ += T;
}

}  // namespace qneuro::snn
