// qneuro._core: reading recordings and the EEG analysis (eeg/run.hpp).
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "common.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/eeg/run.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::python {

py::dict recording_to_python(const io::Recording& rec) {
  py::dict d;
  d["data"] = rows_to_numpy(rec.data);
  d["fs"] = rec.sfreq_hz;
  d["ch_names"] = rec.channels;
  d["format"] = rec.format;
  d["source"] = rec.source;
  py::list ann;
  for (const auto& a : rec.annotations) ann.append(py::make_tuple(a.onset_s, a.duration_s, a.text));
  d["annotations"] = ann;
  return d;
}

py::dict analysis_to_python(const eeg::AnalysisResult& a, const nlohmann::ordered_json& summary) {
  const std::size_t C = a.channels.size();
  const std::size_t nb = a.params.bands.size();
  const auto sC = static_cast<py::ssize_t>(C);
  const auto snb = static_cast<py::ssize_t>(nb);
  py::dict d;
  d["summary"] = json_to_python(summary);
  d["channels"] = a.channels;
  d["sfreq"] = a.sfreq_hz;
  d["n_samples"] = a.n_samples;
  d["freqs"] = to_numpy(std::vector<double>(a.welch.freqs));
  const Array2<double>& psd = a.welch.psd;
  d["psd"] = to_numpy(std::vector<double>(psd.data(), psd.data() + psd.size()),
                      {static_cast<py::ssize_t>(psd.rows()), static_cast<py::ssize_t>(psd.cols())});
  std::vector<std::string> names;
  std::vector<double> edges;
  for (const auto& b : a.params.bands) {
    names.push_back(b.name);
    edges.push_back(b.lo);
    edges.push_back(b.hi);
  }
  d["band_names"] = names;
  d["band_edges"] = to_numpy(std::move(edges), {snb, 2});
  std::vector<double> bp, rp, total, entropy, peak, expo, offset;
  py::list peaks;
  for (const auto& ch : a.per_channel) {
    bp.insert(bp.end(), ch.band_power.begin(), ch.band_power.end());
    rp.insert(rp.end(), ch.relative_power.begin(), ch.relative_power.end());
    total.push_back(ch.total_power);
    entropy.push_back(ch.spectral_entropy);
    peak.push_back(ch.peak_hz);
    expo.push_back(ch.aperiodic.exponent);
    offset.push_back(ch.aperiodic.offset);
    std::vector<double> p;
    for (const auto& k : ch.peaks) p.insert(p.end(), {k.freq_hz, k.power, k.prominence_db});
    peaks.append(to_numpy(std::move(p), {static_cast<py::ssize_t>(ch.peaks.size()), 3}));
  }
  d["band_power"] = to_numpy(std::move(bp), {sC, snb});
  d["relative_power"] = to_numpy(std::move(rp), {sC, snb});
  d["total_power"] = to_numpy(std::move(total));
  d["spectral_entropy"] = to_numpy(std::move(entropy));
  d["peak_hz"] = to_numpy(std::move(peak));
  d["peaks"] = peaks;
  d["aperiodic_exponent"] = to_numpy(std::move(expo));
  d["aperiodic_offset"] = to_numpy(std::move(offset));
  if (a.has_connectivity) {
    auto stack = [&](const std::vector<Array2<double>>& m) {
      std::vector<double> flat;
      flat.reserve(nb * C * C);
      for (const auto& x : m) flat.insert(flat.end(), x.data(), x.data() + x.size());
      return to_numpy(std::move(flat), {snb, sC, sC});
    };
    d["pli"] = stack(a.phase_lag.pli);
    d["wpli"] = stack(a.phase_lag.wpli);
  } else {
    d["pli"] = py::none();
    d["wpli"] = py::none();
  }
  return d;
}

