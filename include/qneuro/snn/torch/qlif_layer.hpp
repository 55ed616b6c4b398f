// QLIFLayer: a trainable layer of quantum leaky integrate-and-fire neurons for LibTorch
// (DESIGN.md §5, docs/snn.md "Training").
//
// forward(input (T, B, N), modulation) runs the snn engine's update (qlif_step.hpp) over the
// whole sequence in one call of a custom autograd function (QLIFFunction): the fused,
// vectorised, multi-threaded kernel for float tensors; its backward is the hand-written
// reverse-time adjoint (qlif_adjoint.hpp) with surrogate gradients (deterministic mode) or the
// straight-through estimator (stochastic and quantum modes). It saves 5 bytes per neuron-step
// (the input and the spike byte) plus the initial state, and recomputes the rest.
//
// Parameters (the seed's names, flags and defaults): V_th (N) if learnable_threshold (true),
// tau () if learnable_tau (false), eta () if learnable_eta (false), q_scale (N) if
// learnable_qscale (true), q_bias (N) if learnable_qbias (true); the others are buffers (saved in
// the state dict, moved by to()). Initial values come from `params` (V_th, tau, eta, q_scale,
// q_bias). A parameter a mode does not use gets a zero gradient.
//
// State: carried between forward calls (a long sequence can be fed in pieces; the gradient does
// not flow across calls: truncated BPTT at call boundaries); reset() returns every neuron to its
// initial state, the clock to t = 0 and starts a new episode of random numbers. The batch size
// is fixed from the first call after reset() (a different B throws; call reset()).
// Random numbers: Philox keyed by (seed, layer, episode, t, b, n) (population.hpp), so runs are
// reproducible for any thread count, and each sequence after a reset() gets new noise.
//
// train() / eval(): spike sampling stays stochastic in evaluation (a stochastic or quantum
// neuron samples in both), except with the compat switch eval_threshold_half (the seed's
// stochastic mode: spike = p > 0.5 in evaluation). Gradients are recorded whenever autograd is
// on, in either mode.
//
// Dtypes: float (the fused kernel) and double (the scalar driver, same equations with libm: for
// gradient checks). Tensors live on the CPU.
#pragma once

#include <cstdint>

#include <torch/torch.h>

#include "qneuro/snn/params.hpp"

