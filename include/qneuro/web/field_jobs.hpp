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

/// The events of a field run as formatted SSE messages ("event: <name>\ndata: <json>\n\n"),
/// which readers follow with a cursor. A reader that starts (cursor 0) first gets the run so far
/// in at most six messages: meta, all samples as one event, all diagnostics rows as one, the
/// last progress, the latest snapshot, and done if the run ended; then each new event.
class EventLog {
 public:
  /// Appends an event; "samples" (data {start, data [channel][sample]}) and "diagnostics"
  /// ({rows}) are also accumulated for the replay, "meta", "progress", "snapshot" and "done"
  /// replace their previous value there. An older snapshot's message is dropped from the log
  /// (snapshots are large and only the latest is drawn).
  void push(const std::string& name, const nlohmann::json& data);
  /// No more events will come.
  void close();
  /// Messages after `cursor` (cursor 0: the replay above), advancing it; waits up to
  /// `timeout_ms` for some; empty on timeout. `closed`: the log is closed and fully read.
  std::string wait(std::size_t& cursor, int timeout_ms, bool& closed);
  /// Wakes every waiting reader (server shutdown).
  void wake_all();

 private:
  [[nodiscard]] std::string replay() const;  ///< the compact run so far (mutex_ held)

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> messages_;
  std::size_t last_snapshot_ = static_cast<std::size_t>(-1);
  nlohmann::json samples_start_, samples_ = nlohmann::json::array();
  nlohmann::json diagnostics_ = nlohmann::json::array();
  std::string meta_, progress_, snapshot_, done_;
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
  /// Runs use the OpenMP thread count of the constructing thread (`qneuro --threads N`).
  FieldJobs(const RootDir& root, std::size_t max_running);
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
  int omp_threads_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<FieldJob>> jobs_;
  std::size_t next_id_ = 1;
};

}  // namespace qneuro::web
