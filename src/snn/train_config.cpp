#include "qneuro/snn/train_config.hpp"

#include "qneuro/snn/snn_config.hpp"

namespace qneuro::snn {

namespace {

using config::Bounds;

config::Schema build_train_schema() {
  config::Schema s("snn.train");
  add_neuron_keys(s);
  s.add_int("data.train_rows", 1500, {"", "CSV: rows 1..train_rows train, the rest test"},
            Bounds{1.0, 1e9});
  s.add_float("data.scale", 0.0,
              {"", "feature divisor to [0, 1] (0: the file's largest value; MNIST: 255)"},
              Bounds{0.0, std::nullopt});
  s.add_int("model.hidden", 128, {"", "hidden QLIF neurons"}, Bounds{1.0, 1e6});
  s.add_int("model.steps", 20, {"steps", "time steps T per sample"}, Bounds{1.0, 100000.0});
  s.add_choice(
      "model.encoding", "rate", {"rate", "latency"},
      {"", "rate: Bernoulli spikes with p = gain x; latency: one spike at (1 - x)(T - 1)"});
  s.add_float("model.rate_gain", 1.0, {"", "rate code: p = min(1, gain x)"},
              Bounds{0.0, std::nullopt, true, false});
  s.add_choice("model.readout", "membrane", {"counts", "membrane"},
               {"", "logits: output QLIF spike counts, or mean of a leaky-integrator membrane"});
  s.add_float("model.readout_tau", 5.0, {"steps", "membrane readout time constant"},
              Bounds{0.0, std::nullopt, true, false});
  s.add_int("train.epochs", 30, {"", "passes over the training set"}, Bounds{1.0, 100000.0});
  s.add_int("train.batch", 64, {"", "samples per Adam step"}, Bounds{1.0, 1e6});
  s.add_float("train.lr", 0.02, {"", "Adam learning rate"}, Bounds{0.0, 10.0, true, false});
  s.add_choice("train.schedule", "cosine", {"cosine", "constant"},
               {"", "learning rate per epoch: lr (1 + cos(pi e / E)) / 2, or constant"});
  s.add_float("train.weight_decay", 0.0, {"", "Adam weight decay"}, Bounds{0.0, 1.0});
  s.add_int("train.seed", 1, {"", "seed of weights, shuffling, encoding and neuron noise"},
            Bounds{0.0, 4294967295.0});
  s.add_choice("train.layer", "fused", {"fused", "oracle"},
               {"", "QLIF implementation: the fused kernel, or the plain-ops oracle"});
  s.add_bool("learn.threshold", true, {"", "V_th learnable (per neuron)"});
  s.add_bool("learn.tau", false, {"", "tau learnable"});
  s.add_bool("learn.eta", false, {"", "eta learnable"});
  s.add_bool("learn.qscale", true, {"", "q_scale learnable (per neuron)"});
  s.add_bool("learn.qbias", true, {"", "q_bias learnable (per neuron)"});
  // Training presets: a faster membrane, and a surrogate with wide support (the engine's default,
  // the seed's triangle of half-width 1, leaves neurons far from threshold without gradient).
  const char* fast =
      "[neuron]\ntau = 5.0\nsurrogate_gradient_function = \"fast_sigmoid\"\nalpha = 2.0\n";
  s.add_preset("default", std::string(fast) + "",
               "quantum QLIF neurons (sigmoid map), rate code, membrane readout");
  s.add_preset("deterministic", "mode = \"deterministic\"\n" + std::string(fast),
               "deterministic neurons with the surrogate gradient");
  s.add_preset("stochastic", "mode = \"stochastic\"\n" + std::string(fast),
               "stochastic neurons (sigmoid probability, straight-through gradient)");
  s.add_preset("test", std::string(fast) + "[model]\nhidden = 32\nsteps = 8\n[train]\nepochs = 2\n",
               "tiny run for tests");
  return s;
}

}  // namespace

const config::Schema& train_schema() {
  static const config::Schema schema = build_train_schema();
  return schema;
}

TrainParams train_params_from_config(const config::Config& cfg) {
  TrainParams p;
  p.neuron = neuron_params_from_config(cfg);
  p.train_rows = static_cast<std::size_t>(cfg.get_int("data.train_rows"));
  p.scale = cfg.get_float("data.scale");
  p.hidden = static_cast<std::size_t>(cfg.get_int("model.hidden"));
  p.steps = static_cast<std::size_t>(cfg.get_int("model.steps"));
  p.encoding = cfg.get_string("model.encoding");
  p.rate_gain = cfg.get_float("model.rate_gain");
  p.readout = cfg.get_string("model.readout");
  p.readout_tau = cfg.get_float("model.readout_tau");
  p.epochs = static_cast<std::size_t>(cfg.get_int("train.epochs"));
  p.batch = static_cast<std::size_t>(cfg.get_int("train.batch"));
  p.lr = cfg.get_float("train.lr");
  p.weight_decay = cfg.get_float("train.weight_decay");
  p.schedule = cfg.get_string("train.schedule");
  p.seed = static_cast<uint32_t>(cfg.get_int("train.seed"));
  p.layer = cfg.get_string("train.layer");
  p.learn_threshold = cfg.get_bool("learn.threshold");
  p.learn_tau = cfg.get_bool("learn.tau");
  p.learn_eta = cfg.get_bool("learn.eta");
  p.learn_qscale = cfg.get_bool("learn.qscale");
  p.learn_qbias = cfg.get_bool("learn.qbias");
  return p;
}

}  // namespace qneuro::snn
