// One name table per enum (core/enum_names.hpp): to_string, parse_enum and the config's choice
// lists all come from it.
#include <gtest/gtest.h>

#include "enum_table_checks.hpp"
#include "qneuro/core/config.hpp"
#include "qneuro/core/error.hpp"
#include "qneuro/core/observer.hpp"

namespace qneuro {
namespace {

enum class Colour { Red, DeepBlue };
}  // namespace
template <>
inline constexpr std::array enum_names<Colour>{EnumName{Colour::Red, "red"},
                                               EnumName{Colour::DeepBlue, "deep_blue"}};
namespace {

TEST(EnumNames, NamesParseAndRoundTrip) {
  EXPECT_EQ(to_string(Colour::DeepBlue), "deep_blue");
  EXPECT_EQ(parse_enum<Colour>("red", "colour"), Colour::Red);
  EXPECT_EQ(enum_name_list<Colour>(), (std::vector<std::string>{"red", "deep_blue"}));
  EXPECT_EQ(enum_choices_text<Colour>(), "red or deep_blue");
  EXPECT_FALSE(enum_from_name<Colour>("Red").has_value());  // names are exact
  try {
    (void)parse_enum<Colour>("green", "paint.colour");
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "'paint.colour' must be red or deep_blue, got 'green'");
  }
  testing::expect_complete_table<Colour>(2);
  testing::expect_complete_table<RunStatus>(3);
}

TEST(EnumNames, ConfigChoicesComeFromTheTable) {
  config::Schema s("t");
  s.add_choice("paint.colour", Colour::DeepBlue, {"", "a colour"});
  const auto* spec = s.find("paint.colour");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->choices, enum_name_list<Colour>());
  const auto d = config::Config::resolve(s, "", {}, {});
  EXPECT_EQ(d.get_enum<Colour>("paint.colour"), Colour::DeepBlue);
  const auto c = config::Config::resolve(s, "", {}, {"paint.colour=red"});
  EXPECT_EQ(c.get_enum<Colour>("paint.colour"), Colour::Red);
  EXPECT_THROW((void)config::Config::resolve(s, "", {}, {"paint.colour=green"}), ConfigError);
}

}  // namespace
}  // namespace qneuro
