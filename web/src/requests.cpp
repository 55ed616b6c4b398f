// Request pieces independent of the HTTP library (requests.hpp).
#include "qneuro/web/requests.hpp"

#include <regex>

#include "qneuro/core/error.hpp"

namespace qneuro::web {

namespace fs = std::filesystem;
using nlohmann::json;

RootDir::RootDir(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw InputError("--root " + root.string() + " is not a directory");
  root_ = fs::canonical(root);
}

fs::path RootDir::resolve(const std::string& relative, const std::string& param,
                          bool must_exist) const {
  const auto refuse = [&](const std::string& why) -> HttpError {
    return HttpError(403, param + " '" + relative + "' " + why, param);
  };
  if (relative.find('\0') != std::string::npos) throw refuse("contains a NUL byte");
  if (!relative.empty() && (relative.front() == '/' || relative.front() == '\\')) {
    throw refuse("is an absolute path; give a path relative to the served root");
  }
  const fs::path rel(relative.empty() ? "." : relative);
  if (rel.has_root_name() || rel.has_root_directory()) throw refuse("is an absolute path");
  for (const fs::path& part : rel) {
    if (part == "..") throw refuse("leaves the served root ('..' is not allowed)");
  }
  std::error_code ec;
  const fs::path joined = root_ / rel;
  // weakly_canonical resolves every symlink of the existing prefix: a link pointing outside the
  // root resolves outside and is refused below.
  const fs::path resolved = fs::weakly_canonical(joined, ec);
  if (ec) throw refuse("cannot be resolved");
  const auto [root_end, unused] =
      std::mismatch(root_.begin(), root_.end(), resolved.begin(), resolved.end());
  (void)unused;
  if (root_end != root_.end()) throw refuse("resolves outside the served root");
  if (must_exist && !fs::exists(resolved, ec)) {
    throw HttpError(404, param + " '" + relative + "' does not exist under the served root", param);
  }
  return resolved;
}

std::string RootDir::relative(const fs::path& inside) const {
  const fs::path rel = inside.lexically_relative(root_);
  const std::string s = rel.generic_string();
  return s.empty() ? "." : s;
}

namespace {

std::string toml_string(const std::string& s) {
  // JSON string escaping is valid TOML basic-string escaping for everything JSON emits.
  return json(s).dump();
}

std::string toml_value(const json& v, const std::string& key) {
  switch (v.type()) {
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return v.dump();
    case json::value_t::number_float: {
      std::string s = v.dump();
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    case json::value_t::string:
      return toml_string(v.get<std::string>());
    case json::value_t::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + toml_value(v[i], key);
      return out + "]";
    }
    case json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        out += (first ? "" : ", ") + toml_string(k) + " = " + toml_value(x, key);
        first = false;
      }
      return out + "}";
    }
    default:
      throw HttpError(
          400, "set." + key + " has no value (null); give a number, boolean, string or array", key);
  }
}

json bound(const std::optional<double>& b) {
  return b ? json(*b) : json();
}

std::string kind_name(config::Kind k) {
  switch (k) {
    case config::Kind::Bool:
      return "bool";
    case config::Kind::Int:
      return "int";
    case config::Kind::Float:
      return "float";
    case config::Kind::String:
      return "string";
    case config::Kind::Choice:
      return "choice";
    case config::Kind::FloatList:
      return "float_list";
    case config::Kind::IntList:
      return "int_list";
    case config::Kind::StringList:
      return "string_list";
    case config::Kind::RangeTable:
      return "range_table";
    case config::Kind::PointList:
      return "point_list";
  }
  return "unknown";
}

// A toml node as JSON (the defaults of a schema).
json toml_to_json(const toml::node& n) {
  if (const auto* t = n.as_table()) {
    json o = json::object();
    for (const auto& [k, v] : *t) o[std::string(k.str())] = toml_to_json(v);
    return o;
  }
  if (const auto* a = n.as_array()) {
    json arr = json::array();
    for (const auto& v : *a) arr.push_back(toml_to_json(v));
    return arr;
  }
  if (const auto* v = n.as_boolean()) return v->get();
  if (const auto* v = n.as_integer()) return v->get();
  if (const auto* v = n.as_floating_point()) return v->get();
  if (const auto* v = n.as_string()) return v->get();
  return nullptr;
}

}  // namespace

std::vector<std::string> overrides_from_json(const json& set, const std::string& param) {
  if (set.is_null()) return {};
  if (!set.is_object()) {
    throw HttpError(400, param + " must be an object {\"key\": value}", param);
  }
  std::vector<std::string> out;
  for (const auto& [key, value] : set.items()) out.push_back(key + "=" + toml_value(value, key));
  return out;
}

config::Config resolve_request(const config::Schema& schema, const std::string& preset,
                               const json& set, const std::vector<std::string>& extra) {
  std::vector<std::string> overrides = overrides_from_json(set, "set");
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  try {
    return config::Config::resolve(schema, preset, std::nullopt, overrides);
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    std::string key = key_in_message(message);
    if (message.find("unknown preset") != std::string::npos) key = "preset";
    if (set.is_object() && !key.empty() && !set.contains(key)) {
      for (const auto& [k, v] : set.items()) {
        if (k.rfind(key + ".", 0) == 0) key = k;
      }
    }
    throw HttpError(400, message, key);
  }
}

json schema_json(const config::Schema& schema, const std::string& default_preset) {
  json keys = json::array();
  for (const config::KeySpec& s : schema.specs()) {
    const toml::node* def = schema.defaults().at_path(s.key).node();
    keys.push_back({{"key", s.key},
                    {"kind", kind_name(s.kind)},
                    {"type", s.type_name()},
                    {"default", def ? toml_to_json(*def) : json()},
                    {"unit", s.doc.unit},
                    {"doc", s.doc.doc},
                    {"min", bound(s.bounds.min)},
                    {"max", bound(s.bounds.max)},
                    {"min_open", s.bounds.min_open},
                    {"max_open", s.bounds.max_open},
                    {"choices", s.choices}});
  }
  json presets = json::array();
  for (const std::string& name : schema.preset_names()) {
    const std::string* d = schema.preset_description(name);
    presets.push_back({{"name", name}, {"description", d ? *d : ""}});
  }
  return {{"engine", schema.command()},
          {"default_preset", default_preset},
          {"presets", presets},
          {"keys", keys}};
}

std::string key_in_message(const std::string& message) {
  static const std::regex key(R"(key '([^']+)')");
  std::smatch m;
  return std::regex_search(message, m, key) ? m[1].str() : std::string();
}

const json& require_member(const json& body, const std::string& key, json::value_t type) {
  if (!body.is_object() || !body.contains(key)) {
    throw HttpError(400, "the request body needs \"" + key + "\"", key);
  }
  const json& v = body[key];
  const bool number = type == json::value_t::number_float &&
                      (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float());
  const bool integer =
      type == json::value_t::number_integer && (v.is_number_integer() || v.is_number_unsigned());
  if (v.type() != type && !number && !integer) {
    throw HttpError(400, "\"" + key + "\" has the wrong type (" + std::string(v.type_name()) + ")",
                    key);
  }
  return v;
}

}  // namespace qneuro::web
