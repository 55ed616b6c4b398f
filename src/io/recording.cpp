#include "qneuro/io/recording.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/brainvision.hpp"
#include "qneuro/io/csv.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::io {
namespace fs = std::filesystem;

namespace {

constexpr const char* kTimeseriesSchema = "qneuro.timeseries/1";
// BDF's version field: the byte 0xFF, then "BIOSEMI" (two literals: "\xFFB" would be one
// hex escape).
constexpr std::string_view kBdfMagic =
    "\xFF"
    "BIOSEMI";

enum class Format { Edf, Hdf5, BrainVision, Csv };

Format detect_format(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("input file not found: '" + path.string() + "'");
  if (fs::is_directory(path, ec)) {
    throw InputError("'" + path.string() +
                     "' is a directory, expected an EDF, BDF, BrainVision (.vhdr), CSV or HDF5 "
                     "file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open '" + path.string() + "' for reading");
  // Enough for the longest BrainVision identification line (about 60 characters) after a BOM.
  std::string head(128, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const std::string_view magic = std::string_view(head).substr(0, 8);
  // read_edf tells EDF from BDF by the same field.
  if (magic == "0       " || magic == kBdfMagic) return Format::Edf;
  if (magic == "\x89HDF\r\n\x1a\n") return Format::Hdf5;
  if (is_brainvision_header(head)) return Format::BrainVision;
  const std::string ext = strings::to_lower(path.extension().string());
  if (ext == ".edf" || ext == ".bdf" || ext == ".rec") {
    throw InputError("'" + path.string() +
                     "' is not an EDF file (nor BDF): its header does not start with the EDF "
                     "version field \"0       \" or the BDF one \"\\xFFBIOSEMI\"");
  }
  if (ext == ".h5" || ext == ".hdf5") {
    throw InputError("'" + path.string() + "' is not an HDF5 file (no HDF5 signature)");
  }
  if (ext == ".vhdr") {
    throw InputError("'" + path.string() +
                     "' is not a BrainVision header: its first line does not start with "
                     "\"Brain Vision Data Exchange Header File\" or \"BrainVision Data Exchange "
                     "Header File\"");
  }
  if (ext == ".vmrk" || ext == ".eeg") {
    throw InputError("'" + path.string() +
                     "' is not read on its own: if it is part of a BrainVision recording, give "
                     "its header (.vhdr), which names the data and marker files");
  }
  return Format::Csv;
}

// EDF, BDF and BrainVision channels carry their unit: voltages become microvolts, anything else
// (a BioSemi Status channel, a temperature) is kept as stored, with a warning.
void append_in_microvolts(Recording& rec, const fs::path& path, std::string label,
                          const std::string& unit, std::vector<double> samples) {
  const auto scale = microvolts_per_unit(unit);
  if (!scale) {
    log::warn("{}: channel '{}' has physical dimension '{}', not a voltage: analysed unscaled",
              path.string(), label, unit);
  } else if (*scale != 1.0) {
    for (double& v : samples) v *= *scale;
  }
  rec.channels.push_back(std::move(label));
  rec.data.push_back(std::move(samples));
}

Recording from_edf(const fs::path& path, const LoadOptions& opt) {
  EdfFile edf = read_edf(path);
  Recording rec;
  rec.source = path.string();
  rec.format = std::string(edf.bdf ? "bdf" : "edf") + (edf.variant == EdfVariant::Edf ? "" : "+");
  rec.annotations = std::move(edf.annotations);
  // EDF+D may skip time between records; the samples are analysed as one continuous signal.
  std::size_t gaps = 0;
  double gap_s = 0.0;
  for (std::size_t r = 1; r < edf.record_onsets_s.size(); ++r) {
    const double jump = edf.record_onsets_s[r] - edf.record_onsets_s[r - 1] - edf.record_duration_s;
    if (std::abs(jump) > 1e-6) {
      ++gaps;
      gap_s += jump;
    }
  }
  if (gaps > 0) {
    log::warn(
        "{}: discontinuous EDF+D with {} gap(s) totalling {:.3f} s between records; the "
        "records are analysed as if contiguous",
        path.string(), gaps, gap_s);
  }
  std::vector<std::string> labels;
  for (const auto& s : edf.signals) labels.push_back(s.label);
  if (labels.empty())
    throw InputError("'" + path.string() + "' has no data signals (only annotations)");
  const auto picked = select_channels(labels, opt.channels, path.string());

  std::map<double, std::vector<std::string>> by_rate;
  for (std::size_t i : picked) by_rate[edf.signals[i].sfreq_hz].push_back(labels[i]);
  if (by_rate.size() > 1) {
    std::string detail;
    for (const auto& [rate, names] : by_rate) {
      detail += "\n  " + strings::format_number(rate) + " Hz: " + strings::join(names, ", ");
    }
    throw InputError("'" + path.string() +
                     "': the selected channels have different sampling "
                     "rates; select channels of one rate with --channels or --channels-regex:" +
                     detail);
  }
  rec.sfreq_hz = by_rate.begin()->first;
  for (std::size_t i : picked) {
    EdfSignal& s = edf.signals[i];
    append_in_microvolts(rec, path, s.label, s.physical_dimension, std::move(s.samples));
  }
  return rec;
}

Recording from_brainvision(const fs::path& path, const LoadOptions& opt) {
  BrainVisionFile bv = read_brainvision(path);
  Recording rec;
  rec.source = path.string();
  rec.format = "brainvision";
  rec.sfreq_hz = bv.sfreq_hz;
  rec.annotations = std::move(bv.annotations);
  std::vector<std::string> labels;
  for (const auto& c : bv.channels) labels.push_back(c.name);
  for (std::size_t i : select_channels(labels, opt.channels, path.string())) {
    BrainVisionChannel& c = bv.channels[i];
    append_in_microvolts(rec, path, c.name, c.unit, std::move(c.samples));
  }
  return rec;
}

Recording from_csv(const fs::path& path, const LoadOptions& opt) {
  CsvTable table = read_csv(path);
  Recording rec;
  rec.source = path.string();
  rec.format = "csv";
  rec.sfreq_hz = table.sfreq_hz;
  for (std::size_t i : select_channels(table.channels, opt.channels, path.string())) {
    rec.channels.push_back(table.channels[i]);
    if (opt.csv_unit_uv != 1.0) {
      for (double& v : table.data[i]) v *= opt.csv_unit_uv;
    }
    rec.data.push_back(std::move(table.data[i]));
  }
  return rec;
}

Recording from_hdf5(const fs::path& path, const LoadOptions& opt) {
  const H5File f = H5File::open_read(path);
  const std::string where = "'" + path.string() + "'";
  if (!f.exists("signals") || !f.exists("channels")) {
    throw InputError(where +
                     " is HDF5 but not a qneuro time series: it needs datasets /signals "
                     "[channel x sample] and /channels (layout " +
                     std::string(kTimeseriesSchema) + ")");
  }
  if (!f.has_attr("/", "fs_hz")) throw InputError(where + " lacks the root attribute fs_hz");
  const auto sig = f.read_double("signals");
  const auto names = f.read_strings("channels");
  if (sig.shape.size() != 2 || sig.shape[0] != names.size()) {
    std::string shape;
    for (auto d : sig.shape) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
    throw InputError(where + ": /signals has shape [" + shape + "] but /channels names " +
                     std::to_string(names.size()) + " channels (expected [channel x sample])");
  }
  Recording rec;
  rec.source = path.string();
  rec.format = "hdf5";
  rec.sfreq_hz = f.attr_double("/", "fs_hz");
  if (!(rec.sfreq_hz > 0) || !std::isfinite(rec.sfreq_hz)) {
    throw InputError(where + ": attribute fs_hz must be a positive number, got " +
                     strings::format_number(rec.sfreq_hz));
  }
  const auto n = static_cast<std::size_t>(sig.shape[1]);
  for (std::size_t i : select_channels(names, opt.channels, path.string())) {
    rec.channels.push_back(names[i]);
    std::vector<double> row(sig.data.begin() + static_cast<std::ptrdiff_t>(i * n),
                            sig.data.begin() + static_cast<std::ptrdiff_t>((i + 1) * n));
    if (opt.csv_unit_uv != 1.0) {
      for (double& v : row) v *= opt.csv_unit_uv;
    }
    rec.data.push_back(std::move(row));
  }
  return rec;
}

void check_finite(const Recording& rec) {
  for (std::size_t c = 0; c < rec.n_channels(); ++c) {
    const auto& x = rec.data[c];
    const auto bad = std::find_if(x.begin(), x.end(), [](double v) { return !std::isfinite(v); });
    if (bad != x.end()) {
      throw InputError("'" + rec.source + "': channel '" + rec.channels[c] +
                       "' has a non-finite value at sample " + std::to_string(bad - x.begin()));
    }
  }
}

}  // namespace

std::string canonical_channel_label(std::string_view label) {
  std::string s;
  for (const char c : label) {
    if (c != ' ' && c != '\t') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  while (!s.empty() && s.back() == '.') s.pop_back();
  for (const char* prefix : {"eeg-", "eeg_", "eeg"}) {
    // "EEG C3" lost its space above; keep a bare "eeg" label (or "eeg1") as it is.
    const std::string_view p(prefix);
    if (s.size() > p.size() && s.starts_with(p) &&
        std::isalpha(static_cast<unsigned char>(s[p.size()]))) {
      s.erase(0, p.size());
      break;
    }
  }
  static const char* const kReferences[] = {"a1a2", "m1m2", "ref", "avg", "le", "re",
                                            "ar",   "a1",   "a2",  "m1",  "m2"};
  const auto dash = s.find_last_of("-_");
  if (dash != std::string::npos && dash > 0) {
    const std::string tail = s.substr(dash + 1);
    for (const char* r : kReferences) {
      if (tail == r) {
        s.erase(dash);
        break;
      }
    }
  }
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::vector<std::string> suggest_channels(std::string_view want,
                                          const std::vector<std::string>& labels,
                                          std::size_t count) {
  const std::string w = canonical_channel_label(want);
  struct Ranked {
    std::size_t distance, length_gap, index;
  };
  std::vector<Ranked> ranked;
  const std::size_t allowed = std::max<std::size_t>(1, w.size() / 2);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string c = canonical_channel_label(labels[i]);
    const std::size_t d = strings::edit_distance(w, c);
    if (d > allowed) continue;
    const std::size_t gap = c.size() > w.size() ? c.size() - w.size() : w.size() - c.size();
    ranked.push_back({d, gap, i});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.length_gap < b.length_gap;
  });
  std::vector<std::string> out;
  for (std::size_t k = 0; k < ranked.size() && k < count; ++k)
    out.push_back(labels[ranked[k].index]);
  return out;
}

std::vector<std::size_t> select_channels(const std::vector<std::string>& labels,
                                         const ChannelSelection& selection,
                                         const std::string& source) {
  std::vector<std::size_t> picked;
  if (selection.all()) {
    for (std::size_t i = 0; i < labels.size(); ++i) picked.push_back(i);
    return picked;
  }
  std::set<std::size_t> chosen;
  for (const auto& want : selection.names) {
    const auto exact = std::find(labels.begin(), labels.end(), want);
    if (exact != labels.end()) {
      chosen.insert(static_cast<std::size_t>(exact - labels.begin()));
      continue;
    }
    const std::string canonical = canonical_channel_label(want);
    std::vector<std::size_t> matches;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (!canonical.empty() && canonical_channel_label(labels[i]) == canonical) {
        matches.push_back(i);
      }
    }
    if (matches.size() == 1) {
      chosen.insert(matches.front());
      continue;
    }
    auto quoted = [&](const std::vector<std::size_t>& idx) {
      std::vector<std::string> q;
      for (const std::size_t i : idx) q.push_back("'" + labels[i] + "'");
      return strings::join(q, ", ");
    };
    if (matches.size() > 1) {
      throw InputError("channel '" + want + "' is ambiguous in '" + source + "': it matches " +
                       quoted(matches) + "; give one of these labels exactly");
    }
    std::string msg = "'" + source + "' has no channel named '" + want + "'";
    const auto near = suggest_channels(want, labels);
    if (!near.empty()) {
      std::vector<std::string> q;
      for (const auto& n : near) q.push_back("'" + n + "'");
      msg += " (did you mean " + strings::join(q, " or ") + "?)";
    }
    msg += "; available: " + strings::join(labels, ", ");
    throw InputError(msg);
  }
  if (!selection.regex.empty()) {
    std::regex re;
    try {
      re = std::regex(selection.regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw InputError("invalid channel regex '" + selection.regex + "': " + e.what());
    }
    bool any = false;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (std::regex_search(labels[i], re)) {
        chosen.insert(i);
        any = true;
      }
    }
    if (!any) {
      throw InputError("channel regex '" + selection.regex + "' matches no channel of '" + source +
                       "'; available: " + strings::join(labels, ", "));
    }
  }
  return {chosen.begin(), chosen.end()};
}

Recording load_recording(const fs::path& path, const LoadOptions& options) {
  Recording rec;
  switch (detect_format(path)) {
    case Format::Edf:
      rec = from_edf(path, options);
      break;
    case Format::Hdf5:
      rec = from_hdf5(path, options);
      break;
    case Format::BrainVision:
      rec = from_brainvision(path, options);
      break;
    case Format::Csv:
      rec = from_csv(path, options);
      break;
  }
  check_finite(rec);
  return rec;
}

void save_recording(const fs::path& path, const Recording& rec, const std::string& transducer,
                    const std::string& recording_id) {
  const std::string ext = strings::to_lower(path.extension().string());
  if (ext == ".edf") {
    std::vector<EdfWriteSignal> signals;
    for (std::size_t c = 0; c < rec.n_channels(); ++c) {
      signals.push_back({rec.channels[c], "uV", transducer, "none", rec.sfreq_hz, rec.data[c]});
    }
    EdfWriteOptions eo;
    if (!recording_id.empty()) eo.recording = recording_id;
    write_edf(path, signals, rec.annotations, eo);
  } else if (ext == ".csv") {
    write_csv(path, rec.channels, rec.data, rec.sfreq_hz);
  } else if (ext == ".h5" || ext == ".hdf5") {
    write_recording_h5(path, rec);
  } else {
    throw UsageError("'" + path.string() + "' must end in .edf, .csv or .h5 (the format)");
  }
}

void write_recording_h5(const fs::path& path, const Recording& rec) {
  AtomicFile out(path);
  {
    auto f = H5File::create(out.temp_path());
    write_recording_h5(f, rec);
    f.close();
  }
  out.commit();
}

void write_recording_h5(H5File& f, const Recording& rec) {
  const std::size_t C = rec.n_channels(), n = rec.n_samples();
  std::vector<double> flat;
  flat.reserve(C * n);
  for (const auto& ch : rec.data) {
    if (ch.size() != n) throw InputError("write_recording_h5: channels have different lengths");
    flat.insert(flat.end(), ch.begin(), ch.end());
  }
  f.set_attr("/", "schema", kTimeseriesSchema);
  f.set_attr("/", "fs_hz", rec.sfreq_hz);
  f.set_attr("/", "units", "uV");
  f.write("signals", std::span<const double>(flat), {C, n}, true);
  f.set_attr("signals", "units", "uV");
  f.write_strings("channels", rec.channels);
}

}  // namespace qneuro::io
