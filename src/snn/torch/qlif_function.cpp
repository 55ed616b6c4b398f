#include "qlif_function.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "qneuro/core/error.hpp"
#include "qneuro/snn/qlif_sequence.hpp"

namespace qneuro::snn::detail {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

static_assert(sizeof(NeuronState<float>) == 9 * sizeof(float));
static_assert(sizeof(NeuronState<double>) == 9 * sizeof(double));
static_assert(std::is_trivially_copyable_v<StepConstants<double>>);

/// StepConstants travel from forward to backward as bytes in ctx->saved_data.
template <typename Real>
Tensor pack_constants(const StepConstants<Real>& c) {
  Tensor blob = torch::empty({static_cast<int64_t>(sizeof(c))}, torch::kUInt8);
  std::memcpy(blob.data_ptr(), &c, sizeof(c));
  return blob;
}
template <typename Real>
StepConstants<Real> unpack_constants(const Tensor& blob) {
  StepConstants<Real> c{NeuronParams{}};
  std::memcpy(static_cast<void*>(&c), blob.data_ptr(), sizeof(c));
  return c;
}

template <typename Real>
const Real* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<Real>() : nullptr;
}

template <typename Real>
SequenceArgs<Real> make_args(const StepConstants<Real>& c, const Tensor& input, const Tensor& mod,
                             const Tensor& V_th, const Tensor& q_scale, const Tensor& q_bias,
                             const Tensor& xi, const Tensor& u) {
  SequenceArgs<Real> a;
  a.c = &c;
  a.T = static_cast<std::size_t>(input.size(0));
  a.B = static_cast<std::size_t>(input.size(1));
  a.N = static_cast<std::size_t>(input.size(2));
  a.input = input.data_ptr<Real>();
  if (mod.defined()) {
    a.mod = mod.data_ptr<Real>();
    a.mod_B = static_cast<std::size_t>(mod.size(1));
    a.mod_N = static_cast<std::size_t>(mod.size(2));
  }
  a.V_th0 = V_th.data_ptr<Real>();
  a.q_scale = q_scale.data_ptr<Real>();
  a.q_bias = q_bias.data_ptr<Real>();
  a.xi = ptr_or_null<Real>(xi);
  a.u = ptr_or_null<Real>(u);
  return a;
}

/// (B, N, 9) copies of c.initial_state().
template <typename Real>
Tensor initial_states(const StepConstants<Real>& c, int64_t B, int64_t N, const Tensor& like) {
  Tensor t = torch::empty({B, N, 9}, like.options());
  auto* s = reinterpret_cast<NeuronState<Real>*>(t.data_ptr<Real>());
  std::fill(s, s + B * N, c.initial_state());
  return t;
}

Tensor contiguous_or_undefined(const Tensor& t) {
  return t.defined() ? t.contiguous() : t;
}

