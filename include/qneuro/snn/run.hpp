// The QLIF population run API: what `qneuro snn` does, callable from any front end; and the
// kernel benchmark behind `qneuro snn bench`.
//
//   const config::Config cfg = config::Config::resolve(snn::snn_schema(), "default", {}, {});
//   snn::SnnRunOptions opt;
//   opt.out = "pop";                                // optional: empty keeps everything in memory
//   const snn::SnnRunResult r = snn::simulate(cfg, opt, &observer);
//   r.spikes[(t * B + b) * N + n];                  // 1 = spike
//
// simulate() takes the input from the config (generated, or read from input.path), or from
// options.input (an array in memory, e.g. from Python), runs the population over T steps in
// chunks (about 100, each at least ~1e6 neuron-steps), then computes spike statistics, the
// population signal (mean voltage over neurons per batch row, or the mean input current when the
// voltage is not recorded; at most 16 rows) and its spectral analysis, and, with options.out
// set, writes config.resolved.toml, spikes.h5, summary.json (qneuro.snn/1) and run.json
// (docs/snn.md, docs/formats.md). If the observer asks to stop, the run ends after the current
// chunk with status Interrupted and its outputs hold the steps done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"
#include "qneuro/core/observer.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/io/recording.hpp"
#include "qneuro/snn/inputs.hpp"
#include "qneuro/snn/snn_config.hpp"
#include "qneuro/snn/spike_stats.hpp"

namespace qneuro::snn {

/// The steps [t0, t0 + steps) just simulated, as (steps, B, N) views into the run's arrays.
struct SnnChunk {
  std::size_t t0 = 0, steps = 0, B = 0, N = 0;
  std::span<const float> input;
  std::span<const uint8_t> spikes;
  std::span<const float> voltage;  ///< empty unless record.voltage
};

/// Live data of a population run (the contract is in core/observer.hpp). Progress counts steps.
class SnnObserver : public RunObserver {
 public:
  virtual void on_chunk(const SnnChunk& /*chunk*/) {}
};

struct SnnRunOptions {
  std::filesystem::path out;  ///< output directory; empty: no files
  std::string command_line;   ///< how the run was started, for run.json
  /// An input (T, B, N) in memory instead of the config's input.* keys; it sets T, B and N as a
  /// file input does (a sim.* key set explicitly to something else is a ConfigError).
  const InputArray* input = nullptr;
};

struct SnnRunResult {
  RunStatus status = RunStatus::Completed;
  SnnRunParams params;  ///< with T, B, N as run (an interrupted run: the steps done)
  std::string preset;
  InputArray input;                ///< (T, B, N)
  bool input_generated = false;    ///< from input.kind (spikes.h5 then stores it as /input)
  std::vector<float> modulation;   ///< (T) mod(t), empty without a modulation signal
  HugePageVector<uint8_t> spikes;  ///< (T, B, N); huge pages, as population.hpp's RunOutput
  HugePageVector<float> voltage;   ///< (T, B, N) membrane potential after reset, if recorded
  HugePageVector<float> p, D, A, E, Theta;  ///< (T, B, N) each, if record.traces
  io::Recording population_signal;          ///< one channel per batch row (at most 16), at fs_hz()
  SpikeStats stats;
  std::optional<double> mean_voltage;  ///< over all neuron-steps, if the voltage is recorded
  std::optional<eeg::AnalysisResult> analysis;  ///< of the population signal (T >= 64)
  double seconds = 0.0;                         ///< wall time of the kernel
  nlohmann::ordered_json summary;               ///< summary.json
};

/// Runs the population of `cfg` (a config of snn_schema()).
SnnRunResult simulate(const config::Config& cfg, const SnnRunOptions& options,
                      SnnObserver* observer = nullptr);

/// Writes spikes.h5 (schema qneuro.snn/1; datasets listed in docs/snn.md) atomically.
void write_spikes_h5(const std::filesystem::path& path, const SnnRunResult& result);

/// `qneuro snn bench`: the fused kernel on warm buffers.
struct KernelBenchParams {
  std::size_t neurons = 1000000, steps = 100, batch = 1;
  Mode mode = Mode::Quantum;
  bool record_voltage = false;
  int repeats = 3;
  bool breakdown = false;  ///< also time the parts (KernelBreakdown)
};
/// Where the time of one warm run goes, each part timed in the same process (bench --breakdown).
/// Every figure is seconds for the whole N x T x B problem.
struct KernelBreakdown {
  double in_cache = 0;  ///< the same mode on 2048 neurons x 32 steps, repeated until N T B
                        ///< neuron-steps are done (state and buffers in L2): the arithmetic
  double deterministic_in_cache = 0;  ///< the same for the deterministic mode (no random numbers)
  double philox = 0;        ///< the Philox4x32-10 words the mode draws (2 per neuron per 4 steps in
                            ///< the quantum and stochastic modes with noise), alone
  double memory_floor = 0;  ///< bytes_per_neuron_step x N T B at the triad bandwidth
  double first_call = 0;    ///< the untimed first call: output pages faulted in on first touch
};

struct KernelBenchResult {
  KernelBenchParams params;
  double seconds = 0;      ///< median of the timed repeats
  double seconds_min = 0;  ///< fastest timed repeat
  double neuron_steps_per_s = 0;
  double bytes_per_neuron_step = 0;  ///< input 4 + spikes 1 (+ voltage 4)
  double bandwidth_gbs = 0;          ///< what that throughput moves
  double triad_gbs = 0;              ///< STREAM triad measured in the same run
  int threads = 0;
  double peak_rss_mb = 0;
  KernelBreakdown breakdown;  ///< first_call always; the rest with params.breakdown
  [[nodiscard]] nlohmann::ordered_json to_json() const;
};
/// Times the kernel: one untimed call touches the output pages, then `repeats` timed calls (a
/// fresh Population each) on the same buffers; reports their median and minimum.
KernelBenchResult bench_kernel(const KernelBenchParams& params);

/// The numerical check of a quantum calibration (calibrate() in params.hpp): p(0) and the
/// central-difference slope at Delta = 0 against the targets.
struct CalibrationCheck {
  Calibration calibration;
  double p_at_0 = 0, slope_at_0 = 0;
  bool ok = false;  ///< |p(0) - p0| < 1e-9 and relative slope error < 1e-6
};
CalibrationCheck check_calibration(double p0, double slope, QuantumMap map, double leak);

}  // namespace qneuro::snn
