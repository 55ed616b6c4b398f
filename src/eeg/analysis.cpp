#include "qneuro/eeg/analysis.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "qneuro/core/error.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::eeg {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// JSON has no NaN: an undefined value (e.g. no aperiodic fit) is written as null.
nlohmann::ordered_json number_or_null(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json matrix_json(const Array2<double>& m) {
  auto rows = nlohmann::ordered_json::array();
  for (std::size_t r = 0; r < m.rows(); ++r) {
    const auto row = m.row(r);
    rows.push_back(std::vector<double>(row.begin(), row.end()));
  }
  return rows;
}

}  // namespace

AnalysisResult analyze(const io::Recording& recording, const AnalysisParams& params,
                       const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::size_t stages = 1 + (params.connectivity ? params.bands.size() : 0);
  const double fs = recording.sfreq_hz;
  const std::size_t n = recording.n_samples();
  AnalysisResult result;
  result.source = recording.source;
  result.format = recording.format;
  result.sfreq_hz = fs;
  result.n_samples = n;
  result.channels = recording.channels;
  result.params = params;
  if (recording.n_channels() == 0) throw InputError("'" + recording.source + "' has no channels");

  std::size_t nperseg = params.nperseg;
  if (nperseg == 0) nperseg = static_cast<std::size_t>(std::llround(2.0 * fs));
  if (nperseg > n) {
    throw InputError("'" + recording.source + "' is too short: " + std::to_string(n) +
                     " samples (" + std::to_string(static_cast<double>(n) / fs) +
                     " s) but one Welch segment needs welch.nperseg = " + std::to_string(nperseg) +
                     " samples; lower welch.nperseg");
  }
  result.params.nperseg = nperseg;
  result.noverlap =
      static_cast<std::size_t>(std::floor(params.overlap * static_cast<double>(nperseg)));
  if (result.noverlap >= nperseg) result.noverlap = nperseg - 1;

  auto t0 = std::chrono::steady_clock::now();
  result.welch =
      params.method == SpectrumMethod::Multitaper
          ? multitaper_psd(recording.data, fs, {params.mt_bandwidth_hz, true})
          : welch(recording.data, fs, {nperseg, result.noverlap, params.window, params.detrend});
  const auto& freqs = result.welch.freqs;
  const std::size_t n_bands = params.bands.size();
  result.per_channel.resize(recording.n_channels());
#pragma omp parallel for schedule(dynamic, 4)
  for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(recording.n_channels()); ++ci) {
    const auto c = static_cast<std::size_t>(ci);
    const auto psd = result.welch.psd.row(c);
    ChannelSpectrum& ch = result.per_channel[c];
    ch.name = recording.channels[c];
    ch.total_power = band_power(freqs, psd, params.range_lo_hz, params.range_hi_hz);
    ch.band_power.resize(n_bands);
    ch.relative_power.resize(n_bands);
    for (std::size_t b = 0; b < n_bands; ++b) {
      ch.band_power[b] = band_power(freqs, psd, params.bands[b].lo, params.bands[b].hi);
      ch.relative_power[b] = ch.total_power > 0 ? ch.band_power[b] / ch.total_power : 0.0;
    }
    ch.spectral_entropy = spectral_entropy(freqs, psd, params.range_lo_hz, params.range_hi_hz);
    ch.peak_hz = peak_frequency(freqs, psd, params.range_lo_hz, params.range_hi_hz);
    ch.peaks = find_peaks(freqs, psd, params.range_lo_hz, params.range_hi_hz,
                          params.peak_min_prominence_db, params.peak_max_count);
    ch.aperiodic = fit_aperiodic(freqs, psd, params.aperiodic_lo_hz, params.aperiodic_hi_hz);
  }
  result.seconds_spectral = seconds_since(t0);
  if (progress) progress(1, stages);

  if (params.connectivity) {  // one channel: 1 x 1 zero matrices, so the layout never changes
    t0 = std::chrono::steady_clock::now();
    result.phase_lag = phase_lag_index(recording.data, fs, params.bands, params.edge_s,
                                       [&](std::size_t done, std::size_t) {
                                         if (progress) progress(1 + done, stages);
                                       });
    result.has_connectivity = true;
    result.seconds_connectivity = seconds_since(t0);
  }
  return result;
}

