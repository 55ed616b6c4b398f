// Run directories as drawable JSON (qneuro.web.run/1; docs/dev/dashboard-api.md).
#include "qneuro/web/run_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "qneuro/core/error.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::web {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Display limits: what a browser draws smoothly and a report carries in a few hundred kB.
constexpr std::size_t kEnvelopeBuckets = 4000;
constexpr std::size_t kRasterNeurons = 200;
constexpr std::size_t kMaxRasterSpikes = 100000;
constexpr std::size_t kShownNeurons = 5;
constexpr uint64_t kMaxTraceElements = 50'000'000;  // bigger /voltage, /input are not read

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json_file(const fs::path& path) {
  try {
    return json::parse(read_text_file(path));
  } catch (const json::parse_error& e) {
    throw InputError(path.string() + " is not valid JSON: " + e.what());
  }
}

json values(std::span<const double> v) {
  return display_values(v);
}

json rows_json(std::span<const double> flat, std::size_t rows, std::size_t cols) {
  json a = json::array();
  for (std::size_t r = 0; r < rows; ++r) a.push_back(values(flat.subspan(r * cols, cols)));
  return a;
}

std::vector<double> to_double(const std::vector<float>& v) {
  return {v.begin(), v.end()};
}

json field_parts_from_eeg_h5(const fs::path& path, json& data) {
  const io::H5File h5 = io::H5File::open_read(path);
  if (h5.exists("diagnostics/step")) {
    json d = json::object();
    for (const char* name : {"step", "t_s", "norm", "energy", "e_kinetic", "e_external",
                             "e_connectivity", "e_mqp", "max_abs_q"}) {
      const std::string key = std::string("diagnostics/") + name;
      if (h5.exists(key)) d[name] = values(h5.read_double(key).data);
    }
    data["diagnostics"] = d;
  }
  if (h5.exists("snapshots/density")) {
    const io::H5Array<float> density = h5.read_float("snapshots/density");
    if (density.shape.size() == 4) {
      const std::size_t n = density.shape[0], slices = density.shape[1];
      const std::size_t ny = density.shape[2], nx = density.shape[3];
      json frames = json::array();
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t size = slices * ny * nx;
        frames.push_back(std::move(snapshot_json(
            std::span<const float>(density.data).subspan(i * size, size), slices, ny, nx)["data"]));
      }
      json snap = {{"ny", std::min(ny, kSnapshotSide)},
                   {"nx", std::min(nx, kSnapshotSide)},
                   {"slices", slices},
                   {"data", std::move(frames)}};
      snap["step"] = h5.exists("snapshots/step") ? values(h5.read_double("snapshots/step").data)
                                                 : json::array();
      snap["r_index"] = h5.exists("snapshots/r_index")
                            ? values(h5.read_double("snapshots/r_index").data)
                            : json::array();
      data["snapshots"] = snap;
    }
  }
  return data;
}

json spikes_part(const fs::path& path) {
  const io::H5File h5 = io::H5File::open_read(path);
  const io::H5Array<uint8_t> spikes = h5.read_uint8("spikes");
  if (spikes.shape.size() != 3) throw InputError(path.string() + ": /spikes is not [T, B, N]");
  const std::size_t T = spikes.shape[0], B = spikes.shape[1], N = spikes.shape[2];
  const double fs = h5.has_attr("/", "fs_hz") ? h5.attr_double("/", "fs_hz") : 1000.0;
  json part = {{"T", T}, {"N", N}, {"B", B}, {"fs_hz", fs}};
  part.update(spike_plot_json(spikes.data, T, B, N, fs));
  std::vector<double> time_ms(T);
  for (std::size_t t = 0; t < T; ++t) time_ms[t] = 1000.0 * static_cast<double>(t) / fs;
  part["time_ms"] = values(time_ms);
  const std::size_t shown = std::min(N, kShownNeurons);
  json show = json::array();
  for (std::size_t n = 0; n < shown; ++n) show.push_back(n);
  part["show"] = show;
  const auto traces = [&](const char* name) -> json {
    if (!h5.exists(name)) return nullptr;
    const std::vector<uint64_t> shape = h5.shape(name);
    if (shape.size() != 3 || shape[0] * shape[1] * shape[2] > kMaxTraceElements) return nullptr;
    const io::H5Array<float> v = h5.read_float(name);
    json rows = json::array();
    for (std::size_t n = 0; n < shown; ++n) {
      std::vector<double> r(T);
      for (std::size_t t = 0; t < T; ++t) r[t] = v.data[t * B * N + n];
      rows.push_back(values(r));
    }
    return rows;
  };
  part["voltage"] = traces("voltage");
  part["input"] = traces("input");
  return part;
}

