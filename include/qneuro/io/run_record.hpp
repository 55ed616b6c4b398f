// run.json: what ran, where and for how long, written next to the outputs of every run.
//
// Schema "qneuro.run/1", keys in this order: schema, qneuro_version, git_hash, build_type,
// subcommand, command_line, threads, started_at (UTC, ISO 8601), wall_s (seconds from the
// RunRecord's construction to write()), then the run's own keys (extra(): throughput, status,
// input, ...). Engines' run APIs create one when they start and write it last.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace qneuro::io {

inline constexpr const char* kRunSchema = "qneuro.run/1";

class RunRecord {
 public:
  /// `subcommand`: "field", "snn train", ...; `command_line`: how the run was started (the CLI's
  /// argv joined by spaces, or a description from another front end such as Python).
  RunRecord(std::string subcommand, std::string command_line);
  [[nodiscard]] nlohmann::ordered_json& extra() { return extra_; }
  /// Writes `dir`/run.json atomically with the elapsed wall time.
  void write(const std::filesystem::path& dir) const;
  [[nodiscard]] double elapsed_s() const;

 private:
  std::string subcommand_;
  std::string command_line_;
  std::string started_at_;
  std::chrono::steady_clock::time_point start_;
  nlohmann::ordered_json extra_ = nlohmann::ordered_json::object();
};

}  // namespace qneuro::io
