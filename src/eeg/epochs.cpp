#include "qneuro/eeg/epochs.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::eeg {

namespace {

using strings::format_number;

/// Samples [first, first + count) of the window [onset + t0, onset + t1).
struct SampleWindow {
  long long first = 0;
  std::size_t count = 0;
};

SampleWindow window_of(double onset_s, double t0, double t1, double fs) {
  return {std::llround((onset_s + t0) * fs),
          static_cast<std::size_t>(std::llround((t1 - t0) * fs))};
}

bool inside(const SampleWindow& w, std::size_t n) {
  return w.first >= 0 && static_cast<std::size_t>(w.first) + w.count <= n;
}

/// Band powers [channel][band] then the analysis-range total [channel] of one window.
struct WindowPowers {
  std::vector<double> band;  ///< [channel][band]
  std::vector<double> total;
};

WindowPowers window_powers(const io::Recording& rec, const SampleWindow& w,
                           const std::vector<Band>& bands, const WelchEstimator& estimator,
                           WelchEstimator::Workspace& ws, std::vector<double>& psd, double range_lo,
                           double range_hi) {
  WindowPowers out;
  out.band.resize(rec.n_channels() * bands.size());
  out.total.resize(rec.n_channels());
  psd.resize(estimator.freqs().size());
  for (std::size_t c = 0; c < rec.n_channels(); ++c) {
    estimator.estimate(rec.data[c].data() + w.first, w.count, psd.data(), ws);
    for (std::size_t b = 0; b < bands.size(); ++b) {
      out.band[c * bands.size() + b] = band_power(estimator.freqs(), psd, bands[b].lo, bands[b].hi);
    }
    out.total[c] = band_power(estimator.freqs(), psd, range_lo, range_hi);
  }
  return out;
}

double peak_to_peak(const io::Recording& rec, const SampleWindow& w) {
  double worst = 0.0;
  for (const auto& x : rec.data) {
    const auto begin = x.begin() + w.first;
    const auto [lo, hi] = std::minmax_element(begin, begin + static_cast<std::ptrdiff_t>(w.count));
    worst = std::max(worst, *hi - *lo);
  }
  return worst;
}

/// Mean and SEM over epochs of per-epoch values [epoch][k] (k = channel x band).
void mean_sem(const std::vector<double>& values, std::size_t epochs, std::size_t k,
              std::vector<double>& mean, std::vector<double>& sem) {
  mean.assign(k, 0.0);
  sem.assign(k, 0.0);
  if (epochs == 0) return;
  for (std::size_t e = 0; e < epochs; ++e) {
    for (std::size_t i = 0; i < k; ++i) mean[i] += values[e * k + i];
  }
  for (double& m : mean) m /= static_cast<double>(epochs);
  if (epochs < 2) return;
  for (std::size_t i = 0; i < k; ++i) {
    double ss = 0.0;
    for (std::size_t e = 0; e < epochs; ++e) {
      const double d = values[e * k + i] - mean[i];
      ss += d * d;
    }
    sem[i] =
        std::sqrt(ss / static_cast<double>(epochs - 1)) / std::sqrt(static_cast<double>(epochs));
  }
}

std::string event_summary(const std::vector<io::Annotation>& events) {
  std::map<std::string, std::size_t> counts;
  for (const auto& e : events) ++counts[e.text];
  std::vector<std::string> parts;
  for (const auto& [text, n] : counts)
    parts.push_back("'" + text + "' (" + std::to_string(n) + ")");
  return parts.empty() ? "none" : strings::join(parts, ", ");
}

}  // namespace

