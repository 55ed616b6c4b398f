// Field runs of the dashboard (field_jobs.hpp).
#include "qneuro/web/field_jobs.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "qneuro/core/error.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/field/field_config.hpp"
#include "qneuro/field/run.hpp"
#include "qneuro/web/run_data.hpp"

namespace qneuro::web {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {
std::string sse_message(const std::string& name, const json& data) {
  return "event: " + name + "\ndata: " + data.dump() + "\n\n";
}
}  // namespace

void EventLog::push(const std::string& name, const json& data) {
  std::string message = sse_message(name, data);
  {
    const std::lock_guard lock(mutex_);
    if (name == "samples") {
      if (samples_.empty()) {
        samples_start_ = data["start"];
        samples_ = data["data"];
      } else {
        for (std::size_t c = 0; c < samples_.size() && c < data["data"].size(); ++c) {
          for (const json& v : data["data"][c]) samples_[c].push_back(v);
        }
      }
    } else if (name == "diagnostics") {
      for (const json& row : data["rows"]) diagnostics_.push_back(row);
    } else if (name == "meta") {
      meta_ = message;
    } else if (name == "progress") {
      progress_ = message;
    } else if (name == "done") {
      done_ = message;
    } else if (name == "snapshot") {
      snapshot_ = message;
      // A reader past the old one has drawn it; one before it skips to the latest.
      if (last_snapshot_ < messages_.size()) messages_[last_snapshot_].clear();
      last_snapshot_ = messages_.size();
    }
    messages_.push_back(std::move(message));
  }
  cv_.notify_all();
}

std::string EventLog::replay() const {
  std::string out = meta_;
  if (!samples_.empty())
    out += sse_message("samples", {{"start", samples_start_}, {"data", samples_}});
  if (!diagnostics_.empty()) out += sse_message("diagnostics", {{"rows", diagnostics_}});
  return out + progress_ + snapshot_ + done_;
}

void EventLog::close() {
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

void EventLog::wake_all() {
  cv_.notify_all();
}

std::string EventLog::wait(std::size_t& cursor, int timeout_ms, bool& closed) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
               [&] { return cursor < messages_.size() || closed_; });
  std::string out;
  if (cursor == 0 && !messages_.empty()) {
    out = replay();
    cursor = messages_.size();
  }
  for (; cursor < messages_.size(); ++cursor) out += messages_[cursor];
  closed = closed_ && cursor == messages_.size();
  return out;
}

namespace {

constexpr auto kFlushInterval = std::chrono::milliseconds(200);

json diagnostics_row(const field::Diagnostics& d) {
  return {{"step", d.step},
          {"t_s", d.t_s},
          {"norm", d.norm},
          {"energy", d.energy},
          {"e_kinetic", d.e_kinetic},
          {"e_external", d.e_external},
          {"e_connectivity", d.e_connectivity},
          {"e_mqp", d.e_mqp},
          {"max_abs_q", d.max_abs_q}};
}

// Turns the run's callbacks into events, batched so a fast run does not flood its clients.
class JobObserver : public field::FieldObserver {
 public:
  JobObserver(FieldJob& job, const field::FieldParams& params) : job_(job), params_(params) {}

  void on_sample(const field::FieldRecord& record, std::size_t sample) override {
    if (!meta_sent_) send_meta(record);
    if (pending_.empty()) {
      pending_.resize(record.signals_uv.size());
      pending_start_ = sample;
    }
    for (std::size_t e = 0; e < record.signals_uv.size(); ++e) {
      pending_[e].push_back(display_value(record.signals_uv[e][sample]));
    }
    maybe_flush();
  }
  void on_diagnostics(const field::Diagnostics& row) override {
    diagnostics_.push_back(diagnostics_row(row));
    maybe_flush();
  }
  void on_snapshot(const field::FieldRecord& record, std::size_t index) override {
    const std::size_t nx = params_.grid.nx(), ny = params_.grid.ny();
    const std::size_t slices = record.snapshot_slices.size();
    json snap = snapshot_json(std::span<const float>(record.snapshots)
                                  .subspan(index * slices * ny * nx, slices * ny * nx),
                              slices, ny, nx);
    snap["index"] = index;
    snap["step"] = record.snapshot_steps[index];
    snap["r_index"] = record.snapshot_slices;
    job_.events.push("snapshot", snap);
  }
  void on_progress(const Progress& p) override {
    {
      const std::lock_guard lock(job_.mutex);
      job_.done = p.done;
      job_.total = p.total;
    }
    progress_ = {{"done", p.done}, {"total", p.total}, {"detail", std::string(p.detail)}};
    maybe_flush();
  }
  [[nodiscard]] bool stop_requested() override { return job_.stop.load(); }

