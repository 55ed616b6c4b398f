// Spike-train statistics of a (T, B, N) spike array (summary.json of `qneuro snn`).
//
//   rate_n       = spikes of neuron n over all batch rows / (B T dt_ms 1e-3)   [Hz]
//   population   = mean of rate_n over neurons
//   ISI CV       = std(ISI) / mean(ISI) per (b, n) train with at least 3 spikes, averaged over
//                  such trains (population std with 1/k normalisation)
//   Fano factor  = var(count) / mean(count) of spike counts in consecutive windows of
//                  `window_steps` steps, per (b, n) with a non-zero mean, averaged (needs >= 2
//                  windows; NaN-free: reported as null when no train qualifies)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace qneuro::snn {

struct SpikeStats {
  std::vector<double> rate_hz;  ///< per neuron
  double population_rate_hz = 0.0;
  double active_fraction = 0.0;  ///< neurons with at least one spike
  uint64_t total_spikes = 0;
  double isi_cv = 0.0;
  std::size_t isi_trains = 0;  ///< trains with >= 3 spikes that entered isi_cv
  double fano = 0.0;
  std::size_t fano_trains = 0;
  std::size_t window_steps = 0;
};

SpikeStats spike_stats(std::span<const uint8_t> spikes, std::size_t T, std::size_t B, std::size_t N,
                       double dt_ms, std::size_t window_steps);

}  // namespace qneuro::snn