std::optional<AnalysisResult> analyze_simulated(const io::Recording& rec, double segment_s,
                                                double edge_s) {
  AnalysisParams ap;
  ap.nperseg = std::min<std::size_t>(
      rec.n_samples(), static_cast<std::size_t>(std::llround(segment_s * rec.sfreq_hz)));
  ap.edge_s = edge_s;
  ap.range_hi_hz = std::min(ap.range_hi_hz, rec.sfreq_hz / 2.0);
  std::vector<Band> bands;
  for (const auto& b : ap.bands) {
    if (b.hi <= rec.sfreq_hz / 2.0) bands.push_back(b);
  }
  if (bands.empty()) return std::nullopt;
  ap.bands = bands;
  return analyze(rec, ap);
}

nlohmann::ordered_json summary_json(const AnalysisResult& r) {
  using json = nlohmann::ordered_json;
  const auto& p = r.params;
  json j;
  j["schema"] = kAnalysisSchema;
  j["source"] = r.source;
  j["format"] = r.format;
  j["sfreq"] = r.sfreq_hz;
  j["n_samples"] = r.n_samples;
  j["duration_s"] = static_cast<double>(r.n_samples) / r.sfreq_hz;
  j["channels"] = r.channels;
  j["units"] = {{"signal", "uV"}, {"psd", "uV^2/Hz"}, {"band_power", "uV^2"}};
  j["welch"] = {{"nperseg", p.nperseg},
                {"noverlap", r.noverlap},
                {"window", to_string(p.window)},
                {"detrend", to_string(p.detrend)},
                {"scaling", "density"},
                {"average", "mean"},
                {"n_segments", r.welch.n_segments},
                {"df_hz", r.welch.df()}};
  if (p.method == SpectrumMethod::Multitaper) {
    // The whole-recording PSD is a multitaper one (multitaper.hpp): its own description.
    j["spectrum"] = {{"method", "multitaper"},
                     {"bandwidth_hz", p.mt_bandwidth_hz > 0
                                          ? p.mt_bandwidth_hz
                                          : 8.0 * r.sfreq_hz / static_cast<double>(r.n_samples)},
                     {"tapers", r.welch.n_segments},
                     {"adaptive", false},
                     {"low_bias", true},
                     {"normalization", "full"},
                     {"df_hz", r.welch.df()}};
  }
  json bands = json::object();
  for (const auto& b : p.bands) bands[b.name] = {b.lo, b.hi};
  j["bands"] = bands;
  j["range_hz"] = {p.range_lo_hz, p.range_hi_hz};
  j["aperiodic_range_hz"] = {p.aperiodic_lo_hz, p.aperiodic_hi_hz};
  j["peaks"] = {{"min_prominence_db", p.peak_min_prominence_db}, {"max_count", p.peak_max_count}};

  json per_channel = json::array();
  for (const auto& ch : r.per_channel) {
    json c;
    c["name"] = ch.name;
    json bp = json::object(), rp = json::object();
    for (std::size_t b = 0; b < p.bands.size(); ++b) {
      bp[p.bands[b].name] = ch.band_power[b];
      rp[p.bands[b].name] = ch.relative_power[b];
    }
    c["band_power"] = bp;
    c["relative_power"] = rp;
    c["total_power"] = ch.total_power;
    c["spectral_entropy"] = ch.spectral_entropy;
    c["peak_hz"] = number_or_null(ch.peak_hz);
    json peaks = json::array();
    for (const auto& pk : ch.peaks) {
      peaks.push_back(
          {{"freq_hz", pk.freq_hz}, {"power", pk.power}, {"prominence_db", pk.prominence_db}});
    }
    c["peaks"] = peaks;
    c["aperiodic_exponent"] = number_or_null(ch.aperiodic.exponent);
    c["aperiodic_offset"] = number_or_null(ch.aperiodic.offset);
    per_channel.push_back(std::move(c));
  }
  j["per_channel"] = std::move(per_channel);

  if (r.has_connectivity) {
    json pli = json::object(), wpli = json::object();
    for (std::size_t b = 0; b < p.bands.size(); ++b) {
      pli[p.bands[b].name] = matrix_json(r.phase_lag.pli[b]);
      wpli[p.bands[b].name] = matrix_json(r.phase_lag.wpli[b]);
    }
    j["connectivity"] = {{"edge_s", p.edge_s},
                         {"edge_samples", r.phase_lag.edge_samples},
                         {"used_samples", r.phase_lag.used_samples},
                         {"pli", pli},
                         {"wpli", wpli}};
  } else {
    j["connectivity"] = nullptr;
  }
  if (r.epochs) j["epochs"] = epochs_json(*r.epochs);
  if (r.spectrogram) j["spectrogram"] = spectrogram_json(*r.spectrogram);
  if (r.phase_lag_time) {
    const auto& t = *r.phase_lag_time;
    json pli = json::object(), wpli = json::object();
    const std::size_t C = r.channels.size(), pairs = C * (C - 1) / 2;
    for (std::size_t b = 0; b < p.bands.size(); ++b) {
      std::vector<double> mp, mw;  // the mean over channel pairs, per window
      for (std::size_t w = 0; w < t.times_s.size(); ++w) {
        double sp = 0.0, sw = 0.0;
        for (std::size_t x = 0; x < C; ++x) {
          for (std::size_t y = x + 1; y < C; ++y) {
            sp += t.pli[b][w](x, y);
            sw += t.wpli[b][w](x, y);
          }
        }
        mp.push_back(pairs > 0 ? sp / static_cast<double>(pairs) : 0.0);
        mw.push_back(pairs > 0 ? sw / static_cast<double>(pairs) : 0.0);
      }
      pli[p.bands[b].name] = mp;
      wpli[p.bands[b].name] = mw;
    }
    j["connectivity_over_time"] = {{"window_samples", t.window_samples},
                                   {"step_samples", t.step_samples},
                                   {"times_s", t.times_s},
                                   {"mean_pli", pli},
                                   {"mean_wpli", wpli},
                                   {"matrices", "analysis.h5 /connectivity_over_time"}};
  }
  if (r.pac) j["pac"] = pac_json(*r.pac);
  j["timing_s"] = {{"spectral", r.seconds_spectral}, {"connectivity", r.seconds_connectivity}};
  if (r.epochs) j["timing_s"]["epochs"] = r.seconds_epochs;
  if (r.spectrogram) j["timing_s"]["spectrogram"] = r.seconds_spectrogram;
  if (r.phase_lag_time) j["timing_s"]["connectivity_over_time"] = r.seconds_connectivity_time;
  if (r.pac) j["timing_s"]["pac"] = r.seconds_pac;
  return j;
}

