// Pieces of the dashboard's request handling that do not depend on the HTTP library, so they
// are unit-tested directly: errors with an HTTP status, paths confined to the served root,
// config overrides from JSON, and schemas as JSON.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qneuro/core/config.hpp"

namespace qneuro::web {

/// A request the server refuses: HTTP status, message and the offending key or parameter.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message, std::string key = {})
      : std::runtime_error(message), status_(status), key_(std::move(key)) {}
  [[nodiscard]] int status() const { return status_; }
  [[nodiscard]] const std::string& key() const { return key_; }

 private:
  int status_;
  std::string key_;
};

/// The directory the server may read and write: every client path is resolved against it.
class RootDir {
 public:
  /// Throws InputError unless `root` is an existing directory.
  explicit RootDir(const std::filesystem::path& root);
  [[nodiscard]] const std::filesystem::path& path() const { return root_; }
  /// `relative` (a client path, `/`-separated, relative to the root) as an absolute path inside
  /// the root, after resolving symlinks. HttpError 403 (naming `param`) for absolute paths, `..`
  /// components, NUL bytes, or anything resolving outside the root; 404 if `must_exist` and it
  /// does not exist.
  [[nodiscard]] std::filesystem::path resolve(const std::string& relative, const std::string& param,
                                              bool must_exist = true) const;
  /// The path relative to the root, `/`-separated ("." for the root itself).
  [[nodiscard]] std::string relative(const std::filesystem::path& inside) const;

 private:
  std::filesystem::path root_;
};

/// `--set` strings from a JSON object {"key": value}: numbers, booleans, strings (TOML-quoted),
/// arrays and objects (as TOML inline values). HttpError 400 naming `param` if `set` is not an
/// object or a value is null.
std::vector<std::string> overrides_from_json(const nlohmann::json& set, const std::string& param);

/// Config::resolve(schema, preset, no file, overrides from `set` + `extra`), with a ConfigError
/// turned into HttpError 400 naming the request's key: the full key of `set` the message is
/// about ("nosuch.key", which TOML reads as a section 'nosuch'), or "preset".
config::Config resolve_request(const config::Schema& schema, const std::string& preset,
                               const nlohmann::json& set,
                               const std::vector<std::string>& extra = {});

/// A schema with its presets as JSON (GET /api/schema).
nlohmann::json schema_json(const config::Schema& schema, const std::string& default_preset);

/// The config key named in a ConfigError message ("key 'x.y'"), or "" if there is none.
std::string key_in_message(const std::string& message);

/// A required member of a JSON request body of the given type; HttpError 400 naming it.
const nlohmann::json& require_member(const nlohmann::json& body, const std::string& key,
                                     nlohmann::json::value_t type);

}  // namespace qneuro::web
