#include "qneuro/eeg/analysis_config.hpp"

#include <cmath>

#include "qneuro/core/strings.hpp"

namespace qneuro::eeg {

using config::Bounds;
using config::NamedRange;

const config::Schema& analysis_schema() {
  // Defaults come from AnalysisParams (analysis.hpp); key names differ from member names as
  // welch.nperseg/overlap/window/detrend -> nperseg/overlap/window/detrend, bands -> bands,
  // spectrum.range_hz -> [range_lo_hz, range_hi_hz], peaks.* -> peak_min_prominence_db /
  // peak_max_count, aperiodic.range_hz -> [aperiodic_lo_hz, aperiodic_hi_hz],
  // connectivity.enabled / edge_s -> connectivity / edge_s (params_from_config reads them);
  // channels.* and input.unit_uv are io::LoadOptions (load_options_from_config).
  static const config::Schema schema = [] {
    const AnalysisParams d;
    const io::LoadOptions load;
    config::Schema s("analyze");
    s.add_int("welch.nperseg", static_cast<int64_t>(d.nperseg),
              {"samples", "Welch segment length; 0 = 2 s of samples (round(2 fs))"},
              Bounds{0.0, 1e8});
    s.add_float(
        "welch.overlap", d.overlap,
        {"", "segment overlap as a fraction of nperseg (noverlap = floor(overlap nperseg))"},
        Bounds{0.0, 1.0, false, true});
    s.add_choice("welch.window", d.window, {"", "periodic window applied to each segment"});
    s.add_choice("welch.detrend", d.detrend,
                 {"", "per-segment detrending: remove the mean, or nothing"});
    std::vector<NamedRange> bands;
    for (const auto& b : d.bands) bands.push_back({b.name, b.lo, b.hi});
    s.add_range_table("bands", bands,
                      {"Hz", "frequency bands, name = [lo, hi) (half-open); must lie in [0, fs/2]"},
                      Bounds{0.0, std::nullopt});
    s.add_float_list("spectrum.range_hz", {d.range_lo_hz, d.range_hi_hz},
                     {"Hz", "analysis range [lo, hi) for relative power, entropy and peaks"},
                     Bounds{0.0, std::nullopt}, 2, 2);
    s.add_choice("spectrum.method", d.method,
                 {"",
                  "whole-recording PSD: welch, or multitaper (DPSS, as MNE's "
                  "psd_array_multitaper with normalization='full')"});
    s.add_float("spectrum.mt_bandwidth_hz", d.mt_bandwidth_hz,
                {"Hz", "multitaper full bandwidth; 0 = 8 fs / n (half-bandwidth 4)"},
                Bounds{0.0, std::nullopt});
    s.add_float("peaks.min_prominence_db", d.peak_min_prominence_db,
                {"dB", "minimum prominence of a spectral peak (on 10 log10 PSD)"},
                Bounds{0.0, std::nullopt});
    s.add_int("peaks.max_count", static_cast<int64_t>(d.peak_max_count),
              {"", "most prominent peaks kept per channel"}, Bounds{0.0, 1000.0});
    s.add_float_list("aperiodic.range_hz", {d.aperiodic_lo_hz, d.aperiodic_hi_hz},
                     {"Hz", "closed interval [lo, hi] of the log-log 1/f fit"},
                     Bounds{0.0, std::nullopt, true}, 2, 2);
    s.add_bool("connectivity.enabled", d.connectivity,
               {"", "compute PLI and wPLI over all channel pairs"});
    s.add_float("connectivity.edge_s", d.edge_s,
                {"s", "samples dropped at both ends of the band-limited analytic signal"},
                Bounds{0.0, std::nullopt});
    s.add_string_list("channels.names", load.channels.names,
                      {"",
                       "channels to analyse (labels, or as typed: C3 finds C3.. or EEG C3-REF; "
                       "empty = all); CLI: --channels"});
    s.add_string(
        "channels.regex", load.channels.regex,
        {"",
         "also analyse channels whose label matches this ECMAScript regex; CLI: --channels-regex"});
    s.add_float("input.unit_uv", load.csv_unit_uv,
                {"uV", "microvolts per unit of CSV/HDF5 input values (EDF uses its own header)"},
                Bounds{0.0, std::nullopt, true});
    const EpochParams ep;
    s.add_string_list(
        "epochs.events", {},
        {"", "conditions (event texts) to epoch around; empty = no epochs; CLI: --epochs"});
    s.add_string("epochs.events_file", "",
                 {"", "CSV/TSV of events (onset_s, condition[, duration_s]); empty = annotations"});
    s.add_float("epochs.tmin_s", ep.tmin_s, {"s", "epoch start relative to the event"});
    s.add_float("epochs.tmax_s", ep.tmax_s, {"s", "epoch end relative to the event (exclusive)"});
    s.add_string("epochs.baseline", ep.baseline,
                 {"", "ERD reference condition (its mean band power); empty = none"});
    s.add_float_list("epochs.baseline_window_s", {},
                     {"s", "ERD reference [b0, b1] before each event (tmin <= b0 < b1 <= 0)"},
                     Bounds{-1e9, 0.0}, 0, 2);
    s.add_float(
        "epochs.reject_uv", ep.reject_uv,
        {"uV", "reject epochs whose peak-to-peak exceeds this in any channel; 0 = keep all"},
        Bounds{0.0, std::nullopt});
    s.add_int("epochs.min_epochs", static_cast<int64_t>(ep.min_epochs),
              {"", "fewest epochs a condition may keep (else an input error)"}, Bounds{1.0, 1e6});
    const SpectrogramParams sp;
    s.add_bool("spectrogram.enabled", false,
               {"", "Welch spectra in sliding windows and band power over time"});
    s.add_float("spectrogram.window_s", sp.window_s, {"s", "sliding window length"},
                Bounds{0.0, std::nullopt, true});
    s.add_float("spectrogram.step_s", sp.step_s, {"s", "step between windows"},
                Bounds{0.0, std::nullopt, true});
    s.add_bool("connectivity.over_time", false,
               {"", "also PLI/wPLI in sliding windows (connectivity.window_s, step_s)"});
    s.add_float("connectivity.window_s", 4.0, {"s", "window of the PLI/wPLI over time"},
                Bounds{0.0, std::nullopt, true});
    s.add_float("connectivity.step_s", 2.0, {"s", "step of the PLI/wPLI over time"},
                Bounds{0.0, std::nullopt, true});
    const PacParams pp;
    s.add_bool("pac.enabled", false,
               {"", "phase-amplitude coupling: MI (Tort) and MVL (Canolty) comodulograms"});
    s.add_float_list("pac.phase_centers_hz", pp.phase_centers_hz,
                     {"Hz", "centres of the phase bands"}, Bounds{0.0, std::nullopt}, 1, 1000);
    s.add_float("pac.phase_width_hz", pp.phase_width_hz, {"Hz", "width of each phase band"},
                Bounds{0.0, std::nullopt, true});
    s.add_float_list("pac.amp_centers_hz", pp.amp_centers_hz,
                     {"Hz", "centres of the amplitude bands"}, Bounds{0.0, std::nullopt}, 1, 1000);
    s.add_float("pac.amp_width_hz", pp.amp_width_hz,
                {"Hz", "width of each amplitude band; 0 = 2 (max phase centre + phase width/2)"},
                Bounds{0.0, std::nullopt});
    s.add_int("pac.bins", static_cast<int64_t>(pp.bins), {"", "phase bins of the MI"},
              Bounds{2.0, 1000.0});
    s.add_int("pac.surrogates", static_cast<int64_t>(pp.surrogates),
              {"", "time-shift surrogates (0 = none: no z or p)"}, Bounds{0.0, 100000.0});
    s.add_float("pac.min_shift_s", pp.min_shift_s, {"s", "smallest surrogate shift"},
                Bounds{0.0, std::nullopt});
    s.add_float("pac.edge_s", pp.edge_s, {"s", "samples dropped at both ends of the signals"},
                Bounds{0.0, std::nullopt});
    s.add_int("pac.seed", static_cast<int64_t>(pp.seed),
              {"", "Philox seed of the surrogate shifts"}, Bounds{0.0, 4294967295.0});
    s.add_string_list(
        "pac.channels", {},
        {"", "channels for PAC among those analysed; empty = all (cost grows per channel)"});
    s.add_preset("default", "", "classic bands delta..gamma over [0.5, 45) Hz, 2 s Hann segments");
    s.add_preset(
        "sleep", R"(
[welch]
nperseg = 0
[bands]
slow = [0.5, 1.0]
delta = [1.0, 4.0]
theta = [4.0, 8.0]
alpha = [8.0, 12.0]
sigma = [12.0, 16.0]
beta = [16.0, 30.0]
[spectrum]
range_hz = [0.5, 30.0]
[aperiodic]
range_hz = [1.0, 30.0]
)",
        "sleep staging bands (slow, delta, theta, alpha, sigma/spindles, beta) over [0.5, 30) Hz");
    return s;
  }();
  return schema;
}

