// qneuro snn train: a spiking classifier with trainable QLIF layers, and qneuro snn bench-train:
// the fused layer against the plain-ops oracle (snn/torch/training_run.hpp). In qneuro-torch.
#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/snn/torch/training_run.hpp"

namespace qneuro::cli {
namespace {

struct TrainOptions {
  std::string data;
  std::string out = "snn-train-out";
  bool print_json = false;
  ConfigOptions config;
};

struct BenchTrainOptions {
  snn::TrainBenchParams params;
  std::string mode = "quantum";
};

int run_train(const TrainOptions& opt, const GlobalOptions& global) {
  ConfigOptions copt = opt.config;
  if (copt.preset.empty() && !copt.file) copt.preset = "default";
  if (copt.handle_info_flags(snn::train_schema())) return kExitOk;
  if (opt.data.empty()) {
    throw InputError("snn train: --data PATH is required (a CSV or an MNIST IDX directory)");
  }
  const config::Config cfg = copt.resolve(snn::train_schema());
  snn::TrainingRunOptions run;
  run.out = opt.out;
  run.data_name = opt.data;
  run.command_line = global.command_line;
  const InterruptGuard ctrl_c;  // Ctrl-C stops after the current epoch; outputs hold it
  ProgressObserver<snn::ClassifierObserver> progress("train", global);
  const snn::TrainingRunResult r = snn::run_training(opt.data, cfg, run, &progress);
  progress.finish();
  if (opt.print_json) {
    std::cout << r.summary.dump(2) << "\n";
  } else {
    std::cout << "epoch   loss   train acc   test acc   seconds\n";
    for (const auto& e : r.result.epochs) {
      std::cout << fmt::format("{:5d}  {:6.3f}   {:7.2f}%   {:7.2f}%   {:7.2f}\n", e.epoch, e.loss,
                               100 * e.train_accuracy, 100 * e.test_accuracy, e.seconds);
    }
    std::cout << fmt::format("test accuracy {:.2f}% after {} epochs ({:.1f} s); outputs in {}\n",
                             100 * r.result.test_accuracy, r.result.epochs.size(), r.result.seconds,
                             opt.out);
  }
  return r.status == RunStatus::Interrupted ? kExitRuntime : kExitOk;
}

}  // namespace

Command register_snn_train(CLI::App& snn, const GlobalOptions& global) {
  auto opt = std::make_shared<TrainOptions>();
  CLI::App* t = snn.add_subcommand("train", kSnnTrainDescription);
  t->add_option("--data,-d", opt->data, "CSV file or MNIST IDX directory (required)");
  t->add_option("--out,-o", opt->out, "output directory")->capture_default_str();
  t->add_flag("--json", opt->print_json, "print summary.json to stdout instead of the table");
  opt->config.add_to(*t, snn::train_schema());
  return {t, [opt, &global]() { return run_train(*opt, global); }};
}

Command register_snn_bench_train(CLI::App& snn, const GlobalOptions&) {
  auto o = std::make_shared<BenchTrainOptions>();
  CLI::App* b = snn.add_subcommand("bench-train", kSnnBenchTrainDescription);
  snn::TrainBenchParams& p = o->params;
  b->add_option("--hidden", p.hidden, "hidden neurons")->capture_default_str();
  b->add_option("--batch", p.batch, "samples per step")->capture_default_str();
  b->add_option("--steps", p.steps, "time steps T")->capture_default_str();
  b->add_option("--features", p.features, "input features")->capture_default_str();
  b->add_option("--mode", o->mode, "deterministic, stochastic or quantum")->capture_default_str();
  b->add_option("--iterations", p.iterations, "timed training steps per layer (medians reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  return {b, [o]() {
            snn::TrainBenchParams params = o->params;
            params.mode = parse_enum<snn::Mode>(o->mode, "--mode");
            std::cout << snn::bench_training(params).dump() << "\n";
            return kExitOk;
          }};
}

}  // namespace qneuro::cli
