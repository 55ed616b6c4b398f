// Forward and backward passes of a QLIF layer over a whole sequence, for training (no LibTorch:
// the LibTorch layer in snn/torch wraps these).
//
// Shapes (row-major): input I and outputs (T, B, N); modulation (T, mod_B, mod_N) with mod_B in
// {1, B}, mod_N in {1, N}; per-neuron coefficients V_th0, q_scale, q_bias (N); state (B, N).
//
// Forward: advances the state T steps (qlif_step.hpp), writing the spikes z (0/1, or the relaxed
// value in a gradient check) and the voltage after reset. Backward: the reverse-time adjoint
// (qlif_adjoint.hpp) from the state the forward started from, given dLoss/dz and dLoss/dV per
// step; it returns dLoss/dI (T, B, N), dLoss/dmod per step (T, B, N; the caller sums it to the
// modulation's shape) and per-(b, n) partial sums over t of the gradients of V_th0, q_scale,
// q_bias, tau and eta (the caller sums them over b, and over n for tau and eta).
//
// Two drivers, chosen by sequence_uses_kernel():
//   - the fused kernel (float, random numbers from Philox as in population.hpp with the
//     layer's episode counter): the forward is the population kernel; the backward replays the
//     forward of each block of 256 neurons from its initial state into a tape in cache (the same
//     code, the same Philox numbers, so the same bits; a spike that does not match the saved
//     one is an error), then runs the adjoint backwards through the tape. Saved between the
//     passes: the input (4 B), the spike bytes (1 B) and the initial state, nothing else.
//   - the scalar driver (float or double, explicit random numbers xi (T, B, N) and u (K, T, B, N)
//     with K = quantum shots (1 otherwise)): one neuron at a time, for gradient checks in
//     double, optionally with the relaxed decision (qlif_step.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "qneuro/snn/qlif_step.hpp"

namespace qneuro::snn {

template <typename Real>
struct SequenceArgs {
  const StepConstants<Real>* c = nullptr;
  std::size_t T = 0, B = 0, N = 0;
  const Real* input = nullptr;  ///< (T, B, N)
  const Real* mod = nullptr;    ///< (T, mod_B, mod_N) or null
  std::size_t mod_B = 1, mod_N = 1;
  const Real *V_th0 = nullptr, *q_scale = nullptr, *q_bias = nullptr;  ///< (N) each
  /// Explicit random numbers (scalar driver): xi (T, B, N) and u (K, T, B, N); null in
  /// deterministic mode. Both null with float: the kernel draws them from Philox.
  const Real* xi = nullptr;
  const Real* u = nullptr;
  uint32_t seed = 0, layer = 0;
  uint64_t episode = 0;  ///< sequence counter (high word of the Philox step counter)
  uint64_t t0 = 0;       ///< absolute step of the first row since the state's reset
  bool training = true;
  bool relaxed = false;  ///< gradient checks: smooth decision (scalar driver only)
};

/// Outputs of the backward pass (see the header comment); g_mod may be null.
template <typename Real>
struct SequenceGrads {
  Real* input = nullptr;  ///< (T, B, N)
  Real* mod = nullptr;    ///< (T, B, N) or null
  Real *V_th0 = nullptr, *q_scale = nullptr, *q_bias = nullptr, *tau = nullptr,
       *eta = nullptr;  ///< (B, N) each
};

/// True when the fused kernel runs the pass (float and no explicit random numbers).
template <typename Real>
bool sequence_uses_kernel(const SequenceArgs<Real>& a);

/// Forward: state (B N entries) is read and advanced; z and voltage are (T, B, N); spike_bytes
/// (T, B, N) may be null (the backward of the fused kernel needs it).
template <typename Real>
void sequence_forward(const SequenceArgs<Real>& a, NeuronState<Real>* state, Real* z, Real* voltage,
                      uint8_t* spike_bytes);

/// Backward from the initial state (B N entries) of the forward; gz and gv (T, B, N), gv may be
/// null; spike_bytes is the forward's (required by the fused kernel). Throws RuntimeError if the
/// replay does not reproduce a saved spike.
template <typename Real>
void sequence_backward(const SequenceArgs<Real>& a, const NeuronState<Real>* initial,
                       const uint8_t* spike_bytes, const Real* gz, const Real* gv,
                       const SequenceGrads<Real>& g);

}  // namespace qneuro::snn
