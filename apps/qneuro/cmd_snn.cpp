// qneuro snn: simulate QLIF populations (DESIGN.md section 5), calibrate the quantum map, and
// benchmark the fused kernel against this machine's memory bandwidth.
#include <chrono>
#include <cmath>
#include <iostream>

#include "cli_common.hpp"
#include "qneuro/core/bandwidth.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/memory.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/progress.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/hdf5.hpp"
#include "qneuro/io/json.hpp"
#include "qneuro/snn/population.hpp"
#include "qneuro/snn/snn_config.hpp"
#include "qneuro/snn/spike_stats.hpp"

namespace qneuro::cli {
namespace {

struct SnnOptions {
  std::string out = "snn-out";
  bool print_json = false;
  ConfigOptions config;
};

struct CalibrateOptions {
  double p0 = 0.02, slope = 0.1, leak = 0.0;
  std::string map = "sigmoid";
  bool json = false;
};

struct BenchOptions {
  std::size_t neurons = 1000000, steps = 100, batch = 1;
  std::string mode = "quantum";
  bool record_voltage = false;
  int repeats = 3;
};

/// A file input defines T, B, N; a sim.* key set explicitly to something else is an error.
void adopt_file_shape(const config::Config& cfg, snn::SnnRunParams& p, const snn::InputArray& in) {
  const std::pair<const char*, std::size_t*> keys[] = {
      {"sim.steps", &p.steps}, {"sim.batch", &p.batch}, {"sim.neurons", &p.neurons}};
  const std::size_t dims[] = {in.T, in.B, in.N};
  for (int i = 0; i < 3; ++i) {
    const std::string origin = cfg.origin(keys[i].first);
    if (*keys[i].second != dims[i] && origin != "the built-in defaults" &&
        origin.rfind("preset", 0) != 0) {
      cfg.fail(keys[i].first, "is " + std::to_string(*keys[i].second) + " but input.path " +
                                  p.input.path + " has shape [" + std::to_string(in.T) + ", " +
                                  std::to_string(in.B) + ", " + std::to_string(in.N) +
                                  "] (T, B, N); drop the key or make them match");
    }
    *keys[i].second = dims[i];
  }
}

std::vector<float> modulation_signal(const snn::SnnRunParams& p) {
  std::vector<float> m;
  if (p.modulation.signal == "none") return m;
  m.resize(p.steps);
  const double dt_s = p.neuron.dt * p.time_unit_ms * 1e-3;
  for (std::size_t t = 0; t < p.steps; ++t) {
    double v = p.modulation.level;
    if (p.modulation.signal == "sine") {
      v += p.modulation.amplitude *
           std::sin(2.0 * std::numbers::pi * p.modulation.freq_hz * static_cast<double>(t) * dt_s);
    }
    m[t] = static_cast<float>(v);
  }
  return m;
}

nlohmann::ordered_json stats_json(const snn::SpikeStats& s, std::size_t N) {
  nlohmann::ordered_json j;
  j["population_rate_hz"] = s.population_rate_hz;
  j["total_spikes"] = s.total_spikes;
  j["active_fraction"] = s.active_fraction;
  double lo = s.rate_hz.empty() ? 0.0 : s.rate_hz.front(), hi = lo;
  for (const double r : s.rate_hz) {
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  j["rate_hz_min"] = lo;
  j["rate_hz_max"] = hi;
  if (N <= 10000) {
    j["rate_hz_per_neuron"] = s.rate_hz;
  } else {
    j["rate_hz_per_neuron"] = "in spikes.h5:/stats/rate_hz (more than 10000 neurons)";
  }
  j["isi_cv"] = s.isi_trains > 0 ? nlohmann::ordered_json(s.isi_cv) : nlohmann::ordered_json();
  j["isi_trains"] = s.isi_trains;
  j["fano_factor"] = s.fano_trains > 0 ? nlohmann::ordered_json(s.fano) : nlohmann::ordered_json();
  j["fano_trains"] = s.fano_trains;
  j["fano_window_steps"] = s.window_steps;
  return j;
}

int run_snn(const SnnOptions& opt, const GlobalOptions& global) {
  const auto& schema = snn::snn_schema();
  ConfigOptions copt = opt.config;
  if (copt.preset.empty() && !copt.file) copt.preset = snn::kDefaultSnnPreset;
  if (copt.handle_info_flags(schema)) return kExitOk;
  const config::Config cfg = copt.resolve(schema);
  snn::SnnRunParams p = snn::snn_params_from_config(cfg);

  snn::InputArray input;
  const bool generated = p.input.kind != "file";
  if (!generated) {
    input = snn::read_input_array(p.input.path);
    adopt_file_shape(cfg, p, input);
  }
  const uint64_t need = snn::snn_memory_bytes(p);
  if (need > physical_memory_bytes() * 8 / 10) {
    cfg.fail("sim.neurons", "with sim.steps and sim.batch needs ~" +
                                std::to_string(need / 1000000) +
                                " MB for input and outputs, more than 80 % of this machine's " +
                                std::to_string(physical_memory_bytes() / 1000000) +
                                " MB; reduce sim.neurons, sim.steps or sim.batch, or turn off "
                                "record.voltage / record.traces");
  }
  const double dt_ms = p.neuron.dt * p.time_unit_ms;
  if (generated) input = snn::generate_input(p.input, p.steps, p.batch, p.neurons, dt_ms, p.seed);
  const std::size_t T = p.steps, B = p.batch, N = p.neurons, total = T * B * N;
  log::info(
      "snn: {} neurons x batch {} x {} steps ({} mode, {} map, neuromod {}), input {}, {} "
      "threads, ~{:.0f} MB",
      N, B, T, snn::to_string(p.neuron.mode), snn::to_string(p.neuron.quantum_map),
      snn::to_string(p.neuron.neuromod_mode), p.input.kind, parallel::max_threads(),
      static_cast<double>(need) / 1e6);

  RunRecord run("snn", global);
  const std::filesystem::path out(opt.out);
  std::filesystem::create_directories(out);
  io::write_file_atomic(out / "config.resolved.toml", cfg.to_toml());

  std::vector<uint8_t> spikes(total);
  std::vector<float> voltage(p.record_voltage ? total : 0);
  std::vector<float> tr_p, tr_D, tr_A, tr_E, tr_Theta;
  if (p.record_traces) {
    for (auto* v : {&tr_p, &tr_D, &tr_A, &tr_E, &tr_Theta}) v->resize(total);
  }
  const std::vector<float> mod_values = modulation_signal(p);
  snn::Population pop(p.neuron, N, p.seed);
  ProgressBar bar("snn", T, "steps", !global.quiet);
  // About 100 progress updates, but at least ~1e6 neuron-steps per call so that the parallel
  // region of each call stays cheap next to its work.
  const std::size_t chunk =
      std::max<std::size_t>({1, T / 100, (std::size_t{1} << 20) / std::max<std::size_t>(1, B * N)});
  const auto t_start = std::chrono::steady_clock::now();
  for (std::size_t t0 = 0; t0 < T; t0 += chunk) {
    const std::size_t len = std::min(chunk, T - t0);
    const std::size_t at = t0 * B * N, n = len * B * N;
    auto sub = [&](std::vector<float>& v) {
      return v.empty() ? std::span<float>() : std::span<float>(v).subspan(at, n);
    };
    snn::RunViews views;
    views.spikes = std::span<uint8_t>(spikes).subspan(at, n);
    views.voltage = sub(voltage);
    views.p = sub(tr_p);
    views.D = sub(tr_D);
    views.A = sub(tr_A);
    views.E = sub(tr_E);
    views.Theta = sub(tr_Theta);
    snn::Modulation mod;
    if (!mod_values.empty()) mod.values = std::span<const float>(mod_values).subspan(t0, len);
    pop.run_into(std::span<const float>(input.values).subspan(at, n), len, B,
                 mod_values.empty() ? nullptr : &mod, views, p.training);
    bar.update(t0 + len);
  }
  bar.finish();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();

  // Population signal: mean voltage over neurons per (t, b) (or mean input current when the
  // voltage is not recorded), one channel per batch row (at most 16), as an LFP proxy.
  const std::size_t channels = std::min<std::size_t>(B, 16);
  io::Recording lfp;
  lfp.source = "qneuro snn";
  lfp.format = "snn";
  lfp.sfreq_hz = p.fs_hz();
  const std::vector<float>& src = p.record_voltage ? voltage : input.values;
  double mean_v = 0.0;
  for (std::size_t b = 0; b < channels; ++b) {
    lfp.channels.push_back("pop" + std::to_string(b));
    std::vector<double> x(T);
    for (std::size_t t = 0; t < T; ++t) {
      double acc = 0.0;
      const float* row = src.data() + (t * B + b) * N;
      for (std::size_t n = 0; n < N; ++n) acc += static_cast<double>(row[n]);
      x[t] = acc / static_cast<double>(N);
    }
    lfp.data.push_back(std::move(x));
  }
  if (p.record_voltage) {
    double acc = 0.0;
    for (const float v : voltage) acc += static_cast<double>(v);
    mean_v = acc / static_cast<double>(total);
  }
  const std::size_t window = std::max<std::size_t>(1, static_cast<std::size_t>(100.0 / dt_ms));
  const snn::SpikeStats stats = snn::spike_stats(spikes, T, B, N, dt_ms, window);

  nlohmann::ordered_json summary;
  summary["schema"] = "qneuro.snn/1";
  summary["mode"] = snn::to_string(p.neuron.mode);
  summary["quantum_map"] = snn::to_string(p.neuron.quantum_map);
  summary["neuromod_mode"] = snn::to_string(p.neuron.neuromod_mode);
  summary["preset"] = cfg.preset();
  summary["neurons"] = N;
  summary["batch"] = B;
  summary["steps"] = T;
  summary["dt_ms"] = dt_ms;
  summary["input"] = p.input.kind;
  summary["seed"] = p.seed;
  summary["rates"] = stats_json(stats, N);
  if (p.record_voltage) {
    summary["mean_voltage"] = mean_v;
  } else {
    summary["mean_voltage"] = nlohmann::ordered_json();
  }
  summary["population_signal"] = p.record_voltage ? "mean voltage" : "mean input current";
  if (T >= 64) {
    if (const auto result = analyze_simulated(lfp, 1.0, 0.0)) {
      summary["analysis"] = eeg::summary_json(*result);
      if (!global.quiet && !opt.print_json) std::cout << eeg::format_table(*result) << std::flush;
    }
  }
  if (!summary.contains("analysis")) {
    summary["analysis"] = T < 64 ? "too few steps for a spectrum (< 64)"
                                 : "no EEG band lies below the Nyquist frequency of the signal";
  }
  const double ns = static_cast<double>(total);
  summary["throughput"] = {{"neuron_steps_per_s", ns / std::max(secs, 1e-12)},
                           {"seconds", secs},
                           {"threads", parallel::max_threads()}};

  io::AtomicFile h5(out / "spikes.h5");
  {
    auto f = io::H5File::create(h5.temp_path());
    const std::vector<uint64_t> shape{T, B, N};
    f.write("spikes", std::span<const uint8_t>(spikes), shape, true);
    f.set_attr("spikes", "layout", "[t, b, n], 1 = spike");
    if (p.record_voltage) {
      f.write("voltage", std::span<const float>(voltage), shape);
      f.set_attr("voltage", "layout", "[t, b, n], membrane potential after reset");
    }
    if (p.record_traces) {
      f.write("p", std::span<const float>(tr_p), shape);
      f.write("D", std::span<const float>(tr_D), shape);
      f.write("A", std::span<const float>(tr_A), shape);
      f.write("E", std::span<const float>(tr_E), shape);
      f.write("Theta", std::span<const float>(tr_Theta), shape);
    }
    if (generated) {
      f.write("input", std::span<const float>(input.values), shape);
      f.set_attr("input", "kind", p.input.kind);
    }
    if (!mod_values.empty()) f.write("modulation", std::span<const float>(mod_values), {T, 1, 1});
    std::vector<float> pop_signal(T * channels);
    for (std::size_t b = 0; b < channels; ++b) {
      for (std::size_t t = 0; t < T; ++t) {
        pop_signal[t * channels + b] = static_cast<float>(lfp.data[b][t]);
      }
    }
    f.write("population/signal", std::span<const float>(pop_signal), {T, channels});
    f.set_attr("population/signal", "layout",
               std::string("[t, b] mean over neurons of the ") +
                   (p.record_voltage ? "voltage" : "input current"));
    f.write("stats/rate_hz", std::span<const double>(stats.rate_hz), {N});
    f.set_attr("/", "schema", "qneuro.snn/1");
    f.set_attr("/", "dt_ms", dt_ms);
    f.set_attr("/", "fs_hz", p.fs_hz());
    f.set_attr("/", "mode", snn::to_string(p.neuron.mode));
    f.set_attr("/", "seed", static_cast<int64_t>(p.seed));
    f.close();
  }
  h5.commit();
  io::write_json(out / "summary.json", summary);
  run.extra()["throughput"] = summary["throughput"];
  run.write(out);
  if (opt.print_json) std::cout << summary.dump(2) << "\n";
  log::info("snn: {} neuron-steps in {:.3f} s ({:.3g}/s), population rate {:.3g} Hz; wrote {}",
            total, secs, ns / std::max(secs, 1e-12), stats.population_rate_hz, out.string());
  return kExitOk;
}

int run_calibrate(const CalibrateOptions& o) {
  const snn::QuantumMap map = snn::parse_quantum_map(o.map, "--map");
  if (!(o.p0 > 0.0 && o.p0 < 1.0)) {
    throw UsageError("calibrate: --p0 " + std::to_string(o.p0) + " must be in (0, 1)");
  }
  if (!(o.slope > 0.0)) throw UsageError("calibrate: --slope must be > 0");
  const snn::Calibration c = snn::calibrate(o.p0, o.slope, map, o.leak);
  // Numerical check: p(0) and the central-difference slope at Delta = 0.
  const double h = 1e-5;
  const double p_at0 = snn::quantum_probability(map, c.q_scale, c.q_bias, o.leak, 0.0);
  const double slope = (snn::quantum_probability(map, c.q_scale, c.q_bias, o.leak, h) -
                        snn::quantum_probability(map, c.q_scale, c.q_bias, o.leak, -h)) /
                       (2.0 * h);
  const double err_p = std::abs(p_at0 - o.p0), err_s = std::abs(slope - o.slope) / o.slope;
  const bool ok = err_p < 1e-9 && err_s < 1e-6;
  if (o.json) {
    nlohmann::ordered_json j;
    j["map"] = o.map;
    j["p0"] = o.p0;
    j["slope"] = o.slope;
    j["leak"] = o.leak;
    j["q_bias"] = c.q_bias;
    j["q_scale"] = c.q_scale;
    j["check"] = {{"p_at_0", p_at0}, {"slope_at_0", slope}, {"ok", ok}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "map " << o.map << ", p0 " << o.p0 << ", slope " << o.slope << ", leak " << o.leak
              << "\n  q_bias  = " << strings::format_number(c.q_bias)
              << "\n  q_scale = " << strings::format_number(c.q_scale)
              << "\ncheck: p(0) = " << strings::format_number(p_at0)
              << ", dp/dDelta(0) = " << strings::format_number(slope)
              << (ok ? "  (ok)" : "  (MISMATCH)") << "\n";
  }
  if (!ok) throw NumericalError("calibrate: the numerical check failed");
  return kExitOk;
}

int run_bench(const BenchOptions& o) {
  if (o.neurons == 0 || o.steps == 0 || o.batch == 0) {
    throw UsageError("bench: --neurons, --steps and --batch must be >= 1");
  }
  snn::NeuronParams p;
  p.mode = snn::parse_mode(o.mode, "--mode");
  const std::size_t total = o.neurons * o.steps * o.batch;
  std::vector<float> input(total);
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < static_cast<long long>(total); ++i) {
    input[static_cast<std::size_t>(i)] =
        1.2f + 0.5f * static_cast<float>((static_cast<uint64_t>(i) * 2654435761u) % 1000) / 1000.0f;
  }
  std::vector<uint8_t> spikes(total);
  std::vector<float> voltage(o.record_voltage ? total : 0);
  snn::RunViews views;
  views.spikes = spikes;
  views.voltage = voltage;
  // First call touches the output pages; the timed repeats run on warm buffers.
  std::vector<double> times;
  for (int r = 0; r <= o.repeats; ++r) {
    snn::Population pop(p, o.neurons, 1);
    const auto t0 = std::chrono::steady_clock::now();
    pop.run_into(input, o.steps, o.batch, nullptr, views);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r > 0) times.push_back(s);
  }
  const double secs = median_seconds(times);
  const double bytes = 4.0 + 1.0 + (o.record_voltage ? 4.0 : 0.0);
  const TriadResult triad = measure_triad();
  const double nsps = static_cast<double>(total) / secs;
  const double gbs = nsps * bytes / 1e9;
  nlohmann::ordered_json j;
  j["bench"] = "snn";
  j["mode"] = o.mode;
  j["neurons"] = o.neurons;
  j["steps"] = o.steps;
  j["batch"] = o.batch;
  j["record_voltage"] = o.record_voltage;
  j["neuron_steps_per_s"] = nsps;
  j["bytes_per_neuron_step"] = bytes;
  j["bandwidth_gbs"] = gbs;
  j["triad_gbs"] = triad.gbs;
  j["fraction_of_bandwidth_floor"] = gbs / triad.gbs;
  j["seconds"] = secs;
  j["seconds_min"] = times.front();
  j["repeats"] = o.repeats;
  j["threads"] = parallel::max_threads();
  j["peak_rss_mb"] = peak_rss_mb();
  std::cout << j.dump() << "\n";
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
  b->add_option("--neurons", bench->neurons, "neurons N")->capture_default_str();
  b->add_option("--steps", bench->steps, "time steps T")->capture_default_str();
  b->add_option("--batch", bench->batch, "batch B")->capture_default_str();
  b->add_option("--mode", bench->mode, "deterministic, stochastic or quantum")
      ->capture_default_str();
  b->add_flag("--record-voltage", bench->record_voltage, "also write the voltage");
  b->add_option("--repeats", bench->repeats, "timed repeats (median reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));

  const Command train = register_snn_train(*sub, global);
  const Command train_bench = register_snn_bench_train(*sub, global);

  return {sub, [opt, cal, bench, c, b, train, train_bench, &global]() -> int {
            if (c->parsed()) return run_calibrate(*cal);
            if (b->parsed()) return run_bench(*bench);
            if (train.app->parsed()) return train.run();
            if (train_bench.app->parsed()) return train_bench.run();
            return run_snn(*opt, global);
          }};
}

}  // namespace qneuro::cli
