// Field runs started from the dashboard: each runs field::simulate (or resume) on its own
// thread and records what it produces as Server-Sent Events (meta, samples, diagnostics,
// progress, snapshot, done; docs/dev/dashboard-api.md) that any number of clients replay from
// the start and then follow live.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/web/requests.hpp"

namespace qneuro::web {

/// An append-only list of formatted SSE messages that readers follow with a cursor.
class EventLog {
 public:
  /// Appends "event: <name>\ndata: <json>\n\n". A `replaceable` event (the latest density
  /// snapshot) drops the previous replaceable one from the log, so replay stays small.
  void push(const std::string& name, const nlohmann::json& data, bool replaceable = false);
  /// No more events will come.
  void close();
  /// Messages after `cursor` (advanced past them), waiting up to `timeout_ms` for some; empty on
  /// timeout. `closed` tells whether the log is closed and fully read.
  std::string wait(std::size_t& cursor, int timeout_ms, bool& closed);
  /// Wakes every waiting reader (server shutdown).
  void wake_all();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> messages_;
  std::size_t last_replaceable_ = static_cast<std::size_t>(-1);
  bool closed_ = false;
};

struct FieldJob {
  std::string id, out_relative;
  std::filesystem::path out;
  std::atomic<bool> stop{false};
  EventLog events;
  // Guarded by mutex:
  std::mutex mutex;
  std::string state = "running";  ///< running | completed | interrupted | stopped | failed
  std::string error;
  uint64_t done = 0, total = 0;
  std::thread thread;
};

class FieldJobs {
 public:
  FieldJobs(const RootDir& root, std::size_t max_running)
      : root_(root), max_running_(max_running) {}
  FieldJobs(const FieldJobs&) = delete;
  FieldJobs& operator=(const FieldJobs&) = delete;
  ~FieldJobs();  ///< stops every run (they checkpoint) and joins the threads

  /// POST /api/field/start: validates the config (ConfigError before anything starts).
  nlohmann::json start(const nlohmann::json& request);
  /// POST /api/field/resume.
  nlohmann::json resume(const nlohmann::json& request);
  /// POST /api/field/stop.
  nlohmann::json stop(const nlohmann::json& request);
  /// GET /api/jobs.
  nlohmann::json list();
  /// The job's event log (HttpError 404 for an unknown id).
  std::shared_ptr<FieldJob> find(const std::string& id);
  /// Asks every run to stop and wakes every event stream.
  void shutdown();

 private:
  std::shared_ptr<FieldJob> launch(const std::filesystem::path& out, bool resume,
                                   const nlohmann::json& request);
  const RootDir& root_;
  std::size_t max_running_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<FieldJob>> jobs_;
  std::size_t next_id_ = 1;
};

}  // namespace qneuro::web