json flux_part(const fs::path& path) {
  const io::H5File h5 = io::H5File::open_read(path);
  json part = json::object();
  part["kind"] = h5.has_attr("/", "kind") ? h5.attr_string("/", "kind") : "";
  part["text"] = h5.has_attr("/", "text") ? h5.attr_string("/", "text") : "";
  part["tokens"] = values(h5.read_double("tokens").data);
  const io::H5Array<float> states = h5.read_float("states");
  if (states.shape.size() == 3) {
    const std::size_t L1 = states.shape[0], T = states.shape[1];
    json layers = json::array();
    for (std::size_t l = 0; l < L1; ++l) {
      json pts = json::array();
      for (std::size_t t = 0; t < T; ++t) {
        pts.push_back({display_value(states.data[(l * T + t) * 2]),
                       display_value(states.data[(l * T + t) * 2 + 1])});
      }
      layers.push_back(pts);
    }
    part["states"] = layers;
  }
  const auto matrices = [&](const char* name, std::size_t lead) -> json {
    if (!h5.exists(name)) return nullptr;
    const io::H5Array<float> s = h5.read_float(name);
    if (s.shape.size() != lead + 2) return nullptr;
    const std::size_t T = s.shape[lead];
    const std::vector<double> flat = to_double(s.data);
    std::size_t blocks = 1;
    for (std::size_t i = 0; i < lead; ++i) blocks *= s.shape[i];
    json all = json::array();
    for (std::size_t b = 0; b < blocks; ++b) {
      all.push_back(rows_json(std::span<const double>(flat).subspan(b * T * T, T * T), T, T));
    }
    if (lead == 1) return all;
    json nested = json::array();  // [L][H]
    const std::size_t H = s.shape[1];
    for (std::size_t l = 0; l < s.shape[0]; ++l) {
      json heads = json::array();
      for (std::size_t h = 0; h < H; ++h) heads.push_back(all[l * H + h]);
      nested.push_back(heads);
    }
    return nested;
  };
  part["scores"] = matrices("scores", 1);
  part["head_scores"] = matrices("head_scores", 2);
  part["coherence"] = h5.exists("coherence") ? values(h5.read_double("coherence").data) : json();
  json train = json::object();
  for (const char* name : {"step", "loss", "cross_entropy", "geometric", "lr", "tokens_per_s"}) {
    const std::string key = std::string("train/") + name;
    if (h5.exists(key)) train[name] = values(h5.read_double(key).data);
  }
  part["train"] = train;
  json eval = json::object();
  for (const char* name : {"step", "bits_per_char"}) {
    const std::string key = std::string("eval/") + name;
    if (h5.exists(key)) eval[name] = values(h5.read_double(key).data);
  }
  part["eval"] = eval;
  return part;
}