void write_analysis_h5(const std::filesystem::path& path, const AnalysisResult& r) {
  const auto& p = r.params;
  const std::size_t C = r.channels.size();
  const std::size_t B = p.bands.size();
  const std::size_t F = r.welch.freqs.size();
  io::AtomicFile out(path);
  {
    auto f = io::H5File::create(out.temp_path());
    f.set_attr("/", "schema", kAnalysisSchema);
    f.set_attr("/", "source", r.source);
    f.set_attr("/", "format", r.format);
    f.set_attr("/", "sfreq", r.sfreq_hz);
    f.set_attr("/", "n_samples", static_cast<int64_t>(r.n_samples));
    f.set_attr("/", "nperseg", static_cast<int64_t>(p.nperseg));
    f.set_attr("/", "noverlap", static_cast<int64_t>(r.noverlap));
    f.set_attr("/", "window", to_string(p.window));
    f.set_attr("/", "detrend", to_string(p.detrend));
    f.set_attr("/", "range_hz", std::vector<double>{p.range_lo_hz, p.range_hi_hz});
    f.set_attr("/", "edge_s", p.edge_s);
    f.set_attr("/", "channels", r.channels);
    std::vector<std::string> band_names;
    std::vector<double> edges;
    for (const auto& b : p.bands) {
      band_names.push_back(b.name);
      edges.push_back(b.lo);
      edges.push_back(b.hi);
    }
    f.set_attr("/", "bands", band_names);
    f.write_strings("channels", r.channels);
    f.write_strings("bands", band_names);
    f.write("band_edges_hz", std::span<const double>(edges), {B, 2});
    f.write("freqs", std::span<const double>(r.welch.freqs), {F});
    f.set_attr("freqs", "units", "Hz");
    f.write("psd", std::span<const double>(r.welch.psd.values()), {C, F}, true);
    f.set_attr("psd", "units", "uV^2/Hz");

    Array2<double> bp(C, B), rp(C, B);
    std::vector<double> entropy(C), peak(C), exponent(C), offset(C), total(C);
    for (std::size_t c = 0; c < C; ++c) {
      const auto& ch = r.per_channel[c];
      for (std::size_t b = 0; b < B; ++b) {
        bp(c, b) = ch.band_power[b];
        rp(c, b) = ch.relative_power[b];
      }
      entropy[c] = ch.spectral_entropy;
      peak[c] = ch.peak_hz;
      exponent[c] = ch.aperiodic.exponent;
      offset[c] = ch.aperiodic.offset;
      total[c] = ch.total_power;
    }
    f.write("band_power", std::span<const double>(bp.values()), {C, B});
    f.set_attr("band_power", "units", "uV^2");
    f.write("relative_power", std::span<const double>(rp.values()), {C, B});
    f.write("total_power", std::span<const double>(total), {C});
    f.write("spectral_entropy", std::span<const double>(entropy), {C});
    f.write("peak_hz", std::span<const double>(peak), {C});
    f.write("aperiodic_exponent", std::span<const double>(exponent), {C});
    f.write("aperiodic_offset", std::span<const double>(offset), {C});

    if (r.has_connectivity) {
      std::vector<double> pli, wpli;
      pli.reserve(B * C * C);
      wpli.reserve(B * C * C);
      for (std::size_t b = 0; b < B; ++b) {
        pli.insert(pli.end(), r.phase_lag.pli[b].values().begin(),
                   r.phase_lag.pli[b].values().end());
        wpli.insert(wpli.end(), r.phase_lag.wpli[b].values().begin(),
                    r.phase_lag.wpli[b].values().end());
      }
      f.write("pli", std::span<const double>(pli), {B, C, C}, true);
      f.write("wpli", std::span<const double>(wpli), {B, C, C}, true);
    }
    if (r.epochs) write_epochs_h5(f, *r.epochs);
    if (r.spectrogram) write_spectrogram_h5(f, *r.spectrogram);
    if (r.pac) write_pac_h5(f, *r.pac);
    if (r.phase_lag_time) {
      const auto& t = *r.phase_lag_time;
      const std::size_t Wn = t.times_s.size();
      f.create_group("connectivity_over_time");
      f.set_attr("connectivity_over_time", "window_samples",
                 static_cast<int64_t>(t.window_samples));
      f.set_attr("connectivity_over_time", "step_samples", static_cast<int64_t>(t.step_samples));
      f.write("connectivity_over_time/times_s", std::span<const double>(t.times_s), {Wn});
      for (const auto& [name, m] : {std::pair{"pli", &t.pli}, std::pair{"wpli", &t.wpli}}) {
        std::vector<float> flat;  // float32: [B, W, C, C] grows with windows x pairs
        flat.reserve(B * Wn * C * C);
        for (std::size_t b = 0; b < B; ++b) {
          for (std::size_t w = 0; w < Wn; ++w) {
            for (const double v : (*m)[b][w].values()) flat.push_back(static_cast<float>(v));
          }
        }
        f.write(std::string("connectivity_over_time/") + name, std::span<const float>(flat),
                {B, Wn, C, C}, true);
      }
    }
    f.close();
  }
  out.commit();
}