std::vector<io::Annotation> read_events_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string where = "events file '" + path.string() + "'";
  if (!in) throw InputError("cannot open " + where);
  std::string line;
  std::size_t line_no = 0;
  char sep = ',';
  int onset_col = -1, condition_col = -1, duration_col = -1;
  std::vector<io::Annotation> events;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (strings::trim(line).empty()) continue;
    if (onset_col < 0) {  // the header
      sep = line.find('\t') != std::string::npos  ? '\t'
            : line.find(';') != std::string::npos ? ';'
                                                  : ',';
      const auto names = strings::split(line, sep);
      for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string n = strings::to_lower(strings::trim(names[i]));
        if (n == "onset_s" || n == "onset") onset_col = static_cast<int>(i);
        if (n == "condition" || n == "trial_type" || n == "event")
          condition_col = static_cast<int>(i);
        if (n == "duration_s" || n == "duration") duration_col = static_cast<int>(i);
      }
      if (onset_col < 0 || condition_col < 0) {
        throw InputError(where + ": the header (line " + std::to_string(line_no) +
                         ") must name the columns onset_s and condition (optionally duration_s); "
                         "got '" +
                         line + "'");
      }
      continue;
    }
    const auto cells = strings::split(line, sep);
    const auto need =
        static_cast<std::size_t>(std::max({onset_col, condition_col, duration_col})) + 1;
    if (cells.size() < need) {
      throw InputError(where + ", line " + std::to_string(line_no) + ": " +
                       std::to_string(cells.size()) + " fields, the header needs " +
                       std::to_string(need));
    }
    io::Annotation a;
    auto number = [&](int col, const char* what) {
      const std::string text = strings::trim(cells[static_cast<std::size_t>(col)]);
      std::size_t used = 0;
      double v = 0.0;
      try {
        v = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || text.empty() || !std::isfinite(v)) {
        throw InputError(where + ", line " + std::to_string(line_no) + ": " + what + " '" + text +
                         "' is not a number");
      }
      return v;
    };
    a.onset_s = number(onset_col, "onset_s");
    if (duration_col >= 0) a.duration_s = number(duration_col, "duration_s");
    a.text = strings::trim(cells[static_cast<std::size_t>(condition_col)]);
    if (a.text.empty()) {
      throw InputError(where + ", line " + std::to_string(line_no) + ": empty condition");
    }
    events.push_back(a);
  }
  if (onset_col < 0) throw InputError(where + " is empty (it needs a header and events)");
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.onset_s < b.onset_s; });
  return events;
}

