// qneuro snn: simulate QLIF populations (DESIGN.md section 5), calibrate the quantum map, and
// benchmark the fused kernel (snn/run.hpp). `snn train` and `snn bench-train` need LibTorch and
// are handed over to qneuro-torch (cmd_snn_train.cpp).
#include <iostream>

#include "cli_common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/snn/run.hpp"
#include "torch_handover.hpp"

namespace qneuro::cli {
namespace {

struct SnnOptions {
  std::string out = "snn-out";
  std::string device;  ///< --device: shortcut for --set sim.device=...
  bool print_json = false;
  ConfigOptions config;
};

struct CalibrateOptions {
  double p0 = 0.02, slope = 0.1, leak = 0.0;
  std::string map = "sigmoid";
  bool json = false;
};

struct BenchOptions {
  snn::KernelBenchParams params;
  std::string mode = "quantum";
};

int run_snn(const SnnOptions& opt, const GlobalOptions& global) {
  ConfigOptions copt = opt.config;
  if (copt.preset.empty() && !copt.file) copt.preset = snn::kDefaultSnnPreset;
  std::vector<std::string> extra;
  if (!opt.device.empty()) {
    (void)parse_enum<Device>(opt.device, "--device");
    extra.push_back("sim.device=\"" + opt.device + "\"");
  }
  if (copt.handle_info_flags(snn::snn_schema(), extra)) return kExitOk;
  const config::Config cfg = copt.resolve(snn::snn_schema(), extra);
  snn::SnnRunOptions run;
  run.out = opt.out;
  run.command_line = global.command_line;
  const InterruptGuard ctrl_c;  // Ctrl-C stops after the current chunk; outputs hold those steps
  ProgressObserver<snn::SnnObserver> progress("snn", global);
  const snn::SnnRunResult r = snn::simulate(cfg, run, &progress);
  progress.finish();
  if (r.analysis && !global.quiet && !opt.print_json) {
    std::cout << eeg::format_table(*r.analysis) << std::flush;
  }
  if (opt.print_json) std::cout << r.summary.dump(2) << "\n";
  return r.status == RunStatus::Interrupted ? kExitRuntime : kExitOk;
}

int run_calibrate(const CalibrateOptions& o) {
  const auto map = parse_enum<snn::QuantumMap>(o.map, "--map");
  const snn::CalibrationCheck c = snn::check_calibration(o.p0, o.slope, map, o.leak);
  if (o.json) {
    nlohmann::ordered_json j;
    j["map"] = o.map;
    j["p0"] = o.p0;
    j["slope"] = o.slope;
    j["leak"] = o.leak;
    j["q_bias"] = c.calibration.q_bias;
    j["q_scale"] = c.calibration.q_scale;
    j["check"] = {{"p_at_0", c.p_at_0}, {"slope_at_0", c.slope_at_0}, {"ok", c.ok}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "map " << o.map << ", p0 " << o.p0 << ", slope " << o.slope << ", leak " << o.leak
              << "\n  q_bias  = " << strings::format_number(c.calibration.q_bias)
              << "\n  q_scale = " << strings::format_number(c.calibration.q_scale)
              << "\ncheck: p(0) = " << strings::format_number(c.p_at_0)
              << ", dp/dDelta(0) = " << strings::format_number(c.slope_at_0)
              << (c.ok ? "  (ok)" : "  (MISMATCH)") << "\n";
  }
  if (!c.ok) throw NumericalError("calibrate: the numerical check failed");
  return kExitOk;
}

int run_bench(BenchOptions o) {
  o.params.mode = parse_enum<snn::Mode>(o.mode, "--mode");
  std::cout << snn::bench_kernel(o.params).to_json().dump() << "\n";
  return kExitOk;
}

}  // namespace

Command register_snn(CLI::App& root, const GlobalOptions& global) {
  auto opt = std::make_shared<SnnOptions>();
  auto cal = std::make_shared<CalibrateOptions>();
  auto bench = std::make_shared<BenchOptions>();
  CLI::App* sub = root.add_subcommand(
      "snn",
      "Simulate a population of quantum leaky integrate-and-fire neurons (docs/snn.md):\n"
      "  V <- V + (dt/tau)(I_eff - V) + sigma xi;  p = sin^2(theta/2),\n"
      "  theta = pi sigmoid(q_scale (V - Vth) + q_bias - leak)\n"
      "with adaptive threshold, AHP, adaptation, synaptic depression, neuromodulation and the\n"
      "deterministic / stochastic / quantum spike modes; inputs (T, B, N) generated or read.\n"
      "Writes DIR/spikes.h5 (/spikes uint8 [T,B,N], /voltage, traces, /input), DIR/summary.json\n"
      "(qneuro.snn/1: rates, ISI CV, Fano factor, mean voltage, spectral analysis of the\n"
      "population signal), DIR/config.resolved.toml and DIR/run.json.\n"
      "Subcommands: calibrate (q_bias, q_scale from p0 and slope), bench (kernel throughput),\n"
      "train (a spiking classifier, LibTorch), bench-train (fused layer vs plain-ops oracle).");
  sub->add_option("--out,-o", opt->out, "output directory")->capture_default_str();
  sub->add_flag("--json", opt->print_json, "print summary.json to stdout instead of the table");
  sub->add_option("--device", opt->device,
                  "cpu or cuda: where the population runs (same as --set sim.device=...; cuda\n"
                  "needs a build with -DQNEURO_WITH_CUDA=ON and a GPU, docs/gpu.md)");
  opt->config.add_to(*sub, snn::snn_schema());
  sub->require_subcommand(0, 1);

  CLI::App* c = sub->add_subcommand(
      "calibrate",
      "Quantum calibration: q_bias and q_scale such that p(Delta = 0) = p0 and\n"
      "dp/dDelta(0) = slope for the map, then a numerical check of both.");
  c->add_option("--p0", cal->p0, "spike probability at threshold, in (0, 1)")
      ->capture_default_str();
  c->add_option("--slope", cal->slope, "dp/dDelta at threshold (> 0)")->capture_default_str();
  c->add_option("--map", cal->map, "sigmoid, tanh or linear")->capture_default_str();
  c->add_option("--leak", cal->leak, "quantum leak subtracted from the pre-activation")
      ->capture_default_str();
  c->add_flag("--json", cal->json, "print JSON");

  CLI::App* b = sub->add_subcommand(
      "bench",
      "Time the fused kernel on warm buffers (median of --repeats) and print one JSON line with\n"
      "neuron_steps_per_s, bytes_per_neuron_step (input 4 + spikes 1 + voltage 4 if recorded),\n"
      "the bandwidth that implies, the STREAM triad measured in the same run, seconds, threads\n"
      "and peak_rss_mb. Threads: --threads (global) or OMP_NUM_THREADS.");
  snn::KernelBenchParams& bp = bench->params;
  b->add_option("--neurons", bp.neurons, "neurons N")->capture_default_str();
  b->add_option("--steps", bp.steps, "time steps T")->capture_default_str();
  b->add_option("--batch", bp.batch, "batch B")->capture_default_str();
  b->add_option("--mode", bench->mode, "deterministic, stochastic or quantum")
      ->capture_default_str();
  b->add_flag("--record-voltage", bp.record_voltage, "also write the voltage");
  b->add_option("--repeats", bp.repeats, "timed repeats (median reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  b->add_flag("--breakdown", bp.breakdown,
              "also time the parts in the same run: the arithmetic in cache (this mode and the\n"
              "deterministic one), the Philox draws alone, the memory floor; and report what\n"
              "they imply (beyond-cache and page-fault seconds)");

  const Command train = register_torch_handover(*sub, "train", kSnnTrainDescription, global);
  const Command train_bench =
      register_torch_handover(*sub, "bench-train", kSnnBenchTrainDescription, global);

  return {sub, [opt, cal, bench, c, b, train, train_bench, &global]() -> int {
            if (c->parsed()) return run_calibrate(*cal);
            if (b->parsed()) return run_bench(*bench);
            if (train.app->parsed()) return train.run();
            if (train_bench.app->parsed()) return train_bench.run();
            return run_snn(*opt, global);
          }};
}

}  // namespace qneuro::cli