io::LoadOptions load_options_from_config(const config::Config& cfg) {
  io::LoadOptions opt;
  opt.channels.names = cfg.get_strings("channels.names");
  opt.channels.regex = cfg.get_string("channels.regex");
  opt.csv_unit_uv = cfg.get_float("input.unit_uv");
  return opt;
}

AnalysisParams params_from_config(const config::Config& cfg, double fs, std::size_t n) {
  using strings::format_number;
  AnalysisParams p;
  const double nyquist = fs / 2;
  p.nperseg = static_cast<std::size_t>(cfg.get_int("welch.nperseg"));
  const std::size_t nperseg =
      p.nperseg == 0 ? static_cast<std::size_t>(std::llround(2.0 * fs)) : p.nperseg;
  if (nperseg < 2 || nperseg > n) {
    cfg.fail("welch.nperseg", "= " + std::to_string(nperseg) + " samples" +
                                  (p.nperseg == 0 ? " (2 s at " + format_number(fs) + " Hz)" : "") +
                                  " does not fit the recording: allowed [2, " + std::to_string(n) +
                                  "] (" + std::to_string(n) + " samples)");
  }
  p.overlap = cfg.get_float("welch.overlap");
  p.window = cfg.get_enum<Window>("welch.window");
  p.method = cfg.get_enum<SpectrumMethod>("spectrum.method");
  p.mt_bandwidth_hz = cfg.get_float("spectrum.mt_bandwidth_hz");
  p.detrend = cfg.get_enum<Detrend>("welch.detrend");

  p.bands.clear();
  for (const auto& r : cfg.get_ranges("bands")) {
    if (r.lo < 0 || r.hi > nyquist) {
      cfg.fail("bands", "entry '" + r.name + "' = [" + format_number(r.lo) + ", " +
                            format_number(r.hi) + ") Hz does not lie within [0, fs/2] = [0, " +
                            format_number(nyquist) + "] Hz for this recording (fs = " +
                            format_number(fs) + " Hz); change it with --set 'bands." + r.name +
                            "=[lo, hi]' or replace the table with --set 'bands={...}'");
    }
    p.bands.push_back({r.name, r.lo, r.hi});
  }

  const auto range = cfg.get_floats("spectrum.range_hz");
  if (!(range[0] < range[1]) || range[1] > nyquist) {
    cfg.fail("spectrum.range_hz",
             "= [" + format_number(range[0]) + ", " + format_number(range[1]) +
                 ") must satisfy 0 <= lo < hi <= fs/2 = " + format_number(nyquist));
  }
  p.range_lo_hz = range[0];
  p.range_hi_hz = range[1];
  const double df = fs / static_cast<double>(nperseg);
  if (p.range_hi_hz - p.range_lo_hz < 2 * df) {
    cfg.fail("spectrum.range_hz", "spans fewer than 2 frequency bins (bin width " +
                                      format_number(df) +
                                      " Hz): widen it or increase welch.nperseg");
  }

  p.peak_min_prominence_db = cfg.get_float("peaks.min_prominence_db");
  p.peak_max_count = static_cast<std::size_t>(cfg.get_int("peaks.max_count"));
  const auto ap = cfg.get_floats("aperiodic.range_hz");
  if (!(ap[0] < ap[1]) || ap[0] > nyquist) {
    cfg.fail("aperiodic.range_hz",
             "= [" + format_number(ap[0]) + ", " + format_number(ap[1]) +
                 "] must satisfy 0 < lo < hi and lo < fs/2 = " + format_number(nyquist));
  }
  p.aperiodic_lo_hz = ap[0];
  p.aperiodic_hi_hz = ap[1];

  p.connectivity = cfg.get_bool("connectivity.enabled");
  p.edge_s = cfg.get_float("connectivity.edge_s");
  const auto edge = static_cast<std::size_t>(std::llround(p.edge_s * fs));
  if (p.connectivity && 2 * edge >= n) {
    cfg.fail("connectivity.edge_s", "= " + format_number(p.edge_s) + " s drops " +
                                        std::to_string(2 * edge) + " of the " + std::to_string(n) +
                                        " samples: nothing is left; lower it");
  }
  return p;
}

}  // namespace qneuro::eeg

