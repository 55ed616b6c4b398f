#include "qneuro/snn/torch/qlif_layer.hpp"

#include <sstream>
#include <string>

#include "qlif_function.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn {

namespace {

std::string shape_of(const torch::Tensor& t) {
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}

/// The initial state (B, N, 9) of StepConstants::initial_state().
torch::Tensor initial_state(const NeuronParams& p, int64_t B, int64_t N, torch::ScalarType dtype) {
  const NeuronState<double> s = StepConstants<double>(p).initial_state();
  const torch::Tensor one =
      torch::tensor({s.V, s.A, s.E, s.H, s.R, s.D, s.Theta, s.m, s.s_prev}, torch::kDouble);
  return one.to(dtype).expand({B, N, 9}).contiguous();
}

void check_randoms(const QLIFRandoms& r, const torch::Tensor& input, int shots) {
  const auto sizes = input.sizes();
  if (!r.xi.defined() || !r.u.defined()) {
    throw InputError("explicit random numbers need both xi (T, B, N) and u (K, T, B, N)");
  }
  if (r.xi.sizes() != sizes || r.u.dim() != 4 || r.u.size(0) != shots ||
      r.u.sizes().slice(1) != sizes) {
    throw InputError("explicit random numbers have shapes xi " + shape_of(r.xi) + ", u " +
                     shape_of(r.u) + "; input " + shape_of(input) + " needs xi (T, B, N) and u (" +
                     std::to_string(shots) + ", T, B, N)");
  }
  if (r.xi.scalar_type() != input.scalar_type() || r.u.scalar_type() != input.scalar_type()) {
    throw InputError("explicit random numbers must have the input's dtype");
  }
}

}  // namespace

torch::Tensor shape_modulation(const torch::Tensor& modulation, int64_t T, int64_t B, int64_t N) {
  if (!modulation.defined()) return modulation;
  torch::Tensor m = modulation;
  if (m.dim() == 1) {
    m = m.reshape({m.size(0), 1, 1});
  } else if (m.dim() == 2) {
    m = m.unsqueeze(1);
  }
  if (m.dim() != 3 || m.size(0) != T || (m.size(1) != 1 && m.size(1) != B) ||
      (m.size(2) != 1 && m.size(2) != N)) {
    throw InputError("modulation has shape " + shape_of(modulation) + "; input (T, B, N) = (" +
                     std::to_string(T) + ", " + std::to_string(B) + ", " + std::to_string(N) +
                     ") allows (T, B or 1, N or 1), (T, N) or (T)");
  }
  return m;
}

int64_t qlif_saved_bytes(int64_t T, int64_t B, int64_t N, torch::ScalarType dtype,
                         bool carried_state) {
  const int64_t real = static_cast<int64_t>(torch::elementSize(dtype));
  const int64_t per_step = T * B * N * (real + 1);             // input + spike bytes
  const int64_t state = carried_state ? B * N * 9 * real : 0;  // initial state
  const int64_t params = 3 * N * real + 2 * real;              // V_th, q_scale, q_bias, tau, eta
  const auto constants = static_cast<int64_t>(sizeof(StepConstants<double>));
  return per_step + state + params + constants;
}

QLIFParameters register_qlif_parameters(torch::nn::Module& module, const QLIFOptions& options) {
  const NeuronParams& p = options.params();
  p.validate();
  const int64_t N = options.neurons();
  if (N < 1) {
    throw InputError("a QLIF layer needs at least one neuron (neurons = " + std::to_string(N) +
                     ")");
  }
  auto add = [&module](const char* name, torch::Tensor init, bool learnable) {
    return learnable ? module.register_parameter(name, std::move(init))
                     : module.register_buffer(name, std::move(init));
  };
  QLIFParameters r;
  r.V_th = add("V_th", torch::full({N}, p.V_th), options.learnable_threshold());
  r.tau = add("tau", torch::scalar_tensor(p.tau, torch::kFloat), options.learnable_tau());
  r.eta = add("eta", torch::scalar_tensor(p.eta, torch::kFloat), options.learnable_eta());
  r.q_scale = add("q_scale", torch::full({N}, p.q_scale), options.learnable_qscale());
  r.q_bias = add("q_bias", torch::full({N}, p.q_bias), options.learnable_qbias());
  return r;
}

