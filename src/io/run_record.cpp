#include "qneuro/io/run_record.hpp"

#include <ctime>

#include "qneuro/core/parallel.hpp"
#include "qneuro/core/version.hpp"
#include "qneuro/io/json.hpp"

namespace qneuro::io {

RunRecord::RunRecord(std::string subcommand, std::string command_line)
    : subcommand_(std::move(subcommand)),
      command_line_(std::move(command_line)),
      start_(std::chrono::steady_clock::now()) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  started_at_ = buf;
}

double RunRecord::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void RunRecord::write(const std::filesystem::path& dir) const {
  nlohmann::ordered_json j;
  j["schema"] = kRunSchema;
  j["qneuro_version"] = build_info::version();
  j["git_hash"] = build_info::git_hash();
  j["build_type"] = build_info::build_type();
  j["subcommand"] = subcommand_;
  j["command_line"] = command_line_;
  j["threads"] = parallel::max_threads();
  j["started_at"] = started_at_;
  j["wall_s"] = elapsed_s();
  for (auto& [k, v] : extra_.items()) j[k] = v;
  write_json(dir / "run.json", j);
}

}  // namespace qneuro::io
