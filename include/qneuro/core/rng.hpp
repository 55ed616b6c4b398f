// Counter-based random numbers (Random123 Philox4x32-10) with qneuro's reproducibility contract.
//
// Contract (see docs/dev/rng.md):
//   key     = (seed, stream)            two 32-bit words: the run's seed and a stream id naming
//                                       the purpose (e.g. "membrane noise" vs "spike uniforms")
//   counter = (step, entity)            two 64-bit values as four 32-bit words:
//                                       {step_lo, step_hi, entity_lo, entity_hi}
// One call yields four independent 32-bit words for that (seed, stream, step, entity). Because a
// draw depends only on these coordinates, never on the order of calls or on which thread makes
// them, results are bit-identical for any thread count, any partition of the entities, and
// (later) any number of MPI ranks. An entity needing more than four words per step uses
// several streams, or folds a small sub-index into `entity` (documented at its use).
//
// Conversions: uniform01() maps two words to a double in the open interval (0, 1) with 52 random
// bits: ((x >> 12) + 0.5) * 2^-52, so log(u) is always finite. (53 bits plus the half offset would
// round the largest value up to exactly 1.0; tests/unit/core/test_rng.cpp checks both ends.)
// normal_pair() is Box-Muller on two such uniforms (exact standard normals, no rejection, so
// counters never advance data-dependently).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>

#include <Random123/philox.h>

namespace qneuro::rng {

/// Named stream ids. Engines add their own (keep them unique within a run).
enum class Stream : uint32_t {
  Test = 0,
  SynthSignal = 1,
  SynthNoise = 2,
  FieldConnectivity = 3,  ///< log-normal weights and E/I signs, entity = site iy * nx + ix
  FieldInitial = 4,       ///< smoothed-noise initial state, entity = node index
  SnnInput = 5,           ///< generated QLIF inputs, step = t, entity = (b << 32) | neuron
  SnnInputWeights = 6,    ///< Poisson-input weights, step = source block, entity = neuron
  /// rate code of `snn train`: step = (episode << 32) | (t >> 2), entity = (sample << 20) | feature
  SnnEncoder = 7,
  /// training windows of `flux train`: step = optimiser step, entity = window in the batch
  FluxBatches = 8,
  /// `flux generate`: step = generated token index, entity = 0
  FluxSampling = 9,
  /// time-shift surrogates of phase-amplitude coupling: step = surrogate index, entity = 0
  EegPacSurrogates = 10,
  /// dephasing kicks of the neural field: step = time step, entity = (population << 40) | node
  /// of the noise lattice (field/dephasing.hpp)
  FieldDephasing = 11,
  /// QLIF layers: stream SnnLayer0 + 1024 * block + layer (block 0: spike uniforms, block 1:
  /// membrane noise, block 1 + k: measurement shot k), step = t >> 2 (one call serves four
  /// steps), entity = (b << 32) | neuron; see snn/population.hpp.
  SnnLayer0 = 1u << 16,
};

using Words = std::array<uint32_t, 4>;

class Philox {
 public:
  Philox(uint32_t seed, uint32_t stream) : key_{{seed, stream}} {}
  Philox(uint32_t seed, Stream stream) : Philox(seed, static_cast<uint32_t>(stream)) {}

  /// The four 32-bit words at (step, entity).
  [[nodiscard]] Words words(uint64_t step, uint64_t entity) const {
    using Gen = r123::Philox4x32_R<10>;
    const Gen::ctr_type ctr = {{static_cast<uint32_t>(step), static_cast<uint32_t>(step >> 32),
                                static_cast<uint32_t>(entity),
                                static_cast<uint32_t>(entity >> 32)}};
    const Gen::ctr_type out = Gen()(ctr, key_);
    return {out[0], out[1], out[2], out[3]};
  }

  /// Two uniforms in (0, 1) at (step, entity).
  [[nodiscard]] std::pair<double, double> uniform_pair(uint64_t step, uint64_t entity) const {
    const Words w = words(step, entity);
    return {uniform01(w[0], w[1]), uniform01(w[2], w[3])};
  }

  /// Two independent standard normals at (step, entity) (Box-Muller).
  [[nodiscard]] std::pair<double, double> normal_pair(uint64_t step, uint64_t entity) const {
    const auto [u1, u2] = uniform_pair(step, entity);
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double phi = 2.0 * std::numbers::pi * u2;
    return {r * std::cos(phi), r * std::sin(phi)};
  }

  /// Maps two 32-bit words to a double in the open interval (0, 1): 52 random bits, the largest
  /// value 1 - 2^-53 and the smallest 2^-53, both exactly representable.
  static double uniform01(uint32_t hi, uint32_t lo) {
    const uint64_t x = (static_cast<uint64_t>(hi) << 32) | lo;
    return (static_cast<double>(x >> 12) + 0.5) * 0x1.0p-52;
  }

  /// Maps one 32-bit word to a float in the open interval (0, 1) with 23 random bits.
  static float uniform01f(uint32_t w) { return (static_cast<float>(w >> 9) + 0.5f) * 0x1.0p-23f; }

 private:
  r123::Philox4x32_R<10>::key_type key_;
};

}  // namespace qneuro::rng
