#include "qneuro/snn/train_config.hpp"

#include "qneuro/core/config_bindings.hpp"
#include "qneuro/snn/snn_config.hpp"

namespace qneuro::snn {

namespace {

using config::Bounds;

// `qneuro snn train`: the neuron keys (snn_config.hpp), then data, model, training and learning
// keys bound to TrainParams members (train_config.hpp holds the defaults). Where names differ:
// data.train_rows / scale -> train_rows / scale, model.* -> the member of the same name,
// train.epochs / batch / lr / schedule / weight_decay / seed / layer -> same names,
// learn.threshold / tau / eta / qscale / qbias -> learn_threshold / learn_tau / ...
config::BoundSchema<TrainParams> build_keys() {
  config::BoundSchema<TrainParams> b("snn.train");
  bind_neuron_keys(b);
  b.bind("data.train_rows", QNEURO_MEMBER(train_rows),
         {"", "CSV: rows 1..train_rows train, the rest test"}, Bounds{1.0, 1e9});
  b.bind("data.scale", QNEURO_MEMBER(scale),
         {"", "feature divisor to [0, 1] (0: the file's largest value; MNIST: 255)"},
         Bounds{0.0, std::nullopt});
  b.bind("model.hidden", QNEURO_MEMBER(hidden), {"", "hidden QLIF neurons"}, Bounds{1.0, 1e6});
  b.bind("model.steps", QNEURO_MEMBER(steps), {"steps", "time steps T per sample"},
         Bounds{1.0, 100000.0});
  b.bind("model.encoding", QNEURO_MEMBER(encoding),
         {"", "rate: Bernoulli spikes with p = gain x; latency: one spike at (1 - x)(T - 1)"});
  b.bind("model.rate_gain", QNEURO_MEMBER(rate_gain), {"", "rate code: p = min(1, gain x)"},
         Bounds{0.0, std::nullopt, true, false});
  b.bind("model.readout", QNEURO_MEMBER(readout),
         {"", "logits: output QLIF spike counts, or mean of a leaky-integrator membrane"});
  b.bind("model.readout_tau", QNEURO_MEMBER(readout_tau),
         {"steps", "membrane readout time constant"}, Bounds{0.0, std::nullopt, true, false});
  b.bind("train.epochs", QNEURO_MEMBER(epochs), {"", "passes over the training set"},
         Bounds{1.0, 100000.0});
  b.bind("train.batch", QNEURO_MEMBER(batch), {"", "samples per Adam step"}, Bounds{1.0, 1e6});
  b.bind("train.lr", QNEURO_MEMBER(lr), {"", "Adam learning rate"}, Bounds{0.0, 10.0, true, false});
  b.bind("train.schedule", QNEURO_MEMBER(schedule),
         {"", "learning rate per epoch: lr (1 + cos(pi e / E)) / 2, or constant"});
  b.bind("train.weight_decay", QNEURO_MEMBER(weight_decay), {"", "Adam weight decay"},
         Bounds{0.0, 1.0});
  b.bind("train.seed", QNEURO_MEMBER(seed),
         {"", "seed of weights, shuffling, encoding and neuron noise"}, Bounds{0.0, 4294967295.0});
  b.bind("train.layer", QNEURO_MEMBER(layer),
         {"", "QLIF implementation: the fused kernel, or the plain-ops oracle"});
  b.bind("learn.threshold", QNEURO_MEMBER(learn_threshold), {"", "V_th learnable (per neuron)"});
  b.bind("learn.tau", QNEURO_MEMBER(learn_tau), {"", "tau learnable"});
  b.bind("learn.eta", QNEURO_MEMBER(learn_eta), {"", "eta learnable"});
  b.bind("learn.qscale", QNEURO_MEMBER(learn_qscale), {"", "q_scale learnable (per neuron)"});
  b.bind("learn.qbias", QNEURO_MEMBER(learn_qbias), {"", "q_bias learnable (per neuron)"});
  // Training presets: a faster membrane, and a surrogate with wide support (the engine's default,
  // the seed's triangle of half-width 1, leaves neurons far from threshold without gradient).
  const char* fast =
      "[neuron]\ntau = 5.0\nsurrogate_gradient_function = \"fast_sigmoid\"\nalpha = 2.0\n";
  config::Schema& s = b.schema();
  s.add_preset("default", std::string(fast) + "",
               "quantum QLIF neurons (sigmoid map), rate code, membrane readout");
  s.add_preset("deterministic", "mode = \"deterministic\"\n" + std::string(fast),
               "deterministic neurons with the surrogate gradient");
  s.add_preset("stochastic", "mode = \"stochastic\"\n" + std::string(fast),
               "stochastic neurons (sigmoid probability, straight-through gradient)");
  s.add_preset("test", std::string(fast) + "[model]\nhidden = 32\nsteps = 8\n[train]\nepochs = 2\n",
               "tiny run for tests");
  return b;
}

const config::BoundSchema<TrainParams>& train_keys() {
  static const config::BoundSchema<TrainParams> keys = build_keys();
  return keys;
}

}  // namespace

const config::Schema& train_schema() {
  return train_keys().schema();
}

TrainParams train_params_from_config(const config::Config& cfg) {
  TrainParams p;
  train_keys().read(cfg, p);
  finish_neuron_params(cfg, p.neuron);
  return p;
}

}  // namespace qneuro::snn
