#include "qneuro/core/config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "qneuro/core/error.hpp"
#include "qneuro/core/strings.hpp"

namespace qneuro::config {
namespace {

using strings::format_number;

std::vector<std::string> split_key(const std::string& key) {
  return strings::split(key, '.');
}

// Creates missing parent tables and assigns `value` at the dotted `key`.
template <typename Node>
void set_at_path(toml::table& root, const std::string& key, Node&& value) {
  const auto parts = split_key(key);
  toml::table* t = &root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    auto* child = t->get_as<toml::table>(parts[i]);
    if (child == nullptr) {
      t->insert_or_assign(parts[i], toml::table{});
      child = t->get_as<toml::table>(parts[i]);
    }
    t = child;
  }
  t->insert_or_assign(parts.back(), std::forward<Node>(value));
}

// Values as a user would type them: floats with up to 10 significant digits (and a ".0" when
// they would otherwise read as integers), lists as [a, b, c].
std::string describe_node(const toml::node& node) {
  std::ostringstream os;
  if (node.is_string()) {
    os << '"' << node.value_or(std::string()) << '"';
  } else if (node.is_table()) {
    os << "a table";
  } else if (node.is_array()) {
    os << '[';
    bool first = true;
    for (const auto& e : *node.as_array()) {
      os << (first ? "" : ", ") << describe_node(e);
      first = false;
    }
    os << ']';
  } else if (node.is_floating_point()) {
    std::string text = strings::format_number(node.value_or(0.0));
    if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // n: nan, inf
    os << text;
  } else {
    node.visit([&os](auto&& v) { os << v; });
  }
  return os.str();
}

std::string node_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::string:
      return "string";
    case toml::node_type::array:
      return "array";
    case toml::node_type::table:
      return "table";
    default:
      return "date/time";
  }
}

std::optional<double> as_number(const toml::node& node) {
  if (node.is_integer()) return static_cast<double>(node.value_or(int64_t{0}));
  if (node.is_floating_point()) return node.value_or(0.0);
  return std::nullopt;
}

