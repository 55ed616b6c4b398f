// Benchmarks of `qneuro analyze` on synthetic recordings (eeg/synth.hpp), Google Benchmark.
//
//   BM_Analyze/<C>/<seconds>/<fs>  the whole analysis (Welch + band measures + PLI/wPLI for
//                                   five bands), reported as samples/s (channel-samples) and
//                                   pairs/s (channel pairs x bands per second)
//   BM_Welch, BM_PhaseLag          the two stages alone
//   BM_Triad                        STREAM triad bandwidth of this machine, same run, so the
//                                   Welch stage can be put against its memory floor
// The Welch floor: each sample is read (1 + overlap) times, 8 B each -> bytes / triad bandwidth.
// Run: build/bin/bench_analysis --benchmark_counters_tabular=true (or `make bench`).
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <tuple>

#include "qneuro/core/bandwidth.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/eeg/analysis.hpp"
#include "qneuro/eeg/synth.hpp"

namespace {

using qneuro::eeg::AnalysisParams;

const qneuro::io::Recording& recording(std::size_t channels, double seconds, double fs) {
  static std::map<std::tuple<std::size_t, double, double>, qneuro::io::Recording> cache;
  auto key = std::make_tuple(channels, seconds, fs);
  auto it = cache.find(key);
  if (it == cache.end()) {
    qneuro::eeg::SynthParams p;
    p.channels = channels;
    p.duration_s = seconds;
    p.fs_hz = fs;
    it = cache.emplace(key, qneuro::eeg::synthesize_eeg(p)).first;
  }
  return it->second;
}

void BM_Analyze(benchmark::State& state) {
  const auto C = static_cast<std::size_t>(state.range(0));
  const auto& rec =
      recording(C, static_cast<double>(state.range(1)), static_cast<double>(state.range(2)));
  const AnalysisParams params;
  double spectral = 0, connectivity = 0;
  for (auto _ : state) {
    const auto r = qneuro::eeg::analyze(rec, params);
    spectral += r.seconds_spectral;
    connectivity += r.seconds_connectivity;
    benchmark::DoNotOptimize(r.per_channel.data());
  }
  const double samples = static_cast<double>(C * rec.n_samples());
  const double pairs = static_cast<double>(C * (C - 1) / 2 * params.bands.size());
  const auto iters = static_cast<double>(state.iterations());
  state.counters["samples/s"] = benchmark::Counter(samples * iters, benchmark::Counter::kIsRate);
  state.counters["pairs/s"] = benchmark::Counter(pairs * iters, benchmark::Counter::kIsRate);
  state.counters["spectral_s"] = spectral / iters;
  state.counters["pli_s"] = connectivity / iters;
  state.counters["threads"] = qneuro::parallel::max_threads();
}
// 64 channels x 1 min at 160 Hz (a BCI recording), and 256 channels x 10 min at 512 Hz.
BENCHMARK(BM_Analyze)->Args({64, 60, 160})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Analyze)
    ->Args({256, 600, 512})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

void BM_Welch(benchmark::State& state) {
  const auto C = static_cast<std::size_t>(state.range(0));
  const auto& rec = recording(C, 600, 512);
  const std::size_t L = 1024;
  for (auto _ : state) {
    auto w =
        qneuro::eeg::welch(rec.data, rec.sfreq_hz,
                           {L, L / 2, qneuro::eeg::Window::Hann, qneuro::eeg::Detrend::Constant});
    benchmark::DoNotOptimize(w.psd.data());
  }
  const double samples = static_cast<double>(C * rec.n_samples());
  const double bytes = samples * 8.0 * 2.0;  // every sample read twice (50 % overlap)
  const auto triad = qneuro::measure_triad(std::size_t{1} << 24, 3);
  const double floor_s = bytes / (triad.gbs * 1e9);
  state.counters["samples/s"] = benchmark::Counter(
      samples * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["triad_GB/s"] = triad.gbs;
  state.counters["floor_ms"] = floor_s * 1e3;
}
BENCHMARK(BM_Welch)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PhaseLag(benchmark::State& state) {
  const auto C = static_cast<std::size_t>(state.range(0));
  const auto& rec = recording(C, 60, 160);
  const auto bands = qneuro::eeg::classic_bands();
  for (auto _ : state) {
    auto r = qneuro::eeg::phase_lag_index(rec.data, rec.sfreq_hz, bands, 1.0);
    benchmark::DoNotOptimize(r.pli.data());
  }
  const double pair_samples = static_cast<double>(C * (C - 1) / 2 * bands.size() * rec.n_samples());
  state.counters["pair_samples/s"] = benchmark::Counter(
      pair_samples * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PhaseLag)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Triad(benchmark::State& state) {
  double gbs = 0;
  for (auto _ : state) gbs = qneuro::measure_triad(std::size_t{1} << 24, 5).gbs;
  state.counters["GB/s"] = gbs;
}
BENCHMARK(BM_Triad)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
