// Input currents for QLIF populations (the CLI's input.kind), as (T, B, N) float arrays.
//
//   constant  I = level
//   noise     I = level + amplitude xi,  xi ~ N(0, 1) per (t, b, n)
//   ramp      the seed dashboard's zero-ramp-zero input: 0 for t < T/4, then rising linearly
//             from 0 to level + amplitude at t = 3T/4, then 0
//   sine      I = level + amplitude sin(2 pi f t dt time_unit)  (f in Hz, t dt in model units)
//   poisson   I = level + sum_k w_nk x_k(t): `sources` Poisson spike trains of `rate_hz` (one
//             Bernoulli draw per step, p = rate dt time_unit) through weights w_nk ~
//             N(weight_mean, weight_std^2) / sqrt(sources), fixed per neuron
//   file      a .npy (float32/float64, C order) or an HDF5 dataset (FILE.h5:/name, else the
//             dataset 'input' or 'data'; any numeric type, read as float) of shape [T, B, N] or
//             [T, N] (B = 1)
// Random numbers come from Philox (core/rng.hpp) streams SnnInput and SnnInputWeights, keyed as
// listed in docs/dev/rng.md, so inputs do not depend on threads either.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "qneuro/core/enum_names.hpp"
#include "qneuro/core/huge_pages.hpp"

namespace qneuro::snn {
enum class InputKind { Constant, Noise, Ramp, Sine, Poisson, File };
}  // namespace qneuro::snn

template <>
inline constexpr std::array qneuro::enum_names<qneuro::snn::InputKind>{
    qneuro::EnumName{qneuro::snn::InputKind::Constant, "constant"},
    qneuro::EnumName{qneuro::snn::InputKind::Noise, "noise"},
    qneuro::EnumName{qneuro::snn::InputKind::Ramp, "ramp"},
    qneuro::EnumName{qneuro::snn::InputKind::Sine, "sine"},
    qneuro::EnumName{qneuro::snn::InputKind::Poisson, "poisson"},
    qneuro::EnumName{qneuro::snn::InputKind::File, "file"}};

namespace qneuro::snn {

using qneuro::to_string;

struct InputSpec {
  InputKind kind = InputKind::Noise;  ///< the CLI's default
  double level = 1.2;
  double amplitude = 0.5;
  double freq_hz = 10.0;
  double rate_hz = 20.0;
  int sources = 100;
  double weight_mean = 2.0, weight_std = 1.0;
  std::string path;  ///< file kind
};

/// A (T, B, N) input array.
struct InputArray {
  std::size_t T = 0, B = 0, N = 0;
  HugePageVector<float> values;  ///< huge pages (core/huge_pages.hpp), as the run's outputs
};

/// Generates the input (T, B, N) for a generated kind; `dt_ms` is dt * time_unit_ms.
/// Throws InputError for an unknown kind.
InputArray generate_input(const InputSpec& spec, std::size_t T, std::size_t B, std::size_t N,
                          double dt_ms, uint32_t seed);

/// Reads a [T, B, N] or [T, N] float array from .npy or HDF5 ("file.h5" with exactly one
/// dataset, or "file.h5:/name"). Throws InputError naming the file and what is wrong (missing,
/// truncated, wrong dtype or rank, non-finite values).
InputArray read_input_array(const std::string& path);

}  // namespace qneuro::snn
