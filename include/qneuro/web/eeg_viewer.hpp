// The dashboard's EEG viewer and file browser: recordings under the root (EDF/EDF+, CSV,
// qneuro HDF5) opened once and kept in a small cache, windows of traces as min/max envelopes,
// analyses with edited keys, uploads, and directory listings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "qneuro/io/recording.hpp"
#include "qneuro/web/requests.hpp"

namespace qneuro::web {

class EegFiles {
 public:
  EegFiles(const RootDir& root, uint64_t max_upload_bytes)
      : root_(root), max_upload_bytes_(max_upload_bytes) {}

  /// GET /api/eeg/open?file=: header, channels and annotations.
  nlohmann::json open(const std::string& file);
  /// GET /api/eeg/window: envelope of [t0, t1) in at most px buckets (px in [1, 20000]) for
  /// `channels` ("0,1,5"; empty: all).
  nlohmann::json window(const std::string& file, double t0, double t1, std::size_t px,
                        const std::string& channels);
  /// POST /api/eeg/analyze {file, preset, set}.
  nlohmann::json analyze(const nlohmann::json& request);
  /// POST /api/upload?name=: stores `body` as uploads/<sanitised name> (never overwriting).
  nlohmann::json upload(const std::string& name, const std::string& body);
  /// GET /api/files?dir=.
  nlohmann::json list(const std::string& dir) const;

 private:
  std::shared_ptr<const io::Recording> load(const std::string& file);

  struct Cached {
    std::filesystem::path path;
    std::filesystem::file_time_type mtime;
    uintmax_t size = 0;
    std::shared_ptr<const io::Recording> recording;
  };
  const RootDir& root_;
  uint64_t max_upload_bytes_;
  std::mutex mutex_;
  std::list<Cached> cache_;  ///< most recently used first, at most 4
};

}  // namespace qneuro::web