// analysis.h5 (eeg::write_analysis_h5) back into the "analysis" object.
json analysis_from_h5(const fs::path& path, const json& summary) {
  const io::H5File h5 = io::H5File::open_read(path);
  json a = json::object();
  const std::vector<std::string> channels = h5.read_strings("channels");
  const std::vector<std::string> bands = h5.read_strings("bands");
  const std::size_t C = channels.size(), B = bands.size();
  a["channels"] = channels;
  const io::H5Array<double> freqs = h5.read_double("freqs");
  a["freqs"] = values(freqs.data);
  a["psd"] = rows_json(h5.read_double("psd").data, C, freqs.data.size());
  const std::vector<double> edges = h5.read_double("band_edges_hz").data;
  json bj = json::array();
  for (std::size_t b = 0; b < B; ++b) {
    bj.push_back({{"name", bands[b]}, {"lo", edges[2 * b]}, {"hi", edges[2 * b + 1]}});
  }
  a["bands"] = bj;
  a["band_power"] = rows_json(h5.read_double("band_power").data, C, B);
  a["relative_power"] = rows_json(h5.read_double("relative_power").data, C, B);
  for (const char* name :
       {"total_power", "peak_hz", "spectral_entropy", "aperiodic_exponent", "aperiodic_offset"}) {
    a[name] = values(h5.read_double(name).data);
  }
  a["aperiodic_range_hz"] = summary.contains("aperiodic_range_hz") ? summary["aperiodic_range_hz"]
                                                                   : json::array({1.0, 40.0});
  for (const char* name : {"pli", "wpli"}) {
    if (!h5.exists(name)) {
      a[name] = nullptr;
      continue;
    }
    const std::vector<double> m = h5.read_double(name).data;
    json per_band = json::object();
    for (std::size_t b = 0; b < B; ++b) {
      per_band[bands[b]] = rows_json(std::span<const double>(m).subspan(b * C * C, C * C), C, C);
    }
    a[name] = per_band;
  }
  return a;
}

std::string engine_of(const json& run, const json& summary) {
  const std::string sub = run.is_object() ? run.value("subcommand", "") : "";
  if (sub == "field" || sub == "field resume") return "field";
  if (sub == "snn") return "snn";
  if (sub == "snn train") return "snn-train";
  if (sub == "analyze") return "analyze";
  if (sub == "flux train") return "flux";
  const std::string schema = summary.is_object() ? summary.value("schema", "") : "";
  if (schema == "qneuro.snn/1") return "snn";
  if (schema == "qneuro.snn.train/1") return "snn-train";
  if (schema == "qneuro.flux.train/1") return "flux";
  if (schema == "qneuro.analysis/1") return summary.contains("field") ? "field" : "analyze";
  return "unknown";
}

}  // namespace

json display_values(std::span<const double> values) {
  json a = json::array();
  a.get_ref<json::array_t&>().reserve(values.size());
  for (const double x : values) a.push_back(display_value(x));
  return a;
}

json display_values(std::span<const float> values) {
  json a = json::array();
  a.get_ref<json::array_t&>().reserve(values.size());
  for (const float x : values) a.push_back(display_value(x));
  return a;
}

json spike_plot_json(std::span<const uint8_t> spikes, std::size_t T, std::size_t B, std::size_t N,
                     double fs_hz) {
  const std::size_t shown = std::min(N, kRasterNeurons);
  json rt = json::array(), rn = json::array();
  bool truncated = false;
  std::vector<double> rate(T);
  for (std::size_t t = 0; t < T; ++t) {
    const uint8_t* row = spikes.data() + t * B * N;
    std::size_t count = 0;
    for (std::size_t n = 0; n < N; ++n) count += row[n] != 0;
    rate[t] = static_cast<double>(count) / static_cast<double>(N) * fs_hz;
    for (std::size_t n = 0; n < shown && !truncated; ++n) {
      if (row[n] == 0) continue;
      if (rt.size() >= kMaxRasterSpikes) {
        truncated = true;
        break;
      }
      rt.push_back(t);
      rn.push_back(n);
    }
  }
  return {{"raster", {{"t", rt}, {"n", rn}, {"neurons", shown}, {"truncated", truncated}}},
          {"rate_hz", values(rate)}};
}

json snapshot_json(std::span<const float> frame, std::size_t slices, std::size_t ny,
                   std::size_t nx) {
  const std::size_t oy = std::min(ny, kSnapshotSide), ox = std::min(nx, kSnapshotSide);
  std::vector<float> reduced(slices * oy * ox);
  for (std::size_t s = 0; s < slices; ++s) {
    for (std::size_t y = 0; y < oy; ++y) {
      const float* row = frame.data() + (s * ny + y * ny / oy) * nx;
      for (std::size_t x = 0; x < ox; ++x) reduced[(s * oy + y) * ox + x] = row[x * nx / ox];
    }
  }
  return {{"ny", oy}, {"nx", ox}, {"slices", slices}, {"data", display_values(reduced)}};
}

