#include "cli_common.hpp"

#include <algorithm>
#include <cmath>

#include <ctime>
#include <iostream>

#include "qneuro/core/error.hpp"
#include "qneuro/core/parallel.hpp"
#include "qneuro/core/version_info.hpp"
#include "qneuro/io/json.hpp"

namespace qneuro::cli {

void ConfigOptions::add_to(CLI::App& sub, const config::Schema& schema) {
  std::string presets;
  for (const auto& name : schema.preset_names()) {
    presets += "\n  " + name + ": " + *schema.preset_description(name);
  }
  sub.add_option("--config", file, "TOML config file (keys: --describe-config)");
  sub.add_option("--preset", preset, "named preset applied before --config and --set:" + presets);
  sub.add_option("--set", sets, "override one key, e.g. --set welch.nperseg=512 (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sub.add_flag("--describe-config", describe,
               "print every config key with type, default, unit and range (Markdown), then exit");
  sub.add_flag("--print-config", print,
               "print the resolved config (defaults < preset < --config < --set), then exit");
}

config::Config ConfigOptions::resolve(const config::Schema& schema,
                                      const std::vector<std::string>& extra_sets) const {
  std::vector<std::string> all = extra_sets;
  all.insert(all.end(), sets.begin(), sets.end());
  return config::Config::resolve(schema, preset, file, all);
}

bool ConfigOptions::handle_info_flags(const config::Schema& schema,
                                      const std::vector<std::string>& extra_sets) const {
  if (describe) {
    std::cout << "# qneuro " << schema.command() << " configuration keys\n\n"
              << schema.markdown() << "\nPresets:";
    for (const auto& name : schema.preset_names()) {
      std::cout << "\n- `" << name << "`: " << *schema.preset_description(name);
    }
    std::cout << "\n";
    return true;
  }
  if (print) {
    std::cout << resolve(schema, extra_sets).to_toml();
    return true;
  }
  return false;
}

double median_seconds(std::vector<double> times) {
  const auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  return *middle;
}

std::string toml_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

RunRecord::RunRecord(std::string subcommand, const GlobalOptions& global)
    : subcommand_(std::move(subcommand)),
      global_(global),
      start_(std::chrono::steady_clock::now()) {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  started_at_ = buf;
}

double RunRecord::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void RunRecord::write(const std::filesystem::path& dir) const {
  nlohmann::ordered_json j;
  j["schema"] = "qneuro.run/1";
  j["qneuro_version"] = build_info::kVersion;
  j["git_hash"] = build_info::kGitHash;
  j["build_type"] = build_info::kBuildType;
  j["subcommand"] = subcommand_;
  j["command_line"] = global_.command_line;
  j["threads"] = parallel::max_threads();
  j["started_at"] = started_at_;
  j["wall_s"] = elapsed_s();
  for (auto& [k, v] : extra_.items()) j[k] = v;
  io::write_json(dir / "run.json", j);
}

std::optional<eeg::AnalysisResult> analyze_simulated(const io::Recording& rec, double segment_s,
                                                     double edge_s) {
  eeg::AnalysisParams ap;
  ap.nperseg = std::min<std::size_t>(
      rec.n_samples(), static_cast<std::size_t>(std::llround(segment_s * rec.sfreq_hz)));
  ap.edge_s = edge_s;
  ap.range_hi_hz = std::min(ap.range_hi_hz, rec.sfreq_hz / 2.0);
  std::vector<eeg::Band> bands;
  for (const auto& b : ap.bands) {
    if (b.hi <= rec.sfreq_hz / 2.0) bands.push_back(b);
  }
  if (bands.empty()) return std::nullopt;
  ap.bands = bands;
  return eeg::analyze(rec, ap);
}

}  // namespace qneuro::cli
