#include "qneuro/eeg/spectrogram.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>

#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::eeg {

SpectrogramResult spectrogram(const io::Recording& rec, const SpectrogramParams& params,
                              std::size_t welch_nperseg, double overlap, Window window,
                              Detrend detrend, const std::vector<Band>& bands, double range_lo_hz,
                              double range_hi_hz) {
  using strings::format_number;
  const double fs = rec.sfreq_hz;
  const std::size_t n = rec.n_samples(), C = rec.n_channels(), B = bands.size();
  SpectrogramResult r;
  r.params = params;
  r.channels = rec.channels;
  r.bands = bands;
  r.window_samples = static_cast<std::size_t>(std::llround(params.window_s * fs));
  r.step_samples = static_cast<std::size_t>(std::llround(params.step_s * fs));
  if (r.window_samples < 2 || r.window_samples > n) {
    throw InputError("spectrogram.window_s = " + format_number(params.window_s) + " s is " +
                     std::to_string(r.window_samples) + " samples; it must lie in [2, " +
                     std::to_string(n) + "] (the recording's samples)");
  }
  if (r.step_samples < 1) {
    throw InputError("spectrogram.step_s = " + format_number(params.step_s) +
                     " s is less than one sample at " + format_number(fs) + " Hz");
  }
  const std::size_t nperseg0 =
      welch_nperseg == 0 ? static_cast<std::size_t>(std::llround(2.0 * fs)) : welch_nperseg;
  r.nperseg = std::min(nperseg0, r.window_samples);
  r.noverlap =
      std::min(r.nperseg - 1,
               static_cast<std::size_t>(std::floor(overlap * static_cast<double>(r.nperseg))));
  if (range_hi_hz - range_lo_hz < 2.0 * fs / static_cast<double>(r.nperseg)) {
    throw InputError("spectrogram.window_s: segments of " + std::to_string(r.nperseg) +
                     " samples are too short for the analysis range; lengthen the window");
  }
  const std::size_t W = (n - r.window_samples) / r.step_samples + 1;
  const std::size_t F = r.nperseg / 2 + 1;
  r.times_s.resize(W);
  for (std::size_t w = 0; w < W; ++w) {
    r.times_s[w] =
        (static_cast<double>(w * r.step_samples) + static_cast<double>(r.window_samples) / 2.0) /
        fs;
  }
  r.psd.assign(C * W * F, 0.0);
  r.band_power.assign(C * W * B, 0.0);
  r.relative_power.assign(C * W * B, 0.0);
  const WelchEstimator estimator(fs, {r.nperseg, r.noverlap, window, detrend});
  const std::size_t seg_step = r.nperseg - r.noverlap;
  auto bands_of = [&](std::size_t c, std::size_t w) {
    const std::span<const double> row(r.psd.data() + (c * W + w) * F, F);
    const double total = band_power(estimator.freqs(), row, range_lo_hz, range_hi_hz);
    for (std::size_t b = 0; b < B; ++b) {
      const double p = band_power(estimator.freqs(), row, bands[b].lo, bands[b].hi);
      r.band_power[(c * W + w) * B + b] = p;
      r.relative_power[(c * W + w) * B + b] = total > 0 ? p / total : 0.0;
    }
  };
  if (r.step_samples % seg_step == 0) {
    // Windows start on the segment grid, so overlapping windows share Welch segments: each
    // segment's periodogram is computed once per channel and every window sums its own, in the
    // order WelchEstimator::estimate adds them (the same bits; tested), ~M times fewer FFTs.
    const std::size_t M = estimator.segments(r.window_samples);
    const std::size_t n_seg = (n - r.nperseg) / seg_step + 1;
    const std::size_t per_window = r.step_samples / seg_step;
#pragma omp parallel
    {
      WelchEstimator::Workspace ws(estimator);
      std::vector<double> periodograms(n_seg * F);
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(C); ++ci) {
        const auto c = static_cast<std::size_t>(ci);
        for (std::size_t k = 0; k < n_seg; ++k) {
          estimator.segment_power(rec.data[c].data() + k * seg_step, periodograms.data() + k * F,
                                  ws);
        }
        for (std::size_t w = 0; w < W; ++w) {
          std::fill(ws.acc.begin(), ws.acc.end(), 0.0);
          for (std::size_t m = 0; m < M; ++m) {
            const double* p = periodograms.data() + (w * per_window + m) * F;
            for (std::size_t f = 0; f < F; ++f) ws.acc[f] += p[f];
          }
          estimator.density(ws.acc.data(), M, r.psd.data() + (c * W + w) * F);
          bands_of(c, w);
        }
      }
    }
  } else {
    // One task per (channel, window): each value is computed by one thread, in a fixed order.
#pragma omp parallel
    {
      WelchEstimator::Workspace ws(estimator);
#pragma omp for schedule(static) collapse(2)
      for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(C); ++ci) {
        for (std::ptrdiff_t wi = 0; wi < static_cast<std::ptrdiff_t>(W); ++wi) {
          const auto c = static_cast<std::size_t>(ci);
          const auto w = static_cast<std::size_t>(wi);
          estimator.estimate(rec.data[c].data() + w * r.step_samples, r.window_samples,
                             r.psd.data() + (c * W + w) * F, ws);
          bands_of(c, w);
        }
      }
    }
  }
  const std::vector<double>& freqs = estimator.freqs();
  r.freqs = freqs;
  return r;
}

