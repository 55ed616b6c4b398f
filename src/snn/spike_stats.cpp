#include "qneuro/snn/spike_stats.hpp"

#include <cmath>

namespace qneuro::snn {

SpikeStats spike_stats(std::span<const uint8_t> spikes, std::size_t T, std::size_t B, std::size_t N,
                       double dt_ms, std::size_t window_steps) {
  SpikeStats s;
  s.window_steps = window_steps;
  s.rate_hz.assign(N, 0.0);
  const double seconds = static_cast<double>(T) * dt_ms * 1e-3;
  std::vector<uint64_t> counts(N, 0);
  double cv_sum = 0.0, fano_sum = 0.0;
  const std::size_t windows = window_steps > 0 ? T / window_steps : 0;
  std::vector<double> win(windows);
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t n = 0; n < N; ++n) {
      // ISIs with Welford's running mean and variance.
      long long last = -1;
      std::size_t k = 0;
      double mean = 0.0, m2 = 0.0;
      std::fill(win.begin(), win.end(), 0.0);
      uint64_t c = 0;
      for (std::size_t t = 0; t < T; ++t) {
        if (spikes[(t * B + b) * N + n] == 0) continue;
        ++c;
        if (windows > 0 && t / window_steps < windows) win[t / window_steps] += 1.0;
        if (last >= 0) {
          const double isi = static_cast<double>(static_cast<long long>(t) - last);
          ++k;
          const double d = isi - mean;
          mean += d / static_cast<double>(k);
          m2 += d * (isi - mean);
        }
        last = static_cast<long long>(t);
      }
      counts[n] += c;
      if (k >= 2 && mean > 0.0) {
        cv_sum += std::sqrt(m2 / static_cast<double>(k)) / mean;
        ++s.isi_trains;
      }
      if (windows >= 2) {
        double wm = 0.0;
        for (const double w : win) wm += w;
        wm /= static_cast<double>(windows);
        if (wm > 0.0) {
          double wv = 0.0;
          for (const double w : win) wv += (w - wm) * (w - wm);
          wv /= static_cast<double>(windows);
          fano_sum += wv / wm;
          ++s.fano_trains;
        }
      }
    }
  }
  std::size_t active = 0;
  for (std::size_t n = 0; n < N; ++n) {
    s.total_spikes += counts[n];
    s.rate_hz[n] = static_cast<double>(counts[n]) / (static_cast<double>(B) * seconds);
    s.population_rate_hz += s.rate_hz[n];
    active += counts[n] > 0 ? 1 : 0;
  }
  s.population_rate_hz /= static_cast<double>(N);
  s.active_fraction = static_cast<double>(active) / static_cast<double>(N);
  s.isi_cv = s.isi_trains > 0 ? cv_sum / static_cast<double>(s.isi_trains) : 0.0;
  s.fano = s.fano_trains > 0 ? fano_sum / static_cast<double>(s.fano_trains) : 0.0;
  return s;
}

}  // namespace qneuro::snn
