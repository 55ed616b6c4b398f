#include "qneuro/io/json.hpp"

#include "qneuro/core/error.hpp"
#include "qneuro/io/atomic_file.hpp"

namespace qneuro::io {

void write_json(const std::filesystem::path& path, const nlohmann::ordered_json& value) {
  write_file_atomic(path, value.dump(2) + "\n");
}

void write_json(const std::filesystem::path& path, const nlohmann::json& value) {
  write_file_atomic(path, value.dump(2) + "\n");
}

nlohmann::ordered_json read_json(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError("'" + path.string() + "' is not valid JSON: " + e.what());
  }
}

}  // namespace qneuro::io