std::string format_table(const AnalysisResult& r, std::size_t max_rows) {
  const auto& p = r.params;
  std::ostringstream os;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s: %zu channels, %.1f s at %g Hz (Welch %zu-sample segments, %zu averaged)\n",
                r.source.c_str(), r.channels.size(), static_cast<double>(r.n_samples) / r.sfreq_hz,
                r.sfreq_hz, p.nperseg, r.welch.n_segments);
  os << buf;
  std::snprintf(buf, sizeof buf, "%-10s", "channel");
  os << buf;
  for (const auto& b : p.bands) {
    std::snprintf(buf, sizeof buf, " %7.7s%%", b.name.c_str());
    os << buf;
  }
  os << "  entropy  peak_Hz\n";
  const std::size_t rows = std::min(max_rows, r.per_channel.size());
  for (std::size_t c = 0; c < rows; ++c) {
    const auto& ch = r.per_channel[c];
    std::snprintf(buf, sizeof buf, "%-10.10s", ch.name.c_str());
    os << buf;
    for (double rel : ch.relative_power) {
      std::snprintf(buf, sizeof buf, " %8.1f", 100.0 * rel);
      os << buf;
    }
    std::snprintf(buf, sizeof buf, "  %7.3f  %7.2f\n", ch.spectral_entropy, ch.peak_hz);
    os << buf;
  }
  if (rows < r.per_channel.size()) {
    os << "... " << (r.per_channel.size() - rows) << " more channels in summary.json\n";
  }
  return os.str();
}

}  // namespace qneuro::eeg
