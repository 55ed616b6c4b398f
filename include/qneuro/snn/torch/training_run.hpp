// The spiking-classifier run API: what `qneuro snn train` and `qneuro snn bench-train` do,
// callable from any front end.
//
//   const config::Config cfg = config::Config::resolve(snn::train_schema(), "default", {}, {});
//   snn::TrainingRunOptions opt;
//   opt.out = "clf";                                   // optional: empty writes nothing
//   const snn::TrainingRunResult r = snn::run_training("digits.csv.gz", cfg, opt, &observer);
//
// run_training() loads the dataset (dataset.hpp), seeds torch's default CPU generator with
// train.seed, builds the classifier (so the same seed gives the same weights whoever calls it),
// trains it (train_classifier) and, with options.out set, writes config.resolved.toml, model.pt
// (torch::load-able), curves.h5, summary.json (qneuro.snn.train/1) and run.json (docs/snn.md).
// LibTorch's intra-op thread count is the caller's (the CLI sets it from --threads).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"
#include "qneuro/snn/dataset.hpp"
#include "qneuro/snn/torch/classifier.hpp"
#include "qneuro/snn/train_config.hpp"

namespace qneuro::snn {

struct TrainingRunOptions {
  std::filesystem::path out;  ///< output directory; empty: no files
  std::string data_name;      ///< what summary.json calls the data (e.g. its path)
  std::string command_line;   ///< how the run was started, for run.json
};

struct TrainingRunResult {
  RunStatus status = RunStatus::Completed;
  TrainParams params;
  std::string data_format;  ///< "csv" or "idx"
  std::size_t train_samples = 0, test_samples = 0, features = 0, classes = 0;
  double scale = 1.0;
  SpikingClassifier model{nullptr};
  TrainResult result;
  int64_t parameters = 0;
  nlohmann::ordered_json summary;  ///< summary.json
};

/// Trains the classifier of `cfg` (a config of train_schema()) on the dataset at `data`.
TrainingRunResult run_training(const std::filesystem::path& data, const config::Config& cfg,
                               const TrainingRunOptions& options,
                               ClassifierObserver* observer = nullptr);

/// torch::save of the model to a temporary, then rename (no half-written file).
void save_model_atomic(SpikingClassifier& model, const std::filesystem::path& path);
/// curves.h5 (qneuro.snn.train.curves/1): per-epoch loss, accuracies, seconds, and batch losses.
void write_curves_h5(const std::filesystem::path& path, const TrainResult& result);

/// `qneuro snn bench-train`: training throughput and saved memory of the classifier with the
/// fused QLIF layer and with the plain-ops oracle, on random data, in the same run.
struct TrainBenchParams {
  int64_t hidden = 256, batch = 128, steps = 20, features = 64, classes = 10;
  Mode mode = Mode::Quantum;
  int iterations = 20;
};
/// One JSON object: samples/s of each layer and their ratio, the time of one training step of
/// the hidden QLIF layer alone for each (medians of `iterations` after a warm-up), and the bytes
/// per neuron-step each keeps for its backward (resident growth while the graph is alive).
nlohmann::ordered_json bench_training(const TrainBenchParams& params);

}  // namespace qneuro::snn
