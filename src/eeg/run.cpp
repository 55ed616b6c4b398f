// The analysis run API (run.hpp): load, analyse, write, as `qneuro analyze` does.
#include "qneuro/eeg/run.hpp"

#include <chrono>

#include "qneuro/core/log.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/json.hpp"
#include "qneuro/io/run_record.hpp"

namespace qneuro::eeg {

namespace {

AnalyzeRunResult run(const io::Recording& rec, const config::Config& cfg,
                     const AnalyzeRunOptions& options, RunObserver* observer, io::RunRecord& record,
                     const std::string& input) {
  log::info("{} ({}): {} channels x {} samples at {} Hz ({:.1f} s)", rec.source, rec.format,
            rec.n_channels(), rec.n_samples(), rec.sfreq_hz,
            static_cast<double>(rec.n_samples()) / rec.sfreq_hz);
  const AnalysisParams params = params_from_config(cfg, rec.sfreq_hz, rec.n_samples());
  const std::size_t stages = 1 + (params.connectivity ? params.bands.size() : 0);
  AnalyzeRunResult r;
  r.result = analyze(rec, params, [&](std::size_t done, std::size_t) {
    if (observer != nullptr) observer->on_progress({done, stages, "stages", {}});
  });
  auto timed = [](auto&& work) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  AnalysisResult& res = r.result;
  const AnalysisParams& p = res.params;
  if (const auto ep = epoch_params_from_config(cfg)) {
    res.seconds_epochs = timed([&] {
      res.epochs = compute_epochs(rec, *ep, p.bands, p.nperseg, p.overlap, p.window, p.detrend,
                                  p.range_lo_hz, p.range_hi_hz);
    });
  }
  if (const auto sp = spectrogram_params_from_config(cfg)) {
    res.seconds_spectrogram = timed([&] {
      res.spectrogram = spectrogram(rec, *sp, p.nperseg, p.overlap, p.window, p.detrend, p.bands,
                                    p.range_lo_hz, p.range_hi_hz);
    });
  }
  if (cfg.get_bool("connectivity.over_time")) {
    res.seconds_connectivity_time = timed([&] {
      res.phase_lag_time = phase_lag_over_time(rec.data, rec.sfreq_hz, p.bands, p.edge_s,
                                               cfg.get_float("connectivity.window_s"),
                                               cfg.get_float("connectivity.step_s"));
    });
  }
  if (const auto pp = pac_params_from_config(cfg)) {
    res.seconds_pac = timed([&] { res.pac = phase_amplitude_coupling(rec, *pp); });
  }
  r.summary = summary_json(r.result);
  const std::filesystem::path& out = options.out;
  if (!out.empty()) {
    io::write_json(out / "summary.json", r.summary);
    write_analysis_h5(out / "analysis.h5", r.result);
    io::write_file_atomic(out / "config.resolved.toml", cfg.to_toml());
    const double samples = static_cast<double>(rec.n_channels() * rec.n_samples());
    const std::size_t C = rec.n_channels();
    const double pairs = static_cast<double>(C * (C - 1) / 2 * params.bands.size());
    const AnalysisResult& a = r.result;
    record.extra()["input"] = input;
    record.extra()["throughput"] = {
        {"samples_per_s", samples / (a.seconds_spectral + a.seconds_connectivity)},
        {"spectral_s", a.seconds_spectral},
        {"connectivity_s", a.seconds_connectivity},
        {"band_pairs_per_s", a.has_connectivity ? pairs / a.seconds_connectivity : 0.0}};
    record.write(out);
  }
  log::info("analysis: spectra {:.3f} s, connectivity {:.3f} s ({} threads){}",
            r.result.seconds_spectral, r.result.seconds_connectivity, parallel::max_threads(),
            out.empty() ? std::string() : "; wrote " + (out / "summary.json").string());
  return r;
}

}  // namespace

AnalyzeRunResult analyze_file(const std::filesystem::path& input, const config::Config& cfg,
                              const AnalyzeRunOptions& options, RunObserver* observer) {
  io::RunRecord record("analyze", options.command_line);
  log::info("loading {}", input.string());
  const io::Recording rec = io::load_recording(input, load_options_from_config(cfg));
  return run(rec, cfg, options, observer, record, input.string());
}

AnalyzeRunResult analyze_recording(const io::Recording& recording, const config::Config& cfg,
                                   const AnalyzeRunOptions& options, RunObserver* observer) {
  io::RunRecord record("analyze", options.command_line);
  const io::LoadOptions load = load_options_from_config(cfg);
  if (load.channels.all()) return run(recording, cfg, options, observer, record, recording.source);
  io::Recording picked;
  picked.source = recording.source;
  picked.format = recording.format;
  picked.sfreq_hz = recording.sfreq_hz;
  picked.annotations = recording.annotations;
  for (const std::size_t i :
       io::select_channels(recording.channels, load.channels, recording.source)) {
    picked.channels.push_back(recording.channels[i]);
    picked.data.push_back(recording.data[i]);
  }
  return run(picked, cfg, options, observer, record, recording.source);
}

}  // namespace qneuro::eeg