namespace qneuro::eeg {

std::optional<SpectrogramParams> spectrogram_params_from_config(const config::Config& cfg) {
  if (!cfg.get_bool("spectrogram.enabled")) return std::nullopt;
  SpectrogramParams p;
  p.window_s = cfg.get_float("spectrogram.window_s");
  p.step_s = cfg.get_float("spectrogram.step_s");
  return p;
}

std::optional<PacParams> pac_params_from_config(const config::Config& cfg) {
  if (!cfg.get_bool("pac.enabled")) return std::nullopt;
  PacParams p;
  p.phase_centers_hz = cfg.get_floats("pac.phase_centers_hz");
  p.phase_width_hz = cfg.get_float("pac.phase_width_hz");
  p.amp_centers_hz = cfg.get_floats("pac.amp_centers_hz");
  p.amp_width_hz = cfg.get_float("pac.amp_width_hz");
  p.bins = static_cast<std::size_t>(cfg.get_int("pac.bins"));
  p.surrogates = static_cast<std::size_t>(cfg.get_int("pac.surrogates"));
  p.min_shift_s = cfg.get_float("pac.min_shift_s");
  p.edge_s = cfg.get_float("pac.edge_s");
  p.seed = static_cast<uint32_t>(cfg.get_int("pac.seed"));
  p.channels = cfg.get_strings("pac.channels");
  return p;
}

std::optional<EpochParams> epoch_params_from_config(const config::Config& cfg) {
  EpochParams p;
  p.conditions = cfg.get_strings("epochs.events");
  if (p.conditions.empty()) {
    for (const char* key : {"epochs.baseline", "epochs.events_file"}) {
      if (!cfg.get_string(key).empty())
        cfg.fail(key, "is set but epochs.events names no condition");
    }
    return std::nullopt;
  }
  p.events_file = cfg.get_string("epochs.events_file");
  p.tmin_s = cfg.get_float("epochs.tmin_s");
  p.tmax_s = cfg.get_float("epochs.tmax_s");
  p.baseline = cfg.get_string("epochs.baseline");
  p.baseline_window_s = cfg.get_floats("epochs.baseline_window_s");
  if (p.baseline_window_s.size() == 1) {
    cfg.fail("epochs.baseline_window_s", "needs two values [b0, b1] (or none)");
  }
  p.reject_uv = cfg.get_float("epochs.reject_uv");
  p.min_epochs = static_cast<std::size_t>(cfg.get_int("epochs.min_epochs"));
  return p;
}

}  // namespace qneuro::eeg