double display_value(double x) {
  if (!std::isfinite(x) || x == 0.0) return x;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return std::strtod(buf, nullptr);
}

json envelope_json(const io::Recording& recording, double t0_s, double t1_s, std::size_t buckets,
                   const std::vector<std::size_t>& channels) {
  const double fs = recording.sfreq_hz;
  const std::size_t n = recording.n_samples();
  const double duration = fs > 0 ? static_cast<double>(n) / fs : 0.0;
  t0_s = std::clamp(std::isfinite(t0_s) ? t0_s : 0.0, 0.0, duration);
  t1_s = std::clamp(std::isfinite(t1_s) ? t1_s : duration, t0_s, duration);
  const auto i0 = static_cast<std::size_t>(std::floor(t0_s * fs));
  const auto i1 = std::min(n, static_cast<std::size_t>(std::ceil(t1_s * fs)));
  const std::size_t count = i1 > i0 ? i1 - i0 : 0;
  buckets = std::max<std::size_t>(1, buckets);
  const bool decimated = count > buckets;
  const std::size_t nb = decimated ? buckets : count;
  std::vector<std::size_t> which = channels;
  if (which.empty()) {
    for (std::size_t c = 0; c < recording.n_channels(); ++c) which.push_back(c);
  }
  json mins = json::array(), maxs = json::array(), names = json::array();
  for (const std::size_t c : which) {
    if (c >= recording.n_channels()) {
      throw InputError("channel index " + std::to_string(c) +
                       " is out of range (the recording has " +
                       std::to_string(recording.n_channels()) + " channels)");
    }
    names.push_back(recording.channels[c]);
    const std::vector<double>& x = recording.data[c];
    std::vector<double> lo(nb), hi(nb);
    for (std::size_t b = 0; b < nb; ++b) {
      const std::size_t a = i0 + b * count / nb, e = i0 + (b + 1) * count / nb;
      const auto [mn, mx] = std::minmax_element(x.begin() + static_cast<std::ptrdiff_t>(a),
                                                x.begin() + static_cast<std::ptrdiff_t>(e));
      lo[b] = *mn;
      hi[b] = *mx;
    }
    mins.push_back(values(lo));
    maxs.push_back(values(hi));
  }
  json idx = json::array();
  for (const std::size_t c : which) idx.push_back(c);
  return {{"t0", static_cast<double>(i0) / fs},
          {"t1", static_cast<double>(i1) / fs},
          {"fs_hz", fs},
          {"step_s", nb > 0 ? static_cast<double>(count) / static_cast<double>(nb) / fs : 0.0},
          {"decimated", decimated},
          {"channels", idx},
          {"names", names},
          {"min", mins},
          {"max", maxs}};
}

json analysis_json(const eeg::AnalysisResult& r) {
  json a = json::object();
  const std::size_t C = r.channels.size(), B = r.params.bands.size();
  a["channels"] = r.channels;
  a["freqs"] = values(r.welch.freqs);
  a["psd"] = rows_json(std::span<const double>(r.welch.psd.row(0).data(), r.welch.psd.size()), C,
                       r.welch.psd.cols());
  json bands = json::array();
  for (const auto& b : r.params.bands)
    bands.push_back({{"name", b.name}, {"lo", b.lo}, {"hi", b.hi}});
  a["bands"] = bands;
  json bp = json::array(), rp = json::array();
  std::vector<double> total, peak, entropy, exponent, offset;
  for (const auto& c : r.per_channel) {
    bp.push_back(values(c.band_power));
    rp.push_back(values(c.relative_power));
    total.push_back(c.total_power);
    peak.push_back(c.peak_hz);
    entropy.push_back(c.spectral_entropy);
    exponent.push_back(c.aperiodic.exponent);
    offset.push_back(c.aperiodic.offset);
  }
  a["band_power"] = bp;
  a["relative_power"] = rp;
  a["total_power"] = values(total);
  a["peak_hz"] = values(peak);
  a["spectral_entropy"] = values(entropy);
  a["aperiodic_exponent"] = values(exponent);
  a["aperiodic_offset"] = values(offset);
  a["aperiodic_range_hz"] = {r.params.aperiodic_lo_hz, r.params.aperiodic_hi_hz};
  const auto matrices = [&](const std::vector<Array2<double>>& m) -> json {
    if (!r.has_connectivity) return nullptr;
    json per_band = json::object();
    for (std::size_t b = 0; b < B && b < m.size(); ++b) {
      per_band[r.params.bands[b].name] =
          rows_json(std::span<const double>(m[b].row(0).data(), m[b].size()), C, C);
    }
    return per_band;
  };
  a["pli"] = matrices(r.phase_lag.pli);
  a["wpli"] = matrices(r.phase_lag.wpli);
  return a;
}

