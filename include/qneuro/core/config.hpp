// Strictly validated TOML configuration with presets and command-line overrides.
//
// Every subcommand declares a Schema: each key (dotted, e.g. "welch.nperseg") with its kind,
// default, unit, allowed range and one line of documentation. A Config is resolved in layers,
// each validated as it is applied, so that a message can name where a bad value came from:
//   1. schema defaults  2. a named preset (TOML text)  3. a --config FILE  4. --set key=value ...
// Validation rejects unknown keys (suggesting the nearest valid key), wrong types (integers are
// accepted where a float is expected, not the reverse), non-finite numbers, values out of range,
// strings outside a choice list and lists of the wrong length. Messages have the form
//   config error in <source>: key 'welch.overlap' must be in [0, 1), got 1.5
// and throw qneuro::ConfigError (exit code 2).
//
// --set values are parsed as TOML values ("3", "2.5", "[1, 2]", "{a=[1,2]}", "true", "\"x\"");
// anything that does not parse as TOML is taken as a bare string, and a bare string given for a
// string-list key is split on commas, so `--set channels.names=O1,Oz,O2` works.
//
// Range tables (kind RangeTable) map free-form names to [lo, hi] pairs with lo < hi, e.g.
// `[bands] alpha = [8, 12]`. A table given in a file or as `--set bands={...}` replaces the whole
// table; `--set bands.alpha=[8,13]` changes or adds one entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "qneuro/core/enum_names.hpp"

namespace qneuro::config {

enum class Kind {
  Bool,
  Int,
  Float,
  String,
  Choice,
  FloatList,
  IntList,
  StringList,
  RangeTable,
  PointList,  ///< list of [x, y] points, or (if allowed) a lattice size [nx, ny] of two integers
};

/// Inclusive bounds by default; `*_open` makes a bound exclusive.
struct Bounds {
  std::optional<double> min;
  std::optional<double> max;
  bool min_open = false;
  bool max_open = false;
  [[nodiscard]] bool contains(double x) const;
  [[nodiscard]] std::string describe() const;  ///< e.g. "[0, 1)", "> 0", "any"
};

/// Documentation of a key: shown by `--describe-config` and in docs/.
struct KeyDoc {
  std::string unit;  ///< "Hz", "s", "samples", "" for dimensionless
  std::string doc;   ///< one sentence: what the key controls
};

struct KeySpec {
  std::string key;
  Kind kind = Kind::Float;
  KeyDoc doc;
  Bounds bounds;                     ///< numbers, list elements, range-table edges
  std::vector<std::string> choices;  ///< Kind::Choice
  std::size_t min_len = 0;           ///< lists
  std::size_t max_len = std::numeric_limits<std::size_t>::max();
  bool allow_lattice = false;                   ///< PointList: also accept [nx, ny] integers
  [[nodiscard]] std::string type_name() const;  ///< "float", "list of 2 floats", ...
};

/// The value of a PointList key: explicit points, or a lattice size when given as two integers.
struct PointListValue {
  std::vector<std::pair<double, double>> points;
  std::optional<std::pair<int64_t, int64_t>> lattice;
};

/// A named [lo, hi] entry of a RangeTable key.
struct NamedRange {
  std::string name;
  double lo = 0.0;
  double hi = 0.0;
};

class Schema {
 public:
  explicit Schema(std::string command) : command_(std::move(command)) {}

  Schema& add_bool(const std::string& key, bool def, KeyDoc doc);
  Schema& add_int(const std::string& key, int64_t def, KeyDoc doc, Bounds bounds = {});
  Schema& add_float(const std::string& key, double def, KeyDoc doc, Bounds bounds = {});
  Schema& add_string(const std::string& key, std::string def, KeyDoc doc);
  Schema& add_choice(const std::string& key, std::string def, std::vector<std::string> choices,
                     KeyDoc doc);
  /// A choice among the names of a named enum (core/enum_names.hpp), in table order.
  template <NamedEnum E>
  Schema& add_choice(const std::string& key, E def, KeyDoc doc) {
    return add_choice(key, to_string(def), enum_name_list<E>(), std::move(doc));
  }
  Schema& add_float_list(const std::string& key, std::vector<double> def, KeyDoc doc,
                         Bounds element_bounds = {}, std::size_t min_len = 0,
                         std::size_t max_len = std::numeric_limits<std::size_t>::max());
  Schema& add_int_list(const std::string& key, std::vector<int64_t> def, KeyDoc doc,
                       Bounds element_bounds = {}, std::size_t min_len = 0,
                       std::size_t max_len = std::numeric_limits<std::size_t>::max());
  Schema& add_string_list(const std::string& key, std::vector<std::string> def, KeyDoc doc);
  Schema& add_range_table(const std::string& key, std::vector<NamedRange> def, KeyDoc doc,
                          Bounds edge_bounds = {});
  /// A list of [x, y] points (each coordinate within `coordinate_bounds`). With `allow_lattice`,
  /// a list of exactly two integers [nx, ny] (each >= 1) is accepted as a lattice size instead.
  Schema& add_point_list(const std::string& key, std::vector<std::pair<double, double>> def,
                         KeyDoc doc, Bounds coordinate_bounds = {}, bool allow_lattice = false);
  Schema& add_point_list(const std::string& key, std::pair<int64_t, int64_t> lattice_def,
                         KeyDoc doc, Bounds coordinate_bounds = {});
  /// A preset is TOML text applied over the defaults (validated when used).
  Schema& add_preset(const std::string& name, std::string toml_text, std::string description);

