// Checks that an enum's name table (core/enum_names.hpp) is complete: `count` values numbered
// 0..count-1 each named once, names distinct and lower_snake_case.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "qneuro/core/enum_names.hpp"

namespace qneuro::testing {

template <NamedEnum E>
void expect_complete_table(std::size_t count) {
  std::set<int> values;
  std::set<std::string> names;
  for (const auto& entry : enum_names<E>) {
    values.insert(static_cast<int>(entry.value));
    names.insert(std::string(entry.name));
    for (const char c : entry.name) {
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || c == '_' ||
                  std::isdigit(static_cast<unsigned char>(c)))
          << entry.name;
    }
    EXPECT_EQ(parse_enum<E>(entry.name, "key"), entry.value) << entry.name;
    EXPECT_EQ(enum_name(entry.value), entry.name);
  }
  EXPECT_EQ(enum_names<E>.size(), count);
  EXPECT_EQ(values.size(), count) << "a value is named twice";
  EXPECT_EQ(names.size(), count) << "a name is used twice";
  for (std::size_t v = 0; v < count; ++v) {
    EXPECT_TRUE(values.contains(static_cast<int>(v))) << "value " << v << " has no name";
  }
}

}  // namespace qneuro::testing