bool is_run_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && (fs::is_regular_file(dir / "summary.json", ec) ||
                                       fs::is_regular_file(dir / "run.json", ec));
}

json run_data(const fs::path& dir, const std::string& display_dir) {
  if (!is_run_dir(dir)) {
    throw InputError(display_dir + " is not a qneuro run directory (no summary.json or run.json)");
  }
  json data = {{"schema", "qneuro.web.run/1"}, {"dir", display_dir}};
  const json summary =
      fs::exists(dir / "summary.json") ? read_json_file(dir / "summary.json") : json::object();
  const json run = fs::exists(dir / "run.json") ? read_json_file(dir / "run.json") : json();
  // The PLI/wPLI matrices are drawn from "analysis"; a second copy in the summary would double a
  // 64-channel report's size.
  json shown_summary = summary;
  if (shown_summary.contains("connectivity") && shown_summary["connectivity"].is_object()) {
    for (const char* m : {"pli", "wpli"}) shown_summary["connectivity"].erase(m);
    shown_summary["connectivity"]["matrices"] =
        "in the PLI/wPLI figures (analysis.pli, analysis.wpli)";
  }
  data["summary"] = shown_summary;
  data["run"] = run;
  data["config_toml"] = fs::exists(dir / "config.resolved.toml")
                            ? json(read_text_file(dir / "config.resolved.toml"))
                            : json();
  const std::string engine = engine_of(run, summary);
  data["engine"] = engine;
  std::string status = summary.value("status", "");
  if (status.empty() && summary.contains("field")) status = summary["field"].value("status", "");
  data["title"] = engine + " run " + display_dir + (status.empty() ? "" : " (" + status + ")");

  if (fs::exists(dir / "eeg.h5")) {
    io::Recording rec = io::load_recording(dir / "eeg.h5");
    json eeg = envelope_json(rec, 0.0, INFINITY, kEnvelopeBuckets);
    eeg["n_samples"] = rec.n_samples();
    eeg["duration_s"] = static_cast<double>(rec.n_samples()) / rec.sfreq_hz;
    eeg["annotations"] = json::array();
    data["eeg"] = eeg;
    const double duration = static_cast<double>(rec.n_samples()) / rec.sfreq_hz;
    // The analysis the field run itself made (field/run.cpp): 2 s segments, edges min(1 s, T/8).
    if (const auto a = eeg::analyze_simulated(rec, 2.0, std::min(1.0, duration / 8.0))) {
      data["analysis"] = analysis_json(*a);
    }
    field_parts_from_eeg_h5(dir / "eeg.h5", data);
  }
  if (fs::exists(dir / "analysis.h5"))
    data["analysis"] = analysis_from_h5(dir / "analysis.h5", summary);
  if (fs::exists(dir / "spikes.h5")) data["spikes"] = spikes_part(dir / "spikes.h5");
  if (fs::exists(dir / "viz.h5")) data["flux"] = flux_part(dir / "viz.h5");
  if (engine == "snn-train" && summary.contains("epochs")) {
    json t = {{"epoch", json::array()},
              {"loss", json::array()},
              {"train_accuracy", json::array()},
              {"test_accuracy", json::array()}};
    for (const auto& e : summary["epochs"]) {
      for (const char* k : {"epoch", "loss", "train_accuracy", "test_accuracy"})
        t[k].push_back(e[k]);
    }
    data["training"] = t;
  }
  return data;
}

}  // namespace qneuro::web
