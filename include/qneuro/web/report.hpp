// `qneuro report`: one self-contained HTML file (the dashboard's bundle, styles and the run's
// data inlined) that draws every figure of a run directory from file:// with no network.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace qneuro::web {

/// The report page for run-data JSON (run_data.hpp).
std::string report_html(const nlohmann::json& run_data);

/// Reads run directory `run_dir` and writes its report to `out` atomically; returns the bytes.
std::size_t write_report(const std::filesystem::path& run_dir, const std::filesystem::path& out);

}  // namespace qneuro::web