namespace {

py::dict read_recording(const std::string& path) {
  io::Recording rec;
  {
    const parallel::ScopedThreads threads(effective_threads());
    py::gil_scoped_release release;
    rec = io::load_recording(path);
  }
  return recording_to_python(rec);
}

/// data: float64 (C, S), C-contiguous (the Python side converts); checked finite here.
io::Recording recording_from_array(
    const py::array_t<double, py::array::c_style | py::array::forcecast>& data, double fs,
    const std::vector<std::string>& ch_names, const std::string& source) {
  if (data.ndim() != 2) {
    throw InputError("data must be 2-D (channels, samples), got " + std::to_string(data.ndim()) +
                     "-D");
  }
  const auto C = static_cast<std::size_t>(data.shape(0));
  const auto S = static_cast<std::size_t>(data.shape(1));
  if (C == 0 || S == 0)
    throw InputError("data is empty (shape (" + std::to_string(C) + ", " + std::to_string(S) +
                     "))");
  if (!(fs > 0.0) || !std::isfinite(fs)) {
    throw InputError("fs must be a positive sampling rate in Hz, got " + std::to_string(fs));
  }
  if (ch_names.size() != C) {
    throw InputError("ch_names has " + std::to_string(ch_names.size()) + " names for " +
                     std::to_string(C) + " channels (rows of data)");
  }
  io::Recording rec;
  rec.source = source;
  rec.format = "array";
  rec.sfreq_hz = fs;
  rec.channels = ch_names;
  rec.data.resize(C);
  const double* p = data.data();
  for (std::size_t c = 0; c < C; ++c) {
    const double* row = p + c * S;
    for (std::size_t j = 0; j < S; ++j) {
      if (!std::isfinite(row[j])) {
        throw InputError("data[" + std::to_string(c) + ", " + std::to_string(j) + "] (channel " +
                         ch_names[c] + ", t = " + fmt::format("{:g}", static_cast<double>(j) / fs) +
                         " s) is " + (std::isnan(row[j]) ? "NaN" : "infinite") +
                         "; qneuro analyses finite signals only");
      }
    }
    rec.data[c].assign(row, row + S);
  }
  return rec;
}

py::dict analyze(const py::object& data, double fs, const std::vector<std::string>& ch_names,
                 const std::string& source, const std::optional<std::string>& input_file,
                 const std::string& preset, const std::optional<std::string>& config_file,
                 const std::vector<std::string>& sets, const std::string& out,
                 const std::string& command_line, const py::object& progress) {
  const config::Config cfg = resolve_config(eeg::analysis_schema(), preset, config_file, sets);
  eeg::AnalyzeRunOptions options;
  options.out = out;
  options.command_line = command_line;
  PyObserver<RunObserver> observer(progress);
  eeg::AnalyzeRunResult r;
  if (input_file) {
    const parallel::ScopedThreads threads(effective_threads());
    py::gil_scoped_release release;
    r = eeg::analyze_file(*input_file, cfg, options, &observer);
  } else {
    const io::Recording rec = recording_from_array(
        data.cast<py::array_t<double, py::array::c_style | py::array::forcecast>>(), fs, ch_names,
        source);
    const parallel::ScopedThreads threads(effective_threads());
    py::gil_scoped_release release;
    r = eeg::analyze_recording(rec, cfg, options, &observer);
  }
  observer.finish();
  return analysis_to_python(r.result, r.summary);
}

}  // namespace

void bind_eeg(py::module_& m) {
  m.def("read_recording", &read_recording, py::arg("path"),
        "Loads an EDF/EDF+, CSV or qneuro HDF5 recording (µV) as a dict.");
  m.def("analyze", &analyze, py::arg("data"), py::arg("fs"), py::arg("ch_names"), py::arg("source"),
        py::arg("input_file"), py::arg("preset"), py::arg("config_file"), py::arg("sets"),
        py::arg("out"), py::arg("command_line"), py::arg("progress"),
        "The analysis of `qneuro analyze` (eeg/run.hpp) on an array or a file.");
}

}  // namespace qneuro::python
