// The EEG viewer and file browser (eeg_viewer.hpp).
#include "qneuro/web/eeg_viewer.hpp"

#include <algorithm>
#include <cctype>

#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"
#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/eeg/run.hpp"
#include "qneuro/io/atomic_file.hpp"
#include "qneuro/web/run_data.hpp"

namespace qneuro::web {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kCachedRecordings = 4;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string kind_of(const fs::path& p) {
  const std::string ext = lower(p.extension().string());
  if (ext == ".edf" || ext == ".rec") return "edf";
  if (ext == ".csv" || ext == ".tsv") return "csv";
  if (ext == ".h5" || ext == ".hdf5") return "hdf5";
  return "other";
}

}  // namespace

std::shared_ptr<const io::Recording> EegFiles::load(const std::string& file) {
  const fs::path path = root_.resolve(file, "file", true);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw HttpError(400, "file '" + file + "' is not a regular file", "file");
  const auto mtime = fs::last_write_time(path, ec);
  const uintmax_t size = fs::file_size(path, ec);
  {
    const std::lock_guard lock(mutex_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->path == path && it->mtime == mtime && it->size == size) {
        cache_.splice(cache_.begin(), cache_, it);
        return cache_.front().recording;
      }
    }
  }
  // Loaded outside the lock: a large file must not block other requests.
  std::shared_ptr<io::Recording> recording;
  try {
    recording = std::make_shared<io::Recording>(io::load_recording(path));
  } catch (const InputError& e) {
    throw HttpError(400, e.what(), "file");  // not a recording qneuro reads
  }
  recording->source = file;
  const std::lock_guard lock(mutex_);
  cache_.remove_if([&](const Cached& c) { return c.path == path; });
  cache_.push_front({path, mtime, size, recording});
  if (cache_.size() > kCachedRecordings) cache_.pop_back();
  return recording;
}

json EegFiles::open(const std::string& file) {
  const auto rec = load(file);
  json annotations = json::array();
  for (const auto& a : rec->annotations) {
    annotations.push_back({{"onset_s", a.onset_s}, {"duration_s", a.duration_s}, {"text", a.text}});
  }
  return {{"file", file},
          {"format", rec->format},
          {"fs_hz", rec->sfreq_hz},
          {"n_samples", rec->n_samples()},
          {"duration_s", static_cast<double>(rec->n_samples()) / rec->sfreq_hz},
          {"channels", rec->channels},
          {"annotations", annotations}};
}

json EegFiles::window(const std::string& file, double t0, double t1, std::size_t px,
                      const std::string& channels) {
  if (px < 1 || px > 20000) throw HttpError(400, "px must be in [1, 20000]", "px");
  if (!(t1 > t0)) throw HttpError(400, "t1 must be greater than t0", "t1");
  const auto rec = load(file);
  std::vector<std::size_t> which;
  for (const std::string& part : strings::split(channels, ',')) {
    const std::string s = strings::trim(part);
    if (s.empty()) continue;
    std::size_t used = 0;
    unsigned long v = 0;
    try {
      v = std::stoul(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || v >= rec->n_channels()) {
      throw HttpError(400,
                      "channels: '" + s + "' is not a channel index in [0, " +
                          std::to_string(rec->n_channels()) + ")",
                      "channels");
    }
    which.push_back(v);
  }
  return envelope_json(*rec, t0, t1, px, which);
}

json EegFiles::analyze(const json& request) {
  const std::string file =
      require_member(request, "file", json::value_t::string).get<std::string>();
  const config::Config cfg =
      resolve_request(eeg::analysis_schema(), request.value("preset", std::string()),
                      request.value("set", json::object()));
  const auto rec = load(file);
  const eeg::AnalyzeRunResult r = eeg::analyze_recording(*rec, cfg, eeg::AnalyzeRunOptions{});
  json a = analysis_json(r.result);
  a["summary"] = r.summary;
  return a;
}

json EegFiles::upload(const std::string& name, const std::string& body) {
  if (body.size() > max_upload_bytes_) {
    throw HttpError(413,
                    "the upload is larger than the limit of " + std::to_string(max_upload_bytes_) +
                        " bytes (--max-upload)",
                    "body");
  }
  std::string clean;
  for (const char c : fs::path(name).filename().string()) {
    clean +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  }
  const std::string ext = lower(fs::path(clean).extension().string());
  if (clean.empty() || clean.front() == '.' ||
      (ext != ".edf" && ext != ".csv" && ext != ".h5" && ext != ".hdf5")) {
    throw HttpError(
        400, "name '" + name + "' must be a file name ending in .edf, .csv, .h5 or .hdf5", "name");
  }
  if (body.empty()) throw HttpError(400, "the upload is empty", "body");
  const fs::path dir = root_.resolve("uploads", "name", false);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw RuntimeError("cannot create " + dir.string() + ": " + ec.message());
  fs::path target = dir / clean;
  for (int i = 1; fs::exists(target, ec); ++i) {
    target = dir / (fs::path(clean).stem().string() + "-" + std::to_string(i) +
                    fs::path(clean).extension().string());
  }
  io::write_file_atomic(target, body);
  return {{"file", root_.relative(target)}, {"bytes", body.size()}};
}

json EegFiles::list(const std::string& dir) const {
  const fs::path path = root_.resolve(dir, "dir", true);
  std::error_code ec;
  if (!fs::is_directory(path, ec))
    throw HttpError(400, "dir '" + dir + "' is not a directory", "dir");
  json dirs = json::array(), files = json::array();
  for (const auto& entry :
       fs::directory_iterator(path, fs::directory_options::skip_permission_denied, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    std::string rel;
    try {
      rel = root_.relative(root_.resolve(root_.relative(entry.path()), "dir", true));
    } catch (const HttpError&) {
      continue;  // a symlink out of the root: not listed
    }
    std::error_code e2;
    if (entry.is_directory(e2)) {
      dirs.push_back({{"name", name},
                      {"path", rel},
                      {"type", "dir"},
                      {"size", 0},
                      {"kind", is_run_dir(entry.path()) ? "run" : "dir"}});
    } else if (entry.is_regular_file(e2)) {
      files.push_back({{"name", name},
                       {"path", rel},
                       {"type", "file"},
                       {"size", entry.file_size(e2)},
                       {"kind", kind_of(entry.path())}});
    }
  }
  const auto by_name = [](const json& a, const json& b) { return a["name"] < b["name"]; };
  std::sort(dirs.begin(), dirs.end(), by_name);
  std::sort(files.begin(), files.end(), by_name);
  for (auto& f : files) dirs.push_back(std::move(f));
  return {{"dir", root_.relative(path)}, {"entries", dirs}};
}

}  // namespace qneuro::web