EpochResult compute_epochs(const io::Recording& rec, const EpochParams& params,
                           const std::vector<Band>& bands, std::size_t welch_nperseg,
                           double overlap, Window window, Detrend detrend, double range_lo_hz,
                           double range_hi_hz) {
  const double fs = rec.sfreq_hz;
  const std::size_t N = rec.n_samples();
  EpochResult r;
  r.params = params;
  r.channels = rec.channels;
  r.bands = bands;
  if (params.conditions.empty()) throw InputError("epochs.events: name at least one condition");
  if (!(params.tmin_s < params.tmax_s)) {
    throw InputError("epochs.tmin_s = " + format_number(params.tmin_s) +
                     " must be below epochs.tmax_s = " + format_number(params.tmax_s));
  }
  const bool by_window = !params.baseline_window_s.empty();
  if (by_window) {
    if (!params.baseline.empty()) {
      throw InputError("epochs.baseline = '" + params.baseline +
                       "' and epochs.baseline_window_s are both set; choose one reference");
    }
    const double b0 = params.baseline_window_s.at(0), b1 = params.baseline_window_s.at(1);
    if (!(params.tmin_s <= b0 && b0 < b1 && b1 <= 0.0)) {
      throw InputError("epochs.baseline_window_s = [" + format_number(b0) + ", " +
                       format_number(b1) + "] must be a pre-event interval within the epoch: " +
                       "tmin <= b0 < b1 <= 0 (tmin = " + format_number(params.tmin_s) +
                       "), so that it does not overlap the activity window [0, tmax)");
    }
    if (!(params.tmax_s > 0.0)) {
      throw InputError("epochs.tmax_s = " + format_number(params.tmax_s) +
                       " leaves no activity window [0, tmax) after the baseline window");
    }
  }

  std::vector<io::Annotation> events;
  if (params.events_file.empty()) {
    events = rec.annotations;
    r.events_source = "annotations";
  } else {
    events = read_events_file(params.events_file);
    r.events_source = params.events_file.string();
  }
  std::vector<std::string> conditions = params.conditions;
  if (!params.baseline.empty() &&
      std::find(conditions.begin(), conditions.end(), params.baseline) == conditions.end()) {
    conditions.push_back(params.baseline);  // the reference is epoched like the others
  }
  for (const auto& c : conditions) {
    const bool present = std::any_of(events.begin(), events.end(),
                                     [&](const io::Annotation& a) { return a.text == c; });
    if (!present) {
      throw InputError(std::string(c == params.baseline ? "epochs.baseline" : "epochs.events") +
                       ": no event '" + c + "' in the " +
                       (params.events_file.empty() ? "annotations of '" + rec.source + "'"
                                                   : "events file '" + r.events_source + "'") +
                       "; events present: " + event_summary(events));
    }
  }

  // The activity window, and the reference window when the baseline is pre-event.
  const double a0 = by_window ? 0.0 : params.tmin_s;
  const double a1 = params.tmax_s;
  const double b0 = by_window ? params.baseline_window_s[0] : 0.0;
  const double b1 = by_window ? params.baseline_window_s[1] : 0.0;
  r.window_samples = window_of(0.0, params.tmin_s, params.tmax_s, fs).count;
  const std::size_t n_activity = window_of(0.0, a0, a1, fs).count;
  const std::size_t n_reference = by_window ? window_of(0.0, b0, b1, fs).count : n_activity;
  const std::size_t shortest = std::min(n_activity, n_reference);
  if (shortest < 2) {
    throw InputError("epochs: a window of " + std::to_string(shortest) +
                     " samples is too short for a spectrum (at " + format_number(fs) +
                     " Hz); widen epochs.tmin_s/tmax_s" +
                     (by_window ? " or the baseline window" : ""));
  }
  const std::size_t nperseg0 =
      welch_nperseg == 0 ? static_cast<std::size_t>(std::llround(2.0 * fs)) : welch_nperseg;
  r.nperseg = std::min(nperseg0, shortest);
  r.noverlap =
      std::min(r.nperseg - 1,
               static_cast<std::size_t>(std::floor(overlap * static_cast<double>(r.nperseg))));
  const WelchEstimator estimator(fs, {r.nperseg, r.noverlap, window, detrend});
  if (range_hi_hz - range_lo_hz < 2.0 * fs / static_cast<double>(r.nperseg)) {
    throw InputError("epochs: windows of " + std::to_string(r.nperseg) + " samples give bins of " +
                     format_number(fs / static_cast<double>(r.nperseg)) +
                     " Hz, too coarse for the analysis range; lengthen the epochs");
  }

  const std::size_t C = rec.n_channels(), B = bands.size(), K = C * B;
  std::vector<std::vector<double>> reference_power(conditions.size());  // by_window: [e][k]
  for (std::size_t ci = 0; ci < conditions.size(); ++ci) {
    EpochCondition cond;
    cond.name = conditions[ci];
    for (const auto& ev : events) {
      if (ev.text != cond.name) continue;
      ++cond.n_events;
      const SampleWindow whole = window_of(ev.onset_s, params.tmin_s, params.tmax_s, fs);
      if (!inside(whole, N)) {
        ++cond.n_out_of_range;
        continue;
      }
      if (params.reject_uv > 0.0 && peak_to_peak(rec, whole) > params.reject_uv) {
        ++cond.n_rejected;
        continue;
      }
      cond.onsets_s.push_back(ev.onset_s);
    }
    // The kept epochs' spectra, in parallel over epochs (each epoch's numbers are computed by
    // one thread in a fixed order: independent of the thread count).
    const std::size_t E = cond.kept();
    cond.band_power.assign(E * K, 0.0);
    cond.relative_power.assign(E * K, 0.0);
    if (by_window) reference_power[ci].assign(E * K, 0.0);
#pragma omp parallel
    {
      WelchEstimator::Workspace ws(estimator);
      std::vector<double> psd;
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t ei = 0; ei < static_cast<std::ptrdiff_t>(E); ++ei) {
        const auto e = static_cast<std::size_t>(ei);
        const double onset = cond.onsets_s[e];
        const WindowPowers act = window_powers(rec, window_of(onset, a0, a1, fs), bands, estimator,
                                               ws, psd, range_lo_hz, range_hi_hz);
        for (std::size_t c = 0; c < C; ++c) {
          for (std::size_t b = 0; b < B; ++b) {
            const double total = act.total[c];
            cond.band_power[e * K + c * B + b] = act.band[c * B + b];
            cond.relative_power[e * K + c * B + b] = total > 0 ? act.band[c * B + b] / total : 0.0;
          }
        }
        if (by_window) {
          const WindowPowers ref = window_powers(rec, window_of(onset, b0, b1, fs), bands,
                                                 estimator, ws, psd, range_lo_hz, range_hi_hz);
          std::copy(ref.band.begin(), ref.band.end(),
                    reference_power[ci].begin() + static_cast<std::ptrdiff_t>(e * K));
        }
      }
    }
    if (cond.kept() < params.min_epochs) {
      throw InputError(
          "epochs: condition '" + cond.name + "' has " + std::to_string(cond.kept()) +
          " epoch(s) left, fewer than epochs.min_epochs = " + std::to_string(params.min_epochs) +
          " (" + std::to_string(cond.n_events) + " events, " + std::to_string(cond.n_out_of_range) +
          " with [tmin, tmax) = [" + format_number(params.tmin_s) + ", " +
          format_number(params.tmax_s) + ") s outside the recording of " +
          format_number(static_cast<double>(N) / fs) + " s, " + std::to_string(cond.n_rejected) +
          " rejected by epochs.reject_uv = " + format_number(params.reject_uv) +
          " uV peak-to-peak)");
    }
    mean_sem(cond.band_power, cond.kept(), K, cond.band_power_mean, cond.band_power_sem);
    mean_sem(cond.relative_power, cond.kept(), K, cond.relative_power_mean,
             cond.relative_power_sem);
    r.conditions.push_back(std::move(cond));
  }

  if (r.has_erd()) {
    std::vector<double> base_mean;
    if (!by_window) {
      const auto it =
          std::find_if(r.conditions.begin(), r.conditions.end(),
                       [&](const EpochCondition& c) { return c.name == params.baseline; });
      base_mean = it->band_power_mean;
    }
    for (std::size_t ci = 0; ci < r.conditions.size(); ++ci) {
      EpochCondition& cond = r.conditions[ci];
      std::vector<double> ref = base_mean;
      if (by_window) {
        std::vector<double> sem;
        mean_sem(reference_power[ci], cond.kept(), K, ref, sem);
      }
      cond.erd_percent.resize(cond.band_power.size());
      for (std::size_t e = 0; e < cond.kept(); ++e) {
        for (std::size_t k = 0; k < K; ++k) {
          const double R = ref[k];
          cond.erd_percent[e * K + k] = R > 0 ? (cond.band_power[e * K + k] - R) / R * 100.0 : 0.0;
        }
      }
      mean_sem(cond.erd_percent, cond.kept(), K, cond.erd_mean, cond.erd_sem);
    }
  }
  return r;
}