  [[nodiscard]] const std::string& command() const { return command_; }
  [[nodiscard]] const KeySpec* find(const std::string& key) const;
  [[nodiscard]] const std::vector<KeySpec>& specs() const { return specs_; }
  [[nodiscard]] std::vector<std::string> keys() const;
  [[nodiscard]] const toml::table& defaults() const { return defaults_; }
  [[nodiscard]] std::vector<std::string> preset_names() const;
  [[nodiscard]] const std::string* preset_text(const std::string& name) const;
  [[nodiscard]] const std::string* preset_description(const std::string& name) const;
  /// Markdown table of every key (key, type, default, unit, allowed, meaning) for docs/.
  [[nodiscard]] std::string markdown() const;

 private:
  Schema& add(KeySpec spec, toml::node&& def);
  std::string command_;
  std::vector<KeySpec> specs_;
  toml::table defaults_;
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> presets_;
};

class Config {
 public:
  /// Resolves defaults < preset < file < overrides. `preset` may be empty (defaults only).
  /// Throws ConfigError naming the source, key, value and allowed range on any violation.
  static Config resolve(const Schema& schema, const std::string& preset,
                        const std::optional<std::filesystem::path>& file,
                        const std::vector<std::string>& overrides);

  [[nodiscard]] bool get_bool(const std::string& key) const;
  [[nodiscard]] int64_t get_int(const std::string& key) const;
  [[nodiscard]] double get_float(const std::string& key) const;
  [[nodiscard]] std::string get_string(const std::string& key) const;
  /// A choice key declared with Schema::add_choice<E>, as the enum value.
  template <NamedEnum E>
  [[nodiscard]] E get_enum(const std::string& key) const {
    return parse_enum<E>(get_string(key), key);
  }
  [[nodiscard]] std::vector<double> get_floats(const std::string& key) const;
  [[nodiscard]] std::vector<int64_t> get_ints(const std::string& key) const;
  [[nodiscard]] std::vector<std::string> get_strings(const std::string& key) const;
  [[nodiscard]] PointListValue get_points(const std::string& key) const;
  /// Entries of a RangeTable key, ordered by lower edge (then name).
  [[nodiscard]] std::vector<NamedRange> get_ranges(const std::string& key) const;

  /// Where the current value of `key` came from: "the built-in defaults", "preset 'x'",
  /// "file 'f'" or "--set k=v".
  [[nodiscard]] std::string origin(const std::string& key) const;
  /// Throws ConfigError for a cross-key or data-dependent check, naming the key and origin.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  [[nodiscard]] const std::string& preset() const { return preset_; }
  [[nodiscard]] const toml::table& table() const { return values_; }
  /// The resolved configuration as TOML (what config.resolved.toml contains).
  [[nodiscard]] std::string to_toml() const;

 private:
  Config(const Schema& schema) : schema_(&schema) {}
  void apply_table(const toml::table& table, const std::string& source, const std::string& prefix);
  void apply_value(const KeySpec& spec, const toml::node& node, const std::string& source);
  void apply_override(const std::string& assignment);
  const toml::node& node_at(const std::string& key, Kind expected) const;

  const Schema* schema_;
  toml::table values_;
  std::map<std::string, std::string> origins_;
  std::string preset_;
};

/// Parses "key=value" into its parts (key trimmed). Throws ConfigError if there is no '='.
std::pair<std::string, std::string> split_assignment(const std::string& assignment);

}  // namespace qneuro::config
