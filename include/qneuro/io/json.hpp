// JSON summaries (nlohmann::json), written atomically and pretty-printed.
// Non-finite numbers are written as null (JSON has no NaN/Inf); key order is kept when an
// ordered_json is passed.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace qneuro::io {

void write_json(const std::filesystem::path& path, const nlohmann::ordered_json& value);
void write_json(const std::filesystem::path& path, const nlohmann::json& value);

/// Parses a JSON file. Throws InputError naming the file and the parse position on bad JSON.
nlohmann::ordered_json read_json(const std::filesystem::path& path);

}  // namespace qneuro::io
