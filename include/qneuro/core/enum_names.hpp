// One name table per enum: the names a config key, a CLI option, a file attribute and a log line
// use for its values, and the only place they are spelled.
//
// Next to an enum, specialise the variable template `qneuro::enum_names<E>` with a constexpr array
// of {value, name} pairs (lower_snake_case names, every value listed exactly once):
//
//   enum class Precision { Double, Float, Mixed };
//   template <>
//   inline constexpr std::array enum_names<field::Precision>{
//       EnumName{field::Precision::Double, "double"}, EnumName{field::Precision::Float, "float"},
//       EnumName{field::Precision::Mixed, "mixed"}};
//
// Then to_string(e) gives the name, parse_enum<E>(text, what) the value (InputError naming `what`
// and the allowed names otherwise), enum_name_list<E>() the names in table order (what
// config::Schema::add_choice lists), and Config::get_enum<E>(key) reads a choice key. Engine code
// compares the enum values, never the strings.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "qneuro/core/error.hpp"

namespace qneuro {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

/// Not an enum table: specialise it for each enum (see the file comment).
template <typename E>
inline constexpr std::nullptr_t enum_names = nullptr;

/// An enum with a name table.
template <typename E>
concept NamedEnum =
    std::is_enum_v<E> && !std::is_same_v<std::remove_cv_t<decltype(enum_names<E>)>, std::nullptr_t>;

/// The name of `value` (every value of a named enum has one).
template <NamedEnum E>
[[nodiscard]] constexpr std::string_view enum_name(E value) {
  for (const auto& entry : enum_names<E>) {
    if (entry.value == value) return entry.name;
  }
  return "?";  // unreachable for a complete table (tests/unit/core/test_enum_names.cpp)
}

template <NamedEnum E>
[[nodiscard]] std::string to_string(E value) {
  return std::string(enum_name(value));
}

/// The value named `name`, if any.
template <NamedEnum E>
[[nodiscard]] constexpr std::optional<E> enum_from_name(std::string_view name) {
  for (const auto& entry : enum_names<E>) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

/// The names in table order.
template <NamedEnum E>
[[nodiscard]] std::vector<std::string> enum_name_list() {
  std::vector<std::string> out;
  for (const auto& entry : enum_names<E>) out.emplace_back(entry.name);
  return out;
}

/// "a, b or c": the allowed names for a message.
template <NamedEnum E>
[[nodiscard]] std::string enum_choices_text() {
  std::string out;
  const std::size_t n = enum_names<E>.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += i + 1 == n ? " or " : ", ";
    out += enum_names<E>[i].name;
  }
  return out;
}

/// Parses a name; throws InputError "`what` must be a, b or c, got 'x'" otherwise.
template <NamedEnum E>
[[nodiscard]] E parse_enum(std::string_view name, std::string_view what) {
  if (const auto v = enum_from_name<E>(name)) return *v;
  throw InputError("'" + std::string(what) + "' must be " + enum_choices_text<E>() + ", got '" +
                   std::string(name) + "'");
}

}  // namespace qneuro