namespace qneuro::snn {

struct QLIFOptions {
  explicit QLIFOptions(int64_t neurons) : neurons_(neurons) {}
  TORCH_ARG(int64_t, neurons);
  TORCH_ARG(NeuronParams, params) = {};  ///< the engine's parameters (mode, surrogate, ...)
  TORCH_ARG(bool, learnable_threshold) = true;
  TORCH_ARG(bool, learnable_tau) = false;
  TORCH_ARG(bool, learnable_eta) = false;
  TORCH_ARG(bool, learnable_qscale) = true;
  TORCH_ARG(bool, learnable_qbias) = true;
  TORCH_ARG(uint32_t, seed) = 0;
  TORCH_ARG(uint32_t, layer) = 0;  ///< distinct per layer of a network (Philox stream)
};

struct QLIFOutput {
  torch::Tensor spikes;   ///< (T, B, N), 0/1, carries the (pseudo-)gradient
  torch::Tensor voltage;  ///< (T, B, N), V after reset
};

/// Explicit random numbers instead of Philox (gradient checks, oracle comparisons): noise xi
/// (T, B, N) and uniforms u (K, T, B, N), K = quantum shots (1 otherwise); `relaxed` replaces
/// the hard decision by its smooth counterpart (qlif_step.hpp) so that finite differences exist.
struct QLIFRandoms {
  torch::Tensor xi, u;
  bool relaxed = false;
};

/// The five parameters (or buffers, where not learnable) of a QLIF module, registered on
/// `module` with their initial values from options.params() (validated; InputError otherwise).
struct QLIFParameters {
  torch::Tensor V_th, tau, eta, q_scale, q_bias;
};
QLIFParameters register_qlif_parameters(torch::nn::Module& module, const QLIFOptions& options);

/// What a QLIF layer carries between forward calls: the state (B, N, 9) in the order V, A, E, H,
/// R, D, Theta, m, s_prev (undefined before the first call after a reset), the steps since the
/// last reset, and the episode (number of resets).
struct QLIFCarry {
  torch::Tensor state;
  uint64_t t = 0;
  uint64_t episode = 0;
  /// Back to the initial state, t = 0, a new episode of random numbers.
  void reset() {
    state = torch::Tensor();
    t = 0;
    ++episode;
  }
};

/// One forward call of a QLIF layer: what QLIFLayerImpl::forward_with does, for front ends that
/// hold the parameters and the carried state themselves (the Python module
/// qneuro.torch.QLIFLayer). Advances `carry`; `training` selects train()/eval() semantics.
QLIFOutput qlif_forward(const QLIFOptions& options, const QLIFParameters& params, QLIFCarry& carry,
                        bool training, const torch::Tensor& input, const torch::Tensor& modulation,
                        const QLIFRandoms& randoms = {});

/// The Philox numbers the next forward of shape (T, B) of a layer with `options` and `carry`
/// would use.
QLIFRandoms qlif_next_randoms(const QLIFOptions& options, const QLIFCarry& carry, int64_t T,
                              int64_t B, torch::ScalarType dtype);

class QLIFLayerImpl : public torch::nn::Module, public QLIFParameters {
 public:
  explicit QLIFLayerImpl(QLIFOptions options);

  /// input (T, B, N); modulation (T, B or 1, N or 1), (T, N) or (T), or undefined.
  QLIFOutput forward(const torch::Tensor& input, const torch::Tensor& modulation = {});
  /// As forward(), with explicit random numbers (see QLIFRandoms).
  QLIFOutput forward_with(const torch::Tensor& input, const torch::Tensor& modulation,
                          const QLIFRandoms& randoms);
  /// The Philox numbers the next forward of shape (T, B) would use: xi (T, B, N), u (K, T, B, N).
  [[nodiscard]] QLIFRandoms next_randoms(int64_t T, int64_t B, torch::ScalarType dtype) const;

  void reset() { carry_.reset(); }
  [[nodiscard]] const QLIFOptions& options() const { return options_; }
  /// Steps since the last reset(), and the episode (number of resets).
  [[nodiscard]] uint64_t time() const { return carry_.t; }
  [[nodiscard]] uint64_t episode() const { return carry_.episode; }
  /// The carried state (QLIFCarry::state).
  [[nodiscard]] const torch::Tensor& state() const { return carry_.state; }

 private:
  QLIFOptions options_;
  QLIFCarry carry_;
};
TORCH_MODULE(QLIFLayer);

/// Shapes a modulation tensor to (T, Bm, Nm) with Bm in {1, B}, Nm in {1, N}; throws InputError
/// naming the shapes otherwise.
torch::Tensor shape_modulation(const torch::Tensor& modulation, int64_t T, int64_t B, int64_t N);

/// Philox numbers of population.hpp for (seed, layer, episode, t0 .. t0 + T, b, n).
QLIFRandoms philox_randoms(uint32_t seed, uint32_t layer, uint64_t episode, uint64_t t0, int64_t T,
                           int64_t B, int64_t N, int shots, torch::ScalarType dtype);

/// Bytes the fused autograd function saves for the backward of a (T, B, N) call: input, spike
/// bytes, parameters and constants, plus the initial state if the call continues a carried
/// state (the first call after reset() starts from the known initial state and saves none).
/// The figure docs/snn-train.md reports per neuron-step.
int64_t qlif_saved_bytes(int64_t T, int64_t B, int64_t N, torch::ScalarType dtype,
                         bool carried_state);

}  // namespace qneuro::snn
