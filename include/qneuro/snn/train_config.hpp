// The `qneuro snn train` configuration (no LibTorch here, so that docs and tests can read it in
// any build): the neuron model's keys shared with `qneuro snn`, plus data, model and training
// keys, presets default (quantum), deterministic, stochastic, compat and test. docs/snn.md
// carries the generated key table (checked by a test).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "qneuro/core/config.hpp"
#include "qneuro/snn/params.hpp"

namespace qneuro::snn {
enum class Encoding { Rate, Latency };
enum class Readout { Counts, Membrane };
enum class LrSchedule { Cosine, Constant };
enum class LayerKind { Fused, Oracle };
}  // namespace qneuro::snn

namespace qneuro {
template <>
inline constexpr std::array enum_names<snn::Encoding>{EnumName{snn::Encoding::Rate, "rate"},
                                                      EnumName{snn::Encoding::Latency, "latency"}};
template <>
inline constexpr std::array enum_names<snn::Readout>{EnumName{snn::Readout::Counts, "counts"},
                                                     EnumName{snn::Readout::Membrane, "membrane"}};
template <>
inline constexpr std::array enum_names<snn::LrSchedule>{
    EnumName{snn::LrSchedule::Cosine, "cosine"}, EnumName{snn::LrSchedule::Constant, "constant"}};
template <>
inline constexpr std::array enum_names<snn::LayerKind>{EnumName{snn::LayerKind::Fused, "fused"},
                                                       EnumName{snn::LayerKind::Oracle, "oracle"}};
}  // namespace qneuro

namespace qneuro::snn {

const config::Schema& train_schema();

struct TrainParams {
  NeuronParams neuron;            ///< both QLIF layers
  std::size_t train_rows = 1500;  ///< CSV: rows 1..train_rows train, the rest test
  double scale = 0.0;             ///< feature divisor (0: the file's maximum; MNIST 255)
  std::size_t hidden = 128;
  std::size_t steps = 20;  ///< time steps T per sample
  Encoding encoding = Encoding::Rate;
  Readout readout =
      Readout::Membrane;     ///< counts (QLIF output layer) | membrane (leaky integrator)
  double readout_tau = 5.0;  ///< membrane readout time constant (steps)
  double rate_gain = 1.0;    ///< rate code: spike probability = gain * feature
  std::size_t epochs = 30, batch = 64;
  double lr = 0.02;
  LrSchedule schedule = LrSchedule::Cosine;  ///< learning rate over the epochs
  double weight_decay = 0.0;
  uint32_t seed = 1;
  LayerKind layer = LayerKind::Fused;  ///< fused, or oracle (the plain-ops reference)
  bool learn_threshold = true, learn_tau = false, learn_eta = false, learn_qscale = true,
       learn_qbias = true;
};

TrainParams train_params_from_config(const config::Config& cfg);

}  // namespace qneuro::snn
