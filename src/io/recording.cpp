#include "qneuro/io/recording.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "qneuro/core/error.hpp"
#include "qneuro/core/log.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/io/csv.hpp"
#include "qneuro/io/hdf5.hpp"

namespace qneuro::io {
namespace fs = std::filesystem;

namespace {

constexpr const char* kTimeseriesSchema = "qneuro.timeseries/1";

enum class Format { Edf, Hdf5, Csv };

Format detect_format(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("input file not found: '" + path.string() + "'");
  if (fs::is_directory(path, ec)) {
    throw InputError("'" + path.string() + "' is a directory, expected an EDF, CSV or HDF5 file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open '" + path.string() + "' for reading");
  char head[8] = {};
  in.read(head, sizeof head);
  const auto got = static_cast<std::size_t>(in.gcount());
  if (got == 8 && std::string(head, 8) == "0       ") return Format::Edf;
  if (got == 8 && std::string(head, 8) == "\x89HDF\r\n\x1a\n") return Format::Hdf5;
  const std::string ext = strings::to_lower(path.extension().string());
  if (ext == ".edf" || ext == ".bdf" || ext == ".rec") {
    throw InputError("'" + path.string() +
                     "' is not an EDF file: its header does not start with "
                     "the EDF version field \"0       \"" +
                     (ext == ".bdf" ? " (BDF, 24-bit BioSemi, is not supported)" : std::string()));
  }
  if (ext == ".h5" || ext == ".hdf5") {
    throw InputError("'" + path.string() + "' is not an HDF5 file (no HDF5 signature)");
  }
  return Format::Csv;
}

Recording from_edf(const fs::path& path, const LoadOptions& opt) {
  EdfFile edf = read_edf(path);
  Recording rec;
  rec.source = path.string();
  rec.format = edf.variant == EdfVariant::Edf ? "edf" : "edf+";
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
    const auto scale = microvolts_per_unit(s.physical_dimension);
    if (!scale) {
      log::warn("{}: channel '{}' has physical dimension '{}', not a voltage: analysed unscaled",
                path.string(), s.label, s.physical_dimension);
    } else if (*scale != 1.0) {
      for (double& v : s.samples) v *= *scale;
    }
    rec.channels.push_back(s.label);
    rec.data.push_back(std::move(s.samples));
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
    std::vector<std::size_t> folded;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (strings::to_lower(labels[i]) == strings::to_lower(want)) folded.push_back(i);
    }
    if (folded.size() == 1) {
      chosen.insert(folded.front());
      continue;
    }
    std::string msg = "'" + source + "' has no channel named '" + want + "'";
    const auto near = strings::closest_match(want, labels);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
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