std::string quote_list(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (const auto& s : v) q.push_back("'" + s + "'");
  return strings::join(q, ", ");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Bounds, KeySpec

bool Bounds::contains(double x) const {
  if (min && (min_open ? !(x > *min) : !(x >= *min))) return false;
  if (max && (max_open ? !(x < *max) : !(x <= *max))) return false;
  return true;
}

std::string Bounds::describe() const {
  if (min && max) {
    return std::string(min_open ? "(" : "[") + format_number(*min) + ", " + format_number(*max) +
           (max_open ? ")" : "]");
  }
  if (min) return std::string(min_open ? "> " : ">= ") + format_number(*min);
  if (max) return std::string(max_open ? "< " : "<= ") + format_number(*max);
  return "any";
}

std::string KeySpec::type_name() const {
  auto list = [this](const std::string& what) {
    if (min_len == max_len) return "list of " + std::to_string(min_len) + " " + what;
    return "list of " + what;
  };
  switch (kind) {
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "integer";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "string";
    case Kind::Choice:
      return "string";
    case Kind::FloatList:
      return list("floats");
    case Kind::IntList:
      return list("integers");
    case Kind::StringList:
      return list("strings");
    case Kind::RangeTable:
      return "table of [lo, hi]";
    case Kind::PointList:
      return allow_lattice ? "list of [x, y], or [nx, ny] lattice" : "list of [x, y]";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Schema

Schema& Schema::add(KeySpec spec, toml::node&& def) {
  if (find(spec.key) != nullptr) {
    throw RuntimeError("internal error: config key '" + spec.key + "' declared twice");
  }
  // Move the default into the defaults table, whatever its concrete node type.
  std::move(def).visit([&](auto&& v) { set_at_path(defaults_, spec.key, std::move(v)); });
  specs_.push_back(std::move(spec));
  return *this;
}

Schema& Schema::add_bool(const std::string& key, bool def, KeyDoc doc) {
  toml::value<bool> v(def);
  return add(KeySpec{key, Kind::Bool, std::move(doc), {}, {}}, std::move(v));
}

Schema& Schema::add_int(const std::string& key, int64_t def, KeyDoc doc, Bounds bounds) {
  toml::value<int64_t> v(def);
  return add(KeySpec{key, Kind::Int, std::move(doc), bounds, {}}, std::move(v));
}

Schema& Schema::add_float(const std::string& key, double def, KeyDoc doc, Bounds bounds) {
  toml::value<double> v(def);
  return add(KeySpec{key, Kind::Float, std::move(doc), bounds, {}}, std::move(v));
}

Schema& Schema::add_string(const std::string& key, std::string def, KeyDoc doc) {
  toml::value<std::string> v(std::move(def));
  return add(KeySpec{key, Kind::String, std::move(doc), {}, {}}, std::move(v));
}

Schema& Schema::add_choice(const std::string& key, std::string def,
                           std::vector<std::string> choices, KeyDoc doc) {
  toml::value<std::string> v(std::move(def));
  return add(KeySpec{key, Kind::Choice, std::move(doc), {}, std::move(choices)}, std::move(v));
}

Schema& Schema::add_float_list(const std::string& key, std::vector<double> def, KeyDoc doc,
                               Bounds element_bounds, std::size_t min_len, std::size_t max_len) {
  toml::array a;
  for (double x : def) a.push_back(x);
  return add(KeySpec{key, Kind::FloatList, std::move(doc), element_bounds, {}, min_len, max_len},
             std::move(a));
}

Schema& Schema::add_int_list(const std::string& key, std::vector<int64_t> def, KeyDoc doc,
                             Bounds element_bounds, std::size_t min_len, std::size_t max_len) {
  toml::array a;
  for (int64_t x : def) a.push_back(x);
  return add(KeySpec{key, Kind::IntList, std::move(doc), element_bounds, {}, min_len, max_len},
             std::move(a));
}

Schema& Schema::add_string_list(const std::string& key, std::vector<std::string> def, KeyDoc doc) {
  toml::array a;
  for (auto& s : def) a.push_back(std::move(s));
  return add(KeySpec{key, Kind::StringList, std::move(doc), {}, {}}, std::move(a));
}

Schema& Schema::add_range_table(const std::string& key, std::vector<NamedRange> def, KeyDoc doc,
                                Bounds edge_bounds) {
  toml::table t;
  for (const auto& r : def) t.insert_or_assign(r.name, toml::array{r.lo, r.hi});
  return add(KeySpec{key, Kind::RangeTable, std::move(doc), edge_bounds, {}}, std::move(t));
}

Schema& Schema::add_point_list(const std::string& key, std::vector<std::pair<double, double>> def,
                               KeyDoc doc, Bounds coordinate_bounds, bool allow_lattice) {
  toml::array a;
  for (const auto& [x, y] : def) a.push_back(toml::array{x, y});
  KeySpec spec{key, Kind::PointList, std::move(doc), coordinate_bounds, {}};
  spec.allow_lattice = allow_lattice;
  return add(std::move(spec), std::move(a));
}

Schema& Schema::add_point_list(const std::string& key, std::pair<int64_t, int64_t> lattice_def,
                               KeyDoc doc, Bounds coordinate_bounds) {
  KeySpec spec{key, Kind::PointList, std::move(doc), coordinate_bounds, {}};
  spec.allow_lattice = true;
  return add(std::move(spec), toml::array{lattice_def.first, lattice_def.second});
}

Schema& Schema::add_preset(const std::string& name, std::string toml_text,
                           std::string description) {
  presets_.emplace_back(name, std::make_pair(std::move(toml_text), std::move(description)));
  return *this;
}

const KeySpec* Schema::find(const std::string& key) const {
  for (const auto& s : specs_) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

std::vector<std::string> Schema::keys() const {
  std::vector<std::string> k;
  for (const auto& s : specs_) k.push_back(s.key);
  return k;
}

std::vector<std::string> Schema::preset_names() const {
  std::vector<std::string> n;
  for (const auto& p : presets_) n.push_back(p.first);
  return n;
}

const std::string* Schema::preset_text(const std::string& name) const {
  for (const auto& p : presets_) {
    if (p.first == name) return &p.second.first;
  }
  return nullptr;
}

const std::string* Schema::preset_description(const std::string& name) const {
  for (const auto& p : presets_) {
    if (p.first == name) return &p.second.second;
  }
  return nullptr;
}

std::string Schema::markdown() const {
  std::ostringstream os;
  os << "| key | type | default | unit | allowed | meaning |\n";
  os << "|---|---|---|---|---|---|\n";
  for (const auto& s : specs_) {
    std::string def = describe_node(*defaults_.at_path(s.key).node());
    if (s.kind == Kind::RangeTable) {
      std::ostringstream t;
      bool first = true;
      for (auto&& [k, v] : *defaults_.at_path(s.key).as_table()) {
        t << (first ? "" : ", ") << k.str() << " = " << describe_node(v);
        first = false;
      }
      def = t.str();
    }
    std::string allowed = s.bounds.describe();
    if (s.kind == Kind::Choice) allowed = strings::join(s.choices, " \\| ");
    if (s.kind == Kind::Bool || s.kind == Kind::String || s.kind == Kind::StringList) allowed = "";
    os << "| `" << s.key << "` | " << s.type_name() << " | `" << def << "` | " << s.doc.unit
       << " | " << allowed << " | " << s.doc.doc << " |\n";
  }
  return os.str();
}

// ---------------------------------------------------------------------------------------------
// Config

std::pair<std::string, std::string> split_assignment(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("config error in --set: expected key=value, got '" + assignment + "'");
  }
  return {strings::trim(assignment.substr(0, eq)), strings::trim(assignment.substr(eq + 1))};
}

Config Config::resolve(const Schema& schema, const std::string& preset,
                       const std::optional<std::filesystem::path>& file,
                       const std::vector<std::string>& overrides) {
  Config cfg(schema);
  cfg.values_ = schema.defaults();
  for (const auto& key : schema.keys()) cfg.origins_[key] = "the built-in defaults";

  if (!preset.empty()) {
    const std::string* text = schema.preset_text(preset);
    if (text == nullptr) {
      const auto names = schema.preset_names();
      std::string msg = "unknown preset '" + preset + "' for '" + schema.command() +
                        "' (available: " + strings::join(names, ", ") + ")";
      const auto near = strings::closest_match(preset, names);
      if (!near.empty()) msg += "; did you mean '" + near + "'?";
      throw ConfigError("config error: " + msg);
    }
    cfg.preset_ = preset;
    toml::table t;
    try {
      t = toml::parse(*text, "preset " + preset);
    } catch (const toml::parse_error& e) {
      throw RuntimeError("internal error: preset '" + preset +
                         "' is not valid TOML: " + std::string(e.description()));
    }
    cfg.apply_table(t, "preset '" + preset + "'", "");
  }

  if (file) {
    std::ifstream in(*file);
    if (!std::filesystem::exists(*file)) {
      throw ConfigError("config error: config file not found: '" + file->string() + "'");
    }
    if (!in) throw ConfigError("config error: cannot read config file '" + file->string() + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    toml::table t;
    try {
      t = toml::parse(ss.str(), file->string());
    } catch (const toml::parse_error& e) {
      throw ConfigError("config error in file '" + file->string() + "' line " +
                        std::to_string(e.source().begin.line) + ": " +
                        std::string(e.description()));
    }
    cfg.apply_table(t, "file '" + file->string() + "'", "");
  }

  for (const auto& o : overrides) cfg.apply_override(o);
  return cfg;
}

void Config::apply_table(const toml::table& table, const std::string& source,
                         const std::string& prefix) {
  for (auto&& [k, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const KeySpec* spec = schema_->find(key)) {
      apply_value(*spec, node, source);
      continue;
    }
    const bool is_section =
        std::any_of(schema_->specs().begin(), schema_->specs().end(),
                    [&](const KeySpec& s) { return s.key.rfind(key + ".", 0) == 0; });
    if (is_section && node.is_table()) {
      apply_table(*node.as_table(), source, key);
      continue;
    }
    if (is_section) {
      throw ConfigError("config error in " + source + ": '" + key +
                        "' is a section (a table of keys), got " + describe_node(node));
    }
    std::string msg = "config error in " + source + ": unknown key '" + key + "'";
    const auto near = strings::closest_match(key, schema_->keys());
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    msg += "; run with --describe-config to list every key";
    throw ConfigError(msg);
  }
}

void Config::apply_value(const KeySpec& spec, const toml::node& node, const std::string& source) {
  auto fail_here = [&](const std::string& what) {
    throw ConfigError("config error in " + source + ": key '" + spec.key + "' " + what);
  };
  auto check_number = [&](const toml::node& n, const std::string& where) -> double {
    const auto x = as_number(n);
    if (!x) {
      fail_here(where + "must be a number, got " + node_type_name(n) + " " + describe_node(n));
    }
    if (!std::isfinite(*x)) fail_here(where + "must be finite, got " + describe_node(n));
    if (!spec.bounds.contains(*x)) {
      const bool interval = spec.bounds.min && spec.bounds.max;
      fail_here(where + "must be " + (interval ? "in " : "") + spec.bounds.describe() + ", got " +
                format_number(*x));
    }
    return *x;
  };
  auto check_len = [&](const toml::array& a) {
    if (a.size() < spec.min_len || a.size() > spec.max_len) {
      const std::string want = spec.min_len == spec.max_len
                                   ? std::to_string(spec.min_len)
                                   : "between " + std::to_string(spec.min_len) + " and " +
                                         (spec.max_len == std::numeric_limits<std::size_t>::max()
                                              ? std::string("any number of")
                                              : std::to_string(spec.max_len));
      fail_here("must have " + want + " elements, got " + std::to_string(a.size()) + " (" +
                describe_node(a) + ")");
    }
  };

  switch (spec.kind) {
    case Kind::Bool:
      if (!node.is_boolean()) fail_here("must be true or false, got " + describe_node(node));
      set_at_path(values_, spec.key, toml::value<bool>(node.value_or(false)));
      break;
    case Kind::Int: {
      if (!node.is_integer()) {
        fail_here("must be an integer, got " + node_type_name(node) + " " + describe_node(node));
      }
      check_number(node, "");
      set_at_path(values_, spec.key, toml::value<int64_t>(node.value_or(int64_t{0})));
      break;
    }
    case Kind::Float:
      set_at_path(values_, spec.key, toml::value<double>(check_number(node, "")));
      break;
    case Kind::String:
      if (!node.is_string()) fail_here("must be a string, got " + describe_node(node));
      set_at_path(values_, spec.key, toml::value<std::string>(node.value_or(std::string())));
      break;
    case Kind::Choice: {
      const std::string v = node.value_or(std::string());
      if (!node.is_string() ||
          std::find(spec.choices.begin(), spec.choices.end(), v) == spec.choices.end()) {
        std::string msg =
            "must be one of " + quote_list(spec.choices) + ", got " + describe_node(node);
        const auto near = strings::closest_match(v, spec.choices);
        if (node.is_string() && !near.empty()) msg += " (did you mean '" + near + "'?)";
        fail_here(msg);
      }
      set_at_path(values_, spec.key, toml::value<std::string>(v));
      break;
    }
    case Kind::FloatList:
    case Kind::IntList: {
      if (!node.is_array())
        fail_here("must be a " + spec.type_name() + ", got " + describe_node(node));
      const auto& a = *node.as_array();
      check_len(a);
      toml::array out;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string where = "element " + std::to_string(i) + " ";
        if (spec.kind == Kind::IntList && !a[i].is_integer()) {
          fail_here(where + "must be an integer, got " + describe_node(a[i]));
        }
        const double x = check_number(a[i], where);
        if (spec.kind == Kind::IntList) {
          out.push_back(a[i].value_or(int64_t{0}));
        } else {
          out.push_back(x);
        }
      }
      set_at_path(values_, spec.key, std::move(out));
      break;
    }
    case Kind::StringList: {
      toml::array out;
      if (node.is_string()) {  // bare "a,b,c" (from --set) splits on commas
        for (const auto& s : strings::split(node.value_or(std::string()), ',')) {
          const auto t = strings::trim(s);
          if (!t.empty()) out.push_back(t);
        }
      } else if (node.is_array()) {
        for (const auto& e : *node.as_array()) {
          if (!e.is_string())
            fail_here("must be a list of strings, got element " + describe_node(e));
          out.push_back(e.value_or(std::string()));
        }
      } else {
        fail_here("must be a list of strings, got " + describe_node(node));
      }
      set_at_path(values_, spec.key, std::move(out));
      break;
    }
    case Kind::RangeTable: {
      if (!node.is_table()) {
        fail_here("must be a table of name = [lo, hi] entries, got " + describe_node(node));
      }
      toml::table out;
      for (auto&& [name, entry] : *node.as_table()) {
        const std::string where = "entry '" + std::string(name.str()) + "' ";
        if (!entry.is_array() || entry.as_array()->size() != 2) {
          fail_here(where + "must be [lo, hi], got " + describe_node(entry));
        }
        const auto& a = *entry.as_array();
        const double lo = check_number(a[0], where + "lower edge ");
        const double hi = check_number(a[1], where + "upper edge ");
        if (!(lo < hi)) {
          fail_here(where + "must have lo < hi, got [" + format_number(lo) + ", " +
                    format_number(hi) + "]");
        }
        out.insert_or_assign(name, toml::array{lo, hi});
      }
      if (out.empty()) fail_here("must have at least one entry");
      set_at_path(values_, spec.key, std::move(out));
      break;
    }
    case Kind::PointList: {
      const std::string expect =
          spec.allow_lattice ? "a list of [x, y] points or a lattice size [nx, ny] of integers"
                             : "a list of [x, y] points";
      if (!node.is_array()) fail_here("must be " + expect + ", got " + describe_node(node));
      const auto& a = *node.as_array();
      if (a.empty()) fail_here("must have at least one point");
      toml::array out;
      if (spec.allow_lattice && a.size() == 2 && a[0].is_integer() && a[1].is_integer()) {
        for (std::size_t i = 0; i < 2; ++i) {
          const int64_t n = a[i].value_or(int64_t{0});
          if (n < 1) {
            fail_here("lattice size element " + std::to_string(i) + " must be >= 1, got " +
                      std::to_string(n));
          }
          out.push_back(n);
        }
      } else {
        for (std::size_t i = 0; i < a.size(); ++i) {
          const std::string where = "point " + std::to_string(i) + " ";
          if (!a[i].is_array() || a[i].as_array()->size() != 2) {
            fail_here(where + "must be [x, y], got " + describe_node(a[i]) + " (expected " +
                      expect + ")");
          }
          const auto& p = *a[i].as_array();
          const double x = check_number(p[0], where + "x ");
          const double y = check_number(p[1], where + "y ");
          out.push_back(toml::array{x, y});
        }
      }
      set_at_path(values_, spec.key, std::move(out));
      break;
    }
  }
  origins_[spec.key] = source;
}

void Config::apply_override(const std::string& assignment) {
  const auto [key, text] = split_assignment(assignment);
  toml::table parsed;
  bool is_toml = true;
  try {
    parsed = toml::parse(std::string_view("v = " + text), std::string_view("--set"));
  } catch (const toml::parse_error&) {
    is_toml = false;
  }
  toml::table wrapper;
  if (is_toml) {
    parsed.at("v").visit([&](auto&& v) { set_at_path(wrapper, key, v); });
  } else {
    set_at_path(wrapper, key, toml::value<std::string>(text));
  }
  // A dotted key below a range table sets one entry: merge it into the current table.
  const auto dot = key.rfind('.');
  if (dot != std::string::npos) {
    const KeySpec* parent = schema_->find(key.substr(0, dot));
    if (parent != nullptr && parent->kind == Kind::RangeTable) {
      toml::table merged = *values_.at_path(parent->key).as_table();
      wrapper.at_path(key).visit(
          [&](auto&& v) { merged.insert_or_assign(key.substr(dot + 1), v); });
      apply_value(*parent, merged, "--set " + assignment);
      return;
    }
  }
  apply_table(wrapper, "--set " + assignment, "");
}

const toml::node& Config::node_at(const std::string& key, Kind expected) const {
  const KeySpec* spec = schema_->find(key);
  if (spec == nullptr || spec->kind != expected) {
    throw RuntimeError("internal error: config key '" + key + "' is not declared as " +
                       KeySpec{key, expected, {}, {}, {}}.type_name() + " in '" +
                       schema_->command() + "'");
  }
  return *values_.at_path(key).node();
}

bool Config::get_bool(const std::string& key) const {
  return node_at(key, Kind::Bool).value_or(false);
}
int64_t Config::get_int(const std::string& key) const {
  return node_at(key, Kind::Int).value_or(int64_t{0});
}
double Config::get_float(const std::string& key) const {
  return node_at(key, Kind::Float).value_or(0.0);
}
std::string Config::get_string(const std::string& key) const {
  const KeySpec* spec = schema_->find(key);
  const Kind kind = spec != nullptr && spec->kind == Kind::Choice ? Kind::Choice : Kind::String;
  return node_at(key, kind).value_or(std::string());
}
std::vector<double> Config::get_floats(const std::string& key) const {
  std::vector<double> out;
  for (const auto& e : *node_at(key, Kind::FloatList).as_array()) out.push_back(e.value_or(0.0));
  return out;
}
std::vector<int64_t> Config::get_ints(const std::string& key) const {
  std::vector<int64_t> out;
  for (const auto& e : *node_at(key, Kind::IntList).as_array()) {
    out.push_back(e.value_or(int64_t{0}));
  }
  return out;
}
std::vector<std::string> Config::get_strings(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& e : *node_at(key, Kind::StringList).as_array()) {
    out.push_back(e.value_or(std::string()));
  }
  return out;
}
PointListValue Config::get_points(const std::string& key) const {
  PointListValue out;
  const auto& a = *node_at(key, Kind::PointList).as_array();
  if (a.size() == 2 && a[0].is_integer()) {
    out.lattice = std::make_pair(a[0].value_or(int64_t{1}), a[1].value_or(int64_t{1}));
    return out;
  }
  for (const auto& e : a) {
    const auto& p = *e.as_array();
    out.points.emplace_back(p[0].value_or(0.0), p[1].value_or(0.0));
  }
  return out;
}

std::vector<NamedRange> Config::get_ranges(const std::string& key) const {
  std::vector<NamedRange> out;
  for (auto&& [name, entry] : *node_at(key, Kind::RangeTable).as_table()) {
    const auto& a = *entry.as_array();
    out.push_back({std::string(name.str()), a[0].value_or(0.0), a[1].value_or(0.0)});
  }
  std::sort(out.begin(), out.end(), [](const NamedRange& a, const NamedRange& b) {
    return a.lo != b.lo ? a.lo < b.lo : a.name < b.name;
  });
  return out;
}

std::string Config::origin(const std::string& key) const {
  const auto it = origins_.find(key);
  return it == origins_.end() ? std::string("the built-in defaults") : it->second;
}

void Config::fail(const std::string& key, const std::string& message) const {
  throw ConfigError("config error in " + origin(key) + ": key '" + key + "' " + message);
}

std::string Config::to_toml() const {
  std::ostringstream os;
  os << "# qneuro " << schema_->command() << ": resolved configuration";
  if (!preset_.empty()) os << " (preset '" << preset_ << "')";
  os << "\n" << toml::toml_formatter{values_} << "\n";
  return os.str();
}

}  // namespace qneuro::config
