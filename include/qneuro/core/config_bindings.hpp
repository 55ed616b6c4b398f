// Config keys bound to the members of a params struct: the one mapping between a key name and the
// member it sets, and the one place a default lives (the struct's member initialiser).
//
//   config::BoundSchema<FieldParams> b("field");
//   b.bind("connectivity.beta", QNEURO_MEMBER(model.conn_beta), {"energy*volume", "strength beta"},
//          Bounds{-1e6, 1e6});
//   ...
//   FieldParams p;  b.read(cfg, p);   // every bound key into its member
//
// bind() declares the key in the schema with the member's value in a default-constructed P as its
// default, and the kind that matches the member's type:
//   bool -> Bool;  integers -> Int;  float/double -> Float;  std::string -> String;
//   a named enum (core/enum_names.hpp) -> Choice of its names;
//   std::array<double, N> -> list of N floats;  std::vector<double> -> FloatList;
//   std::vector<int64_t> -> IntList;  std::vector<std::string> -> StringList.
// Keys that do not map onto one member (lists spread over several members, values that need the
// data) are declared on schema() directly and read by hand; the binder documents which.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "qneuro/core/config.hpp"

/// A member accessor for BoundSchema::bind: QNEURO_MEMBER(model.conn_beta) is a callable that
/// returns p.model.conn_beta for a P (or const P) p.
#define QNEURO_MEMBER(path)          \
  [](auto& bound_params_) -> auto& { \
    return bound_params_.path;       \
  }

namespace qneuro::config {

namespace detail {
template <typename T>
struct IsStdArray : std::false_type {};
template <typename T, std::size_t N>
struct IsStdArray<std::array<T, N>> : std::true_type {};
}  // namespace detail

template <typename P>
class BoundSchema {
 public:
  explicit BoundSchema(std::string command) : schema_(std::move(command)) {}

  /// Declares `key` with the default `member(P{})` and binds it to that member (see the file
  /// comment for the kinds). `bounds` applies to numbers and list elements.
  template <typename Member>
  BoundSchema& bind(const std::string& key, Member member, KeyDoc doc, Bounds bounds = {}) {
    using T = std::remove_cvref_t<decltype(member(std::declval<P&>()))>;
    const T& def = member(defaults_);
    if constexpr (std::is_same_v<T, bool>) {
      schema_.add_bool(key, def, std::move(doc));
      readers_.push_back([key, member](const Config& c, P& p) { member(p) = c.get_bool(key); });
    } else if constexpr (NamedEnum<T>) {
      schema_.add_choice(key, def, std::move(doc));
      readers_.push_back([key, member](const Config& c, P& p) { member(p) = c.get_enum<T>(key); });
    } else if constexpr (std::is_integral_v<T>) {
      schema_.add_int(key, static_cast<int64_t>(def), std::move(doc), bounds);
      readers_.push_back(
          [key, member](const Config& c, P& p) { member(p) = static_cast<T>(c.get_int(key)); });
    } else if constexpr (std::is_floating_point_v<T>) {
      schema_.add_float(key, static_cast<double>(def), std::move(doc), bounds);
      readers_.push_back(
          [key, member](const Config& c, P& p) { member(p) = static_cast<T>(c.get_float(key)); });
    } else if constexpr (std::is_same_v<T, std::string>) {
      schema_.add_string(key, def, std::move(doc));
      readers_.push_back([key, member](const Config& c, P& p) { member(p) = c.get_string(key); });
    } else if constexpr (detail::IsStdArray<T>::value) {
      static_assert(std::is_same_v<typename T::value_type, double>, "arrays of doubles only");
      const std::size_t n = std::tuple_size_v<T>;
      schema_.add_float_list(key, std::vector<double>(def.begin(), def.end()), std::move(doc),
                             bounds, n, n);
      readers_.push_back([key, member](const Config& c, P& p) {
        const std::vector<double> v = c.get_floats(key);
        for (std::size_t i = 0; i < v.size() && i < std::tuple_size_v<T>; ++i) member(p)[i] = v[i];
      });
    } else {
      bind_list(key, member, std::move(doc), bounds);
    }
    return *this;
  }

  /// A list key bound to a std::vector member, with element bounds and a length range.
  template <typename Member>
  BoundSchema& bind_list(const std::string& key, Member member, KeyDoc doc, Bounds bounds = {},
                         std::size_t min_len = 0,
                         std::size_t max_len = std::numeric_limits<std::size_t>::max()) {
    using T = std::remove_cvref_t<decltype(member(std::declval<P&>()))>;
    const T& def = member(defaults_);
    if constexpr (std::is_same_v<T, std::vector<double>>) {
      schema_.add_float_list(key, def, std::move(doc), bounds, min_len, max_len);
      readers_.push_back([key, member](const Config& c, P& p) { member(p) = c.get_floats(key); });
    } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
      schema_.add_int_list(key, def, std::move(doc), bounds, min_len, max_len);
      readers_.push_back([key, member](const Config& c, P& p) { member(p) = c.get_ints(key); });
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      schema_.add_string_list(key, def, std::move(doc));
      readers_.push_back([key, member](const Config& c, P& p) { member(p) = c.get_strings(key); });
    } else {
      static_assert(sizeof(T) == 0, "BoundSchema: no config kind for this member type");
    }
    return *this;
  }

  /// The schema, for keys read by hand and for presets.
  [[nodiscard]] Schema& schema() { return schema_; }
  [[nodiscard]] const Schema& schema() const { return schema_; }

  /// Stores every bound key of `cfg` into its member of `p` (values already validated).
  void read(const Config& cfg, P& p) const {
    for (const auto& r : readers_) r(cfg, p);
  }

 private:
  Schema schema_;
  P defaults_{};  ///< where every bound key's default is read (once, not per key)
  std::vector<std::function<void(const Config&, P&)>> readers_;
};

}  // namespace qneuro::config