  void flush() {
    if (!pending_.empty() && !pending_.front().empty()) {
      json data = json::array();
      for (auto& channel : pending_) data.push_back(std::move(channel));
      job_.events.push("samples", {{"start", pending_start_}, {"data", data}});
      pending_.clear();
    }
    if (!diagnostics_.empty()) {
      job_.events.push("diagnostics", {{"rows", diagnostics_}});
      diagnostics_ = json::array();
    }
    if (!progress_.is_null()) job_.events.push("progress", progress_);
    progress_ = nullptr;
    last_flush_ = Clock::now();
  }

 private:
  void send_meta(const field::FieldRecord& record) {
    meta_sent_ = true;
    uint64_t total = 0;
    {
      const std::lock_guard lock(job_.mutex);
      total = job_.total;
    }
    job_.events.push("meta", {{"job", job_.id},
                              {"out", job_.out_relative},
                              {"fs_hz", record.fs_hz},
                              {"channels", record.labels},
                              {"total_steps", total},
                              {"dt_s", params_.time.dt * params_.time.time_unit_s},
                              {"snapshot",
                               {{"ny", std::min(params_.grid.ny(), kSnapshotSide)},
                                {"nx", std::min(params_.grid.nx(), kSnapshotSide)},
                                {"slices", record.snapshot_slices.size()}}}});
  }
  void maybe_flush() {
    if (Clock::now() - last_flush_ >= kFlushInterval) flush();
  }

  FieldJob& job_;
  const field::FieldParams& params_;
  bool meta_sent_ = false;
  std::vector<std::vector<double>> pending_;
  std::size_t pending_start_ = 0;
  json diagnostics_ = json::array();
  json progress_;
  Clock::time_point last_flush_ = Clock::now();
};

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

}  // namespace

FieldJobs::FieldJobs(const RootDir& root, std::size_t max_running)
    : root_(root), max_running_(max_running), omp_threads_(parallel::max_threads()) {}

FieldJobs::~FieldJobs() {
  shutdown();
  for (auto& [id, job] : jobs_) {
    if (job->thread.joinable()) job->thread.join();
  }
}

void FieldJobs::shutdown() {
  const std::lock_guard lock(mutex_);
  for (auto& [id, job] : jobs_) {
    job->stop = true;
    job->events.wake_all();
  }
}

std::shared_ptr<FieldJob> FieldJobs::find(const std::string& id) {
  const std::lock_guard lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) throw HttpError(404, "no field run job '" + id + "'", "job");
  return it->second;
}

json FieldJobs::list() {
  const std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [id, job] : jobs_) {
    const std::lock_guard job_lock(job->mutex);
    out.push_back({{"job", id},
                   {"engine", "field"},
                   {"out", job->out_relative},
                   {"state", job->state},
                   {"done", job->done},
                   {"total", job->total},
                   {"error", job->error}});
  }
  return out;
}

json FieldJobs::start(const json& request) {
  if (!request.is_object()) throw HttpError(400, "the request body must be a JSON object", "body");
  if (request.contains("out") && !request["out"].is_string()) {
    throw HttpError(400, "out must be a directory path (string)", "out");
  }
  std::size_t serial = 0;
  {
    const std::lock_guard lock(mutex_);
    serial = next_id_;
  }
  // The default name is unique even for two runs started within one second.
  const std::string out_rel =
      request.value("out", "runs/field-" + utc_stamp() + "-" + std::to_string(serial));
  const fs::path out = root_.resolve(out_rel, "out", false);
  std::error_code ec;
  if (fs::exists(out / "run.json", ec) || fs::exists(out / "checkpoint.h5", ec)) {
    throw HttpError(
        409, "out '" + out_rel + "' already holds a run; pick another directory or resume it",
        "out");
  }
  return {{"job", launch(out, false, request)->id}, {"out", root_.relative(out)}};
}

