// qneuro snn train: a spiking classifier with trainable QLIF layers (LibTorch), and
// qneuro snn bench-train: training throughput and saved memory of the fused layer against the
// plain-ops oracle, measured in the same run.
#include <torch/torch.h>

#include <malloc.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>
#include <span>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/memory.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/progress.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/hdf5.hpp"
#include "qneuro/io/json.hpp"
#include "qneuro/snn/dataset.hpp"
#include "qneuro/snn/torch/classifier.hpp"
#include "qneuro/snn/train_config.hpp"

namespace qneuro::cli {
namespace {

struct TrainOptions {
  std::string data;
  std::string out = "snn-train-out";
  bool print_json = false;
  ConfigOptions config;
};

struct BenchTrainOptions {
  int64_t hidden = 256, batch = 128, steps = 20, features = 64, classes = 10;
  std::string mode = "quantum";
  int iterations = 20;
};

/// torch::save to a temporary, then rename (no half-written checkpoint).
void save_model_atomic(snn::SpikingClassifier& model, const std::filesystem::path& path) {
  io::AtomicFile f(path);
  torch::save(model, f.temp_path().string());
  f.commit();
}

void write_curves(const std::filesystem::path& path, const snn::TrainResult& r) {
  io::AtomicFile f(path);
  {
    io::H5File h5 = io::H5File::create(f.temp_path());
    std::vector<double> loss, train_acc, test_acc, seconds, rate;
    std::vector<int64_t> epoch;
    for (const auto& e : r.epochs) {
      epoch.push_back(static_cast<int64_t>(e.epoch));
      loss.push_back(e.loss);
      train_acc.push_back(e.train_accuracy);
      test_acc.push_back(e.test_accuracy);
      seconds.push_back(e.seconds);
      rate.push_back(e.samples_per_s);
    }
    h5.create_group("epoch");
    h5.write("epoch/index", std::span<const int64_t>(epoch), {epoch.size()});
    h5.write("epoch/loss", std::span<const double>(loss), {loss.size()});
    h5.write("epoch/train_accuracy", std::span<const double>(train_acc), {train_acc.size()});
    h5.write("epoch/test_accuracy", std::span<const double>(test_acc), {test_acc.size()});
    h5.write("epoch/seconds", std::span<const double>(seconds), {seconds.size()});
    h5.write("epoch/samples_per_s", std::span<const double>(rate), {rate.size()});
    h5.write("batch_loss", std::span<const double>(r.batch_loss), {r.batch_loss.size()});
    h5.set_attr("/", "schema", "qneuro.snn.train.curves/1");
    h5.close();
  }
  f.commit();
}

int run_train(const TrainOptions& opt, const GlobalOptions& global) {
  const auto& schema = snn::train_schema();
  ConfigOptions copt = opt.config;
  if (copt.preset.empty() && !copt.file) copt.preset = "default";
  if (copt.handle_info_flags(schema)) return kExitOk;
  if (opt.data.empty())
    throw InputError(
        "snn train: --data PATH is required (a CSV or an MNIST "
        "IDX directory)");
  const config::Config cfg = copt.resolve(schema);
  const snn::TrainParams p = snn::train_params_from_config(cfg);
  const snn::DatasetSplit data = snn::load_dataset(opt.data, p.train_rows, p.scale);
  torch::set_num_threads(parallel::max_threads());
  log::info(
      "snn train: {} ({}), {} train / {} test samples, {} features, {} classes; {} mode, "
      "{} hidden, T = {}, {} code, {} readout, {} layer, {} threads",
      opt.data, data.format, data.train.size(), data.test.size(), data.train.features, data.classes,
      snn::to_string(p.neuron.mode), p.hidden, p.steps, p.encoding, p.readout, p.layer,
      parallel::max_threads());

  RunRecord run("snn train", global);
  const std::filesystem::path out(opt.out);
  std::filesystem::create_directories(out);
  io::write_file_atomic(out / "config.resolved.toml", cfg.to_toml());

  torch::manual_seed(p.seed);
  snn::SpikingClassifier model(p, static_cast<int64_t>(data.train.features),
                               static_cast<int64_t>(data.classes));
  const std::size_t batches = (data.train.size() + p.batch - 1) / p.batch * p.epochs;
  ProgressBar bar("train", batches, "batches", !global.quiet);
  const snn::TrainResult r = snn::train_classifier(
      model, p, data, [&](std::size_t done, std::size_t, double loss, double acc) {
        bar.update(done, fmt::format("loss {:.3f} acc {:.1f}%", loss, 100.0 * acc));
      });
  bar.finish();

  save_model_atomic(model, out / "model.pt");
  write_curves(out / "curves.h5", r);
  int64_t n_params = 0;
  for (const auto& t : model->parameters()) n_params += t.numel();
  nlohmann::ordered_json s;
  s["schema"] = "qneuro.snn.train/1";
  s["data"] = {{"path", opt.data},
               {"format", data.format},
               {"train_samples", data.train.size()},
               {"test_samples", data.test.size()},
               {"features", data.train.features},
               {"classes", data.classes},
               {"scale", data.scale}};
  s["model"] = {{"mode", snn::to_string(p.neuron.mode)},
                {"hidden", p.hidden},
                {"steps", p.steps},
                {"encoding", p.encoding},
                {"readout", p.readout},
                {"layer", p.layer},
                {"parameters", n_params}};
  s["seed"] = p.seed;
  s["threads"] = parallel::max_threads();
  nlohmann::ordered_json epochs = nlohmann::ordered_json::array();
  for (const auto& e : r.epochs) {
    epochs.push_back({{"epoch", e.epoch},
                      {"loss", e.loss},
                      {"train_accuracy", e.train_accuracy},
                      {"test_accuracy", e.test_accuracy},
                      {"seconds", e.seconds},
                      {"samples_per_s", e.samples_per_s}});
  }
  s["epochs"] = epochs;
  s["test_accuracy"] = r.test_accuracy;
  s["seconds"] = r.seconds;
  io::write_json(out / "summary.json", s);
  run.extra()["test_accuracy"] = r.test_accuracy;
  run.extra()["train_seconds"] = r.seconds;
  run.write(out);
  if (opt.print_json) {
    std::cout << s.dump(2) << "\n";
  } else {
    std::cout << "epoch   loss   train acc   test acc   seconds\n";
    for (const auto& e : r.epochs) {
      std::cout << fmt::format("{:5d}  {:6.3f}   {:7.2f}%   {:7.2f}%   {:7.2f}\n", e.epoch, e.loss,
                               100 * e.train_accuracy, 100 * e.test_accuracy, e.seconds);
    }
    std::cout << fmt::format("test accuracy {:.2f}% after {} epochs ({:.1f} s); outputs in {}\n",
                             100 * r.test_accuracy, r.epochs.size(), r.seconds, out.string());
  }
  return kExitOk;
}

// ---- bench-train ----

/// Resident memory now (bytes), after returning freed heap pages to the system.
double resident_bytes() {
  malloc_trim(0);
  return static_cast<double>(current_rss_bytes());
}

struct LayerFigures {
  double seconds_per_step = 0, samples_per_s = 0, saved_bytes_per_neuron_step = 0;
  double layer_seconds = 0;  ///< forward + backward of the hidden QLIF layer alone
};

template <typename F>
double seconds_of(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Times `iterations` training steps of the classifier on random data and measures the memory
/// the QLIF layers keep for the backward (resident growth between forward and backward, with
/// the graph alive, minus the layer's outputs).
LayerFigures bench_layer(const BenchTrainOptions& o, const std::string& layer) {
  snn::TrainParams p;
  p.neuron.mode = snn::parse_mode(o.mode, "--mode");
  p.neuron.tau = 5.0;
  p.hidden = static_cast<std::size_t>(o.hidden);
  p.steps = static_cast<std::size_t>(o.steps);
  p.batch = static_cast<std::size_t>(o.batch);
  p.layer = layer;
  torch::manual_seed(1);
  snn::SpikingClassifier model(p, o.features, o.classes);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = torch::rand({o.batch, o.features});
  const torch::Tensor y = torch::randint(0, o.classes, {o.batch}, torch::kLong);
  std::vector<int64_t> ids(static_cast<std::size_t>(o.batch));
  std::iota(ids.begin(), ids.end(), int64_t{0});
  auto step = [&](uint64_t episode) {
    const torch::Tensor loss =
        torch::nn::functional::cross_entropy(model->forward(x, ids, episode), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
  };
  step(0);  // warm-up
  std::vector<double> times;
  for (int i = 0; i < o.iterations; ++i) {
    times.push_back(seconds_of([&] { step(static_cast<uint64_t>(i + 1)); }));
  }
  LayerFigures f;
  f.seconds_per_step = median_seconds(times);
  f.samples_per_s = static_cast<double>(o.batch) / f.seconds_per_step;
  // The hidden QLIF layer alone: forward + backward on its (T, B, H) input.
  {
    const auto opts = snn::QLIFOptions(o.hidden).params(p.neuron);
    const torch::Tensor in = (1.5 * torch::rand({o.steps, o.batch, o.hidden})).requires_grad_(true);
    const torch::Tensor w = torch::randn({o.steps, o.batch, o.hidden});
    auto time_layer = [&](auto module) {
      auto once = [&] {
        module->reset();
        const snn::QLIFOutput out = module->forward(in);
        ((out.spikes * w).sum() + out.voltage.sum()).backward();
      };
      once();
      std::vector<double> layer_times;
      for (int i = 0; i < o.iterations; ++i) layer_times.push_back(seconds_of(once));
      return median_seconds(layer_times);
    };
    f.layer_seconds =
        layer == "oracle" ? time_layer(snn::QLIFOracle(opts)) : time_layer(snn::QLIFLayer(opts));
  }
  // Saved memory of one QLIF layer alone, on a larger input so that the growth dwarfs noise.
  const int64_t T = o.steps, B = 4 * o.batch, N = 4 * o.hidden;
  const auto options = snn::QLIFOptions(N).params(p.neuron);
  const torch::Tensor input = (1.5 * torch::rand({T, B, N})).requires_grad_(true);
  const double out_bytes = 2.0 * static_cast<double>(T * B * N) * 4.0;
  auto measure = [&](auto module) {
    const double before = resident_bytes();
    const snn::QLIFOutput out = module->forward(input);
    const double after = resident_bytes();
    const torch::Tensor loss = out.spikes.sum() + out.voltage.sum();
    loss.backward();
    return std::max(0.0, after - before - out_bytes) / static_cast<double>(T * B * N);
  };
  f.saved_bytes_per_neuron_step =
      layer == "oracle" ? measure(snn::QLIFOracle(options)) : measure(snn::QLIFLayer(options));
  return f;
}

int run_bench_train(const BenchTrainOptions& o) {
  torch::set_num_threads(parallel::max_threads());
  const LayerFigures fused = bench_layer(o, "fused");
  const LayerFigures oracle = bench_layer(o, "oracle");
  nlohmann::ordered_json j;
  j["bench"] = "snn_train";
  j["mode"] = o.mode;
  j["features"] = o.features;
  j["hidden"] = o.hidden;
  j["classes"] = o.classes;
  j["steps"] = o.steps;
  j["batch"] = o.batch;
  j["threads"] = parallel::max_threads();
  j["fused_samples_per_s"] = fused.samples_per_s;
  j["oracle_samples_per_s"] = oracle.samples_per_s;
  j["speedup"] = fused.samples_per_s / oracle.samples_per_s;
  j["fused_layer_step_ms"] = 1e3 * fused.layer_seconds;
  j["oracle_layer_step_ms"] = 1e3 * oracle.layer_seconds;
  j["layer_speedup"] = oracle.layer_seconds / fused.layer_seconds;
  j["fused_saved_bytes_per_neuron_step"] = fused.saved_bytes_per_neuron_step;
  j["oracle_saved_bytes_per_neuron_step"] = oracle.saved_bytes_per_neuron_step;
  j["fused_saved_bytes_accounted"] =
      static_cast<double>(
          snn::qlif_saved_bytes(o.steps, 4 * o.batch, 4 * o.hidden, torch::kFloat, false)) /
      static_cast<double>(o.steps * 4 * o.batch * 4 * o.hidden);
  j["memory_ratio"] =
      oracle.saved_bytes_per_neuron_step / std::max(fused.saved_bytes_per_neuron_step, 1e-9);
  j["peak_rss_mb"] = peak_rss_mb();
  std::cout << j.dump() << "\n";
  return kExitOk;
}

}  // namespace

Command register_snn_train(CLI::App& snn, const GlobalOptions& global) {
  auto opt = std::make_shared<TrainOptions>();
  CLI::App* t = snn.add_subcommand(
      "train",
      "Train a spiking classifier (docs/snn.md, Training):\n"
      "  encoder (rate or latency code over T steps) -> Linear -> QLIF -> Linear ->\n"
      "  QLIF spike counts or a leaky membrane readout; Adam on cross-entropy.\n"
      "The QLIF layers run the fused kernel forward and a hand-written BPTT backward\n"
      "(surrogate gradients in deterministic mode, straight-through in stochastic/quantum).\n"
      "--data: a CSV (.gz ok) with the label in the last column (rows 1..data.train_rows train,\n"
      "the rest test), or a directory with the four MNIST IDX files.\n"
      "Writes DIR/summary.json (qneuro.snn.train/1: per-epoch loss, train/test accuracy, time;\n"
      "final test_accuracy), DIR/model.pt (torch::load-able), DIR/curves.h5, config.resolved.toml\n"
      "and run.json. Deterministic for a seed and thread count.");
  t->add_option("--data,-d", opt->data, "CSV file or MNIST IDX directory (required)");
  t->add_option("--out,-o", opt->out, "output directory")->capture_default_str();
  t->add_flag("--json", opt->print_json, "print summary.json to stdout instead of the table");
  opt->config.add_to(*t, snn::train_schema());
  return {t, [opt, &global]() { return run_train(*opt, global); }};
}

Command register_snn_bench_train(CLI::App& snn, const GlobalOptions&) {
  auto o = std::make_shared<BenchTrainOptions>();
  CLI::App* b = snn.add_subcommand(
      "bench-train",
      "Training throughput of the classifier with the fused QLIF layer and with the plain-ops\n"
      "oracle, in the same run, on random data: one JSON line with samples/s of each, the\n"
      "speedup, the time of one training step (forward + backward) of the hidden QLIF layer\n"
      "alone for each and its ratio (layer_speedup), and the bytes per neuron-step each QLIF\n"
      "layer keeps for its backward (resident memory growth while the graph is alive; the\n"
      "fused figure also as accounted from the saved tensors). Times are medians of\n"
      "--iterations timed steps after one warm-up step. Threads: --threads (global).");
  b->add_option("--hidden", o->hidden, "hidden neurons")->capture_default_str();
  b->add_option("--batch", o->batch, "samples per step")->capture_default_str();
  b->add_option("--steps", o->steps, "time steps T")->capture_default_str();
  b->add_option("--features", o->features, "input features")->capture_default_str();
  b->add_option("--mode", o->mode, "deterministic, stochastic or quantum")->capture_default_str();
  b->add_option("--iterations", o->iterations, "timed training steps per layer (medians reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  return {b, [o]() { return run_bench_train(*o); }};
}

}  // namespace qneuro::cli
