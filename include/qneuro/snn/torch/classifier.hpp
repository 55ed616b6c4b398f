// The spiking classifier of `qneuro snn train` (docs/snn.md, "Training"):
//
//   x in [0, 1]^F --encoder--> input spikes (T, B, F) --Linear--> QLIF (H) --Linear--> readout
//
// Encoders: rate (spike with probability min(1, gain x) at every step, Philox stream SnnEncoder
// keyed by (seed, episode, t, sample, feature), so the code of a sample depends on the seed,
// the epoch and its index, not on the batch it lands in) or latency (one spike at step
// round((1 - x)(T - 1)) for x > 0.05, none otherwise). Readouts: counts (a second QLIF layer
// of C neurons; logits = spike counts over T) or membrane (a non-spiking leaky integrator
// v_t = beta v_{t-1} + (1 - beta) I_t with beta = e^{-1/readout_tau}; logits = mean_t v_t).
// The QLIF layers are QLIFLayer (fused) or QLIFOracle (plain ops), reset before every batch.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "qneuro/core/observer.hpp"
#include "qneuro/snn/dataset.hpp"
#include "qneuro/snn/torch/qlif_layer.hpp"
#include "qneuro/snn/torch/qlif_oracle.hpp"
#include "qneuro/snn/train_config.hpp"

namespace qneuro::snn {

/// The rate code: spikes (T, B, F) with probability min(1, gain x) per step, from Philox stream
/// SnnEncoder keyed by (seed, episode, t, ids[b], feature) (so a sample's code depends on the
/// seed, the episode and its dataset index, not on its batch). x: float32 (B, F) in [0, 1].
torch::Tensor rate_encode(const torch::Tensor& x, const std::vector<int64_t>& ids, uint64_t episode,
                          uint32_t seed, double gain, int64_t T);
/// The latency code: one spike at step round((1 - x)(T - 1)) for x > 0.05, none otherwise.
torch::Tensor latency_encode(const torch::Tensor& x, int64_t T);

class SpikingClassifierImpl : public torch::nn::Module {
 public:
  SpikingClassifierImpl(const TrainParams& p, int64_t features, int64_t classes);

  /// x (B, F) in [0, 1], the samples' dataset indices (B), and the episode of the encoding
  /// (the epoch in training, a fixed value in evaluation). Returns logits (B, C).
  torch::Tensor forward(const torch::Tensor& x, const std::vector<int64_t>& ids, uint64_t episode);
  /// The encoded input spikes (T, B, F).
  torch::Tensor encode(const torch::Tensor& x, const std::vector<int64_t>& ids,
                       uint64_t episode) const;

  torch::nn::Linear fc1{nullptr}, fc2{nullptr};

 private:
  /// Runs QLIF layer `i` (0 hidden, 1 output) on (T, B, N); resets it first.
  QLIFOutput qlif(int i, const torch::Tensor& input);
  TrainParams p_;
  std::vector<QLIFLayer> fused_;
  std::vector<QLIFOracle> oracle_;
  torch::Tensor readout_weights_;  ///< membrane readout: logits = sum_t w_t I_t
};
TORCH_MODULE(SpikingClassifier);

struct EpochRecord {
  std::size_t epoch = 0;
  double loss = 0, train_accuracy = 0, test_accuracy = 0, seconds = 0, samples_per_s = 0;
};

struct TrainResult {
  std::vector<EpochRecord> epochs;
  std::vector<double> batch_loss;
  double test_accuracy = 0;
  double seconds = 0;
  bool interrupted = false;  ///< the observer stopped it after an epoch
};

/// Live data of a classifier training (the contract is in core/observer.hpp). Progress counts
/// batches, with "loss L acc A%" (running over the epoch) as detail; stop_requested() is polled
/// after each epoch.
class ClassifierObserver : public RunObserver {
 public:
  virtual void on_epoch(const EpochRecord& /*epoch*/) {}
};

/// Adam on cross-entropy over data.train, evaluating data.test after every epoch. Deterministic
/// for a seed and thread count: shuffles from (seed, epoch); the weights come from the caller's
/// construction of `model` (run_training seeds torch's generator with p.seed first).
TrainResult train_classifier(SpikingClassifier& model, const TrainParams& p,
                             const DatasetSplit& data, ClassifierObserver* observer = nullptr);

/// Accuracy of `model` on `d` (evaluation mode, fixed encoding episode).
double evaluate(SpikingClassifier& model, const TrainParams& p, const Dataset& d);

}  // namespace qneuro::snn
