// The classifier run API (training_run.hpp): load, seed, build, train, write; and the training
// benchmark.
#include "qneuro/snn/torch/training_run.hpp"

#include <malloc.h>

#include <array>
#include <numeric>
#include <span>

#include "qneuro/core/log.hpp"
#include "qneuro/core/memory.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/timing.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/hdf5.hpp"
#include "qneuro/io/json.hpp"
#include "qneuro/io/run_record.hpp"

namespace qneuro::snn {

namespace fs = std::filesystem;

void save_model_atomic(SpikingClassifier& model, const fs::path& path) {
  io::AtomicFile f(path);
  torch::save(model, f.temp_path().string());
  f.commit();
}

void write_curves_h5(const fs::path& path, const TrainResult& r) {
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

TrainingRunResult run_training(const fs::path& data_path, const config::Config& cfg,
                               const TrainingRunOptions& options, ClassifierObserver* observer) {
  TrainingRunResult r;
  r.params = train_params_from_config(cfg);
  const TrainParams& p = r.params;
  const DatasetSplit data = load_dataset(data_path, p.train_rows, p.scale);
  r.data_format = data.format;
  r.train_samples = data.train.size();
  r.test_samples = data.test.size();
  r.features = data.train.features;
  r.classes = data.classes;
  r.scale = data.scale;
  log::info(
      "snn train: {} ({}), {} train / {} test samples, {} features, {} classes; {} mode, "
      "{} hidden, T = {}, {} code, {} readout, {} layer, {} threads",
      options.data_name, data.format, data.train.size(), data.test.size(), data.train.features,
      data.classes, to_string(p.neuron.mode), p.hidden, p.steps, to_string(p.encoding),
      to_string(p.readout), to_string(p.layer), parallel::max_threads());

  io::RunRecord run("snn train", options.command_line);
  const fs::path& out = options.out;
  if (!out.empty()) {
    fs::create_directories(out);
    io::write_file_atomic(out / "config.resolved.toml", cfg.to_toml());
  }
  torch::manual_seed(p.seed);
  r.model = SpikingClassifier(p, static_cast<int64_t>(data.train.features),
                              static_cast<int64_t>(data.classes));
  r.result = train_classifier(r.model, p, data, observer);
  if (r.result.interrupted) r.status = RunStatus::Interrupted;
  for (const auto& t : r.model->parameters()) r.parameters += t.numel();

  nlohmann::ordered_json& s = r.summary;
  s["schema"] = "qneuro.snn.train/1";
  s["data"] = {{"path", options.data_name},
               {"format", data.format},
               {"train_samples", data.train.size()},
               {"test_samples", data.test.size()},
               {"features", data.train.features},
               {"classes", data.classes},
               {"scale", data.scale}};
  s["model"] = {{"mode", to_string(p.neuron.mode)},
                {"hidden", p.hidden},
                {"steps", p.steps},
                {"encoding", to_string(p.encoding)},
                {"readout", to_string(p.readout)},
                {"layer", to_string(p.layer)},
                {"parameters", r.parameters}};
  s["seed"] = p.seed;
  s["threads"] = parallel::max_threads();
  if (r.status != RunStatus::Completed) s["status"] = to_string(r.status);
  nlohmann::ordered_json epochs = nlohmann::ordered_json::array();
  for (const auto& e : r.result.epochs) {
    epochs.push_back({{"epoch", e.epoch},
                      {"loss", e.loss},
                      {"train_accuracy", e.train_accuracy},
                      {"test_accuracy", e.test_accuracy},
                      {"seconds", e.seconds},
                      {"samples_per_s", e.samples_per_s}});
  }
  s["epochs"] = epochs;
  s["test_accuracy"] = r.result.test_accuracy;
  s["seconds"] = r.result.seconds;
  if (!out.empty()) {
    save_model_atomic(r.model, out / "model.pt");
    write_curves_h5(out / "curves.h5", r.result);
    io::write_json(out / "summary.json", s);
    run.extra()["test_accuracy"] = r.result.test_accuracy;
    run.extra()["train_seconds"] = r.result.seconds;
    run.write(out);
  }
  return r;
}

namespace {

/// Resident memory now (bytes), after returning freed heap pages to the system.
double resident_bytes() {
  malloc_trim(0);
  return static_cast<double>(current_rss_bytes());
}

struct LayerFigures {
  double seconds_per_step = 0, samples_per_s = 0, saved_bytes_per_neuron_step = 0;
  double layer_seconds = 0;  ///< forward + backward of the hidden QLIF layer alone
  /// Medians of the phases of a step: encoding, forward + loss, backward, optimiser.
  std::array<double, 4> phases{};
};

/// Times `iterations` training steps of the classifier on random data and measures the memory
/// the QLIF layers keep for the backward (resident growth between forward and backward, with
/// the graph alive, minus the layer's outputs).
LayerFigures bench_layer(const TrainBenchParams& o, LayerKind layer) {
  TrainParams p;
  p.neuron.mode = o.mode;
  p.neuron.tau = 5.0;
  p.hidden = static_cast<std::size_t>(o.hidden);
  p.steps = static_cast<std::size_t>(o.steps);
  p.batch = static_cast<std::size_t>(o.batch);
  p.layer = layer;
  torch::manual_seed(1);
  SpikingClassifier model(p, o.features, o.classes);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = torch::rand({o.batch, o.features});
  const torch::Tensor y = torch::randint(0, o.classes, {o.batch}, torch::kLong);
  std::vector<int64_t> ids(static_cast<std::size_t>(o.batch));
  std::iota(ids.begin(), ids.end(), int64_t{0});
  // One training step, with the time of each phase: the input encoding alone (it runs again
  // inside forward), the forward pass with the loss, the backward pass, the optimiser.
  std::array<std::vector<double>, 4> phase_times;
  auto step = [&](uint64_t episode) {
    phase_times[0].push_back(seconds_of([&] { (void)model->encode(x, ids, episode); }));
    torch::Tensor loss;
    phase_times[1].push_back(seconds_of(
        [&] { loss = torch::nn::functional::cross_entropy(model->forward(x, ids, episode), y); }));
    phase_times[2].push_back(seconds_of([&] {
      opt.zero_grad();
      loss.backward();
    }));
    phase_times[3].push_back(seconds_of([&] { opt.step(); }));
  };
  step(0);  // warm-up
  for (auto& t : phase_times) t.clear();
  std::vector<double> times;  // a step proper: forward + backward + optimiser
  for (int i = 0; i < o.iterations; ++i) {
    step(static_cast<uint64_t>(i + 1));
    times.push_back(phase_times[1].back() + phase_times[2].back() + phase_times[3].back());
  }
  LayerFigures f;
  for (std::size_t k = 0; k < phase_times.size(); ++k) f.phases[k] = median_seconds(phase_times[k]);
  f.seconds_per_step = median_seconds(times);
  f.samples_per_s = static_cast<double>(o.batch) / f.seconds_per_step;
  // The hidden QLIF layer alone: forward + backward on its (T, B, H) input.
  {
    const auto opts = QLIFOptions(o.hidden).params(p.neuron);
    const torch::Tensor in = (1.5 * torch::rand({o.steps, o.batch, o.hidden})).requires_grad_(true);
    const torch::Tensor w = torch::randn({o.steps, o.batch, o.hidden});
    auto time_layer = [&](auto module) {
      auto once = [&] {
        module->reset();
        const QLIFOutput out = module->forward(in);
        ((out.spikes * w).sum() + out.voltage.sum()).backward();
      };
      once();
      std::vector<double> layer_times;
      for (int i = 0; i < o.iterations; ++i) layer_times.push_back(seconds_of(once));
      return median_seconds(layer_times);
    };
    f.layer_seconds =
        layer == LayerKind::Oracle ? time_layer(QLIFOracle(opts)) : time_layer(QLIFLayer(opts));
  }
  // Saved memory of one QLIF layer alone, on a larger input so that the growth dwarfs noise.
  const int64_t T = o.steps, B = 4 * o.batch, N = 4 * o.hidden;
  const auto options = QLIFOptions(N).params(p.neuron);
  const torch::Tensor input = (1.5 * torch::rand({T, B, N})).requires_grad_(true);
  const double out_bytes = 2.0 * static_cast<double>(T * B * N) * 4.0;
  auto measure = [&](auto module) {
    const double before = resident_bytes();
    const QLIFOutput out = module->forward(input);
    const double after = resident_bytes();
    const torch::Tensor loss = out.spikes.sum() + out.voltage.sum();
    loss.backward();
    return std::max(0.0, after - before - out_bytes) / static_cast<double>(T * B * N);
  };
  f.saved_bytes_per_neuron_step =
      layer == LayerKind::Oracle ? measure(QLIFOracle(options)) : measure(QLIFLayer(options));
  return f;
}

}  // namespace

nlohmann::ordered_json bench_training(const TrainBenchParams& o) {
  const LayerFigures fused = bench_layer(o, LayerKind::Fused);
  const LayerFigures oracle = bench_layer(o, LayerKind::Oracle);
  nlohmann::ordered_json j;
  j["bench"] = "snn_train";
  j["mode"] = to_string(o.mode);
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
  // Where a step's time goes (medians, ms): the encoding (inside forward), forward with the loss,
  // backward, the optimiser.
  auto split = [](const LayerFigures& f) {
    return nlohmann::ordered_json{{"encode", 1e3 * f.phases[0]},
                                  {"forward", 1e3 * f.phases[1]},
                                  {"backward", 1e3 * f.phases[2]},
                                  {"optimizer", 1e3 * f.phases[3]}};
  };
  j["fused_step_split_ms"] = split(fused);
  j["oracle_step_split_ms"] = split(oracle);
  j["fused_saved_bytes_per_neuron_step"] = fused.saved_bytes_per_neuron_step;
  j["oracle_saved_bytes_per_neuron_step"] = oracle.saved_bytes_per_neuron_step;
  j["fused_saved_bytes_accounted"] =
      static_cast<double>(
          qlif_saved_bytes(o.steps, 4 * o.batch, 4 * o.hidden, torch::kFloat, false)) /
      static_cast<double>(o.steps * 4 * o.batch * 4 * o.hidden);
  j["memory_ratio"] =
      oracle.saved_bytes_per_neuron_step / std::max(fused.saved_bytes_per_neuron_step, 1e-9);
  j["peak_rss_mb"] = peak_rss_mb();
  return j;
}

}  // namespace qneuro::snn
