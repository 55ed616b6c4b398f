// The dashboard's request pieces: paths confined to the root, overrides from JSON, error keys.
#include <gtest/gtest.h>

#include <fstream>

#include "qneuro/eeg/analysis_config.hpp"
#include "qneuro/web/requests.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using qneuro::web::HttpError;
using qneuro::web::RootDir;

namespace {

int status_of(const RootDir& root, const std::string& rel, bool must_exist = true) {
  try {
    (void)root.resolve(rel, "file", must_exist);
    return 200;
  } catch (const HttpError& e) {
    EXPECT_EQ(e.key(), "file");
    return e.status();
  }
}

}  // namespace

TEST(WebRootDir, ResolvesPathsInsideTheRoot) {
  qneuro::testing::TempDir dir;
  fs::create_directories(dir.path() / "a" / "b");
  std::ofstream(dir.path() / "a" / "b" / "x.edf") << "x";
  const RootDir root(dir.path());
  EXPECT_EQ(root.resolve("a/b/x.edf", "file"), fs::canonical(dir.path() / "a/b/x.edf"));
  EXPECT_EQ(root.resolve("", "file"), fs::canonical(dir.path()));
  EXPECT_EQ(root.relative(root.resolve("a/b", "file")), "a/b");
  EXPECT_EQ(root.relative(root.resolve(".", "file")), ".");
  EXPECT_EQ(status_of(root, "a/missing.edf"), 404);
  EXPECT_EQ(status_of(root, "a/new-dir", false), 200);
}

TEST(WebRootDir, RefusesTraversalAbsolutePathsAndSymlinksOut) {
  qneuro::testing::TempDir dir, outside;
  fs::create_directories(dir.path() / "root" / "sub");
  std::ofstream(outside.path() / "secret.txt") << "secret";
  fs::create_symlink(outside.path(), dir.path() / "root" / "link-out");
  fs::create_symlink(outside.path() / "secret.txt", dir.path() / "root" / "sub" / "file-out");
  fs::create_symlink(dir.path() / "root" / "sub", dir.path() / "root" / "link-in");
  const RootDir root(dir.path() / "root");
  EXPECT_EQ(status_of(root, "../secret.txt"), 403);
  EXPECT_EQ(status_of(root, "sub/../../x"), 403);
  EXPECT_EQ(status_of(root, "sub/.."), 403);
  EXPECT_EQ(status_of(root, "/etc/passwd"), 403);
  EXPECT_EQ(status_of(root, outside.path().string()), 403);
  EXPECT_EQ(status_of(root, "link-out/secret.txt"), 403);
  EXPECT_EQ(status_of(root, "link-out"), 403);
  EXPECT_EQ(status_of(root, "sub/file-out"), 403);
  EXPECT_EQ(status_of(root, std::string("sub\0x", 5)), 403);
  EXPECT_EQ(status_of(root, "link-in"), 200);  // a link that stays inside is fine
  EXPECT_THROW(RootDir(dir.path() / "missing"), qneuro::InputError);
}

TEST(WebOverrides, JsonValuesBecomeTomlSetStrings) {
  const json set = {{"a.int", 3},
                    {"a.float", 2.5},
                    {"a.whole", 2.0},
                    {"a.bool", true},
                    {"a.str", "x\"y"},
                    {"a.list", {1, 2.5}},
                    {"a.table", {{"alpha", {8, 13}}}}};
  const std::vector<std::string> o = qneuro::web::overrides_from_json(set, "set");
  const std::vector<std::string> expected = {"a.bool=true",      "a.float=2.5",
                                             "a.int=3",          "a.list=[1, 2.5]",
                                             "a.str=\"x\\\"y\"", "a.table={\"alpha\" = [8, 13]}",
                                             "a.whole=2.0"};
  EXPECT_EQ(o, expected);
  EXPECT_TRUE(qneuro::web::overrides_from_json(nullptr, "set").empty());
  try {
    (void)qneuro::web::overrides_from_json(json::array({1}), "set");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.key(), "set");
  }
  try {
    (void)qneuro::web::overrides_from_json(json{{"welch.overlap", nullptr}}, "set");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.key(), "welch.overlap");
  }
}

TEST(WebOverrides, ResolveInTheEnginesSchemaAndNameTheBadKey) {
  const auto& schema = qneuro::eeg::analysis_schema();
  const auto o = qneuro::web::overrides_from_json(
      json{{"bands.alpha", {8, 13}}, {"welch.overlap", 0.25}}, "set");
  const auto cfg = qneuro::config::Config::resolve(schema, "", std::nullopt, o);
  EXPECT_DOUBLE_EQ(cfg.get_float("welch.overlap"), 0.25);
  try {
    (void)qneuro::config::Config::resolve(
        schema, "", std::nullopt,
        qneuro::web::overrides_from_json(json{{"welch.overlap", 1.5}}, "set"));
    FAIL() << "expected ConfigError";
  } catch (const qneuro::ConfigError& e) {
    EXPECT_EQ(qneuro::web::key_in_message(e.what()), "welch.overlap");
  }
}

TEST(WebSchema, ListsEveryKeyWithDefaultsAndPresets) {
  const json j = qneuro::web::schema_json(qneuro::eeg::analysis_schema(), "");
  EXPECT_EQ(j["keys"].size(), qneuro::eeg::analysis_schema().specs().size());
  bool found = false;
  for (const json& k : j["keys"]) {
    if (k["key"] == "welch.overlap") {
      found = true;
      EXPECT_EQ(k["kind"], "float");
      EXPECT_DOUBLE_EQ(k["default"].get<double>(), 0.5);
      EXPECT_DOUBLE_EQ(k["min"].get<double>(), 0.0);
      EXPECT_TRUE(k["max_open"].get<bool>());
    }
  }
  EXPECT_TRUE(found);
}

TEST(WebRequireMember, NamesTheMissingOrMistypedMember) {
  const json body = {{"dir", "x"}, {"tokens", 5}};
  EXPECT_EQ(qneuro::web::require_member(body, "dir", json::value_t::string), "x");
  EXPECT_EQ(qneuro::web::require_member(body, "tokens", json::value_t::number_float), 5);
  for (const auto& [key, type] : std::vector<std::pair<std::string, json::value_t>>{
           {"missing", json::value_t::string}, {"dir", json::value_t::number_integer}}) {
    try {
      (void)qneuro::web::require_member(body, key, type);
      FAIL() << key;
    } catch (const HttpError& e) {
      EXPECT_EQ(e.status(), 400);
      EXPECT_EQ(e.key(), key);
    }
  }
}