QLIFLayerImpl::QLIFLayerImpl(QLIFOptions options) : options_(std::move(options)) {
  static_cast<QLIFParameters&>(*this) = register_qlif_parameters(*this, options_);
}

QLIFRandoms qlif_next_randoms(const QLIFOptions& options, const QLIFCarry& carry, int64_t T,
                              int64_t B, torch::ScalarType dtype) {
  const NeuronParams& p = options.params();
  const int shots = p.mode == Mode::Quantum ? p.quantum_shots : 1;
  return philox_randoms(options.seed(), options.layer(), carry.episode, carry.t, T, B,
                        options.neurons(), shots, dtype);
}

QLIFRandoms QLIFLayerImpl::next_randoms(int64_t T, int64_t B, torch::ScalarType dtype) const {
  return qlif_next_randoms(options_, carry_, T, B, dtype);
}

QLIFOutput QLIFLayerImpl::forward(const torch::Tensor& input, const torch::Tensor& modulation) {
  return qlif_forward(options_, *this, carry_, is_training(), input, modulation);
}

QLIFOutput QLIFLayerImpl::forward_with(const torch::Tensor& input, const torch::Tensor& modulation,
                                       const QLIFRandoms& randoms) {
  return qlif_forward(options_, *this, carry_, is_training(), input, modulation, randoms);
}

QLIFOutput qlif_forward(const QLIFOptions& options, const QLIFParameters& params, QLIFCarry& carry,
                        bool training, const torch::Tensor& input, const torch::Tensor& modulation,
                        const QLIFRandoms& randoms) {
  const int64_t N = options.neurons();
  if (!input.defined() || input.dim() != 3 || input.size(2) != N) {
    throw InputError("QLIF layer input must be (T, B, N) with N = " + std::to_string(N) + ", got " +
                     (input.defined() ? shape_of(input) : std::string("undefined")));
  }
  if (!input.device().is_cpu()) throw InputError("the QLIF layer runs on the CPU");
  const auto dtype = input.scalar_type();
  if (dtype != params.V_th.scalar_type()) {
    throw InputError(std::string("QLIF layer input has dtype ") + c10::toString(dtype) +
                     " but the layer's parameters are " + c10::toString(params.V_th.scalar_type()) +
                     "; convert one with .to()");
  }
  if (dtype != torch::kFloat && dtype != torch::kDouble) {
    throw InputError("the QLIF layer supports float and double tensors");
  }
  const int64_t T = input.size(0);
  const int64_t B = input.size(1);
  if (B < 1) throw InputError("QLIF layer input needs a batch of at least 1");
  if (carry.state.defined() && carry.state.size(0) != B) {
    throw InputError("batch size changed from " + std::to_string(carry.state.size(0)) + " to " +
                     std::to_string(B) + " while state is carried; call reset() first");
  }
  const NeuronParams& p = options.params();
  const bool fresh = !carry.state.defined();
  if (fresh) carry.state = initial_state(p, B, N, dtype);
  const torch::Tensor mod = shape_modulation(modulation, T, B, N);
  if (mod.defined() && mod.scalar_type() != dtype) {
    throw InputError("modulation must have the input's dtype");
  }
  const int shots = p.mode == Mode::Quantum ? p.quantum_shots : 1;
  QLIFRandoms r = randoms;
  if (r.xi.defined() || r.u.defined()) {
    check_randoms(r, input, shots);
  } else if (dtype == torch::kDouble || r.relaxed) {
    // The scalar driver takes explicit numbers: the same Philox numbers as the kernel.
    const bool relaxed = r.relaxed;
    r = qlif_next_randoms(options, carry, T, B, dtype);
    r.relaxed = relaxed;
  }
  detail::QLIFCall call;
  call.params = p;
  call.seed = options.seed();
  call.layer = options.layer();
  call.episode = carry.episode;
  call.t0 = carry.t;
  call.training = training;
  call.relaxed = r.relaxed;
  call.state = carry.state;
  call.state_is_initial = fresh;
  torch::Tensor next_state;
  call.final_state = &next_state;
  const auto out = detail::qlif_apply(input, mod, params.V_th, params.tau, params.eta,
                                      params.q_scale, params.q_bias, r.xi, r.u, call);
  carry.state = next_state;
  carry.t += static_cast<uint64_t>(T);
  return {out[0], out[1]};
}

}  // namespace qneuro::snn
