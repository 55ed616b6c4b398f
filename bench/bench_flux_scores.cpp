// The flux model's score function, fused kernel against the tensor-operation reference, in the
// same run (Google Benchmark): forward and backward of A(sim) on [B = 8, h = 4, T, T] float with
// the Hebbian bias, as one flux layer's Heun stage runs it in training.
//
//   BM_Scores/<fused>/<T>   fused = 1: geometric_scores_fused, 0: geometric_scores_reference;
//                            reports scores/s (entries of A, j <= i and above the diagonal).
// Run: build/bin/bench_flux_scores --benchmark_counters_tabular=true (or `make bench`).
#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include "geometric_scores.hpp"
#include "qneuro/core/parallel.hpp"

namespace {

void BM_Scores(benchmark::State& state) {
  const bool fused = state.range(0) != 0;
  const int64_t T = state.range(1), B = 8, H = 4;
  torch::set_num_threads(qneuro::parallel::max_threads());
  torch::manual_seed(1);
  const torch::Tensor sim = (2.0 * torch::randn({B, H, T, T})).requires_grad_(true);
  const torch::Tensor bias = (0.3 * torch::randn({B, T, T})).requires_grad_(true);
  const torch::Tensor tau = torch::full({1}, 4.0).requires_grad_(true);
  const torch::Tensor w = torch::randn({B, H, T, T});
  for (auto _ : state) {
    const torch::Tensor A =
        fused ? qneuro::flux::geometric_scores_fused(sim, bias, tau, 0.5)
              : qneuro::flux::geometric_scores_reference(sim, bias, tau, 0.5, true);
    (w * A).sum().backward();
    benchmark::DoNotOptimize(sim.grad().data_ptr<float>());
  }
  state.counters["scores/s"] = benchmark::Counter(
      static_cast<double>(B * H * T * T) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["threads"] = qneuro::parallel::max_threads();
}
BENCHMARK(BM_Scores)
    ->ArgsProduct({{0, 1}, {64, 256, 1024}})
    ->ArgNames({"fused", "T"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