struct QLIFFunction : public torch::autograd::Function<QLIFFunction> {
  // Optional tensors are c10::optional: autograd cannot take undefined tensors as inputs.
  static variable_list forward(AutogradContext* ctx, const Tensor& input_in,
                               const c10::optional<Tensor>& mod_in, const Tensor& V_th_in,
                               const Tensor& tau, const Tensor& eta, const Tensor& q_scale_in,
                               const Tensor& q_bias_in, const c10::optional<Tensor>& xi_in,
                               const c10::optional<Tensor>& u_in, const QLIFCall* call) {
    const Tensor input = input_in.contiguous();
    const Tensor mod = contiguous_or_undefined(mod_in.value_or(Tensor()));
    const Tensor V_th = V_th_in.contiguous();
    const Tensor q_scale = q_scale_in.contiguous();
    const Tensor q_bias = q_bias_in.contiguous();
    const Tensor xi = contiguous_or_undefined(xi_in.value_or(Tensor()));
    const Tensor u = contiguous_or_undefined(u_in.value_or(Tensor()));
    NeuronParams p = call->params;
    p.tau = tau.item<double>();
    p.eta = eta.item<double>();
    p.validate();
    // The layer replaces its state tensor after the call (it never writes into it), so the
    // initial state can be saved as it is; the pass advances a copy. A call that starts from
    // the model's initial state saves nothing: the backward rebuilds it.
    const Tensor state0 = call->state.contiguous();
    Tensor state = state0.clone();
    Tensor z = torch::empty_like(input);
    Tensor voltage = torch::empty_like(input);
    Tensor spikes = torch::empty(input.sizes(), input.options().dtype(torch::kUInt8));
    Tensor blob;
    AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "qlif_forward", [&] {
      const StepConstants<scalar_t> c(p);
      SequenceArgs<scalar_t> a = make_args<scalar_t>(c, input, mod, V_th, q_scale, q_bias, xi, u);
      a.seed = call->seed;
      a.layer = call->layer;
      a.episode = call->episode;
      a.t0 = call->t0;
      a.training = call->training;
      a.relaxed = call->relaxed;
      sequence_forward(a, reinterpret_cast<NeuronState<scalar_t>*>(state.data_ptr<scalar_t>()),
                       z.data_ptr<scalar_t>(), voltage.data_ptr<scalar_t>(),
                       spikes.data_ptr<uint8_t>());
      blob = pack_constants(c);
    });
    *call->final_state = state;
    ctx->save_for_backward({input, mod, V_th, q_scale, q_bias, xi, u});
    ctx->saved_data["spikes"] = spikes;
    if (!call->state_is_initial) ctx->saved_data["state0"] = state0;
    ctx->saved_data["constants"] = blob;
    ctx->saved_data["seed"] = static_cast<int64_t>(call->seed);
    ctx->saved_data["layer"] = static_cast<int64_t>(call->layer);
    ctx->saved_data["episode"] = static_cast<int64_t>(call->episode);
    ctx->saved_data["t0"] = static_cast<int64_t>(call->t0);
    ctx->saved_data["training"] = call->training;
    ctx->saved_data["relaxed"] = call->relaxed;
    ctx->saved_data["tau_shape"] = tau.sizes();
    ctx->saved_data["eta_shape"] = eta.sizes();
    return {z, voltage};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const Tensor& input = saved[0];
    const Tensor& mod = saved[1];
    const Tensor& V_th = saved[2];
    const Tensor& q_scale = saved[3];
    const Tensor& q_bias = saved[4];
    const Tensor& xi = saved[5];
    const Tensor& u = saved[6];
    const Tensor spikes = ctx->saved_data["spikes"].toTensor();
    const Tensor blob = ctx->saved_data["constants"].toTensor();
    const Tensor gz = grads[0].defined() ? grads[0].contiguous() : torch::zeros_like(input);
    const Tensor gv = contiguous_or_undefined(grads[1]);
    const auto B = input.size(1);
    const auto N = input.size(2);
    Tensor g_input = torch::empty_like(input);
    const bool want_mod = mod.defined() && ctx->needs_input_grad(1);
    Tensor g_mod_full = want_mod ? torch::empty_like(input) : Tensor();
    auto partial = [&] { return torch::empty({B, N}, input.options()); };
    Tensor g_vth = partial(), g_qs = partial(), g_qb = partial(), g_tau = partial(),
           g_eta = partial();
    AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "qlif_backward", [&] {
      const StepConstants<scalar_t> c = unpack_constants<scalar_t>(blob);
      const Tensor state0 = ctx->saved_data.count("state0") != 0
                                ? ctx->saved_data["state0"].toTensor()
                                : initial_states(c, B, N, input);
      SequenceArgs<scalar_t> a = make_args<scalar_t>(c, input, mod, V_th, q_scale, q_bias, xi, u);
      a.seed = static_cast<uint32_t>(ctx->saved_data["seed"].toInt());
      a.layer = static_cast<uint32_t>(ctx->saved_data["layer"].toInt());
      a.episode = static_cast<uint64_t>(ctx->saved_data["episode"].toInt());
      a.t0 = static_cast<uint64_t>(ctx->saved_data["t0"].toInt());
      a.training = ctx->saved_data["training"].toBool();
      a.relaxed = ctx->saved_data["relaxed"].toBool();
      SequenceGrads<scalar_t> g;
      g.input = g_input.data_ptr<scalar_t>();
      g.mod = want_mod ? g_mod_full.data_ptr<scalar_t>() : nullptr;
      g.V_th0 = g_vth.data_ptr<scalar_t>();
      g.q_scale = g_qs.data_ptr<scalar_t>();
      g.q_bias = g_qb.data_ptr<scalar_t>();
      g.tau = g_tau.data_ptr<scalar_t>();
      g.eta = g_eta.data_ptr<scalar_t>();
      sequence_backward(
          a, reinterpret_cast<const NeuronState<scalar_t>*>(state0.data_ptr<scalar_t>()),
          spikes.data_ptr<uint8_t>(), gz.data_ptr<scalar_t>(), ptr_or_null<scalar_t>(gv), g);
    });
    Tensor g_mod = want_mod ? g_mod_full.sum_to_size(mod.sizes()) : Tensor();
    const auto tau_shape = ctx->saved_data["tau_shape"].toIntVector();
    const auto eta_shape = ctx->saved_data["eta_shape"].toIntVector();
    return {g_input,
            g_mod,
            g_vth.sum(0),
            g_tau.sum().reshape(tau_shape),
            g_eta.sum().reshape(eta_shape),
            g_qs.sum(0),
            g_qb.sum(0),
            Tensor(),
            Tensor(),
            Tensor()};
  }
};

}  // namespace

variable_list qlif_apply(const Tensor& input, const Tensor& modulation, const Tensor& V_th,
                         const Tensor& tau, const Tensor& eta, const Tensor& q_scale,
                         const Tensor& q_bias, const Tensor& xi, const Tensor& u,
                         const QLIFCall& call) {
  auto opt = [](const Tensor& t) { return t.defined() ? c10::optional<Tensor>(t) : c10::nullopt; };
  return QLIFFunction::apply(input, opt(modulation), V_th, tau, eta, q_scale, q_bias, opt(xi),
                             opt(u), &call);
}

}  // namespace qneuro::snn::detail