void write_epochs_h5(io::H5File& f, const EpochResult& r) {
  const std::size_t C = r.channels.size(), B = r.bands.size();
  f.create_group("epochs");
  f.set_attr("epochs", "events", r.events_source);
  f.set_attr("epochs", "tmin_s", r.params.tmin_s);
  f.set_attr("epochs", "tmax_s", r.params.tmax_s);
  f.set_attr("epochs", "baseline", r.params.baseline);
  f.set_attr("epochs", "nperseg", static_cast<int64_t>(r.nperseg));
  for (const auto& c : r.conditions) {
    const std::string g = "epochs/" + c.name;
    f.create_group(g);
    const std::size_t E = c.kept();
    f.write(g + "/onsets_s", std::span<const double>(c.onsets_s), {E});
    auto three = [&](const std::string& name, const std::vector<double>& v, const char* units) {
      f.write(g + "/" + name, std::span<const double>(v), {E, C, B}, true);
      f.set_attr(g + "/" + name, "units", units);
    };
    auto two = [&](const std::string& name, const std::vector<double>& v, const char* units) {
      f.write(g + "/" + name, std::span<const double>(v), {C, B});
      f.set_attr(g + "/" + name, "units", units);
    };
    three("band_power", c.band_power, "uV^2");
    two("band_power_mean", c.band_power_mean, "uV^2");
    two("band_power_sem", c.band_power_sem, "uV^2");
    three("relative_power", c.relative_power, "fraction");
    two("relative_power_mean", c.relative_power_mean, "fraction");
    two("relative_power_sem", c.relative_power_sem, "fraction");
    if (r.has_erd()) {
      three("erd_percent", c.erd_percent, "percent");
      two("erd_percent_mean", c.erd_mean, "percent");
      two("erd_percent_sem", c.erd_sem, "percent");
    }
  }
}

