// The population run API (run.hpp): inputs, the chunked kernel loop, statistics, outputs; and
// the kernel benchmark and calibration check.
#include "qneuro/snn/run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <numbers>

#include "qneuro/core/bandwidth.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/memory.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/timing.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/hdf5.hpp"
#include "qneuro/io/json.hpp"
#include "qneuro/io/run_record.hpp"
#include "qneuro/snn/population.hpp"

#include "qlif_kernel.hpp"

namespace qneuro::snn {

namespace fs = std::filesystem;

namespace {

/// A file or in-memory input defines T, B, N; a sim.* key set explicitly to something else is an
/// error.
void adopt_input_shape(const config::Config& cfg, SnnRunParams& p, const InputArray& in,
                       const std::string& what) {
  const std::pair<const char*, std::size_t*> keys[] = {
      {"sim.steps", &p.steps}, {"sim.batch", &p.batch}, {"sim.neurons", &p.neurons}};
  const std::size_t dims[] = {in.T, in.B, in.N};
  for (int i = 0; i < 3; ++i) {
    const std::string origin = cfg.origin(keys[i].first);
    if (*keys[i].second != dims[i] && origin != "the built-in defaults" &&
        origin.rfind("preset", 0) != 0) {
      cfg.fail(keys[i].first, "is " + std::to_string(*keys[i].second) + " but " + what +
                                  " has shape [" + std::to_string(in.T) + ", " +
                                  std::to_string(in.B) + ", " + std::to_string(in.N) +
                                  "] (T, B, N); drop the key or make them match");
    }
    *keys[i].second = dims[i];
  }
}

std::vector<float> modulation_signal(const SnnRunParams& p) {
  std::vector<float> m;
  if (p.modulation.signal == ModulationSignal::None) return m;
  m.resize(p.steps);
  const double dt_s = p.neuron.dt * p.time_unit_ms * 1e-3;
  for (std::size_t t = 0; t < p.steps; ++t) {
    double v = p.modulation.level;
    if (p.modulation.signal == ModulationSignal::Sine) {
      v += p.modulation.amplitude *
           std::sin(2.0 * std::numbers::pi * p.modulation.freq_hz * static_cast<double>(t) * dt_s);
    }
    m[t] = static_cast<float>(v);
  }
  return m;
}

nlohmann::ordered_json stats_json(const SpikeStats& s, std::size_t N) {
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

/// Population signal: mean over neurons per (t, b) of the voltage (or of the input current when
/// the voltage is not recorded), one channel per batch row, at most 16.
io::Recording population_signal(const SnnRunResult& r) {
  const SnnRunParams& p = r.params;
  const std::size_t T = p.steps, B = p.batch, N = p.neurons;
  const std::size_t channels = std::min<std::size_t>(B, 16);
  io::Recording lfp;
  lfp.source = "qneuro snn";
  lfp.format = "snn";
  lfp.sfreq_hz = p.fs_hz();
  const HugePageVector<float>& src = p.record_voltage ? r.voltage : r.input.values;
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
  return lfp;
}

}  // namespace

SnnRunResult simulate(const config::Config& cfg, const SnnRunOptions& options,
                      SnnObserver* observer) {
  SnnRunResult r;
  r.params = snn_params_from_config(cfg);
  r.preset = cfg.preset();
  SnnRunParams& p = r.params;
  const bool generated = options.input == nullptr && p.input.kind != InputKind::File;
  r.input_generated = generated;
  if (options.input != nullptr) {
    r.input = *options.input;
    if (r.input.values.size() != r.input.T * r.input.B * r.input.N || r.input.values.empty()) {
      throw InputError("snn: the input array holds " + std::to_string(r.input.values.size()) +
                       " values, not T B N = " + std::to_string(r.input.T) + " x " +
                       std::to_string(r.input.B) + " x " + std::to_string(r.input.N));
    }
    adopt_input_shape(cfg, p, r.input, "the input array");
  } else if (!generated) {
    r.input = read_input_array(p.input.path);
    adopt_input_shape(cfg, p, r.input, "input.path " + p.input.path);
  }
  const uint64_t need = snn_memory_bytes(p);
  if (need > physical_memory_bytes() * 8 / 10) {
    cfg.fail("sim.neurons", "with sim.steps and sim.batch needs ~" +
                                std::to_string(need / 1000000) +
                                " MB for input and outputs, more than 80 % of this machine's " +
                                std::to_string(physical_memory_bytes() / 1000000) +
                                " MB; reduce sim.neurons, sim.steps or sim.batch, or turn off "
                                "record.voltage / record.traces");
  }
  const double dt_ms = p.neuron.dt * p.time_unit_ms;
  if (generated) r.input = generate_input(p.input, p.steps, p.batch, p.neurons, dt_ms, p.seed);
  const std::string input_name = options.input != nullptr ? "array" : to_string(p.input.kind);
  const std::size_t T = p.steps, B = p.batch, N = p.neurons, total = T * B * N;
  log::info(
      "snn: {} neurons x batch {} x {} steps ({} mode, {} map, neuromod {}), input {}, {}, "
      "~{:.0f} MB",
      N, B, T, to_string(p.neuron.mode), to_string(p.neuron.quantum_map),
      to_string(p.neuron.neuromod_mode), input_name,
      p.device == Device::Cuda ? "CUDA: " + cuda_info().name
                               : std::to_string(parallel::max_threads()) + " threads",
      static_cast<double>(need) / 1e6);

  io::RunRecord run("snn", options.command_line);
  const fs::path& out = options.out;
  if (!out.empty()) {
    fs::create_directories(out);
    io::write_file_atomic(out / "config.resolved.toml", cfg.to_toml());
  }

  r.spikes.assign(total, 0);
  if (p.record_voltage) r.voltage.assign(total, 0.0f);
  if (p.record_traces) {
    for (auto* v : {&r.p, &r.D, &r.A, &r.E, &r.Theta}) v->assign(total, 0.0f);
  }
  r.modulation = modulation_signal(p);
  Population pop(p.neuron, N, p.seed, 0, 0, p.device);
  // About 100 chunks, but at least ~1e6 neuron-steps per call so that the parallel region of
  // each call stays cheap next to its work.
  const std::size_t chunk =
      std::max<std::size_t>({1, T / 100, (std::size_t{1} << 20) / std::max<std::size_t>(1, B * N)});
  const auto t_start = std::chrono::steady_clock::now();
  std::size_t done = 0;
  for (std::size_t t0 = 0; t0 < T; t0 += chunk) {
    const std::size_t len = std::min(chunk, T - t0);
    const std::size_t at = t0 * B * N, n = len * B * N;
    auto sub = [&](HugePageVector<float>& v) {
      return v.empty() ? std::span<float>() : std::span<float>(v).subspan(at, n);
    };
    RunViews views;
    views.spikes = std::span<uint8_t>(r.spikes).subspan(at, n);
    views.voltage = sub(r.voltage);
    views.p = sub(r.p);
    views.D = sub(r.D);
    views.A = sub(r.A);
    views.E = sub(r.E);
    views.Theta = sub(r.Theta);
    Modulation mod;
    if (!r.modulation.empty()) mod.values = std::span<const float>(r.modulation).subspan(t0, len);
    const std::span<const float> in = std::span<const float>(r.input.values).subspan(at, n);
    pop.run_into(in, len, B, r.modulation.empty() ? nullptr : &mod, views, p.training);
    done = t0 + len;
    if (observer != nullptr) {
      observer->on_chunk({t0, len, B, N, in, views.spikes, views.voltage});
      observer->on_progress({done, T, "steps", {}});
      if (done < T && observer->stop_requested()) {
        r.status = RunStatus::Interrupted;
        break;
      }
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  if (done < T) {  // interrupted: keep the steps done
    const std::size_t kept = done * B * N;
    for (auto* v : {&r.voltage, &r.p, &r.D, &r.A, &r.E, &r.Theta, &r.input.values}) {
      if (!v->empty()) v->resize(kept);
    }
    r.spikes.resize(kept);
    if (!r.modulation.empty()) r.modulation.resize(done);
    p.steps = r.input.T = done;
    log::warn("snn: interrupted after {} of {} steps; the outputs hold those steps", done, T);
  }
  const std::size_t Td = p.steps, cells = Td * B * N;

  r.population_signal = population_signal(r);
  if (p.record_voltage) {
    double acc = 0.0;
    for (const float v : r.voltage) acc += static_cast<double>(v);
    r.mean_voltage = acc / static_cast<double>(cells);
  }
  const std::size_t window = std::max<std::size_t>(1, static_cast<std::size_t>(100.0 / dt_ms));
  r.stats = spike_stats(r.spikes, Td, B, N, dt_ms, window);

  nlohmann::ordered_json& summary = r.summary;
  summary["schema"] = "qneuro.snn/1";
  summary["mode"] = to_string(p.neuron.mode);
  summary["quantum_map"] = to_string(p.neuron.quantum_map);
  summary["neuromod_mode"] = to_string(p.neuron.neuromod_mode);
  summary["preset"] = r.preset;
  summary["neurons"] = N;
  summary["batch"] = B;
  summary["steps"] = Td;
  summary["dt_ms"] = dt_ms;
  summary["input"] = input_name;
  summary["seed"] = p.seed;
  summary["device"] = p.device == Device::Cuda ? "cuda (" + cuda_info().name + ")" : "cpu";
  if (r.status != RunStatus::Completed) summary["status"] = to_string(r.status);
  summary["rates"] = stats_json(r.stats, N);
  summary["mean_voltage"] =
      r.mean_voltage ? nlohmann::ordered_json(*r.mean_voltage) : nlohmann::ordered_json();
  summary["population_signal"] = p.record_voltage ? "mean voltage" : "mean input current";
  if (Td >= 64) {
    r.analysis = eeg::analyze_simulated(r.population_signal, 1.0, 0.0);
    if (r.analysis) summary["analysis"] = eeg::summary_json(*r.analysis);
  }
  if (!summary.contains("analysis")) {
    summary["analysis"] = Td < 64 ? "too few steps for a spectrum (< 64)"
                                  : "no EEG band lies below the Nyquist frequency of the signal";
  }
  const double ns = static_cast<double>(cells);
  summary["throughput"] = {{"neuron_steps_per_s", ns / std::max(r.seconds, 1e-12)},
                           {"seconds", r.seconds},
                           {"threads", parallel::max_threads()}};
  if (!out.empty()) {
    write_spikes_h5(out / "spikes.h5", r);
    io::write_json(out / "summary.json", summary);
    run.extra()["throughput"] = summary["throughput"];
    run.write(out);
  }
  log::info("snn: {} neuron-steps in {:.3f} s ({:.3g}/s), population rate {:.3g} Hz{}", cells,
            r.seconds, ns / std::max(r.seconds, 1e-12), r.stats.population_rate_hz,
            out.empty() ? std::string() : "; wrote " + out.string());
  return r;
}

void write_spikes_h5(const fs::path& path, const SnnRunResult& r) {
  const SnnRunParams& p = r.params;
  const std::size_t T = p.steps, B = p.batch, N = p.neurons;
  const io::Recording& lfp = r.population_signal;
  const std::size_t channels = lfp.n_channels();
  io::AtomicFile h5(path);
  {
    auto f = io::H5File::create(h5.temp_path());
    const std::vector<uint64_t> shape{T, B, N};
    f.write("spikes", std::span<const uint8_t>(r.spikes), shape, true);
    f.set_attr("spikes", "layout", "[t, b, n], 1 = spike");
    if (p.record_voltage) {
      f.write("voltage", std::span<const float>(r.voltage), shape);
      f.set_attr("voltage", "layout", "[t, b, n], membrane potential after reset");
    }
    if (p.record_traces) {
      f.write("p", std::span<const float>(r.p), shape);
      f.write("D", std::span<const float>(r.D), shape);
      f.write("A", std::span<const float>(r.A), shape);
      f.write("E", std::span<const float>(r.E), shape);
      f.write("Theta", std::span<const float>(r.Theta), shape);
    }
    if (r.input_generated) {
      f.write("input", std::span<const float>(r.input.values), shape);
      f.set_attr("input", "kind", to_string(p.input.kind));
    }
    if (!r.modulation.empty()) {
      f.write("modulation", std::span<const float>(r.modulation), {T, 1, 1});
    }
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
    f.write("stats/rate_hz", std::span<const double>(r.stats.rate_hz), {N});
    f.set_attr("/", "schema", "qneuro.snn/1");
    f.set_attr("/", "dt_ms", p.neuron.dt * p.time_unit_ms);
    f.set_attr("/", "fs_hz", p.fs_hz());
    f.set_attr("/", "mode", to_string(p.neuron.mode));
    f.set_attr("/", "seed", static_cast<int64_t>(p.seed));
    f.close();
  }
  h5.commit();
}

nlohmann::ordered_json KernelBenchResult::to_json() const {
  nlohmann::ordered_json j;
  j["bench"] = "snn";
  j["mode"] = to_string(params.mode);
  j["neurons"] = params.neurons;
  j["steps"] = params.steps;
  j["batch"] = params.batch;
  j["record_voltage"] = params.record_voltage;
  j["neuron_steps_per_s"] = neuron_steps_per_s;
  j["bytes_per_neuron_step"] = bytes_per_neuron_step;
  j["bandwidth_gbs"] = bandwidth_gbs;
  j["triad_gbs"] = triad_gbs;
  j["fraction_of_bandwidth_floor"] = bandwidth_gbs / triad_gbs;
  j["seconds"] = seconds;
  j["seconds_min"] = seconds_min;
  j["repeats"] = params.repeats;
  j["threads"] = threads;
  j["peak_rss_mb"] = peak_rss_mb;
  j["first_call_seconds"] = breakdown.first_call;
  if (params.breakdown) {
    const KernelBreakdown& k = breakdown;
    nlohmann::ordered_json b;
    b["in_cache_s"] = k.in_cache;
    b["deterministic_in_cache_s"] = k.deterministic_in_cache;
    b["philox_s"] = k.philox;
    b["memory_floor_s"] = k.memory_floor;
    // What the parts imply: the warm run minus its in-cache arithmetic is what moving the (T, B,
    // N) arrays costs beyond the cache; first call minus warm run is the first-touch page faults.
    b["beyond_cache_s"] = seconds - k.in_cache;
    b["page_faults_s"] = k.first_call - seconds;
    b["mode_specific_s"] = k.in_cache - k.deterministic_in_cache;
    j["breakdown"] = b;
  }
  return j;
}

namespace {

/// The benchmarks' input current for flat index i: 1.2 + 0.5 ((i 2654435761) mod 1000) / 1000.
float bench_current(uint64_t i) {
  return 1.2f + 0.5f * static_cast<float>((i * 2654435761u) % 1000) / 1000.0f;
}

/// Seconds for `total` neuron-steps of `mode` on a 2048-neuron population stepped 32 steps per
/// call with the same small buffers (input, spikes and voltage stay in L2): the kernel's
/// arithmetic without the cost of streaming (T, B, N) arrays through memory.
double time_in_cache(Mode mode, bool record_voltage, std::size_t total) {
  constexpr std::size_t kN = 2048, kT = 32;
  NeuronParams p;
  p.mode = mode;
  std::vector<float> input(kN * kT);
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = bench_current(i);
  std::vector<uint8_t> spikes(input.size());
  std::vector<float> voltage(record_voltage ? input.size() : 0);
  RunViews views;
  views.spikes = spikes;
  views.voltage = voltage;
  Population pop(p, kN, 1);
  pop.run_into(input, kT, 1, nullptr, views);  // warm-up: state allocated, buffers touched
  const std::size_t calls = std::max<std::size_t>(1, total / (kN * kT));
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t c = 0; c < calls; ++c) pop.run_into(input, kT, 1, nullptr, views);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s * static_cast<double>(total) / static_cast<double>(calls * kN * kT);
}

/// Seconds to draw the Philox words a run of `total` neuron-steps uses (kernel::philox_lanes,
/// the kernel's own generator, one thread per block of lanes as in the kernel).
double time_philox(std::size_t total, int streams) {
  if (streams == 0) return 0.0;
  const std::size_t calls = total / 4 * static_cast<std::size_t>(streams) / kernel::kLanes;
  const auto t0 = std::chrono::steady_clock::now();
  uint32_t sink = 0;
#pragma omp parallel reduction(^ : sink)
  {
    auto w = std::make_unique<uint32_t[][kernel::kLanes]>(4);
#pragma omp for schedule(static)
    for (long long c = 0; c < static_cast<long long>(calls); ++c) {
      kernel::philox_lanes(1u, 2u, static_cast<uint64_t>(c), 0u, 0u, kernel::kLanes, w.get());
      sink ^= w[0][0] ^ w[3][kernel::kLanes - 1];
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (sink == 0x12345678u) log::debug("philox sink");  // keeps the draws from being optimised out
  return s;
}

}  // namespace

KernelBenchResult bench_kernel(const KernelBenchParams& o) {
  if (o.neurons == 0 || o.steps == 0 || o.batch == 0) {
    throw UsageError("bench: --neurons, --steps and --batch must be >= 1");
  }
  if (o.repeats < 1) throw UsageError("bench: --repeats must be >= 1");
  NeuronParams p;
  p.mode = o.mode;
  const std::size_t total = o.neurons * o.steps * o.batch;
  std::vector<float> input(total);
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < static_cast<long long>(total); ++i) {
    input[static_cast<std::size_t>(i)] = bench_current(static_cast<uint64_t>(i));
  }
  // Outputs as Population::run allocates them (huge pages, core/huge_pages.hpp), not yet
  // touched: the first call faults their pages in; the timed repeats run on warm buffers.
  struct Free {
    std::size_t bytes;
    void operator()(void* p) const noexcept { huge_page_free(p, bytes); }
  };
  const std::size_t v_total = o.record_voltage ? total : 0;
  std::unique_ptr<void, Free> spikes(huge_page_alloc(total), Free{total});
  std::unique_ptr<void, Free> voltage(huge_page_alloc(v_total * sizeof(float)),
                                      Free{v_total * sizeof(float)});
  RunViews views;
  views.spikes = std::span<uint8_t>(static_cast<uint8_t*>(spikes.get()), total);
  views.voltage = std::span<float>(static_cast<float*>(voltage.get()), v_total);
  std::vector<double> times;
  double first_call = 0;
  for (int r = 0; r <= o.repeats; ++r) {
    Population pop(p, o.neurons, 1);
    const auto t0 = std::chrono::steady_clock::now();
    pop.run_into(input, o.steps, o.batch, nullptr, views);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r == 0) {
      first_call = s;
    } else {
      times.push_back(s);
    }
  }
  KernelBenchResult b;
  b.breakdown.first_call = first_call;
  b.params = o;
  b.seconds = median_seconds(times);
  b.seconds_min = *std::min_element(times.begin(), times.end());
  b.bytes_per_neuron_step = 4.0 + 1.0 + (o.record_voltage ? 4.0 : 0.0);
  b.triad_gbs = measure_triad().gbs;
  b.neuron_steps_per_s = static_cast<double>(total) / b.seconds;
  b.bandwidth_gbs = b.neuron_steps_per_s * b.bytes_per_neuron_step / 1e9;
  b.threads = parallel::max_threads();
  if (o.breakdown) {
    KernelBreakdown& k = b.breakdown;
    k.in_cache = time_in_cache(o.mode, o.record_voltage, total);
    k.deterministic_in_cache = time_in_cache(Mode::Deterministic, o.record_voltage, total);
    const int streams = o.mode == Mode::Deterministic ? 0 : 2;  // spike uniforms + noise
    k.philox = time_philox(total, streams);
    k.memory_floor = b.bytes_per_neuron_step * static_cast<double>(total) / (b.triad_gbs * 1e9);
  }
  b.peak_rss_mb = peak_rss_mb();
  return b;
}

CalibrationCheck check_calibration(double p0, double slope, QuantumMap map, double leak) {
  if (!(p0 > 0.0 && p0 < 1.0)) {
    throw UsageError("calibrate: --p0 " + std::to_string(p0) + " must be in (0, 1)");
  }
  if (!(slope > 0.0)) throw UsageError("calibrate: --slope must be > 0");
  CalibrationCheck c;
  c.calibration = calibrate(p0, slope, map, leak);
  const Calibration& k = c.calibration;
  const double h = 1e-5;
  c.p_at_0 = quantum_probability(map, k.q_scale, k.q_bias, leak, 0.0);
  c.slope_at_0 = (quantum_probability(map, k.q_scale, k.q_bias, leak, h) -
                  quantum_probability(map, k.q_scale, k.q_bias, leak, -h)) /
                 (2.0 * h);
  const double err_p = std::abs(c.p_at_0 - p0), err_s = std::abs(c.slope_at_0 - slope) / slope;
  c.ok = err_p < 1e-9 && err_s < 1e-6;
  return c;
}

}  // namespace qneuro::snn