json FieldJobs::resume(const json& request) {
  const std::string dir = require_member(request, "dir", json::value_t::string).get<std::string>();
  const fs::path out = root_.resolve(dir, "dir", true);
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [id, job] : jobs_) {
      const std::lock_guard job_lock(job->mutex);
      if (job->out == out && job->state == "running") {
        throw HttpError(409, "the run in '" + dir + "' is still running (job " + id + ")", "dir");
      }
    }
  }
  return {{"job", launch(out, true, request)->id}, {"out", root_.relative(out)}};
}

json FieldJobs::stop(const json& request) {
  const std::string id = require_member(request, "job", json::value_t::string).get<std::string>();
  find(id)->stop = true;
  return {{"ok", true}};
}

std::shared_ptr<FieldJob> FieldJobs::launch(const fs::path& out, bool resume, const json& request) {
  const json set = request.value("set", json::object());
  const std::string preset = request.value("preset", std::string(field::kDefaultFieldPreset));
  // Validate before starting anything: config errors are the client's (400), named by key.
  std::optional<config::Config> resolved;
  if (resume) {
    try {
      resolved = field::resume_config(out, overrides_from_json(set, "set"));
    } catch (const ConfigError& e) {
      throw HttpError(400, e.what(), key_in_message(e.what()));
    } catch (const InputError& e) {
      throw HttpError(400, e.what(), "dir");  // not a resumable run directory
    }
  } else {
    resolved = resolve_request(field::field_schema(), preset, set);
    // The monitor draws density slices: a new run without snapshots gets about 32 of them.
    if (resolved->get_int("output.snapshot_every") == 0 && !set.contains("output.snapshot_every")) {
      const int64_t every = std::max<int64_t>(1, resolved->get_int("time.steps") / 32);
      resolved = resolve_request(field::field_schema(), preset, set,
                                 {"output.snapshot_every=" + std::to_string(every)});
    }
  }
  const config::Config& cfg = *resolved;
  const field::FieldParams params = field::params_from_config(cfg);
  auto job = std::make_shared<FieldJob>();
  job->total = params.time.steps;  // known before the first progress report (the meta event)
  job->out = out;
  job->out_relative = root_.relative(out);
  {
    const std::lock_guard lock(mutex_);
    std::size_t running = 0;
    for (const auto& [id, j] : jobs_) {
      const std::lock_guard job_lock(j->mutex);
      if (j->state != "running") continue;
      ++running;
      if (j->out == out) {  // two runs writing one directory
        throw HttpError(409, "job " + id + " is running in '" + job->out_relative + "'",
                        resume ? "dir" : "out");
      }
    }
    if (running >= max_running_) {
      throw HttpError(
          409, "already " + std::to_string(running) + " field run(s) running; stop one first",
          "job");
    }
    job->id = "f" + std::to_string(next_id_++);
    jobs_[job->id] = job;
  }
  job->thread = std::thread([job, cfg, params, resume, this] {
    parallel::set_threads(omp_threads_);  // a new thread starts from OpenMP's default
    JobObserver observer(*job, params);
    field::FieldRunOptions options;
    options.out = job->out;
    options.command_line =
        std::string("qneuro serve: field ") + (resume ? "resume " : "") + job->out_relative;
    std::string state, error, reason;
    try {
      const field::FieldRunResult r = resume ? field::resume(cfg, options, &observer)
                                             : field::simulate(cfg, options, &observer);
      state = to_string(r.status);
      reason = r.stop_reason;
      // A health check that stopped the run is an error to show; a requested stop is not.
      if (r.status == RunStatus::Stopped) error = r.stop_reason;
    } catch (const std::exception& e) {
      state = "failed";
      error = e.what();
    }
    observer.flush();
    // The finished run's figures are fetched from /api/run by whoever wants them: sending them
    // in this event to every stream at once (50 clients x ~1 MB) stalled slow readers.
    {
      const std::lock_guard lock(job->mutex);
      job->state = state;
      job->error = error;
    }
    job->events.push("done", {{"state", state},
                              {"error", error},
                              {"reason", reason},
                              {"out", job->out_relative},
                              {"run_dir", is_run_dir(job->out)}});
    job->events.close();
  });
  return job;
}

}  // namespace qneuro::web