nlohmann::ordered_json epochs_json(const EpochResult& r) {
  using json = nlohmann::ordered_json;
  const std::size_t B = r.bands.size();
  auto table = [&](const std::vector<double>& v) {
    json t = json::object();
    for (std::size_t c = 0; c < r.channels.size(); ++c) {
      json row = json::object();
      for (std::size_t b = 0; b < B; ++b) row[r.bands[b].name] = v[c * B + b];
      t[r.channels[c]] = row;
    }
    return t;
  };
  json j;
  j["events"] = r.events_source;
  j["tmin_s"] = r.params.tmin_s;
  j["tmax_s"] = r.params.tmax_s;
  j["baseline"] = r.params.baseline.empty() ? json(nullptr) : json(r.params.baseline);
  j["baseline_window_s"] =
      r.params.baseline_window_s.empty() ? json(nullptr) : json(r.params.baseline_window_s);
  j["reject_uv"] = r.params.reject_uv;
  j["window_samples"] = r.window_samples;
  j["welch"] = {{"nperseg", r.nperseg}, {"noverlap", r.noverlap}};
  j["units"] = {{"band_power", "uV^2"}, {"relative_power", "fraction"}, {"erd", "percent"}};
  json conds = json::object();
  for (const auto& c : r.conditions) {
    json o;
    o["n_events"] = c.n_events;
    o["n_epochs"] = c.kept();
    o["n_out_of_range"] = c.n_out_of_range;
    o["n_rejected"] = c.n_rejected;
    o["onsets_s"] = c.onsets_s;
    o["band_power"] = {{"mean", table(c.band_power_mean)}, {"sem", table(c.band_power_sem)}};
    o["relative_power"] = {{"mean", table(c.relative_power_mean)},
                           {"sem", table(c.relative_power_sem)}};
    if (r.has_erd()) o["erd_percent"] = {{"mean", table(c.erd_mean)}, {"sem", table(c.erd_sem)}};
    // Per-epoch values: channel -> band -> [epoch] (the same arrays as analysis.h5's).
    auto per_epoch = [&](const std::vector<double>& v) {
      json t = json::object();
      for (std::size_t ch = 0; ch < r.channels.size(); ++ch) {
        json row = json::object();
        for (std::size_t b = 0; b < B; ++b) {
          std::vector<double> series(c.kept());
          for (std::size_t e = 0; e < c.kept(); ++e) {
            series[e] = v[(e * r.channels.size() + ch) * B + b];
          }
          row[r.bands[b].name] = series;
        }
        t[r.channels[ch]] = row;
      }
      return t;
    };
    o["per_epoch"] = {{"band_power", per_epoch(c.band_power)},
                      {"relative_power", per_epoch(c.relative_power)}};
    if (r.has_erd()) o["per_epoch"]["erd_percent"] = per_epoch(c.erd_percent);
    conds[c.name] = o;
  }
  j["conditions"] = conds;
  return j;
}

}  // namespace qneuro::eeg