void write_spectrogram_h5(io::H5File& f, const SpectrogramResult& r) {
  const std::size_t C = r.channels.size(), W = r.windows(), F = r.freqs.size(), B = r.bands.size();
  f.create_group("spectrogram");
  f.set_attr("spectrogram", "window_s", r.params.window_s);
  f.set_attr("spectrogram", "step_s", r.params.step_s);
  f.set_attr("spectrogram", "nperseg", static_cast<int64_t>(r.nperseg));
  f.set_attr("spectrogram", "noverlap", static_cast<int64_t>(r.noverlap));
  f.write("spectrogram/times_s", std::span<const double>(r.times_s), {W});
  f.write("spectrogram/freqs", std::span<const double>(r.freqs), {F});
  f.write("spectrogram/psd", std::span<const double>(r.psd), {C, W, F}, true);
  f.set_attr("spectrogram/psd", "units", "uV^2/Hz");
  f.write("spectrogram/band_power", std::span<const double>(r.band_power), {C, W, B}, true);
  f.set_attr("spectrogram/band_power", "units", "uV^2");
  f.write("spectrogram/relative_power", std::span<const double>(r.relative_power), {C, W, B}, true);
}

nlohmann::ordered_json spectrogram_json(const SpectrogramResult& r) {
  using json = nlohmann::ordered_json;
  const std::size_t W = r.windows(), B = r.bands.size();
  json j;
  j["window_s"] = r.params.window_s;
  j["step_s"] = r.params.step_s;
  j["window_samples"] = r.window_samples;
  j["step_samples"] = r.step_samples;
  j["welch"] = {{"nperseg", r.nperseg}, {"noverlap", r.noverlap}};
  j["times_s"] = r.times_s;
  json per = json::object();
  for (std::size_t c = 0; c < r.channels.size(); ++c) {
    json bands = json::object();
    for (std::size_t b = 0; b < B; ++b) {
      std::vector<double> series(W);
      for (std::size_t w = 0; w < W; ++w) series[w] = r.band_power[(c * W + w) * B + b];
      bands[r.bands[b].name] = series;
    }
    per[r.channels[c]] = bands;
  }
  j["band_power"] = per;
  j["units"] = {{"band_power", "uV^2"}, {"psd", "uV^2/Hz (analysis.h5 /spectrogram/psd)"}};
  return j;
}

}  // namespace qneuro::eeg
